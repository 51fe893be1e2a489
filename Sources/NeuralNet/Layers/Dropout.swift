import Randomness

/// Inverted dropout with a seeded generator (identity in evaluation mode).
public final class Dropout: Layer {
    let p: Float
    /// The generator drawing masks; saved in checkpoints so resumed runs draw the same masks.
    public var generator: SeededGenerator
    private var mask: [Float] = []

    /// Dropout with probability `p`, masks drawn from `generator`.
    public init(_ p: Float, generator: SeededGenerator = SeededGenerator(seed: 0, stream: "dropout")) {
        self.p = p; self.generator = generator
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        guard training, p > 0 else { mask = []; return x }
        let keep = 1 - p, scale = 1 / keep
        mask = [Float](repeating: 0, count: x.count)
        var y = x.data
        for i in 0..<y.count {
            let m: Float = generator.nextFloat() < keep ? scale : 0
            mask[i] = m; y[i] *= m
        }
        return Tensor(unchecked: x.shape, y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        guard !mask.isEmpty else { return grad }
        var g = grad.data
        for i in 0..<g.count { g[i] *= mask[i] }
        return Tensor(unchecked: grad.shape, g)
    }
}
