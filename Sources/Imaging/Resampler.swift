/// Separable antialiased resampling of RGB images.
///
/// Downscaling uses exact area averaging (a box filter as wide as the scale factor, with
/// fractional coverage at the edges: each output pixel is the mean of the source area it
/// covers). Upscaling uses bilinear (triangle) interpolation. Weights are precomputed per
/// axis; the vertical pass runs first (whole contiguous rows, vectorised), then the horizontal
/// pass on eight output rows at once (see `resample`).
public enum Resampler {
    /// Per-axis filter taps: output `i` reads `count[i]` source samples from `start[i]`.
    struct Taps {
        var start: [Int]
        var count: [Int]
        var weights: [Float]  // `maxTaps` per output sample
        var maxTaps: Int

        init(sourceCount: Int, regionStart: Double, regionLength: Double, outputCount: Int) {
            let scale = regionLength / Double(outputCount)
            let taps = scale > 1 ? Int(scale.rounded(.up)) + 1 : 2
            maxTaps = taps
            start = [Int](repeating: 0, count: outputCount)
            count = [Int](repeating: 0, count: outputCount)
            weights = [Float](repeating: 0, count: outputCount * taps)
            var local = [Double](repeating: 0, count: taps)
            for i in 0..<outputCount {
                var first = 0, n = 0, sum = 0.0
                if scale > 1 {
                    let a = regionStart + Double(i) * scale, b = a + scale
                    first = min(sourceCount - 1, max(0, Int(a.rounded(.down))))
                    let last = min(sourceCount - 1, Int(b.rounded(.up)) - 1)
                    n = max(1, min(taps, last - first + 1))
                    for k in 0..<n {
                        let j = Double(first + k)
                        let w = max(0, min(b, j + 1) - max(a, j))
                        local[k] = w; sum += w
                    }
                } else {
                    let c = regionStart + (Double(i) + 0.5) * scale - 0.5
                    let j0 = Int(c.rounded(.down)), f = c - Double(j0)
                    let lo = min(max(j0, 0), sourceCount - 1), hi = min(max(j0 + 1, 0), sourceCount - 1)
                    if lo == hi { first = lo; n = 1; local[0] = 1; sum = 1 } else {
                        first = lo; n = 2; local[0] = 1 - f; local[1] = f; sum = 1
                    }
                }
                if sum <= 0 { local[0] = 1; sum = 1; n = 1 }
                start[i] = first; count[i] = n
                for k in 0..<n { weights[i * taps + k] = Float(local[k] / sum) }
            }
        }
    }

    /// Resamples `region` of `source` to `size` and writes it at `origin` into `canvas`.
    ///
    /// Eight output rows at a time: a vertical pass sums the few source rows each covers into a float row
    /// (contiguous, vectorised u8→f32 multiply-adds over interleaved RGB); 8×8 transposes turn the eight rows into
    /// one 8-lane vector per source sample (lane = output row), so the horizontal pass does one multiply-add per
    /// tap for eight outputs (its weights are the same on every row); its rounded results are transposed back and
    /// stored as bytes. Every output is the per-tap sum in tap order, vertical then horizontal, bit for bit.
    public static func resample(_ source: RGBImage, region: (x: Double, y: Double, width: Double, height: Double),
                                into canvas: inout RGBImage, origin: (x: Int, y: Int), size: (width: Int, height: Int)) {
        let (width, height) = (canvas.width, canvas.height)
        canvas.pixels.withUnsafeMutableBufferPointer { dst in
            guard let d = dst.baseAddress else { return }
            resample(source, region: region, into: d, canvasWidth: width, canvasHeight: height, origin: origin, size: size)
        }
    }

