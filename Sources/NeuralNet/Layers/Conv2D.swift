/// How a convolution pads its input.
public enum Padding: Sendable, Equatable {
    /// `explicit(h, w)`: h zero rows above and below, w zero columns left and right (PyTorch `padding=(h, w)`).
    case explicit(Int, Int)
    /// TensorFlow "same": output = ceil(input / stride), extra padding at the bottom/right.
    case same
}

/// 2-D convolution over CNHW activations with torchvision's weight layout `[Cout, Cin/groups, kh, kw]`:
/// im2col over chunks of the batch + one `sgemm` per chunk and group, 1×1 stride-1 convolutions straight to GEMM,
/// depthwise convolutions as a direct loop per channel.
public final class Conv2D: Layer {
    /// `weight` [Cout, Cin/groups, kh, kw].
    public let weight: Parameter
    /// `bias` [Cout], when the layer has one.
    public let bias: Parameter?
    let inChannels: Int, outChannels: Int, kh: Int, kw: Int
    let stride: Int, padding: Padding, dilation: Int, groups: Int
    private var input = Tensor(zeros: [0])
    /// False for a network's first convolution: its input is the image, so no input gradient is computed.
    public var needsInputGradient = true
    /// Target size of one im2col chunk's column buffer (and of a Winograd chunk's transformed inputs and
    /// products), in floats (default 64 MiB); the batch is processed in chunks of whole images that fit it. Results
    /// agree across budgets up to float rounding. ResNet-18, 128 px, batch 32 training, img/s (bench-nn, medians of
    /// 4, interleaved): 16 MiB 52.9 / 53.1, 64 MiB 55.7 / 54.9 (two sets; the 64-channel layers' Winograd products
    /// then run as one chunk); inference, VGG-16 b32, ResNet-50 b32 within noise; peak memory +37–95 MiB.
    var columnBudget = 1 << 24
    /// Whether 3×3 stride-1 convolutions run through Winograd F(2×2, 3×3) (tests compare both paths).
    var winogradEnabled = true
    /// Narrowest layer (fewer of input and output channels per group) that takes Winograd in training.
    var winogradMinTrainingChannels = 64
    /// Least channels × F(2×2) output tiles in the batch for Winograd in training. First chosen as 2¹⁷ with the
    /// F(2×2) backward (thin layers, 16–32 channels, lose at any size; see bench/nn/RESULTS.md); with the F(4×4)
    /// backward and kept inputs, 2¹⁵: one layer's training step at b4 (ms, medians of 9, 2¹⁵ / 2¹⁷): 64 channels at
    /// 32 px 5.1 / 9.1, 128 at 16 px 4.6 / 6.8; whole ResNet-18 b4 img/s (medians of 5) 27.8 / 24.6, 2¹³ 25.0.
    var winogradMinTrainingWork = 1 << 15
    /// Whether the forward may take the F(4×4, 3×3) tile (tests compare it with F(2×2, 3×3)).
    var winograd4Enabled = true
    /// Fewest F(4×4) output tiles in the batch for that tile in training (see `winogradTile`). ResNet-18 b32 img/s
    /// (medians of 5, interleaved): 256 42.4, 1,024 41.2, the former F(2×2) backward from 1,024 38.2. From 64 on
    /// rows of 4+ tiles: VGG-16 b4 4.70 → 4.30 img/s, ResNet-18 b4 19.2 → 17.8 (per-step F(4×4) filter transforms).
    var winograd4MinTrainingTiles = 256
    /// Tile rows narrower than this take the channel-vectorised input transforms (see `transformsByChannels`).
    var winogradChannelsBelowTiles = 4
    /// Transformed filters by kind (`cachedFilters`), with the weight version they were made from.
    var winogradCache: [WinogradFilters: (version: Int, filters: [Float])] = [:]
    /// Whether Winograd passes may take the fused F(4×4) path (`fusesWinograd`; tests compare it with the GEMM path).
    var winogradFusedEnabled = true
    /// Most floats of im2col columns a training forward keeps for its backward (default 32 M, 128 MiB), which then
    /// need not pack them again; above it the backward re-packs chunk by chunk. ResNet-18 b32 keeps ~140 MB (its
    /// 7×7 stem 77 MB, the strided and 4×4 layers the rest).
    var keptColumnBudget = 1 << 25
    /// The same for Winograd-transformed inputs (default 8 M floats, 32 MiB): ResNet-18 b32 keeps those of every
    /// Winograd layer but the 4×4 ones (~130 MB, its 64-channel layers 19 MB each); VGG-16 b32's 32 px and 16 px
    /// layers (38–75 MB each) transform again, which keeps its peak memory below PyTorch's.
    var keptTransformBudget = 1 << 23
    /// The whole batch's im2col columns or Winograd-transformed inputs (all groups) from the last training forward,
    /// until its backward uses them.
    private(set) var keptForBackward: [Float] = []
    /// Output pixels (N·Ho·Wo) of the last forward, for FLOP accounting.
    public private(set) var lastOutputPixels = 0

