/// How a convolution pads its input.
public enum Padding: Sendable, Equatable {
    /// `explicit(h, w)`: h zero rows above and below, w zero columns left and right (PyTorch `padding=(h, w)`).
    case explicit(Int, Int)
    /// TensorFlow "same": output = ceil(input / stride), extra padding at the bottom/right.
    case same
}

/// 2-D convolution over CNHW activations with torchvision's weight layout `[Cout, Cin/groups, kh, kw]`:
/// im2col + one `sgemm` per group for the whole batch, 1×1 stride-1 convolutions straight to GEMM,
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

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x
        let (n, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let g = geometry(h, w)
        let plane = g.ho * g.wo, m = n * plane
        lastOutputPixels = m
        var out = [Float](repeating: 0, count: outChannels * m)
        if isDepthwise {
            depthwiseForward(x, &out, n: n, h: h, w: w, g)
        } else {
            let cg = inChannels / groups, og = outChannels / groups, k = cg * kh * kw
            let direct = kh == 1 && kw == 1 && stride == 1 && g.pt == 0 && g.pl == 0 && g.ho == h && g.wo == w
            var col = direct ? [] : [Float](repeating: 0, count: k * m)
            x.data.withUnsafeBufferPointer { xp in
                weight.value.withUnsafeBufferPointer { wp in
                    out.withUnsafeMutableBufferPointer { op in
                        col.withUnsafeMutableBufferPointer { cp in
                            for gi in 0..<groups {
                                let src: UnsafePointer<Float>
                                if direct {
                                    src = xp.baseAddress! + gi * cg * n * h * w
                                } else {
                                    Im2Col.pack(xp.baseAddress! + gi * cg * n * h * w, channels: cg, n: n, h: h, w: w,
                                                kh: kh, kw: kw, stride: stride, dilation: dilation, geometry: g,
                                                into: cp.baseAddress!)
                                    src = UnsafePointer(cp.baseAddress!)
                                }
                                BLAS.gemm(m: og, n: m, k: k, a: wp.baseAddress! + gi * og * k, lda: k, b: src, ldb: m,
                                          beta: 0, c: op.baseAddress! + gi * og * m, ldc: m)
                            }
                        }
                    }
                }
            }
        }
        if let bias {
            out.withUnsafeMutableBufferPointer { op in
                for c in 0..<outChannels {
                    let b = bias.value[c], base = op.baseAddress! + c * m
                    for i in 0..<m { base[i] += b }
                }
            }
        }
        return Tensor(unchecked: [outChannels, n, g.ho, g.wo], out)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let x = input
        let (n, h, w) = (x.shape[1], x.shape[2], x.shape[3])
        let g = geometry(h, w)
        let m = n * g.ho * g.wo
        var dx = [Float](repeating: 0, count: x.count)
        if let bias {
            grad.data.withUnsafeBufferPointer { gp in
                for c in 0..<outChannels {
                    var s: Float = 0
                    let base = gp.baseAddress! + c * m
                    for i in 0..<m { s += base[i] }
                    bias.grad[c] += s
                }
            }
        }
        if isDepthwise {
            depthwiseBackward(x, grad, &dx, n: n, h: h, w: w, g)
            return Tensor(unchecked: x.shape, dx)
        }
        let cg = inChannels / groups, og = outChannels / groups, k = cg * kh * kw
        let direct = kh == 1 && kw == 1 && stride == 1 && g.pt == 0 && g.pl == 0 && g.ho == h && g.wo == w
        var col = direct ? [] : [Float](repeating: 0, count: k * m)
        let wantDx = needsInputGradient
        var dcol = direct || !wantDx ? [] : [Float](repeating: 0, count: k * m)
        x.data.withUnsafeBufferPointer { xp in
        grad.data.withUnsafeBufferPointer { gp in
        weight.value.withUnsafeBufferPointer { wp in
        weight.grad.withUnsafeMutableBufferPointer { dwp in
        dx.withUnsafeMutableBufferPointer { dxp in
        col.withUnsafeMutableBufferPointer { cp in
        dcol.withUnsafeMutableBufferPointer { dcp in
            for gi in 0..<groups {
                let xg = xp.baseAddress! + gi * cg * n * h * w
                let src: UnsafePointer<Float>
                if direct { src = xg } else {
                    Im2Col.pack(xg, channels: cg, n: n, h: h, w: w, kh: kh, kw: kw, stride: stride, dilation: dilation,
                                geometry: g, into: cp.baseAddress!)
                    src = UnsafePointer(cp.baseAddress!)
                }
                let dy = gp.baseAddress! + gi * og * m
                BLAS.gemm(transB: true, m: og, n: k, k: m, a: dy, lda: m, b: src, ldb: m,
                          beta: 1, c: dwp.baseAddress! + gi * og * k, ldc: k)
                if !wantDx { continue }
                let dst = direct ? dxp.baseAddress! + gi * cg * n * h * w : dcp.baseAddress!
                BLAS.gemm(transA: true, m: k, n: m, k: og, a: wp.baseAddress! + gi * og * k, lda: k, b: dy, ldb: m,
                          beta: 0, c: dst, ldc: m)
                if !direct {
                    Im2Col.unpack(UnsafePointer(dcp.baseAddress!), channels: cg, n: n, h: h, w: w, kh: kh, kw: kw,
                                  stride: stride, dilation: dilation, geometry: g,
                                  into: dxp.baseAddress! + gi * cg * n * h * w)
                }
            }
        }}}}}}}
        return Tensor(unchecked: x.shape, dx)
    }
}
