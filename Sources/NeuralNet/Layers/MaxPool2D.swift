/// Max pooling over CNHW planes (PyTorch semantics: `-inf` padding, floor output size).
public final class MaxPool2D: Layer {
    let kernel: Int, stride: Int, padding: Int
    private var argmax: [Int32] = [], inShape: [Int] = []

    /// A `kernel`×`kernel` max pool.
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
    }

    public var parameters: [Parameter] { [] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inShape = x.shape
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1
        var y = [Float](repeating: 0, count: planes * ho * wo)
        argmax = [Int32](repeating: 0, count: y.count)
        let (k, s, p) = (kernel, stride, padding)
        x.data.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
        argmax.withUnsafeMutableBufferPointer { ap in
            let xb = xp.baseAddress!, yb = yp.baseAddress!, ab = ap.baseAddress!
            Parallel.forEach(planes, minPerThread: 16) { q in
                let src = xb + q * h * w
                for oy in 0..<ho { for ox in 0..<wo {
                    var best = -Float.infinity, at = -1
                    for i in 0..<k {
                        let iy = oy * s - p + i
                        if iy < 0 || iy >= h { continue }
                        for j in 0..<k {
                            let ix = ox * s - p + j
                            if ix < 0 || ix >= w { continue }
                            let v = src[iy * w + ix]
                            if v > best || at < 0 { best = v; at = iy * w + ix }
                        }
                    }
                    yb[(q * ho + oy) * wo + ox] = best; ab[(q * ho + oy) * wo + ox] = Int32(max(at, 0))
                }}
            }
        }}}
        return Tensor(unchecked: [x.shape[0], x.shape[1], ho, wo], y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let (h, w) = (inShape[2], inShape[3])
        let planes = inShape[0] * inShape[1], per = grad.count / max(planes, 1)
        var dx = [Float](repeating: 0, count: inShape.reduce(1, *))
        grad.data.withUnsafeBufferPointer { gp in
        argmax.withUnsafeBufferPointer { ap in
        dx.withUnsafeMutableBufferPointer { dp in
            let gb = gp.baseAddress!, ab = ap.baseAddress!, db = dp.baseAddress!
            Parallel.forEach(planes, minPerThread: 16) { q in
                for o in (q * per)..<((q + 1) * per) { db[q * h * w + Int(ab[o])] += gb[o] }
            }
        }}}
        return Tensor(unchecked: inShape, dx)
    }
}
