/// Global average pooling: CNHW `[C, N, H, W]` → features `[N, C]`.
public final class GlobalAvgPool: Layer {
    private var inShape: [Int] = []

    /// A global average pool.
    public init() {}

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inShape = x.shape
        let (c, n, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var y = [Float](repeating: 0, count: n * c)
        x.data.withUnsafeBufferPointer { xp in
            for ch in 0..<c { for b in 0..<n {
                let base = xp.baseAddress! + (ch * n + b) * hw
                var s: Float = 0
                for i in 0..<hw { s += base[i] }
                y[b * c + ch] = s / Float(hw)
            }}
        }
        return Tensor(unchecked: [n, c], y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let (c, n, hw) = (inShape[0], inShape[1], inShape[2] * inShape[3])
        var dx = [Float](repeating: 0, count: c * n * hw)
        dx.withUnsafeMutableBufferPointer { dp in
            for ch in 0..<c { for b in 0..<n {
                dp.baseAddress!.advanced(by: (ch * n + b) * hw).update(repeating: grad.data[b * c + ch] / Float(hw), count: hw)
            }}
        }
        return Tensor(unchecked: inShape, dx)
    }
}