    /// `resample` into the RGB canvas of `canvasWidth`×`canvasHeight` pixels at `d`.
    static func resample(_ source: RGBImage, region: (x: Double, y: Double, width: Double, height: Double),
                         into d: UnsafeMutablePointer<UInt8>, canvasWidth: Int, canvasHeight: Int,
                         origin: (x: Int, y: Int), size: (width: Int, height: Int)) {
        let dw = size.width, dh = size.height
        guard dw > 0, dh > 0, origin.x >= 0, origin.y >= 0, region.width > 0, region.height > 0,
              origin.x + dw <= canvasWidth, origin.y + dh <= canvasHeight else { return }
        let sw = source.width
        let hx = TapsCache.shared.taps(sourceCount: sw, regionStart: region.x, regionLength: region.width, outputCount: dw)
        let vy = TapsCache.shared.taps(sourceCount: source.height, regionStart: region.y, regionLength: region.height, outputCount: dh)
        // Source columns the horizontal pass reads, as interleaved samples padded to whole 8×8 blocks.
        let colLo = hx.start.min() ?? 0, cols = ((0..<dw).map { hx.start[$0] + hx.count[$0] }.max() ?? colLo) - colLo
        let rowLen = cols * 3, rowStride = (rowLen + 7) & ~7, outLen = dw * 3, outStride = (outLen + 7) & ~7
        // Eight vertical rows, their transpose, the horizontal results, and one transposed-back block; only the
        // padding past each row's and the results' end is read before it is written, and it must be zero.
        let rows = UnsafeMutablePointer<Float>.allocate(capacity: 16 * rowStride + 8 * outStride + 64)
        defer { rows.deallocate() }
        for r in 0..<8 { (rows + (r * rowStride + rowLen)).initialize(repeating: 0, count: rowStride - rowLen) }
        (rows + (16 * rowStride + 8 * outLen)).initialize(repeating: 0, count: 8 * (outStride - outLen))
        let vTaps = vy.maxTaps, hTaps = hx.maxTaps
        source.pixels.withUnsafeBufferPointer { srcBuf in
        hx.start.withUnsafeBufferPointer { hs in
        hx.count.withUnsafeBufferPointer { hc in
        hx.weights.withUnsafeBufferPointer { hw in
        vy.start.withUnsafeBufferPointer { vs in
        vy.count.withUnsafeBufferPointer { vc in
        vy.weights.withUnsafeBufferPointer { vw in
            guard let src = srcBuf.baseAddress,
                  let hsp = hs.baseAddress, let hcp = hc.baseAddress, let hwp = hw.baseAddress,
                  let vsp = vs.baseAddress, let vcp = vc.baseAddress, let vwp = vw.baseAddress else { return }
            let columns = UnsafeMutableRawPointer(rows + 8 &* rowStride)
            let results = UnsafeMutableRawPointer(rows + 16 &* rowStride), block = rows + (16 &* rowStride &+ 8 &* outStride)
            // Rounding: 1.5·2^23 added to a float in [0, 256) puts its value rounded half to even in the low
            // mantissa bits. No clamp is needed: both passes' weights are nonnegative and sum to 1 (within a few
            // float ulps), so every sum of bytes lies in [0, 255.5) and rounds to 0…255.
            let magic = SIMD8<Float>(repeating: 12_582_912)
            for j0 in stride(from: 0, to: dh, by: 8) {
                let live = min(8, dh &- j0)
                // Vertical: row r = Σ_k w_k · source row (start + k) of output row j0 + r (the last one repeated
                // for lanes past the bottom edge).
                for r in 0..<8 {
                    let j = j0 &+ min(r, live &- 1), v = rows + r &* rowStride, wj = vwp + j &* vTaps
                    var s = src + (vsp[j] &* sw &+ colLo) &* 3
                    let w0 = wj[0]
                    for q in 0..<rowLen { v[q] = w0 * Float(s[q]) }
                    var k = 1
                    while k < vcp[j] {
                        s += sw &* 3
                        let wk = wj[k]
                        for q in 0..<rowLen { v[q] += wk * Float(s[q]) }
                        k += 1
                    }
                }
                for q in stride(from: 0, to: rowStride, by: 8) {
                    transpose8x8(UnsafeRawPointer(rows + q), rowStride: rowStride &* 4, into: columns + q &* 32)
                }
                // Horizontal: output i, channel c = Σ_t w_t · column (start_i + t, c), eight rows per multiply-add.
                for i in 0..<dw {
                    let wi = hwp + i &* hTaps, n = hcp[i]
                    var at = columns + (hsp[i] &- colLo) &* 96
                    func column(_ c: Int) -> SIMD8<Float> { at.loadUnaligned(fromByteOffset: c &* 32, as: SIMD8<Float>.self) }
                    var w = SIMD8<Float>(repeating: wi[0])
                    var r = column(0) * w, g = column(1) * w, b = column(2) * w
                    var t = 1
                    while t < n {
                        at += 96
                        w = SIMD8(repeating: wi[t])
                        r += column(0) * w; g += column(1) * w; b += column(2) * w
                        t += 1
                    }
                    let out = results + i &* 96
                    out.storeBytes(of: r + magic, as: SIMD8<Float>.self)
                    out.storeBytes(of: g + magic, toByteOffset: 32, as: SIMD8<Float>.self)
                    out.storeBytes(of: b + magic, toByteOffset: 64, as: SIMD8<Float>.self)
                }
                // Back to rows: eight samples of each output row per transpose, their low bytes stored.
                for q in stride(from: 0, to: outLen, by: 8) {
                    transpose8x8(UnsafeRawPointer(results + q &* 32), rowStride: 32, into: UnsafeMutableRawPointer(block))
                    let n = min(8, outLen &- q)
                    for r in 0..<live {
                        let bits = UnsafeRawPointer(block + r &* 8).loadUnaligned(as: SIMD8<UInt32>.self)
                        let bytes = SIMD8<UInt8>(truncatingIfNeeded: bits)
                        let y: Int = origin.y &+ j0 &+ r, at: Int = (y &* canvasWidth &+ origin.x) &* 3 &+ q
                        let to = d + at
                        if n == 8 {
                            UnsafeMutableRawPointer(to).storeBytes(of: bytes, as: SIMD8<UInt8>.self)
                        } else {
                            for l in 0..<n { to[l] = bytes[l] }
                        }
                    }
                }
            }
        }}}}}}}
    }

