/// 3×3 stride-1 convolutions at inference through Winograd F(2×2, 3×3) (see Winograd.swift): 2.25× fewer
/// multiplications than im2col + GEMM, and 16 values per 4 output pixels per channel to transform instead of 9 per
/// pixel to pack. bench-nn, batch 32, 128 px: ResNet-18 125 → 143 img/s, VGG-16 18.7 → 23.6.
extension Conv2D {
    /// Whether this convolution takes the Winograd path for an input with forward geometry `g`: inference only
    /// (the transformed filters are kept while the weights do not change; in training they would be transformed
    /// anew every step, which cancelled the gain: ResNet-18 training b32 ±2 %, b4 −3…−10 %), 3×3, stride 1, no
    /// dilation, not depthwise, padding ≤ 2.
    func usesWinograd(_ g: (ho: Int, wo: Int, pt: Int, pl: Int), training: Bool) -> Bool {
        winogradEnabled && !training && kh == 3 && kw == 3 && stride == 1 && dilation == 1 && !isDepthwise
            && g.pt <= 2 && g.pl <= 2 && g.ho > 0 && g.wo > 0
    }

    /// Images per Winograd chunk: the transformed inputs and products (16 × channels × tiles each) stay near
    /// `columnBudget` floats.
    func winogradImagesPerChunk(n: Int, channels: Int, tilesPerImage: Int) -> Int {
        max(1, min(n, columnBudget / max(1, 16 * channels * tilesPerImage)))
    }

    /// The transformed filters of every group (`[groups][16][Cout/groups][Cin/groups]`), kept between calls and
    /// recomputed when the weights changed since.
    func winogradFilters() -> [Float] {
        if let cached = winogradCache, cached.version == weight.version { return cached.filters }
        let cg = inChannels / groups, og = outChannels / groups
        var u = Buffers.uninitialized(groups * 16 * og * cg)
        weight.value.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { up in
            for gi in 0..<groups {
                Winograd.transformWeights(wp.baseAddress! + gi * og * cg * 9, cout: og, cin: cg, into: up.baseAddress! + gi * 16 * og * cg)
            }
        }}
        winogradCache = (weight.version, u)
        return u
    }

    /// y[og, n, ho, wo] = conv(x[cg, n, h, w]) for one group from its transformed filters `u`, by chunks of the batch.
    func winogradForward(_ x: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                         cin: Int, cout: Int, n: Int, h: Int, w width: Int, _ g: (ho: Int, wo: Int, pt: Int, pl: Int)) {
        let (tilesH, tilesW) = (Winograd.tiles(g.ho), Winograd.tiles(g.wo))
        let perImage = tilesH * tilesW
        let chunk = winogradImagesPerChunk(n: n, channels: max(cin, cout), tilesPerImage: perImage)
        ScratchPool.shared.with(16 * cin * chunk * perImage) { v in
        ScratchPool.shared.with(16 * cout * chunk * perImage) { m in
            for b0 in Swift.stride(from: 0, to: n, by: chunk) {
                let images = b0..<min(n, b0 + chunk), tiles = images.count * perImage
                Winograd.transformInput(x, channels: cin, n: n, images: images, h: h, w: width, pt: g.pt, pl: g.pl,
                                        tilesH: tilesH, tilesW: tilesW, into: v)
                for xi in 0..<16 {
                    BLAS.gemm(m: cout, n: tiles, k: cin, a: u + xi * cout * cin, lda: cin, b: v + xi * cin * tiles,
                              ldb: tiles, beta: 0, c: m + xi * cout * tiles, ldc: tiles)
                }
                Winograd.transformOutput(m, channels: cout, n: n, images: images, ho: g.ho, wo: g.wo,
                                         tilesH: tilesH, tilesW: tilesW, into: y)
            }
        }}
    }
}
