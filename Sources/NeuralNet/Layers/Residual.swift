/// `body(x) + shortcut(x)` (identity shortcut when nil), optionally followed by ReLU (ResNet blocks).
public final class Residual: Layer {
    /// The main path and the projection shortcut.
    public let body: any Layer, shortcut: (any Layer)?
    let post: Activation?

    /// A residual connection.
    public init(_ body: any Layer, shortcut: (any Layer)? = nil, reluAfter: Bool = false) {
        self.body = body; self.shortcut = shortcut; post = reluAfter ? Activation(.relu) : nil
    }

    public var parameters: [Parameter] { body.parameters + (shortcut?.parameters ?? []) }
    public var sublayers: [any Layer] { [body] + (shortcut.map { [$0] } ?? []) }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var y = body.forward(x, training: training)
        let s = shortcut?.forward(x, training: training) ?? x
        // The sum and the ReLU after it in one pass.
        y.data.withUnsafeMutableBufferPointer { yp in s.data.withUnsafeBufferPointer { sp in
            let (dst, src, cap) = (yp.baseAddress!, sp.baseAddress!, post?.cap)
            Parallel.forEachRange(yp.count) { r in Activation.add(src, into: dst, r, cap: cap) }
        }}
        post?.remember(y.data)
        return y
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let g = post?.backward(grad) ?? grad
        var dx = body.backward(g)
        let ds = shortcut?.backward(g) ?? g
        dx.data.withUnsafeMutableBufferPointer { dp in ds.data.withUnsafeBufferPointer { sp in
            let (dst, src) = (dp.baseAddress!, sp.baseAddress!)
            Parallel.forEachRange(dp.count) { r in Activation.add(src, into: dst, r, cap: nil) }
        }}
        return dx
    }
}
