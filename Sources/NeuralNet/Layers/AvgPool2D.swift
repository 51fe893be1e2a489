/// Average pooling over CNHW planes (PyTorch defaults: zero padding counted in the divisor).
public final class AvgPool2D: Layer {
    let kernel: Int, stride: Int, padding: Int
    private var inShape: [Int] = []

    /// A `kernel`×`kernel` average pool.
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
    }

    public var parameters: [Parameter] { [] }

    private func outSize(_ h: Int, _ w: Int) -> (Int, Int) {
        ((h + 2 * padding - kernel) / stride + 1, (w + 2 * padding - kernel) / stride + 1)
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inShape = x.shape
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = outSize(h, w)
        var y = [Float](repeating: 0, count: planes * ho * wo)
        let (k, s, p, scale) = (kernel, stride, padding, 1 / Float(kernel * kernel))
        x.data.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
            let xb = xp.baseAddress!, yb = yp.baseAddress!
            Parallel.forEach(planes, minPerThread: 16) { q in
                for oy in 0..<ho { for ox in 0..<wo {
                    var acc: Float = 0
                    for i in 0..<k { let iy = oy * s - p + i; if iy < 0 || iy >= h { continue }
                        for j in 0..<k { let ix = ox * s - p + j; if ix >= 0 && ix < w { acc += xb[q * h * w + iy * w + ix] } } }
                    yb[(q * ho + oy) * wo + ox] = acc * scale
                }}
            }
        }}
        return Tensor(unchecked: [x.shape[0], x.shape[1], ho, wo], y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let (planes, h, w) = (inShape[0] * inShape[1], inShape[2], inShape[3])
        let (ho, wo) = outSize(h, w)
        var dx = [Float](repeating: 0, count: inShape.reduce(1, *))
        let (k, s, p, scale) = (kernel, stride, padding, 1 / Float(kernel * kernel))
        grad.data.withUnsafeBufferPointer { gp in
        dx.withUnsafeMutableBufferPointer { dp in
            let gb = gp.baseAddress!, db = dp.baseAddress!
            Parallel.forEach(planes, minPerThread: 16) { q in
                for oy in 0..<ho { for ox in 0..<wo {
                    let g = gb[(q * ho + oy) * wo + ox] * scale
                    for i in 0..<k { let iy = oy * s - p + i; if iy < 0 || iy >= h { continue }
                        for j in 0..<k { let ix = ox * s - p + j; if ix >= 0 && ix < w { db[q * h * w + iy * w + ix] += g } } }
                }}
            }
        }}
        return Tensor(unchecked: inShape, dx)
    }
}
