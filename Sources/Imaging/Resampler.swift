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

    /// One axis's taps regrouped for eight outputs at a time: block b (outputs 8b..<8b+8) reads `width` source
    /// samples from `first[b]`, sample first[b]+k weighted `weights[(b·width + k)·8 + l]` for output 8b+l (zero
    /// where that output does not read it). Summed in order of k, the nonzero products come in tap order and
    /// the zeros add nothing, so the result is bit for bit the per-output tap sum.
    struct BlockTaps {
        let first: [Int]
        let width: Int
        let weights: [Float]

        init(_ taps: Taps, outputCount: Int) {
            let blocks = (outputCount + 7) / 8
            var first = [Int](repeating: 0, count: blocks), width = 1
            for b in 0..<blocks {
                let outputs = (8 * b)..<min(outputCount, 8 * b + 8)
                let lo = outputs.map { taps.start[$0] }.min()!, hi = outputs.map { taps.start[$0] + taps.count[$0] }.max()!
                first[b] = lo; width = max(width, hi - lo)
            }
            var weights = [Float](repeating: 0, count: blocks * width * 8)
            for i in 0..<outputCount {
                let b = i / 8
                for t in 0..<taps.count[i] {
                    weights[(b * width + taps.start[i] - first[b] + t) * 8 + i % 8] = taps.weights[i * taps.maxTaps + t]
                }
            }
            self.first = first; self.width = width; self.weights = weights
        }
    }

    /// Resamples `region` of `source` to `size` and writes it at `origin` into `canvas`.
    ///
    /// Per output row: a vertical pass sums the few source rows it covers into one float row
    /// (contiguous, vectorised u8→f32 multiply-adds), split into R, G and B rows; then a horizontal
    /// pass computes eight outputs of a channel at a time from one window of that row (`BlockTaps`).
    public static func resample(_ source: RGBImage, region: (x: Double, y: Double, width: Double, height: Double),
                                into canvas: inout RGBImage, origin: (x: Int, y: Int), size: (width: Int, height: Int)) {
        let dw = size.width, dh = size.height
        guard dw > 0, dh > 0, origin.x >= 0, origin.y >= 0, region.width > 0, region.height > 0,
              origin.x + dw <= canvas.width, origin.y + dh <= canvas.height else { return }
        let sw = source.width
        let hx = BlockTaps(Taps(sourceCount: sw, regionStart: region.x, regionLength: region.width, outputCount: dw), outputCount: dw)
        let vy = Taps(sourceCount: source.height, regionStart: region.y, regionLength: region.height, outputCount: dh)
        // Source columns the horizontal pass reads.
        let blocks = hx.first.count, width = hx.width
        let colLo = hx.first[0], cols = hx.first.indices.map { min(sw, hx.first[$0] + width) }.max()! - colLo
        let rowLen = cols * 3
        // The vertical pass's row, then its R, G and B rows (each padded with zeros for the last window) and the
        // horizontal pass's bytes, channel by channel.
        let planeLen = cols + width + 8, outLen = blocks * 8
        var scratch = [Float](repeating: 0, count: rowLen + 3 * planeLen)
        var bytes = [UInt8](repeating: 0, count: 3 * outLen)
        let canvasWidth = canvas.width, vTaps = vy.maxTaps
        source.pixels.withUnsafeBufferPointer { srcBuf in
        scratch.withUnsafeMutableBufferPointer { scratchBuf in
        bytes.withUnsafeMutableBufferPointer { bytesBuf in
        canvas.pixels.withUnsafeMutableBufferPointer { dstBuf in
        hx.first.withUnsafeBufferPointer { hf in
        hx.weights.withUnsafeBufferPointer { hw in
        vy.start.withUnsafeBufferPointer { vs in
        vy.count.withUnsafeBufferPointer { vc in
        vy.weights.withUnsafeBufferPointer { vw in
            guard let src = srcBuf.baseAddress, let v = scratchBuf.baseAddress, let out = bytesBuf.baseAddress,
                  let d = dstBuf.baseAddress, let hfp = hf.baseAddress, let hwp = UnsafeRawPointer(hw.baseAddress),
                  let vsp = vs.baseAddress, let vcp = vc.baseAddress, let vwp = vw.baseAddress else { return }
            let planes = v + rowLen
            let magic = SIMD8<Float>(repeating: 12_582_912)
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
                let r = planes, g = planes + planeLen, b = planes + 2 &* planeLen
                for x in 0..<cols { r[x] = v[3 &* x]; g[x] = v[3 &* x &+ 1]; b[x] = v[3 &* x &+ 2] }
                // Horizontal: eight outputs of one channel per window, rounded by adding 1.5·2^23 (the integer
                // lands in the low mantissa bits). No clamp is needed: both passes' weights are nonnegative and
                // sum to 1 (within a few float ulps), so every sum of bytes lies in [0, 255.5) and rounds to 0…255.
                for c in 0..<3 {
                    let plane = planes + c &* planeLen - colLo, o = out + c &* outLen
                    for blk in 0..<blocks {
                        let window = plane + hfp[blk], m = hwp + blk &* width &* 32
                        var acc = SIMD8<Float>(repeating: 0)
                        for k in 0..<width {
                            acc += m.loadUnaligned(fromByteOffset: k &* 32, as: SIMD8<Float>.self) * window[k]
                        }
                        let q = unsafeBitCast(acc + magic, to: SIMD8<UInt32>.self)
                        UnsafeMutableRawPointer(o + blk &* 8).storeBytes(of: SIMD8<UInt8>(truncatingIfNeeded: q), as: SIMD8<UInt8>.self)
                    }
                }
                let drow = d + ((origin.y &+ j) &* canvasWidth &+ origin.x) &* 3
                for i in 0..<dw {
                    drow[3 &* i] = out[i]; drow[3 &* i &+ 1] = out[outLen &+ i]; drow[3 &* i &+ 2] = out[2 &* outLen &+ i]
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