    /// A convolution named `name` (parameters `name.weight`, `name.bias`) with a `kernel.0`×`kernel.1`
    /// (height × width) kernel, e.g. Inception's 1×7 with `padding: .explicit(0, 3)`.
    public init(_ name: String, _ inChannels: Int, _ outChannels: Int, kernel: (Int, Int), stride: Int = 1,
                padding: Padding = .explicit(0, 0), dilation: Int = 1, groups: Int = 1, bias: Bool = false) {
        self.inChannels = inChannels; self.outChannels = outChannels; (kh, kw) = kernel
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
        weight = Parameter(name + ".weight", [outChannels, inChannels / groups, kh, kw])
        self.bias = bias ? Parameter(name + ".bias", [outChannels]) : nil
        Buffers.tuneAllocator   // as `Network` does, for a layer used on its own (`bench-nn conv`)
    }

    /// A convolution with a square `kernel`×`kernel` kernel.
    public convenience init(_ name: String, _ inChannels: Int, _ outChannels: Int, kernel: Int, stride: Int = 1,
                            padding: Padding = .explicit(0, 0), dilation: Int = 1, groups: Int = 1, bias: Bool = false) {
        self.init(name, inChannels, outChannels, kernel: (kernel, kernel), stride: stride, padding: padding,
                  dilation: dilation, groups: groups, bias: bias)
    }

    public var parameters: [Parameter] { [weight] + (bias.map { [$0] } ?? []) }

    /// Multiply-adds per output pixel per image (for GFLOP/s accounting).
    public var macsPerOutputPixel: Int { outChannels * (inChannels / groups) * kh * kw }

    var isDepthwise: Bool { groups > 1 && groups == inChannels && groups == outChannels }

    /// Output height/width and top/left padding for an input of `h`×`w`.
    func geometry(_ h: Int, _ w: Int) -> (ho: Int, wo: Int, pt: Int, pl: Int) {
        switch padding {
        case .explicit(let ph, let pw):
            let ho = (h + 2 * ph - dilation * (kh - 1) - 1) / stride + 1
            let wo = (w + 2 * pw - dilation * (kw - 1) - 1) / stride + 1
            return (max(ho, 0), max(wo, 0), ph, pw)
        case .same:
            let ho = (h + stride - 1) / stride, wo = (w + stride - 1) / stride
            let th = max((ho - 1) * stride + (kh - 1) * dilation + 1 - h, 0)
            let tw = max((wo - 1) * stride + (kw - 1) * dilation + 1 - w, 0)
            return (ho, wo, th / 2, tw / 2)
        }
    }

    /// Whether the convolution is a plain matrix product over the input (1×1, stride 1, no padding).
    func isDirect(_ h: Int, _ w: Int, _ g: (ho: Int, wo: Int, pt: Int, pl: Int)) -> Bool {
        kh == 1 && kw == 1 && stride == 1 && g.pt == 0 && g.pl == 0 && g.ho == h && g.wo == w
    }

