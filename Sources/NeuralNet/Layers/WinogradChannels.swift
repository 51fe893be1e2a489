/// The Winograd input transforms vectorised across sixteen channels instead of sixteen tiles of a tile row, writing
/// V tile-major (`V[ξ][tile][channel]`; the GEMMs read it transposed). For images only 2–3 tiles wide (ResNet's
/// 8×8 layers under F(4×4, 3×3), its 4×4 ones under F(2×2, 3×3)), where the row-wise transforms
/// (`Winograd.transformInput`, `Winograd4.transformInput`) would fill 2–3 of their sixteen lanes. Each image's
/// sixteen channels are first interleaved, zero-padded, into `[row][column][16]`, so every element of a tile's
/// patch is one 16-lane load. Selection: `Conv2D.transformsByChannels`.
enum WinogradChannels {
    typealias V = SIMD16<Float>

    /// V[ξ][t][c] = (Bᵀ d B)[ξ] of channel c of every input tile t of `images` (image-row-column order, as the
    /// row-wise transforms number them) of the CNHW input `x` (batch `n`, zero padding `pt`/`pl`), for `tile`:
    /// for every block of sixteen channels of every image (spread over threads), the block is interleaved into
    /// scratch, then each tile's patch is transformed with one 16-lane load per element.
    static func transformInput(_ x: UnsafePointer<Float>, tile: WinogradTile, channels: Int, n: Int, images: Range<Int>,
                               h: Int, w: Int, pt: Int, pl: Int, tilesH: Int, tilesW: Int, into v: UnsafeMutablePointer<Float>) {
        let step = tile == .f2 ? 2 : 4, perImage = tilesH * tilesW, plane = channels * images.count * perImage
        let rows = step * tilesH + 2, columns = step * tilesW + 2, blocks = (channels + 15) / 16
        Parallel.forEach(blocks * images.count) { item in
            let (block, image) = item.quotientAndRemainder(dividingBy: images.count)
            let c0 = 16 * block, lanes = min(16, channels - c0)
            ScratchPool.shared.with(rows * columns * 16 + 36 * 16) { patch in
                let staged = patch + rows * columns * 16
                interleave(x + (c0 * n + images.lowerBound + image) * h * w, channelStride: n * h * w, lanes: lanes,
                           h: h, w: w, pt: pt, pl: pl, rows: rows, columns: columns, into: patch)
                var t = image * perImage
                for ty in 0..<tilesH {
                    for tx in 0..<tilesW {
                        let corner = patch + (step * ty * columns + step * tx) * 16, o = v + t * channels + c0
                        if tile == .f2 {
                            f2(corner, columns: columns, o, plane: plane, lanes: lanes)
                        } else {
                            f4(corner, columns: columns, o, plane: plane, lanes: lanes, staged: staged)
                        }
                        t += 1
                    }
                }
            }
        }
    }

    /// Bᵀ d B of one interleaved 4×4 patch at `corner` (`columns` per row) into sixteen planes from `o`.
    @inline(__always)
    static func f2(_ corner: UnsafePointer<Float>, columns: Int, _ o: UnsafeMutablePointer<Float>, plane: Int, lanes: Int) {
        @inline(__always) func d(_ r: Int, _ c: Int) -> V { Lanes.load16(corner + (r * columns + c) * 16) }
        // Bᵀ d row by row (rows of d: 0 − 2, 1 + 2, 2 − 1, 1 − 3), each row · B into four planes.
        let (a0, a1, a2, a3) = (d(0, 0), d(0, 1), d(0, 2), d(0, 3)), (b0, b1, b2, b3) = (d(1, 0), d(1, 1), d(1, 2), d(1, 3))
        let (c0, c1, c2, c3) = (d(2, 0), d(2, 1), d(2, 2), d(2, 3)), (e0, e1, e2, e3) = (d(3, 0), d(3, 1), d(3, 2), d(3, 3))
        Winograd.storeTransformedRow((a0 - c0, a1 - c1, a2 - c2, a3 - c3), o, plane, lanes)
        Winograd.storeTransformedRow((b0 + c0, b1 + c1, b2 + c2, b3 + c3), o + 4 * plane, plane, lanes)
        Winograd.storeTransformedRow((c0 - b0, c1 - b1, c2 - b2, c3 - b3), o + 8 * plane, plane, lanes)
        Winograd.storeTransformedRow((b0 - e0, b1 - e1, b2 - e2, b3 - e3), o + 12 * plane, plane, lanes)
    }

    /// Bᵀ d B of one interleaved 6×6 patch at `corner` into 36 planes from `o`, through `staged` (36 × 16 floats).
    @inline(__always)
    static func f4(_ corner: UnsafePointer<Float>, columns: Int, _ o: UnsafeMutablePointer<Float>, plane: Int, lanes: Int,
                   staged t: UnsafeMutablePointer<Float>) {
        @inline(__always) func d(_ r: Int, _ c: Int) -> V { Lanes.load16(corner + (r * columns + c) * 16) }
        for j in 0..<6 { Winograd4.stageColumn(j, (d(0, j), d(1, j), d(2, j), d(3, j), d(4, j), d(5, j)), t) }
        Winograd4.storeRows(t, o, plane, lanes)
    }

    /// Copies `lanes` ≤ 16 channel planes (`h`×`w`, `channelStride` apart from `src`) into `[row][column][16]`
    /// (`rows`×`columns`), shifted down by `pt` and right by `pl`, zeros around them and in the lanes past `lanes`.
    static func interleave(_ src: UnsafePointer<Float>, channelStride: Int, lanes: Int, h: Int, w: Int, pt: Int, pl: Int,
                           rows: Int, columns: Int, into p: UnsafeMutablePointer<Float>) {
        p.update(repeating: 0, count: rows * columns * 16)
        let ys = max(0, -pt)..<min(h, rows - pt), xs = max(0, -pl)..<min(w, columns - pl)
        guard !ys.isEmpty && !xs.isEmpty else { return }
        for c in 0..<lanes {
            let s = src + c * channelStride
            for y in ys {
                let row = s + y * w, d = p + ((y + pt) * columns + pl) * 16 + c
                for x in xs { d[16 * x] = row[x] }
            }
        }
    }
}
