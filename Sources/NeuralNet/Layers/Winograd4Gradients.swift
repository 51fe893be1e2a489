/// The weight gradient of a Winograd F(4×4, 3×3) convolution, as `WinogradGradients.swift` does it for F(2×2):
/// thirty-six GEMMs `dU[ξ] = Ŷ[ξ] × V[ξ]ᵀ` with Ŷ = A dY Aᵀ per 4×4 output tile, then the filter's gradient
/// Gᵀ dU G. (The input gradient is an F(4×4) forward of dY with the filters rotated by 180°, see
/// `Conv2D.rotatedWinogradFilters`.)
extension Winograd4 {
    /// A d for one row (or column) of a 4×4 gradient tile: the transpose of `at`.
    @inline(__always)
    static func a(_ d: Four) -> Six {
        let (d0, d1, d2, d3) = d
        let (s02, s13) = (d0 + d2, d1 + d3), (q02, q13) = (d0 + 4 * d2, 2 * d1 + 8 * d3)
        return (d0, s02 + s13, s02 - s13, q02 + q13, q02 - q13, d3)
    }

    /// Gᵀ d for one row (or column) of a 6×6 transformed-filter gradient: the transpose of `g`.
    @inline(__always)
    static func gt(_ d: Six) -> (V, V, V) {
        let (d0, d1, d2, d3, d4, d5) = d
        let (s12, d12, s34, d34) = (d1 + d2, d2 - d1, d3 + d4, d3 - d4)
        return (d0 / 4 - s12 / 6 + s34 / 24, d12 / 6 + d34 / 12, (s34 - s12) / 6 + d5)
    }

    /// Ŷ[ξ][c][t] = (A dY Aᵀ)[ξ] for every 4×4 tile of `images` of the CNHW gradient `dy` (`ho`×`wo`, zeros past
    /// its edge), sixteen neighbouring tiles at a time, in `transformInput`'s tile order.
    static func transformGradient(_ dy: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, ho: Int, wo: Int,
                                  tilesH: Int, tilesW: Int, into out: UnsafeMutablePointer<Float>) {
        let tileCount = images.count * tilesH * tilesW, plane = channels * tileCount
        let rows = 4 * tilesH, width = (tilesW + 15) / 16 * 16 + 16
        Parallel.forEach(channels) { c in
            ScratchPool.shared.with(4 * rows * width + 36 * 16) { scratch in
                let phases = scratch, t = scratch + 4 * rows * width
                var tile = c * tileCount
                for b in images {
                    Winograd.splitPhases(dy + (c * n + b) * ho * wo, h: ho, w: wo, pt: 0, pl: 0, rows: rows, width: width,
                                         read: Winograd.readable(tilesW: tilesW), phases: 4, into: phases)
                    Winograd.forEachBlock(tilesH: tilesH, tilesW: tilesW) { ty, tx, lanes, per in
                        @inline(__always) func d(_ r: Int, _ col: Int) -> V {
                            Lanes.load16(phases + (col * rows + 4 * ty + r) * width + tx, per: per, step: 4 * width)
                        }
                        // Each row of dY · Aᵀ, staged like `stageColumn` stages columns; then each column · A.
                        for r in 0..<4 {
                            let e = a((d(r, 0), d(r, 1), d(r, 2), d(r, 3)))
                            Lanes.store16(e.0, t + 16 * r); Lanes.store16(e.1, t + 16 * (4 + r))
                            Lanes.store16(e.2, t + 16 * (8 + r)); Lanes.store16(e.3, t + 16 * (12 + r))
                            Lanes.store16(e.4, t + 16 * (16 + r)); Lanes.store16(e.5, t + 16 * (20 + r))
                        }
                        for k in 0..<6 {
                            @inline(__always) func q(_ r: Int) -> V { Lanes.load16(t + 16 * (4 * k + r)) }
                            let column = a((q(0), q(1), q(2), q(3)))   // (A dY Aᵀ)[i][k] for i = 0…5
                            let o = out + k * plane + tile
                            Winograd.store(column.0, o, lanes); Winograd.store(column.1, o + 6 * plane, lanes)
                            Winograd.store(column.2, o + 12 * plane, lanes); Winograd.store(column.3, o + 18 * plane, lanes)
                            Winograd.store(column.4, o + 24 * plane, lanes); Winograd.store(column.5, o + 30 * plane, lanes)
                        }
                        tile += lanes
                    }
                }
            }
        }
    }

    /// dw[co][ci][3×3] += (Gᵀ dU G) for the transformed-filter gradients `du` [36][cout][cin], sixteen input
    /// channels at a time (the inverse of `transformWeights`' layout).
    static func accumulateWeightGradient(_ du: UnsafePointer<Float>, cout: Int, cin: Int, into dw: UnsafeMutablePointer<Float>) {
        let plane = cout * cin
        Winograd.forEachFilterBlock(cout: cout, cin: cin) { co, ci, lanes, staged in
            let (p, step) = Winograd.block(du + co * cin + ci, planes: 36, plane: plane, lanes: lanes, staged: staged)
            @inline(__always) func d(_ xi: Int) -> V { Lanes.load16(p + xi * step) }
            // Gᵀ dU column by column (three rows each), then each of the three rows · G gives three taps.
            @inline(__always) func column(_ j: Int) -> (V, V, V) { gt((d(j), d(6 + j), d(12 + j), d(18 + j), d(24 + j), d(30 + j))) }
            let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3), c4 = column(4), c5 = column(5)
            let r0 = gt((c0.0, c1.0, c2.0, c3.0, c4.0, c5.0)), r1 = gt((c0.1, c1.1, c2.1, c3.1, c4.1, c5.1))
            let r2 = gt((c0.2, c1.2, c2.2, c3.2, c4.2, c5.2))
            // Every load is done: `staged` may now be overwritten with the taps (tap j of lane l at 16·j + l).
            @inline(__always) func taps(_ r: (V, V, V), _ row: Int) {
                Lanes.store16(r.0, staged + 48 * row); Lanes.store16(r.1, staged + 48 * row + 16); Lanes.store16(r.2, staged + 48 * row + 32)
            }
            taps(r0, 0); taps(r1, 1); taps(r2, 2)
            let g = dw + (co * cin + ci) * 9
            for l in 0..<lanes { for j in 0..<9 { g[l * 9 + j] += staged[j * 16 + l] } }
        }
    }
}
