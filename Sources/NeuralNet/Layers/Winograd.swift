/// Winograd F(2×2, 3×3) transforms (Lavin & Gray, 2016) for 3×3, stride-1, undilated convolutions: each 2×2
/// output tile is computed from a 4×4 input tile with 16 multiplications per channel pair instead of 36, as 16
/// GEMMs `U[ξ] [Cout, Cin] × V[ξ] [Cin, tiles]` between a weight transform `U = G g Gᵀ` and an input transform
/// `V = Bᵀ d B`, followed by the output transform `Y = Aᵀ M A`.
enum Winograd {
    /// Number of 2×2 output tiles along a side of `n` outputs.
    static func tiles(_ n: Int) -> Int { (n + 1) / 2 }

    /// The transform index ξ = 4·row + column with 0 and 3 swapped in both coordinates: where U[ξ] of the filters
    /// rotated by 180° sits in U of the filters themselves (rotating g swaps rows 0 and 3 of G g).
    @inline(__always)
    static func swap03(_ xi: Int) -> Int {
        @inline(__always) func p(_ i: Int) -> Int { i == 0 ? 3 : i == 3 ? 0 : i }
        return 4 * p(xi / 4) + p(xi % 4)
    }

    /// U[ξ][co][ci] = (G g Gᵀ)[ξ] for the 3×3 filters `w` `[cout, cin, 3, 3]` (ξ = 4·row + column), sixteen input
    /// channels at a time so every U plane gets contiguous 16-lane stores.
    static func transformWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = cout * cin
        forEachFilterBlock(cout: cout, cin: cin) { co, ci, lanes, t in
            transposeTaps(w + (co * cin + ci) * 9, lanes: lanes, into: t)
            @inline(__always) func k(_ j: Int) -> SIMD16<Float> { Lanes.load16(t + 16 * j) }
            // t = G g (rows t0…t3 of three columns each), then each row · Gᵀ into four U planes.
            let o = u + co * cin + ci
            storeFilterRow(k(0), k(1), k(2), o, plane, lanes)
            storeFilterRow(0.5 * (k(0) + k(3) + k(6)), 0.5 * (k(1) + k(4) + k(7)), 0.5 * (k(2) + k(5) + k(8)),
                           o + 4 * plane, plane, lanes)
            storeFilterRow(0.5 * (k(0) - k(3) + k(6)), 0.5 * (k(1) - k(4) + k(7)), 0.5 * (k(2) - k(5) + k(8)),
                           o + 8 * plane, plane, lanes)
            storeFilterRow(k(6), k(7), k(8), o + 12 * plane, plane, lanes)
        }
    }

    /// Calls `body(co, ci, lanes, scratch)` for every output channel co (spread over threads) and every block of
    /// sixteen input channels ci..<ci + lanes, with 36 × 16 floats of scratch per thread.
    @inline(__always)
    static func forEachFilterBlock(cout: Int, cin: Int, _ body: (Int, Int, Int, UnsafeMutablePointer<Float>) -> Void) {
        Parallel.forEach(cout, minPerThread: 8) { co in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 36 * 16) { buf in
                for ci in Swift.stride(from: 0, to: cin, by: 16) { body(co, ci, min(16, cin - ci), buf.baseAddress!) }
            }
        }
    }

    /// The nine taps of `lanes` ≤ 16 consecutive 3×3 filters at `g`, transposed into `t` (144 floats): tap j of
    /// filter l at t[16·j + l], zero past `lanes`.
    @inline(__always)
    static func transposeTaps(_ g: UnsafePointer<Float>, lanes: Int, into t: UnsafeMutablePointer<Float>) {
        if lanes < 16 { t.update(repeating: 0, count: 144) }
        // Tap by tap, filters inside: filter by filter compiled to 8-lane gathers and a scalar copy of half the block.
        for j in 0..<9 { for l in 0..<lanes { t[j * 16 + l] = g[l * 9 + j] } }
    }

    /// V[ξ][c][t] = (Bᵀ d B)[ξ] for every 4×4 input tile d of `images` (tile t in image-row-column order) of the
    /// CNHW input `x` (batch `n`, zero padding `pt`/`pl`). Each image plane is first copied, zero-padded, into
    /// its even and odd columns, so the four columns of sixteen neighbouring tiles are four contiguous 16-lane
    /// loads (two or four shorter ones for images 8 or 4 tiles wide, see `forEachBlock`) and each V plane gets 16
    /// contiguous values per store.
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, h: Int, w: Int,
                               pt: Int, pl: Int, tilesH: Int, tilesW: Int, into v: UnsafeMutablePointer<Float>) {
        let tileCount = images.count * tilesH * tilesW, plane = channels * tileCount
        let rows = 2 * tilesH + 2, half = (tilesW + 15) / 16 * 16 + 16   // padded rows; floats per even/odd row
        Parallel.forEach(channels) { c in
            ScratchPool.shared.with(2 * rows * half) { split in
                let even = split, odd = split + rows * half
                var t = c * tileCount
                for b in images {
                    splitPhases(x + (c * n + b) * h * w, h: h, w: w, pt: pt, pl: pl, rows: rows, width: half,
                                read: readable(tilesW: tilesW), phases: 2, into: split)
                    forEachBlock(tilesH: tilesH, tilesW: tilesW) { ty, tx, lanes, per in
                        @inline(__always) func r(_ i: Int) -> Columns {
                            columns(even, odd, row: 2 * ty + i, tx: tx, half: half, per: per, step: 2 * half)
                        }
                        let r0 = r(0), r1 = r(1), r2 = r(2), r3 = r(3)
                        // Bᵀ d, one row of four column vectors at a time, each then · B into four V planes.
                        storeTransformedRow((r0.0 - r2.0, r0.1 - r2.1, r0.2 - r2.2, r0.3 - r2.3), v + t, plane, lanes)
                        storeTransformedRow((r1.0 + r2.0, r1.1 + r2.1, r1.2 + r2.2, r1.3 + r2.3), v + 4 * plane + t, plane, lanes)
                        storeTransformedRow((r2.0 - r1.0, r2.1 - r1.1, r2.2 - r1.2, r2.3 - r1.3), v + 8 * plane + t, plane, lanes)
                        storeTransformedRow((r1.0 - r3.0, r1.1 - r3.1, r1.2 - r3.2, r1.3 - r3.3), v + 12 * plane + t, plane, lanes)
                        t += lanes
                    }
                }
            }
        }
    }

    /// Copies `rows` rows of the `h`×`w` plane `src`, shifted down by `pt` and right by `pl` with zeros around it,
    /// into its `phases` column phases (`width` floats per row each, `rows · width` per phase, from `base` on):
    /// padded column q lands at index q / phases of phase q mod phases (2: even and odd columns, for 2×2 tiles).
    /// Only the first `read` floats of each phase row (all by default) are zero-padded: the rest is never read.
    static func splitPhases(_ src: UnsafePointer<Float>, h: Int, w: Int, pt: Int, pl: Int, rows: Int, width: Int,
                            read: Int? = nil, phases: Int, into base: UnsafeMutablePointer<Float>) {
        precondition(phases == 2 || phases == 4, "2 or 4 column phases")
        let count = min(w, phases * width - pl), plane = rows * width
        let top = min(max(0, pt), rows), filled = top..<max(top, min(rows, h + pt))
        zeroPadding(rows: filled, columns: pl..<(pl + max(0, count)), rows: rows, width: width, read: min(width, read ?? width),
                    phases: phases, into: base)
        let lead = min(count, (phases - pl % phases) % phases)   // source columns before the first one in phase 0
        let groups = (count - lead) / phases, j0 = (lead + pl) / phases
        for py in filled {
            let s = src + (py - pt) * w, d = base + py * width
            @inline(__always) func put(_ ix: Int) { let q = ix + pl; d[(q % phases) * plane + q / phases] = s[ix] }
            for ix in 0..<lead { put(ix) }
            // Whole groups of `phases` columns, one output per phase: interleaved loads LLVM vectorises.
            let g = s + lead, d0 = d + j0, d1 = d0 + plane
            if phases == 2 {
                for j in 0..<groups { d0[j] = g[2 * j]; d1[j] = g[2 * j + 1] }
            } else {
                let d2 = d1 + plane, d3 = d2 + plane
                for j in 0..<groups { d0[j] = g[4 * j]; d1[j] = g[4 * j + 1]; d2[j] = g[4 * j + 2]; d3[j] = g[4 * j + 3] }
            }
            for ix in (lead + groups * phases)..<count { put(ix) }
        }
    }

    /// Zeroes what `splitPhases` does not copy: every phase's rows outside `filled` and, in those rows, the
    /// indices below `read` whose padded column lies outside `columns`.
    static func zeroPadding(rows filled: Range<Int>, columns: Range<Int>, rows: Int, width: Int, read: Int, phases: Int,
                            into base: UnsafeMutablePointer<Float>) {
        for p in 0..<phases {
            let phase = base + p * rows * width
            guard !filled.isEmpty, !columns.isEmpty else { phase.update(repeating: 0, count: rows * width); continue }
            phase.update(repeating: 0, count: filled.lowerBound * width)
            (phase + filled.upperBound * width).update(repeating: 0, count: (rows - filled.upperBound) * width)
            // Index j of this phase is padded column phases·j + p.
            let lo = min(width, max(0, columns.lowerBound - p + phases - 1) / phases)
            let hi = max(lo, min(width, columns.upperBound - 1 - p < 0 ? 0 : (columns.upperBound - 1 - p) / phases + 1))
            // A few floats at each end of a row, within the row (the copy that follows overwrites any data covered).
            for r in filled {
                let row = phase + r * width
                Lanes.zero(row, count: lo, room: width)
                if hi < read { Lanes.zero(row + hi, count: read - hi, room: width - hi) }
            }
        }
    }

    /// Floats of each phase row the transforms' loads reach (`forEachBlock`'s blocks; the inputs' one column further).
    static func readable(tilesW: Int) -> Int { (tilesW + 15) / 16 * 16 + 1 }

    typealias Columns = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

    /// Columns 0…3 of row `row` of sixteen tiles from `tx` on — `per` (16, 8 or 4) of each tile row, the next
    /// tile row's `step` floats further — out of the even/odd split plane.
    @inline(__always)
    static func columns(_ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>, row: Int, tx: Int, half: Int,
                        per: Int, step: Int) -> Columns {
        let e = even + row * half + tx, o = odd + row * half + tx
        return (Lanes.load16(e, per: per, step: step), Lanes.load16(o, per: per, step: step),
                Lanes.load16(e + 1, per: per, step: step), Lanes.load16(o + 1, per: per, step: step))
    }

    /// Calls `body(ty, tx, lanes, per)` for the 16-lane blocks of an image's tiles in tile order: `lanes` tiles of
    /// tile row `ty` from `tx` on (per = 16) or, for images 4 or 8 tiles wide, whole tile rows ty, ty + 1, …
    /// filling all sixteen lanes (per = 4 or 8 tiles of each), so narrow images waste no lanes. `per` is a
    /// constant in each call of `body`, for the loads to specialise on.
    @inline(__always)
    static func forEachBlock(tilesH: Int, tilesW: Int, _ body: (Int, Int, Int, Int) -> Void) {
        if (tilesW == 8 || tilesW == 4) && tilesH % (16 / tilesW) == 0 {
            for ty in Swift.stride(from: 0, to: tilesH, by: 16 / tilesW) {
                if tilesW == 8 { body(ty, 0, 16, 8) } else { body(ty, 0, 16, 4) }
            }
            return
        }
        for ty in 0..<tilesH {
            for tx in Swift.stride(from: 0, to: tilesW, by: 16) { body(ty, tx, min(16, tilesW - tx), 16) }
        }
    }

    /// Writes q·B for one row q of Bᵀd of sixteen tiles (`lanes` of them real) to four V planes `plane` apart.
    @inline(__always)
    static func storeTransformedRow(_ q: Columns, _ o: UnsafeMutablePointer<Float>, _ plane: Int, _ lanes: Int) {
        store(q.0 - q.2, o, lanes); store(q.1 + q.2, o + plane, lanes)
        store(q.2 - q.1, o + 2 * plane, lanes); store(q.1 - q.3, o + 3 * plane, lanes)
    }

    /// The 16-lane blocks at `src` of `planes` planes `plane` floats apart, of which `lanes` are valid: in place
    /// when whole, else copied, zero-padded, into `staged` (planes × 16 floats) so that no load runs past the last
    /// plane. Returns where plane 0's block starts and the distance between planes.
    @inline(__always)
    static func block(_ src: UnsafePointer<Float>, planes: Int, plane: Int, lanes: Int,
                      staged: UnsafeMutablePointer<Float>) -> (UnsafePointer<Float>, Int) {
        if lanes == 16 { return (src, plane) }
        staged.update(repeating: 0, count: planes * 16)
        for xi in 0..<planes { (staged + 16 * xi).update(from: src + xi * plane, count: lanes) }
        return (UnsafePointer(staged), 16)
    }

    /// Stores the first `lanes` of `v` at `o`: whole vectors inline, fewer lanes out of line (`storePart`), so that
    /// callers storing six or four rows stay small enough to be inlined (else LLVM called them with every vector
    /// passed through memory in 16-byte pieces and read back whole: a stalled store forwarding per vector).
    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ o: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == 16 { Lanes.store16(v, o) } else { storePart(v, o, lanes) }
    }

    /// The first `lanes` < 16 of `v` at `o`: 8- and 4-lane pieces, then single lanes (tile rows of deep layers are
    /// 2–8 tiles wide, so partial stores are common).
    @inline(never)
    static func storePart(_ v: SIMD16<Float>, _ o: UnsafeMutablePointer<Float>, _ lanes: Int) {
        var i = 0
        if lanes >= 8 { Lanes.store8(v.lowHalf, o); i = 8 }
        if lanes - i >= 4 { Lanes.store4(i == 0 ? v.lowHalf.lowHalf : v.highHalf.lowHalf, o + i); i += 4 }
        while i < lanes { o[i] = v[i]; i += 1 }
    }

    /// Writes (a, b, c)·Gᵀ (one row of U from one row of G g, sixteen channels wide) to four U planes.
    @inline(__always)
    static func storeFilterRow(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>, _ o: UnsafeMutablePointer<Float>,
                               _ plane: Int, _ lanes: Int) {
        store(a, o, lanes); store(0.5 * (a + b + c), o + plane, lanes)
        store(0.5 * (a - b + c), o + 2 * plane, lanes); store(c, o + 3 * plane, lanes)
    }

    /// Y = Aᵀ M A for every tile of `images`, written into the CNHW output `y` (batch `n`, `ho`×`wo`) with `epilogue`
    /// applied, from M[ξ][c][t] (`channels` rows of the chunk's tiles).
    static func transformOutput(_ m: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, ho: Int, wo: Int,
                                tilesH: Int, tilesW: Int, into y: UnsafeMutablePointer<Float>, epilogue: Epilogue) {
        writeOutput(m, planes: 16, side: 2, channels: channels, n: n, images: images, ho: ho, wo: wo,
                    tilesH: tilesH, tilesW: tilesW, into: y, epilogue: epilogue) { p, step, staged in
            @inline(__always) func load(_ xi: Int) -> SIMD16<Float> { Lanes.load16(p + xi * step) }
            // Aᵀ M: its two rows, column j of each from column j of M, then each row · A.
            @inline(__always) func rows(_ j: Int) -> (SIMD16<Float>, SIMD16<Float>) {
                let m1 = load(4 + j), m2 = load(8 + j)
                return (load(j) + m1 + m2, m1 - m2 - load(12 + j))
            }
            let (a0, b0) = rows(0), (a1, b1) = rows(1), (a2, b2) = rows(2), (a3, b3) = rows(3)
            Lanes.store16(a0 + a1 + a2, staged); Lanes.store16(a1 - a2 - a3, staged + 16)
            Lanes.store16(b0 + b1 + b2, staged + 32); Lanes.store16(b1 - b2 - b3, staged + 48)
        }
    }
}
