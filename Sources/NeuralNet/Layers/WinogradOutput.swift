/// The output side of both Winograd tile sizes: from the 16 GEMM products (or 36) back to a CNHW tensor.
extension Winograd {
    /// What a forward applies to its outputs as it writes them (the layer's bias and the activation after it),
    /// sparing a pass over the output in memory: y = y + shift[c], then clipped to [0, cap] when `cap` is given.
    struct Epilogue {
        /// One shift per output channel (the bias), or nil for none.
        let shifts: UnsafePointer<Float>?
        /// The activation's upper clip (∞ for ReLU), or nil for no activation.
        let cap: Float?

        /// Writes the outputs as they are.
        static var none: Epilogue { Epilogue(shifts: nil, cap: nil) }

        /// The same for the channels from `c` on.
        func from(_ c: Int) -> Epilogue { Epilogue(shifts: shifts.map { $0 + c }, cap: cap) }

        /// Applies channel `c`'s shift and the clip to `count` vectors of 16 at `p`, in place: the same arithmetic as
        /// the separate pass (`Activation.affine`), so results do not depend on which path wrote them.
        @inline(__always)
        func apply(channel c: Int, _ p: UnsafeMutablePointer<Float>, vectors count: Int) {
            guard shifts != nil || cap != nil else { return }
            Activation.affine(p, p, count: 16 * count, scale: 1, shift: shifts?[c] ?? 0, cap: cap)
        }
    }

    /// The output transforms' frame, for both tile sizes: for every block of sixteen consecutive tiles of a
    /// channel (across tile rows and images; channels spread over threads), `transform(p, step, staged)` reads
    /// plane ξ's 16 values at p + ξ·step and writes the block's side×side outputs to `staged` (output (i, k) of the 16
    /// tiles at 16·(side·i + k)); they are then written into the CNHW `y` (see `writeChannel`).
    @inline(__always)
    static func writeOutput(_ m: UnsafePointer<Float>, planes: Int, side: Int, channels: Int, n: Int, images: Range<Int>,
                            ho: Int, wo: Int, tilesH: Int, tilesW: Int, into y: UnsafeMutablePointer<Float>,
                            epilogue: Epilogue, _ transform: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void) {
        let tileCount = images.count * tilesH * tilesW
        Parallel.forEach(channels) { c in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: planes * 16 + side * side * 16) { buf in
                writeChannel(m + c * tileCount, plane: channels * tileCount, tiles: tileCount, planes: planes, side: side,
                             from: (images.lowerBound, 0), ho: ho, wo: wo, tilesH: tilesH, tilesW: tilesW,
                             into: y + c * n * ho * wo, scratch: buf.baseAddress!, epilogue: epilogue.from(c), transform)
            }
        }
    }

    /// One channel's part of `writeOutput`: the products of `tiles` consecutive tiles from tile row `start.ty` of
    /// image `start.b` (plane ξ's at m + ξ·plane), transformed sixteen at a time and written into the channel's
    /// `[n][ho][wo]` outputs at `y` — row by row where the tiles cover the outputs exactly and a tile row holds a
    /// multiple or a divisor of 16 tiles, else tile by tile, clipped at the edges, `epilogue`'s channel 0 applied.
    /// `scratch`: planes × 16 + side² × 16 floats.
    @inline(__always)
    static func writeChannel(_ m: UnsafePointer<Float>, plane: Int, tiles tileCount: Int, planes: Int, side: Int,
                             from start: (b: Int, ty: Int), ho: Int, wo: Int, tilesH: Int, tilesW: Int,
                             into y: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, epilogue: Epilogue,
                             _ transform: (UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>) -> Void) {
        let byRows = ho == side * tilesH && wo == side * tilesW && (tilesW % 16 == 0 || 16 % tilesW == 0)
        let staged = scratch, rows = staged + planes * 16
        var (b, ty, tx) = (start.b, start.ty, 0)   // the tile at t0
        for t0 in Swift.stride(from: 0, to: tileCount, by: 16) {
            let lanes = min(16, tileCount - t0)
            let (p, step) = block(m + t0, planes: planes, plane: plane, lanes: lanes, staged: staged)
            transform(p, step, staged)
            epilogue.apply(channel: 0, staged, vectors: side * side)
            if byRows {
                for i in 0..<side { interleave(staged, side: side, row: i, into: rows + 16 * side * i) }
                // Runs of consecutive tiles within one tile row: each of their output rows is contiguous.
                var l0 = 0
                while l0 < lanes {
                    let run = min(tilesW - tx, lanes - l0)
                    let corner = y + b * ho * wo + side * ty * wo + side * tx
                    for i in 0..<side {
                        copy(rows + 16 * side * i + side * l0, corner + i * wo, count: side * run)
                    }
                    l0 += run; tx += run
                    if tx == tilesW { tx = 0; ty += 1; if ty == tilesH { ty = 0; b += 1 } }
                }
                continue
            }
            for l in 0..<lanes {
                let oy = side * ty, ox = side * tx, corner = y + b * ho * wo + oy * wo + ox
                let (rows, columns) = (min(side, ho - oy), min(side, wo - ox))
                if rows == side && columns == side {   // constant trip counts once inlined: unrolled
                    for i in 0..<side { for k in 0..<side { corner[i * wo + k] = staged[16 * (side * i + k) + l] } }
                } else {
                    for i in 0..<rows { for k in 0..<columns { corner[i * wo + k] = staged[16 * (side * i + k) + l] } }
                }
                tx += 1
                if tx == tilesW { tx = 0; ty += 1; if ty == tilesH { ty = 0; b += 1 } }
            }
        }
    }

    /// Output row `i` of the sixteen staged tiles side by side (side 2 or 4): tile l's output (i, k) at
    /// `out[side·l + k]`, by lane shuffles.
    @inline(__always)
    static func interleave(_ staged: UnsafePointer<Float>, side: Int, row i: Int, into out: UnsafeMutablePointer<Float>) {
        @inline(__always) func v(_ k: Int) -> SIMD16<Float> { Lanes.load16(staged + 16 * (side * i + k)) }
        if side == 2 {
            let (o0, o1) = zip(v(0), v(1))
            Lanes.store16(o0, out); Lanes.store16(o1, out + 16)
        } else {
            let (ac0, ac1) = zip(v(0), v(2)), (bd0, bd1) = zip(v(1), v(3))
            let (o0, o1) = zip(ac0, bd0), (o2, o3) = zip(ac1, bd1)
            Lanes.store16(o0, out); Lanes.store16(o1, out + 16); Lanes.store16(o2, out + 32); Lanes.store16(o3, out + 48)
        }
    }

    /// The lanes of `a` and `b` alternating: a0 b0 a1 b1 … a7 b7, then a8 b8 … a15 b15.
    @inline(__always)
    static func zip(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> (SIMD16<Float>, SIMD16<Float>) {
        var lo = SIMD16<Float>(), hi = SIMD16<Float>()
        for l in 0..<8 { lo[2 * l] = a[l]; lo[2 * l + 1] = b[l]; hi[2 * l] = a[8 + l]; hi[2 * l + 1] = b[8 + l] }
        return (lo, hi)
    }

    /// Copies `count` floats, eight at a time while it can.
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int) {
        var j = 0
        while j + 8 <= count { Lanes.store8(Lanes.load8(src + j), dst + j); j += 8 }
        while j < count { dst[j] = src[j]; j += 1 }
    }
}
