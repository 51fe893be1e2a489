/// Runs branches on the same CNHW input and concatenates their outputs along channels (Inception).
public final class Concat: Layer {
    /// The branches, in output-channel order.
    public let branches: [any Layer]
    private var splits: [Int] = [], inShape: [Int] = []

    /// A concatenation of `branches`.
    public init(_ branches: [any Layer]) { self.branches = branches }

    public var parameters: [Parameter] { branches.flatMap { $0.parameters } }
    public var sublayers: [any Layer] { branches }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inShape = x.shape
        let outs = branches.map { $0.forward(x, training: training) }
        splits = outs.map { $0.shape[0] }
        var shape = outs[0].shape
        shape[0] = splits.reduce(0, +)
        var data: [Float] = []
        data.reserveCapacity(shape.reduce(1, *))
        for o in outs { data += o.data }
        return Tensor(unchecked: shape, data)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let per = grad.count / max(grad.shape[0], 1)
        var start = 0
        var dx: [Float] = []
        for (b, c) in zip(branches, splits) {
            var shape = grad.shape; shape[0] = c
            let g = Tensor(unchecked: shape, Array(grad.data[(start * per)..<((start + c) * per)]))
            let d = b.backward(g)
            if dx.isEmpty { dx = d.data } else { for i in 0..<dx.count { dx[i] += d.data[i] } }
            start += c
        }
        return Tensor(unchecked: inShape, dx)
    }
}
