import Randomness

/// Inference over a dataset: logits, features and classification reports, in fixed-size batches.
public struct Evaluator {
    /// The model.
    public let network: Network
    /// Normalisation of image batches (no augmentation).
    public var imageBatch: ImageBatch

    /// An evaluator for `network`; by default with the normalisation its architecture expects.
    public init(network: Network, imageBatch: ImageBatch? = nil) {
        self.network = network; self.imageBatch = imageBatch ?? ImageBatch(for: network.config.architecture)
    }

    /// Report and predictions for `data`.
    public func evaluate(_ data: Dataset, classes: Int, batchSize: Int = 32, smoothing: Float = 0) -> (ClassificationReport, [Int]) {
        var predictions: [Int] = [], lossSum = 0.0
        let ce = SoftmaxCrossEntropy(labelSmoothing: smoothing)
        var g = SeededGenerator(seed: 0)
        let bs = max(1, batchSize)
        for start in stride(from: 0, to: data.count, by: bs) {
            let idx = Array(start..<min(data.count, start + bs))
            let logits: Tensor
            switch data.examples {
            case .images(let p, let h, let w):
                logits = network.forward(imageBatch.tensor(p, height: h, width: w, indices: idx, generator: &g), training: false)
            case .features(let v, let d):
                logits = network.top.forward(Tensor(unchecked: [idx.count, d], Array(v[(start * d)..<((start + idx.count) * d)])), training: false)
            }
            let labels = idx.map { data.labels[$0] }
            lossSum += Double(ce.evaluate(logits: logits, labels: labels).loss) * Double(idx.count)
            predictions += Trainer.argmax(logits)
        }
        let report = ClassificationReport(labels: data.labels, predictions: predictions, classes: classes,
                                          loss: lossSum / Double(max(1, data.count)))
        return (report, predictions)
    }

    /// Pooled backbone features `[count, featureDim]` for uint8 NHWC images, in batches.
    public func features(_ pixels: [UInt8], height: Int, width: Int, batchSize: Int = 32,
                         onBatch: (Int, Int) -> Void = { _, _ in }) -> [Float] {
        let n = pixels.count / max(1, height * width * 3)
        var out: [Float] = []
        out.reserveCapacity(n * network.featureDim)
        var g = SeededGenerator(seed: 0)
        for start in stride(from: 0, to: n, by: max(1, batchSize)) {
            let idx = Array(start..<min(n, start + max(1, batchSize)))
            out += network.features(imageBatch.tensor(pixels, height: height, width: width, indices: idx, generator: &g), training: false).data
            onBatch(idx.last! + 1, n)
        }
        return out
    }
}
