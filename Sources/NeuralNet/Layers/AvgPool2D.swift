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

    /// Per output row: the vector sum of the window's input rows into a zero-padded row, then the
    /// horizontal window sum with the stride, scaled by 1/k².
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inShape = x.shape
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let (ho, wo) = outSize(h, w)
        let (k, s, p, scale, count) = (kernel, stride, padding, 1 / Float(kernel * kernel), planes * ho * wo)
        let y = [Float](unsafeUninitializedCapacity: count) { yp, initialized in
            x.data.withUnsafeBufferPointer { xp in
                guard count > 0, let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
                Parallel.forEach(planes, minPerThread: 16) { q in
                    let width = w + 2 * p + PoolKernels.slack
                    let row = UnsafeMutablePointer<Float>.allocate(capacity: width)
                    row.initialize(repeating: 0, count: width)
                    defer { row.deallocate() }
                    let src = xb + q * h * w
                    for oy in 0..<ho {
                        let top = oy * s - p
                        PoolKernels.vertical(src, w: w, rows: max(top, 0), min(top + k, h), isMax: false, fill: 0, into: row + p)
                        PoolKernels.horizontal(row, k: k, s: s, wo: wo, isMax: false, scale: scale, into: yb + (q * ho + oy) * wo)
                    }
                }
            }
            initialized = count
        }
        return Tensor(unchecked: [x.shape[0], x.shape[1], ho, wo], y)
    }

    /// Per output row: the scaled gradient spread over the window's columns into a padded row, which is
    /// then added to each of the window's input rows.
    public func backward(_ grad: Tensor) -> Tensor {
        let (planes, h, w) = (inShape[0] * inShape[1], inShape[2], inShape[3])
        let (ho, wo) = outSize(h, w)
        // Each plane zeroed on the thread that adds into it (an empty output leaves nothing to add).
        let count = inShape.reduce(1, *)
        var dx = grad.count > 0 ? Buffers.uninitialized(count) : [Float](repeating: 0, count: count)
        let (k, s, p, scale) = (kernel, stride, padding, 1 / Float(kernel * kernel))
        grad.data.withUnsafeBufferPointer { gp in
        dx.withUnsafeMutableBufferPointer { dp in
            guard grad.count > 0, let gb = gp.baseAddress, let db = dp.baseAddress else { return }
            Parallel.forEach(planes, minPerThread: 16) { q in
                let width = w + 2 * p + k + s * wo + PoolKernels.slack
                let row = UnsafeMutablePointer<Float>.allocate(capacity: width)
                defer { row.deallocate() }
                let plane = db + q * h * w
                plane.update(repeating: 0, count: h * w)
                for oy in 0..<ho {
                    let top = oy * s - p, r0 = max(top, 0), r1 = min(top + k, h)
                    if r0 >= r1 { continue }
                    row.initialize(repeating: 0, count: width)
                    let g = gb + (q * ho + oy) * wo
                    for j in 0..<k {
                        let r = row + j
                        if s == 1 {
                            var ox = 0
                            while ox + 8 <= wo {
                                Lanes.store8(Lanes.load8(r + ox) + Lanes.load8(g + ox) * scale, r + ox)
                                ox += 8
                            }
                            while ox < wo { r[ox] += g[ox] * scale; ox += 1 }
                        } else {
                            for ox in 0..<wo { r[ox * s] += g[ox] * scale }
                        }
                    }
                    let interior = row + p
                    for iy in r0..<r1 {
                        let d = plane + iy * w
                        var x = 0
                        while x + 8 <= w { Lanes.store8(Lanes.load8(d + x) + Lanes.load8(interior + x), d + x); x += 8 }
                        while x < w { d[x] += interior[x]; x += 1 }
                    }
                }
            }
        }}
        return Tensor(unchecked: inShape, dx)
    }
}
