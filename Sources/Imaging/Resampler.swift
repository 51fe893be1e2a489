/// Separable antialiased resampling of RGB images.
///
/// Downscaling uses exact area averaging (a box filter as wide as the scale factor, with
/// fractional coverage at the edges: each output pixel is the mean of the source area it
/// covers). Upscaling uses bilinear (triangle) interpolation. Weights are precomputed per
/// axis; the horizontal pass runs first into a float buffer, then the vertical pass sums
/// whole contiguous rows, which the compiler vectorises.
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
    /// Per output row: a vertical pass sums the few source rows it covers into one float row
    /// (contiguous, vectorised u8→f32 multiply-adds), then a horizontal pass reads that row with
    /// one SIMD4 multiply-add per tap and pixel.
    public static func resample(_ source: RGBImage, region: (x: Double, y: Double, width: Double, height: Double),
                                into canvas: inout RGBImage, origin: (x: Int, y: Int), size: (width: Int, height: Int)) {
        let dw = size.width, dh = size.height
        guard dw > 0, dh > 0, origin.x >= 0, origin.y >= 0, region.width > 0, region.height > 0,
              origin.x + dw <= canvas.width, origin.y + dh <= canvas.height else { return }
        let sw = source.width
        let hx = Taps(sourceCount: sw, regionStart: region.x, regionLength: region.width, outputCount: dw)
        let vy = Taps(sourceCount: source.height, regionStart: region.y, regionLength: region.height, outputCount: dh)
        // Source columns the horizontal pass reads.
        var colLo = Int.max, colHi = 0
        for i in 0..<dw { colLo = min(colLo, hx.start[i]); colHi = max(colHi, hx.start[i] + hx.count[i]) }
        let rowLen = (colHi - colLo) * 3
        var row = [Float](repeating: 0, count: rowLen + 1)  // +1: the last SIMD4 load reads one float past the row
        let canvasWidth = canvas.width, hTaps = hx.maxTaps, vTaps = vy.maxTaps
        source.pixels.withUnsafeBufferPointer { srcBuf in
        row.withUnsafeMutableBufferPointer { rowBuf in
        canvas.pixels.withUnsafeMutableBufferPointer { dstBuf in
        hx.start.withUnsafeBufferPointer { hs in
        hx.count.withUnsafeBufferPointer { hc in
        hx.weights.withUnsafeBufferPointer { hw in
        vy.start.withUnsafeBufferPointer { vs in
        vy.count.withUnsafeBufferPointer { vc in
        vy.weights.withUnsafeBufferPointer { vw in
            guard let src = srcBuf.baseAddress, let v = rowBuf.baseAddress, let d = dstBuf.baseAddress,
                  let hsp = hs.baseAddress, let hcp = hc.baseAddress, let hwp = hw.baseAddress,
                  let vsp = vs.baseAddress, let vcp = vc.baseAddress, let vwp = vw.baseAddress else { return }
            let raw = UnsafeRawPointer(v)
            let lo = SIMD4<Float>(repeating: 0), hi = SIMD4<Float>(repeating: 255), magic = SIMD4<Float>(repeating: 12_582_912)
            for j in 0..<dh {
                // Vertical: v = Σ_k w_k · source row (start + k), over the needed columns.
                let wj = vwp + j &* vTaps
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
                // Horizontal: one SIMD4 (R, G, B, next) multiply-add per tap. Rounding adds 1.5·2^23 so
                // the integer lands in the low mantissa bits (round to nearest, no checked conversion).
                // All but the last pixel store four bytes at once (the fourth is the next pixel's R, written next);
                // the clamp is pointwise min/max because `clamped` compiles to scalar compares.
                let drow = d + ((origin.y &+ j) &* canvasWidth &+ origin.x) &* 3
                for i in 0..<dw {
                    let wi = hwp + i &* hTaps
                    var offset = (hsp[i] &- colLo) &* 12
                    var acc = SIMD4<Float>(repeating: 0)
                    for t in 0..<hcp[i] {
                        acc += raw.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self) * wi[t]
                        offset &+= 12
                    }
                    let c = unsafeBitCast(pointwiseMax(pointwiseMin(acc, hi), lo) + magic, to: SIMD4<UInt32>.self)
                    let o = drow + i &* 3
                    if i &+ 1 < dw {
                        UnsafeMutableRawPointer(o).storeBytes(of: (c[0] & 0xFF) | (c[1] & 0xFF) << 8 | (c[2] & 0xFF) << 16, as: UInt32.self)
                    } else {
                        o[0] = UInt8(truncatingIfNeeded: c[0]); o[1] = UInt8(truncatingIfNeeded: c[1]); o[2] = UInt8(truncatingIfNeeded: c[2])
                    }
                }
            }
        }}}}}}}}}
    }

    /// `image` fitted into a `target.size` square by `target.mode` (pad fills with white).
    public static func fit(_ image: RGBImage, to target: FitTarget) -> RGBImage {
        let s = max(1, target.size)
        var canvas = RGBImage(width: s, height: s)
        let l = target.layout(width: image.width, height: image.height)
        resample(image, region: l.source, into: &canvas, origin: (l.dest.x, l.dest.y), size: (l.dest.width, l.dest.height))
        return canvas
    }

    /// `image` resized to exactly `width`×`height` (aspect ratio not kept).
    public static func resize(_ image: RGBImage, width: Int, height: Int) -> RGBImage {
        var canvas = RGBImage(width: width, height: height)
        resample(image, region: (0, 0, Double(image.width), Double(image.height)), into: &canvas,
                 origin: (0, 0), size: (canvas.width, canvas.height))
        return canvas
    }
}