    /// `image` fitted into a `target.size` square by `target.mode` (pad fills with white).
    public static func fit(_ image: RGBImage, to target: FitTarget) -> RGBImage {
        let s = max(1, target.size)
        var canvas = RGBImage(width: s, height: s)
        canvas.pixels.withUnsafeMutableBufferPointer { if let d = $0.baseAddress { place(image, to: target, into: d, whiteFirst: false) } }
        return canvas
    }

    /// `fit` written straight into `square`, which holds exactly `target.size`² RGB pixels (white where the
    /// image does not cover it).
    public static func fit(_ image: RGBImage, to target: FitTarget, into square: UnsafeMutableRawBufferPointer) throws {
        let s = max(1, target.size)
        guard square.count == s * s * 3, let d = square.baseAddress?.assumingMemoryBound(to: UInt8.self) else {
            throw ImagingError.invalidArgument("a \(s)x\(s) thumbnail needs \(s * s * 3) bytes, got \(square.count)")
        }
        place(image, to: target, into: d, whiteFirst: true)
    }

    /// Resamples `image` into its place in the `target.size` square at `d`, first painting the square white when
    /// `whiteFirst` and the image leaves some of it uncovered.
    private static func place(_ image: RGBImage, to target: FitTarget, into d: UnsafeMutablePointer<UInt8>, whiteFirst: Bool) {
        let s = max(1, target.size), l = target.layout(width: image.width, height: image.height)
        if whiteFirst && (l.dest.width < s || l.dest.height < s) { d.update(repeating: 255, count: s * s * 3) }
        resample(image, region: l.source, into: d, canvasWidth: s, canvasHeight: s, origin: (l.dest.x, l.dest.y),
                 size: (l.dest.width, l.dest.height))
    }

    /// `image` resized to exactly `width`×`height` (aspect ratio not kept).
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        var canvas = RGBImage(width: width, height: height)
        resample(image, region: (0, 0, Double(image.width), Double(image.height)), into: &canvas,
                 origin: (0, 0), size: (canvas.width, canvas.height))
        return canvas
    }
}
