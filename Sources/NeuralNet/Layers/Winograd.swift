/// Winograd F(2×2, 3×3) transforms (Lavin & Gray, 2016) for 3×3, stride-1, undilated convolutions: each 2×2
/// output tile is computed from a 4×4 input tile with 16 multiplications per channel pair instead of 36, as 16
/// GEMMs `U[ξ] [Cout, Cin] × V[ξ] [Cin, tiles]` between a weight transform `U = G g Gᵀ` and an input transform
/// `V = Bᵀ d B`, followed by the output transform `Y = Aᵀ M A`.
enum Winograd {
    /// Number of 2×2 output tiles along a side of `n` outputs.
    static func tiles(_ n: Int) -> Int { (n + 1) / 2 }

    /// U[ξ][co][ci] = (G g Gᵀ)[ξ] for the 3×3 filters `w` `[cout, cin, 3, 3]` (ξ = 4·row + column), sixteen input
    /// channels at a time so every U plane gets contiguous 16-lane stores.
    static func transformWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, into u: UnsafeMutablePointer<Float>) {
        let plane = cout * cin
        Parallel.forEach(cout, minPerThread: 8) { co in
            for ci in Swift.stride(from: 0, to: cin, by: 16) {
                let lanes = min(16, cin - ci), g = w + (co * cin + ci) * 9
                // The nine taps of sixteen filters, transposed to nine 16-lane vectors.
                let k = withUnsafeTemporaryAllocation(of: Float.self, capacity: 144) { buf -> [SIMD16<Float>] in
                    let t = buf.baseAddress!
                    if lanes < 16 { t.update(repeating: 0, count: 144) }
                    for l in 0..<lanes { for j in 0..<9 { t[j * 16 + l] = g[l * 9 + j] } }
                    return (0..<9).map { Lanes.load16(t + 16 * $0) }
                }
                // t = G g (rows t0…t3 of three columns each), then each row · Gᵀ into four U planes.
                let o = u + co * cin + ci
                storeFilterRow(k[0], k[1], k[2], o, plane, lanes)
                storeFilterRow(0.5 * (k[0] + k[3] + k[6]), 0.5 * (k[1] + k[4] + k[7]), 0.5 * (k[2] + k[5] + k[8]),
                               o + 4 * plane, plane, lanes)
                storeFilterRow(0.5 * (k[0] - k[3] + k[6]), 0.5 * (k[1] - k[4] + k[7]), 0.5 * (k[2] - k[5] + k[8]),
                               o + 8 * plane, plane, lanes)
                storeFilterRow(k[6], k[7], k[8], o + 12 * plane, plane, lanes)
            }
        }
    }

    /// V[ξ][c][t] = (Bᵀ d B)[ξ] for every 4×4 input tile d of `images` (tile t in image-row-column order) of the
    /// CNHW input `x` (batch `n`, zero padding `pt`/`pl`). Each image plane is first copied, zero-padded, into
    /// its even and odd columns, so the four columns of sixteen neighbouring tiles are four contiguous 16-lane
    /// loads and each V plane gets 16 contiguous values per store.
    static func transformInput(_ x: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, h: Int, w: Int,
                               pt: Int, pl: Int, tilesH: Int, tilesW: Int, into v: UnsafeMutablePointer<Float>) {
        let tileCount = images.count * tilesH * tilesW, plane = channels * tileCount
        let rows = 2 * tilesH + 2, half = (tilesW + 15) / 16 * 16 + 16   // padded rows; floats per even/odd row
        Parallel.forEach(channels) { c in
            ScratchPool.shared.with(2 * rows * half) { split in
                let even = split, odd = split + rows * half
                var t = c * tileCount
                for b in images {
                    splitColumns(x + (c * n + b) * h * w, h: h, w: w, pt: pt, pl: pl, rows: rows, half: half,
                                 even: even, odd: odd)
                    for ty in 0..<tilesH {
                        for tx in Swift.stride(from: 0, to: tilesW, by: 16) {
                            let lanes = min(16, tilesW - tx)
                            let r0 = columns(even, odd, row: 2 * ty, tx: tx, half: half)
                            let r1 = columns(even, odd, row: 2 * ty + 1, tx: tx, half: half)
                            let r2 = columns(even, odd, row: 2 * ty + 2, tx: tx, half: half)
                            let r3 = columns(even, odd, row: 2 * ty + 3, tx: tx, half: half)
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
    }

    /// Copies `rows` rows of the `h`×`w` plane `src`, shifted down by `pt` and right by `pl` with zeros around it,
    /// into its even and odd columns (`half` floats per row each): padded column q lands at index q/2 of one of them.
    static func splitColumns(_ src: UnsafePointer<Float>, h: Int, w: Int, pt: Int, pl: Int, rows: Int, half: Int,
                             even: UnsafeMutablePointer<Float>, odd: UnsafeMutablePointer<Float>) {
        even.update(repeating: 0, count: rows * half)
        odd.update(repeating: 0, count: rows * half)
        let count = min(w, 2 * half - pl), first = pl & 1   // the first source column whose padded column is even
        let pairs = max(0, count - first) / 2, base = (first + pl) >> 1
        for py in max(0, pt)..<min(rows, h + pt) {
            let s = src + (py - pt) * w, e = even + py * half + base, o = odd + py * half + base
            if first == 1 && count > 0 { odd[py * half + (pl >> 1)] = s[0] }
            for j in 0..<pairs { e[j] = s[first + 2 * j]; o[j] = s[first + 2 * j + 1] }   // an interleave LLVM vectorises
            if first + 2 * pairs < count { e[pairs] = s[first + 2 * pairs] }
        }
    }

    typealias Columns = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

    /// Columns 0…3 of row `row` of sixteen neighbouring tiles from `tx` on, out of the even/odd split plane.
    @inline(__always)
    static func columns(_ even: UnsafePointer<Float>, _ odd: UnsafePointer<Float>, row: Int, tx: Int, half: Int) -> Columns {
        let e = even + row * half + tx, o = odd + row * half + tx
        return (Lanes.load16(e), Lanes.load16(o), Lanes.load16(e + 1), Lanes.load16(o + 1))
    }

    /// Writes q·B for one row q of Bᵀd of sixteen tiles (`lanes` of them real) to four V planes `plane` apart.
    @inline(__always)
    static func storeTransformedRow(_ q: Columns, _ o: UnsafeMutablePointer<Float>, _ plane: Int, _ lanes: Int) {
        store(q.0 - q.2, o, lanes); store(q.1 + q.2, o + plane, lanes)
        store(q.2 - q.1, o + 2 * plane, lanes); store(q.1 - q.3, o + 3 * plane, lanes)
    }

    /// Stores the first `lanes` of `v` at `o`.
    @inline(__always)
    static func store(_ v: SIMD16<Float>, _ o: UnsafeMutablePointer<Float>, _ lanes: Int) {
        if lanes == 16 { Lanes.store16(v, o); return }
        for l in 0..<lanes { o[l] = v[l] }
    }

    /// Writes (a, b, c)·Gᵀ (one row of U from one row of G g, sixteen channels wide) to four U planes.
    @inline(__always)
    static func storeFilterRow(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ c: SIMD16<Float>, _ o: UnsafeMutablePointer<Float>,
                               _ plane: Int, _ lanes: Int) {
        store(a, o, lanes); store(0.5 * (a + b + c), o + plane, lanes)
        store(0.5 * (a - b + c), o + 2 * plane, lanes); store(c, o + 3 * plane, lanes)
    }

    /// Y = Aᵀ M A for every tile of `images`, written into the CNHW output `y` (batch `n`, `ho`×`wo`), from
    /// M[ξ][c][t] (`channels` rows of the chunk's tiles). Sixteen consecutive tiles of a channel (across tile rows
    /// and images) are transformed at once from contiguous loads, then written out tile by tile.
    static func transformOutput(_ m: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, ho: Int, wo: Int,
                                tilesH: Int, tilesW: Int, into y: UnsafeMutablePointer<Float>) {
        let tileCount = images.count * tilesH * tilesW, plane = channels * tileCount
        Parallel.forEach(channels) { c in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 16 * 16) { buf in
                let staged = buf.baseAddress!
                var (b, ty, tx) = (images.lowerBound, 0, 0)   // the tile at t0
                for t0 in Swift.stride(from: 0, to: tileCount, by: 16) {
                    let lanes = min(16, tileCount - t0), src = m + c * tileCount + t0
                    if lanes < 16 {   // the channel's last tiles: staged, so no load runs past the last plane
                        staged.update(repeating: 0, count: 256)
                        for xi in 0..<16 { (staged + 16 * xi).update(from: src + xi * plane, count: lanes) }
                    }
                    @inline(__always) func load(_ xi: Int) -> SIMD16<Float> {
                        lanes == 16 ? Lanes.load16(src + xi * plane) : Lanes.load16(staged + 16 * xi)
                    }
                    // Aᵀ M: its two rows, column j of each from column j of M, then each row · A.
                    @inline(__always) func rows(_ j: Int) -> (SIMD16<Float>, SIMD16<Float>) {
                        let m1 = load(4 + j), m2 = load(8 + j)
                        return (load(j) + m1 + m2, m1 - m2 - load(12 + j))
                    }
                    let (a0, b0) = rows(0), (a1, b1) = rows(1), (a2, b2) = rows(2), (a3, b3) = rows(3)
                    Lanes.store16(a0 + a1 + a2, staged); Lanes.store16(a1 - a2 - a3, staged + 16)
                    Lanes.store16(b0 + b1 + b2, staged + 32); Lanes.store16(b1 - b2 - b3, staged + 48)
                    for l in 0..<lanes {
                        let oy = 2 * ty, ox = 2 * tx
                        let row0 = y + (c * n + b) * ho * wo + oy * wo + ox, pair = ox + 1 < wo
                        row0[0] = staged[l]
                        if pair { row0[1] = staged[16 + l] }
                        if oy + 1 < ho {
                            row0[wo] = staged[32 + l]
                            if pair { row0[wo + 1] = staged[48 + l] }
                        }
                        tx += 1
                        if tx == tilesW { tx = 0; ty += 1; if ty == tilesH { ty = 0; b += 1 } }
                    }
                }
            }
        }
    }
}
