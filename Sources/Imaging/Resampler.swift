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
    public static func resample(_ source: RGBImage, region: (x: Double, y: Double, width: Double, height: Double),
                                into canvas: inout RGBImage, origin: (x: Int, y: Int), size: (width: Int, height: Int)) {
        let dw = size.width, dh = size.height
        guard dw > 0, dh > 0, origin.x >= 0, origin.y >= 0,
              origin.x + dw <= canvas.width, origin.y + dh <= canvas.height else { return }
        let sw = source.width
        let hx = Taps(sourceCount: sw, regionStart: region.x, regionLength: region.width, outputCount: dw)
        let vy = Taps(sourceCount: source.height, regionStart: region.y, regionLength: region.height, outputCount: dh)
        // Source rows the vertical pass needs.
        var rowLo = Int.max, rowHi = 0
        for j in 0..<dh { rowLo = min(rowLo, vy.start[j]); rowHi = max(rowHi, vy.start[j] + vy.count[j]) }
        let rows = rowHi - rowLo, rowLen = dw * 3
        var tmp = [Float](repeating: 0, count: rows * rowLen)
        var acc = [Float](repeating: 0, count: rowLen)
        let canvasWidth = canvas.width
        source.pixels.withUnsafeBufferPointer { srcBuf in
            tmp.withUnsafeMutableBufferPointer { tmpBuf in
                hx.start.withUnsafeBufferPointer { hs in
                hx.count.withUnsafeBufferPointer { hc in
                hx.weights.withUnsafeBufferPointer { hw in
                    guard let src = srcBuf.baseAddress, let t = tmpBuf.baseAddress,
                          let hsp = hs.baseAddress, let hcp = hc.baseAddress, let hwp = hw.baseAddress else { return }
                    let taps = hx.maxTaps
                    for y in rowLo..<rowHi {
                        let srow = src + y * sw * 3
                        let trow = t + (y - rowLo) * rowLen
                        for i in 0..<dw {
                            let w = hwp + i * taps
                            var p = srow + hsp[i] * 3
                            var r: Float = 0, g: Float = 0, b: Float = 0
                            for k in 0..<hcp[i] {
                                let wk = w[k]
                                r += wk * Float(p[0]); g += wk * Float(p[1]); b += wk * Float(p[2])
                                p += 3
                            }
                            trow[3 * i] = r; trow[3 * i + 1] = g; trow[3 * i + 2] = b
                        }
                    }
                }}}
            }
        }
        tmp.withUnsafeBufferPointer { tmpBuf in
            acc.withUnsafeMutableBufferPointer { accBuf in
                canvas.pixels.withUnsafeMutableBufferPointer { dstBuf in
                    guard let t = tmpBuf.baseAddress, let a = accBuf.baseAddress, let d = dstBuf.baseAddress else { return }
                    for j in 0..<dh {
                        let first = vy.start[j] - rowLo
                        for q in 0..<rowLen { a[q] = 0 }
                        for k in 0..<vy.count[j] {
                            let wk = vy.weights[j * vy.maxTaps + k]
                            let trow = t + (first + k) * rowLen
                            for q in 0..<rowLen { a[q] += wk * trow[q] }
                        }
                        let drow = d + ((origin.y + j) * canvasWidth + origin.x) * 3
                        for q in 0..<rowLen {
                            let v = a[q] + 0.5
                            drow[q] = v <= 0 ? 0 : (v >= 255 ? 255 : UInt8(v))
                        }
                    }
                }
            }
        }
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
