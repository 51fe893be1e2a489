/// Global average pooling: CNHW `[C, N, H, W]` → features `[N, C]`.
public final class GlobalAvgPool: Layer {
    private var inShape: [Int] = []

    /// A global average pool.
    public init() {}

    public var parameters: [Parameter] { [] }

    /// Plane means, channels in parallel, each a 16-wide sum.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inShape = x.shape
        let (c, n, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3])
        var y = [Float](repeating: 0, count: n * c)
        x.data.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
            guard hw > 0, let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
            Parallel.forEach(c, minPerThread: 8) { ch in
                for b in 0..<n { yb[b * c + ch] = Float(Reduce.sum(xb + (ch * n + b) * hw, count: hw, stride: 1) / Double(hw)) }
            }
        }}
        return Tensor(unchecked: [n, c], y)
    }

    /// Each plane's gradient: its feature's gradient spread evenly, channels in parallel.
    public func backward(_ grad: Tensor) -> Tensor {
        let (c, n, hw) = (inShape[0], inShape[1], inShape[2] * inShape[3])
        let count = c * n * hw
        let dx = [Float](unsafeUninitializedCapacity: count) { dp, initialized in
            grad.data.withUnsafeBufferPointer { gp in
                guard count > 0, let db = dp.baseAddress, let gb = gp.baseAddress else { return }
                Parallel.forEach(c, minPerThread: 8) { ch in
                    for b in 0..<n { (db + (ch * n + b) * hw).initialize(repeating: gb[b * c + ch] / Float(hw), count: hw) }
                }
            }
            initialized = count
        }
        return Tensor(unchecked: inShape, dx)
    }
}
