/// Element-wise ReLU or ReLU6 (clipped at 6, as MobileNetV2 uses).
public final class Activation: Layer {
    /// Which function.
    public enum Kind: Sendable { case relu, relu6 }
    let kind: Kind
    private var output: [Float] = []

    /// An activation of `kind`.
    public init(_ kind: Kind = .relu) { self.kind = kind }

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var y = x.data
        let cap: Float = kind == .relu6 ? 6 : .infinity
        y.withUnsafeMutableBufferPointer { p in
            for i in 0..<p.count { p[i] = min(max(p[i], 0), cap) }
        }
        output = y
        return Tensor(unchecked: x.shape, y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        var g = grad.data
        let cap: Float = kind == .relu6 ? 6 : .infinity
        g.withUnsafeMutableBufferPointer { gp in
            output.withUnsafeBufferPointer { yp in
                for i in 0..<gp.count where !(yp[i] > 0 && yp[i] < cap) { gp[i] = 0 }
            }
        }
        return Tensor(unchecked: grad.shape, g)
    }
}
