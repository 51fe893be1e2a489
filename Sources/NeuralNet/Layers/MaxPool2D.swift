/// Max pooling over CNHW planes (PyTorch semantics: `-inf` padding, floor output size).
public final class MaxPool2D: Layer {
    let kernel: Int, stride: Int, padding: Int
    private var argmax: [Int32] = [], inShape: [Int] = []

    /// A `kernel`×`kernel` max pool.
    public init(kernel: Int, stride: Int? = nil, padding: Int = 0) {
        self.kernel = kernel; self.stride = stride ?? kernel; self.padding = padding
    }

    public var parameters: [Parameter] { [] }

    /// Per output row: the vector max of the window's input rows into a `-inf`-padded row, then the
    /// horizontal window max with the stride; in training, each window's first maximum (scan order) for backward.
    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        inShape = x.shape
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let ho = (h + 2 * padding - kernel) / stride + 1, wo = (w + 2 * padding - kernel) / stride + 1
        let (k, s, p, count) = (kernel, stride, padding, planes * ho * wo)
        var y = [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        argmax = training ? [Int32](unsafeUninitializedCapacity: count) { _, initialized in initialized = count } : []
        x.data.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
        argmax.withUnsafeMutableBufferPointer { ap in
            guard count > 0, let xb = xp.baseAddress, let yb = yp.baseAddress else { return }
            // An empty array may still lend a base address (the shared empty storage): never write there.
            let ab = training ? ap.baseAddress : nil
            Parallel.forEach(planes, minPerThread: 16) { q in
                let width = w + 2 * p + PoolKernels.slack
                let row = UnsafeMutablePointer<Float>.allocate(capacity: width)
                let rows = UnsafeMutablePointer<Int32>.allocate(capacity: ab == nil ? 0 : width)
                row.initialize(repeating: -.infinity, count: width)
                if ab != nil { rows.initialize(repeating: PoolKernels.noRow, count: width) }
                defer { row.deallocate(); rows.deallocate() }
                let src = xb + q * h * w
                for oy in 0..<ho {
                    let top = oy * s - p, r0 = max(top, 0), r1 = min(top + k, h), out = yb + (q * ho + oy) * wo
                    if ab != nil {
                        PoolKernels.verticalArgmax(src, w: w, rows: r0, r1, into: row + p, rows: rows + p)
                    } else {
                        PoolKernels.vertical(src, w: w, rows: r0, r1, isMax: true, fill: -.infinity, into: row + p)
                    }
                    PoolKernels.horizontal(row, k: k, s: s, wo: wo, isMax: true, scale: 1, into: out)
                    if let ab {
                        PoolKernels.horizontalArgmax(row, rows: rows, k: k, s: s, p: p, w: w, wo: wo, y: out,
                                                     into: ab + (q * ho + oy) * wo)
                    }
                }
            }
        }}}
        return Tensor(unchecked: [x.shape[0], x.shape[1], ho, wo], y)
    }

    /// Routes each output's gradient to its window's first maximum (needs a training forward).
    public func backward(_ grad: Tensor) -> Tensor {
        precondition(argmax.count == grad.count, "MaxPool2D.backward needs a forward with training: true")
        let (h, w) = (inShape[2], inShape[3])
        let planes = inShape[0] * inShape[1], per = grad.count / max(planes, 1)
        // Each plane zeroed on the thread that scatters into it (an empty output leaves nothing to scatter).
        let count = inShape.reduce(1, *)
        var dx = grad.count > 0 ? Buffers.uninitialized(count) : [Float](repeating: 0, count: count)
        grad.data.withUnsafeBufferPointer { gp in
        argmax.withUnsafeBufferPointer { ap in
        dx.withUnsafeMutableBufferPointer { dp in
            guard grad.count > 0, let gb = gp.baseAddress, let ab = ap.baseAddress, let db = dp.baseAddress else { return }
            Parallel.forEach(planes, minPerThread: 16) { q in
                let plane = db + q * h * w
                plane.update(repeating: 0, count: h * w)
                for o in (q * per)..<((q + 1) * per) { plane[Int(ab[o])] += gb[o] }
            }
        }}}
        return Tensor(unchecked: inShape, dx)
    }
}
