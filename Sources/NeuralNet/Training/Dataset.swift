/// Labelled examples for training or evaluation: uint8 NHWC images, or precomputed feature rows.
public struct Dataset: Sendable {
    /// What the rows hold.
    public enum Examples: Sendable {
        /// uint8 [count, height, width, 3].
        case images(pixels: [UInt8], height: Int, width: Int)
        /// float [count, dim] backbone features (frozen-backbone training).
        case features(values: [Float], dim: Int)
    }

    /// The rows.
    public let examples: Examples
    /// Class index per row.
    public let labels: [Int]

    /// Rows.
    public var count: Int { labels.count }

    /// A dataset; throws when sizes disagree or a label is out of range.
    public init(_ examples: Examples, labels: [Int], classes: Int) throws {
        let rows: Int
        switch examples {
        case .images(let p, let h, let w): rows = h > 0 && w > 0 ? p.count / (h * w * 3) : -1
            guard rows * h * w * 3 == p.count else { throw NeuralNetError.badData(reason: "pixel buffer is not [N, \(h), \(w), 3]") }
        case .features(let v, let d): rows = d > 0 ? v.count / d : -1
            guard rows * d == v.count else { throw NeuralNetError.badData(reason: "feature buffer is not [N, \(d)]") }
        }
        guard rows == labels.count else { throw NeuralNetError.badData(reason: "\(rows) examples but \(labels.count) labels") }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classes }) {
            throw NeuralNetError.badData(reason: "label \(bad) outside 0..<\(classes)")
        }
        self.examples = examples; self.labels = labels
    }
}