    /// Images per im2col chunk: as many as keep the column buffer near `columnBudget` floats (at least one),
    /// so the columns are still in cache when the GEMM reads them. Depends only on shapes, never on threads.
    func imagesPerChunk(n: Int, k: Int, plane: Int) -> Int {
        max(1, min(n, columnBudget / max(1, k * plane)))   // at least 1: an empty batch still strides
    }

    /// Packs the im2col columns of `chunk` images at a time (of `channels` channels from `x`) into a scratch buffer
    /// — or, given `kept`, of the whole batch into it — and calls `body(images, columns, column count)` for each
    /// chunk, in batch order.
    func forEachChunk(_ x: UnsafePointer<Float>, channels: Int, n: Int, h: Int, w: Int,
                      _ g: (ho: Int, wo: Int, pt: Int, pl: Int), chunk: Int, into kept: UnsafeMutablePointer<Float>? = nil,
                      _ body: (Range<Int>, UnsafeMutablePointer<Float>, Int) -> Void) {
        let plane = g.ho * g.wo
        func each(_ chunk: Int, _ col: UnsafeMutablePointer<Float>) {
            for b0 in Swift.stride(from: 0, to: n, by: chunk) {
                let images = b0..<min(n, b0 + chunk)
                Im2Col.pack(x, channels: channels, n: n, images: images, h: h, w: w, kh: kh, kw: kw,
                            stride: stride, dilation: dilation, geometry: g, into: col)
                body(images, col, images.count * plane)
            }
        }
        if let kept { each(max(1, n), kept); return }
        ScratchPool.shared.with(channels * kh * kw * chunk * plane) { each(chunk, $0) }
    }

    public func forward(_ x: Tensor, training: Bool) -> Tensor { forward(x, training: training, then: nil) }

