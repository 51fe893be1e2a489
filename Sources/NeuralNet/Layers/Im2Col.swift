/// Packs CNHW image patches into GEMM columns `[C·kh·kw, B·Ho·Wo]` for the images `B` of one chunk of the
/// batch, and scatters them back.
enum Im2Col {
    /// For each kernel column j: the output columns `lo..<hi` whose input column lies inside the image.
    static func validRanges(wo: Int, w: Int, kw: Int, stride: Int, dilation: Int, pl: Int) -> [(Int, Int)] {
        (0..<kw).map { j in
            let off = j * dilation - pl
            // ox*stride + off >= 0  and  ox*stride + off <= w-1
            let lo = off >= 0 ? 0 : (-off + stride - 1) / stride
            let hi = (w - 1 - off) < 0 ? 0 : min(wo, (w - 1 - off) / stride + 1)
            return (min(lo, wo), max(min(lo, wo), hi))
        }
    }

    /// Writes the columns of `images` (of a batch of `n`) for `channels` input channels starting at `x` into `col`.
    static func pack(_ x: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, h: Int, w: Int, kh: Int, kw: Int,
                     stride s: Int, dilation d: Int, geometry g: (ho: Int, wo: Int, pt: Int, pl: Int),
                     into col: UnsafeMutablePointer<Float>) {
        let (ho, wo) = (g.ho, g.wo)
        let m = images.count * ho * wo
        let ranges = validRanges(wo: wo, w: w, kw: kw, stride: s, dilation: d, pl: g.pl)
        Parallel.forEach(channels * kh * kw, minPerThread: 8) { row in
            let c = row / (kh * kw), i = (row / kw) % kh, j = row % kw
            let (lo, hi) = ranges[j], off = j * d - g.pl
            let dstRow = col + row * m
            for b in images {
                let src = x + (c * n + b) * h * w
                let dst = dstRow + (b - images.lowerBound) * ho * wo
                for oy in 0..<ho {
                    let iy = oy * s - g.pt + i * d
                    let o = dst + oy * wo
                    if iy < 0 || iy >= h { o.update(repeating: 0, count: wo); continue }
                    let srow = src + iy * w
                    if lo > 0 { o.update(repeating: 0, count: lo) }
                    if s == 1 {
                        if hi > lo { o.advanced(by: lo).update(from: srow + lo + off, count: hi - lo) }
                    } else if s == 2 {   // sixteen outputs at a time: the even lanes of 32 loaded inputs
                        var ox = lo
                        while ox + 16 <= hi && 2 * ox + off + 32 <= w {
                            // Each pair of floats as one little-endian UInt64: the even one is its low half, so a
                            // truncating conversion is the de-interleave (one vector shuffle, not 16 inserts).
                            let pairs = UnsafeRawPointer(srow + 2 * ox + off).loadUnaligned(as: SIMD16<UInt64>.self)
                            Lanes.store16(unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: pairs), to: SIMD16<Float>.self), o + ox)
                            ox += 16
                        }
                        while ox < hi { o[ox] = srow[2 * ox + off]; ox += 1 }
                    } else {
                        for ox in lo..<hi { o[ox] = srow[ox * s + off] }
                    }
                    if hi < wo { o.advanced(by: hi).update(repeating: 0, count: wo - hi) }
                }
            }
        }
    }

    /// Adds the columns in `col` back into the image gradient `dx` of `images` (the adjoint of `pack`).
    static func unpack(_ col: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, h: Int, w: Int, kh: Int, kw: Int,
                       stride s: Int, dilation d: Int, geometry g: (ho: Int, wo: Int, pt: Int, pl: Int),
                       into dx: UnsafeMutablePointer<Float>) {
        let (ho, wo) = (g.ho, g.wo)
        let m = images.count * ho * wo
        let ranges = validRanges(wo: wo, w: w, kw: kw, stride: s, dilation: d, pl: g.pl)
        // Parallel over channels: each channel's rows write only that channel's plane.
        Parallel.forEach(channels) { c in
            for i in 0..<kh {
                for j in 0..<kw {
                    let row = (c * kh + i) * kw + j
                    let (lo, hi) = ranges[j], off = j * d - g.pl
                    for b in images {
                        let dst = dx + (c * n + b) * h * w
                        let src = col + row * m + (b - images.lowerBound) * ho * wo
                        for oy in 0..<ho {
                            let iy = oy * s - g.pt + i * d
                            if iy < 0 || iy >= h { continue }
                            let drow = dst + iy * w, srow = src + oy * wo
                            if s == 1 {
                                for ox in lo..<hi { drow[ox + off] += srow[ox] }
                            } else if s == 2 {   // `pack`'s pairs in reverse: add into the low halves, keep the rest
                                var ox = lo
                                while ox + 16 <= hi && 2 * ox + off + 32 <= w {
                                    let p = UnsafeMutableRawPointer(drow + 2 * ox + off)
                                    let pairs = p.loadUnaligned(as: SIMD16<UInt64>.self)
                                    let even = unsafeBitCast(SIMD16<UInt32>(truncatingIfNeeded: pairs), to: SIMD16<Float>.self)
                                    let sum = SIMD16<UInt64>(truncatingIfNeeded: unsafeBitCast(even + Lanes.load16(srow + ox), to: SIMD16<UInt32>.self))
                                    p.storeBytes(of: pairs & 0xFFFF_FFFF_0000_0000 | sum, as: SIMD16<UInt64>.self)
                                    ox += 16
                                }
                                while ox < hi { drow[2 * ox + off] += srow[ox]; ox += 1 }
                            } else {
                                for ox in lo..<hi { drow[ox * s + off] += srow[ox] }
                            }
                        }
                    }
                }
            }
        }
    }
}
