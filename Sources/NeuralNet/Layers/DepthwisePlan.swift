/// Scratch geometry of an undilated depthwise convolution: the input split into s×s stride phases
/// (each `hq`×`wq`, zero padded), so every output is a flat sum of kh·kw taps at fixed offsets.
struct DepthwisePlan {
    let h: Int, w: Int, ho: Int, wo: Int, pt: Int, pl: Int, s: Int, kh: Int, kw: Int
    /// Phase block height and width: output size plus the kernel's reach in phase rows/columns.
    let hq: Int, wq: Int
    /// Floats between phase blocks (a block plus its slack).
    let block: Int
    /// Padded output-gradient plane for the input gradient: `hd`×`wd`, dy at row `ah`, column `aw`.
    let hd: Int, wd: Int, ah: Int, aw: Int
    /// Forward tap offsets into the phase blocks, in weight order (i·kw + j).
    let forwardOffsets: [Int]
    /// Input-gradient taps per phase `rp·s + cp`: `phaseStart[p]..<phaseStart[p+1]` index
    /// `phaseOffsets` (into the padded dy plane) and `phaseWeights` (weight index i·kw + j).
    let phaseStart: [Int], phaseOffsets: [Int], phaseWeights: [Int]

    /// The plan for an `h`×`w` input, `ho`×`wo` output, padding top/left `pt`/`pl`, stride `s`, kernel kh×kw.
    init(h: Int, w: Int, ho: Int, wo: Int, pt: Int, pl: Int, s: Int, kh: Int, kw: Int) {
        self.h = h; self.w = w; self.ho = ho; self.wo = wo; self.pt = pt; self.pl = pl
        self.s = s; self.kh = kh; self.kw = kw
        ah = (kh - 1) / s; aw = (kw - 1) / s
        hq = ho + ah; wq = wo + aw
        block = hq * wq + DepthwiseKernels.slack
        hd = ho + 2 * ah; wd = wo + 2 * aw
        var offsets: [Int] = []
        for i in 0..<kh { for j in 0..<kw {
            offsets.append(((i % s) * s + j % s) * (hq * wq + DepthwiseKernels.slack) + (i / s) * wq + j / s)
        } }
        forwardOffsets = offsets
        var start = [0], po: [Int] = [], pw: [Int] = []
        for rp in 0..<s { for cp in 0..<s {
            for i in stride(from: rp, to: kh, by: s) { for j in stride(from: cp, to: kw, by: s) {
                po.append((ah - i / s) * (wo + 2 * aw) + (aw - j / s)); pw.append(i * kw + j)
            } }
            start.append(po.count)
        } }
        phaseStart = start; phaseOffsets = po; phaseWeights = pw
    }

    /// Floats of the phase blocks.
    var phaseFloats: Int { s * s * block }
    /// Floats of an output plane at row width `wq` (forward result, dy for the filter gradient).
    var outFloats: Int { DepthwiseKernels.padded(ho * wq) + DepthwiseKernels.slack }
    /// Floats of the padded dy plane.
    var paddedGradFloats: Int { hd * wd + DepthwiseKernels.slack }
    /// Floats of one phase's input gradient at row width `wd`.
    var phaseGradFloats: Int { DepthwiseKernels.padded(hq * wd) + DepthwiseKernels.slack }
    /// Floats of one input-gradient row with its stride phases interleaved.
    var rowFloats: Int { DepthwiseKernels.padded(s * wq) + DepthwiseKernels.slack }
}