    /// The forward pass, with `activation` (the next layer) applied in the same pass as the bias when given (VGG's
    /// conv + ReLU pairs) — by Winograd paths as they write the outputs, else over the output afterwards;
    /// `activation` keeps the output for its backward when training.
    func forward(_ x: Tensor, training: Bool, then activation: Activation?) -> Tensor {
        input = x
        let (n, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let g = geometry(h, w)
        let plane = g.ho * g.wo, m = n * plane
        lastOutputPixels = m
        keptForBackward = []
        var out: [Float], appliedInPlace = false
        if isDepthwise {
            // The undilated kernels write every output; the dilated fallback and empty inputs add into zeros.
            let zeroed = dilation != 1 || h == 0 || w == 0
            out = zeroed ? [Float](repeating: 0, count: outChannels * m) : Buffers.uninitialized(outChannels * m)
            depthwiseForward(x, &out, n: n, h: h, w: w, g)
        } else {
            out = Buffers.uninitialized(outChannels * m)
            let cg = inChannels / groups, og = outChannels / groups, k = cg * kh * kw
            let direct = isDirect(h, w, g), chunk = imagesPerChunk(n: n, k: k, plane: plane)
            let tile = winogradTile(g, n: n, training: training)
            let usesWinograd = !direct && usesWinograd(g, n: n, training: training)
            let keptCount = usesWinograd ? winogradKeptCount(g, n: n, tile: tile) ?? .max : groups * k * m
            let keep = training && !direct && keptCount <= (usesWinograd ? keptTransformBudget : keptColumnBudget)
            let fused = usesWinograd && fusesWinograd(g, n: n, tile: tile)
            let winograd = usesWinograd ? (fused ? fusedWinogradFilters() : winogradFilters(tile)) : []
            if keep { keptForBackward = Buffers.uninitialized(keptCount) }
            x.data.withUnsafeBufferPointer { xp in
            (bias?.value ?? []).withUnsafeBufferPointer { bp in
            weight.value.withUnsafeBufferPointer { wp in
            winograd.withUnsafeBufferPointer { up in
            keptForBackward.withUnsafeMutableBufferPointer { kp in
            out.withUnsafeMutableBufferPointer { op in
                for gi in 0..<groups {
                    let xg = xp.baseAddress! + gi * cg * n * h * w, wg = wp.baseAddress! + gi * og * k
                    let yg = op.baseAddress! + gi * og * m
                    if direct {
                        BLAS.gemm(m: og, n: m, k: k, a: wg, lda: k, b: xg, ldb: m, beta: 0, c: yg, ldc: m)
                        continue
                    }
                    // Kept for the backward: the whole batch at once, into `keptForBackward`.
                    let kept = keep ? kp.baseAddress.map { $0 + gi * keptCount / groups } : nil
                    let epilogue = Winograd.Epilogue(shifts: bias == nil ? nil : bp.baseAddress.map { $0 + gi * og },
                                                     cap: activation?.cap)
                    // Winograd paths add the bias and apply the activation as they write.
                    if fused, let u = up.baseAddress {
                        WinogradFused.forward(xg, filters: u + gi * tile.planes * og * cg, yg, cin: cg, cout: og, n: n,
                                              h: h, w: w, g, epilogue: epilogue,
                                              keep: kept.map { ($0, winogradKept(g, n: n, tile: tile, cin: cg, cout: og)) })
                        appliedInPlace = true
                        continue
                    }
                    if !winograd.isEmpty, let u = up.baseAddress {   // an empty array may still have a base address
                        winogradForward(xg, u + gi * tile.planes * og * cg, yg, cin: cg, cout: og, n: n, h: h, w: w, g,
                                        tile: tile, keep: kept, epilogue: epilogue)
                        appliedInPlace = true
                        continue
                    }
                    forEachChunk(xg, channels: cg, n: n, h: h, w: w, g, chunk: chunk, into: kept) { images, col, cols in
                        BLAS.gemm(m: og, n: cols, k: k, a: wg, lda: k, b: col, ldb: cols,
                                  beta: 0, c: yg + images.lowerBound * plane, ldc: m)
                    }
                }
            }}}}}}
        }
        if (bias != nil || activation != nil) && !appliedInPlace {
            let shifts = bias?.value ?? [Float](repeating: 0, count: outChannels), cap = activation?.cap
            out.withUnsafeMutableBufferPointer { op in
                let ob = op.baseAddress!
                Parallel.forEach(outChannels, minPerThread: 4) { c in
                    Activation.affine(ob + c * m, ob + c * m, count: m, scale: 1, shift: shifts[c], cap: cap)
                }
            }
        }
        activation?.remember(training ? out : [])
        return Tensor(unchecked: [outChannels, n, g.ho, g.wo], out)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let x = input
        let (n, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let g = geometry(h, w)
        let plane = g.ho * g.wo, m = n * plane
        if let bias {
            grad.data.withUnsafeBufferPointer { gp in bias.grad.withUnsafeMutableBufferPointer { bp in
                let (gb, db) = (gp.baseAddress!, bp.baseAddress!)
                Parallel.forEach(outChannels, minPerThread: 4) { c in db[c] += Float(Reduce.sum(gb + c * m, count: m, stride: 1)) }
            }}
        }
        if isDepthwise {
            // The undilated backward zeroes each channel's gradient on its own thread; the dilated one adds into zeros.
            var dx = dilation == 1 ? Buffers.uninitialized(x.count) : [Float](repeating: 0, count: x.count)
            depthwiseBackward(x, grad, &dx, n: n, h: h, w: w, g)
            return Tensor(unchecked: x.shape, dx)
        }
        let cg = inChannels / groups, og = outChannels / groups, k = cg * kh * kw
        let direct = isDirect(h, w, g), chunk = imagesPerChunk(n: n, k: k, plane: plane)
        let wantDx = needsInputGradient
        let tile = winogradTile(g, n: n, training: true)
        let usesWinograd = !direct && usesWinograd(g, n: n, training: true)
        let fusedDx = usesWinograd && wantDx && fusesWinograd(transposedGeometry(g, h: h, w: w), n: n, tile: tile, transposed: true)
        let winograd = usesWinograd
            ? (tile == .f2 ? winogradFilters(.f2) : fusedDx ? fusedWinogradFilters(rotated: true) : rotatedWinogradFilters()) : []
        // The forward's columns or transformed inputs, when it kept them for this input (taken: the gradient
        // overwrites columns).
        var kept: [Float] = []
        let keptCount = winograd.isEmpty ? groups * k * m : winogradKeptCount(g, n: n, tile: tile) ?? -1
        if !direct && keptForBackward.count == keptCount && m > 0 { swap(&kept, &keptForBackward) }
        keptForBackward = []
        // A direct or Winograd convolution's input gradient writes every element; col2im adds into zeros
        // (and a first layer, which computes none, returns zeros).
        var dx = (direct || !winograd.isEmpty) && wantDx ? Buffers.uninitialized(x.count) : [Float](repeating: 0, count: x.count)
        x.data.withUnsafeBufferPointer { xp in
        grad.data.withUnsafeBufferPointer { gp in
        weight.value.withUnsafeBufferPointer { wp in
        weight.grad.withUnsafeMutableBufferPointer { dwp in
        winograd.withUnsafeBufferPointer { up in
        kept.withUnsafeMutableBufferPointer { kp in
        dx.withUnsafeMutableBufferPointer { dxp in
            for gi in 0..<groups {
                let xg = xp.baseAddress! + gi * cg * n * h * w, dy = gp.baseAddress! + gi * og * m
                let wg = wp.baseAddress! + gi * og * k, dwg = dwp.baseAddress! + gi * og * k
                if !winograd.isEmpty, let u = up.baseAddress {
                    winogradBackward(xg, dy, u + gi * tile.planes * og * cg, dw: dwg,
                                     dx: wantDx ? dxp.baseAddress! + gi * cg * n * h * w : nil,
                                     cin: cg, cout: og, n: n, h: h, w: w, g, tile: tile,
                                     kept: kp.count > 0 ? kp.baseAddress.map { UnsafePointer($0 + gi * keptCount / groups) } : nil,
                                     fusedDx: fusedDx)
                    continue
                }
                if direct {
                    BLAS.gemm(transB: true, m: og, n: k, k: m, a: dy, lda: m, b: xg, ldb: m, beta: 1, c: dwg, ldc: k)
                    if wantDx {
                        BLAS.gemm(transA: true, m: k, n: m, k: og, a: wg, lda: k, b: dy, ldb: m,
                                  beta: 0, c: dxp.baseAddress! + gi * cg * n * h * w, ldc: m)
                    }
                    continue
                }
                // One chunk's weight gradient, then its columns' gradient added back into dx.
                func gradients(_ images: Range<Int>, _ col: UnsafeMutablePointer<Float>, _ cols: Int) {
                    let dyChunk = dy + images.lowerBound * plane
                    BLAS.gemm(transB: true, m: og, n: k, k: cols, a: dyChunk, lda: m, b: col, ldb: cols,
                              beta: 1, c: dwg, ldc: k)
                    if !wantDx { return }
                    // The columns are consumed: reuse the buffer for their gradient.
                    BLAS.gemm(transA: true, m: k, n: cols, k: og, a: wg, lda: k, b: dyChunk, ldb: m,
                              beta: 0, c: col, ldc: cols)
                    Im2Col.unpack(UnsafePointer(col), channels: cg, n: n, images: images, h: h, w: w, kh: kh, kw: kw,
                                  stride: stride, dilation: dilation, geometry: g,
                                  into: dxp.baseAddress! + gi * cg * n * h * w)
                }
                if kp.count > 0, let kb = kp.baseAddress {
                    gradients(0..<n, kb + gi * k * m, m)
                } else {
                    forEachChunk(xg, channels: cg, n: n, h: h, w: w, g, chunk: chunk) { gradients($0, $1, $2) }
                }
            }
        }}}}}}}
        return Tensor(unchecked: x.shape, dx)
    }
}
