/// The weight gradient of a Winograd F(2×2, 3×3) convolution. Forward is Y = Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A per tile,
/// so the gradient of the transformed filter U[ξ] is Σ over tiles of (A dY Aᵀ)[ξ] · V[ξ] — sixteen GEMMs
/// `dU[ξ] [Cout, Cin] = Ŷ[ξ] [Cout, tiles] × V[ξ]ᵀ` — and the filter's own gradient is Gᵀ dU G.
/// (The input gradient needs nothing new: it is the forward transform of dY with the filters flipped, see
/// `Conv2D.winogradForward(flipped:)`.)
extension Winograd {
    /// Ŷ[ξ][c][t] = (A dY Aᵀ)[ξ] for every 2×2 tile of `images` of the CNHW gradient `dy` (`ho`×`wo`, zeros past
    /// its edge), sixteen neighbouring tiles at a time (`forEachBlock`), in `transformInput`'s tile order.
    static func transformGradient(_ dy: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, ho: Int, wo: Int,
                                  tilesH: Int, tilesW: Int, into out: UnsafeMutablePointer<Float>) {
        let tileCount = images.count * tilesH * tilesW, plane = channels * tileCount
        let rows = 2 * tilesH, half = (tilesW + 15) / 16 * 16 + 16
        Parallel.forEach(channels) { c in
            ScratchPool.shared.with(2 * rows * half) { split in
                let even = split, odd = split + rows * half
                var t = c * tileCount
                for b in images {
                    splitPhases(dy + (c * n + b) * ho * wo, h: ho, w: wo, pt: 0, pl: 0, rows: rows, width: half,
                                read: readable(tilesW: tilesW), phases: 2, into: split)
                    forEachBlock(tilesH: tilesH, tilesW: tilesW) { ty, tx, lanes, per in
                        let top = even + 2 * ty * half + tx, bottom = top + half
                        @inline(__always) func load(_ a: UnsafePointer<Float>) -> SIMD16<Float> { Lanes.load16(a, per: per, step: 2 * half) }
                        let (p, q) = (load(top), load(top - even + odd))
                        let (r, s) = (load(bottom), load(bottom - even + odd))
                        // A dY: rows (p, q), (p + r, q + s), (p − r, q − s), (−r, −s); each row · Aᵀ into four planes.
                        storeGradientRow(p, q, out + t, plane, lanes)
                        storeGradientRow(p + r, q + s, out + 4 * plane + t, plane, lanes)
                        storeGradientRow(p - r, q - s, out + 8 * plane + t, plane, lanes)
                        storeGradientRow(-r, -s, out + 12 * plane + t, plane, lanes)
                        t += lanes
                    }
                }
            }
        }
    }

    /// Writes (a, b)·Aᵀ = (a, a + b, a − b, −b) for one row of A dY of sixteen tiles to four planes.
    @inline(__always)
    static func storeGradientRow(_ a: SIMD16<Float>, _ b: SIMD16<Float>, _ o: UnsafeMutablePointer<Float>,
                                 _ plane: Int, _ lanes: Int) {
        store(a, o, lanes); store(a + b, o + plane, lanes); store(a - b, o + 2 * plane, lanes); store(-b, o + 3 * plane, lanes)
    }

    /// dw[co][ci][3×3] += (Gᵀ dU G) for the transformed-filter gradients `du` [16][cout][cin], sixteen input
    /// channels at a time (the inverse of `transformWeights`' layout).
    static func accumulateWeightGradient(_ du: UnsafePointer<Float>, cout: Int, cin: Int, into dw: UnsafeMutablePointer<Float>) {
        let plane = cout * cin
        forEachFilterBlock(cout: cout, cin: cin) { co, ci, lanes, staged in
            let (p, step) = block(du + co * cin + ci, planes: 16, plane: plane, lanes: lanes, staged: staged)
            @inline(__always) func d(_ xi: Int) -> SIMD16<Float> { Lanes.load16(p + xi * step) }
            // Gᵀ D: three rows of four columns; then each row · G gives three taps.
            @inline(__always) func column(_ j: Int) -> (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>) {
                let (d0, d1, d2, d3) = (d(j), d(4 + j), d(8 + j), d(12 + j))
                return (d0 + 0.5 * (d1 + d2), 0.5 * (d1 - d2), 0.5 * (d1 + d2) + d3)
            }
            let c0 = column(0), c1 = column(1), c2 = column(2), c3 = column(3)
            @inline(__always) func tapRow(_ t0: SIMD16<Float>, _ t1: SIMD16<Float>, _ t2: SIMD16<Float>,
                                      _ t3: SIMD16<Float>, _ row: Int) {
                Lanes.store16(t0 + 0.5 * (t1 + t2), staged + 16 * (3 * row))
                Lanes.store16(0.5 * (t1 - t2), staged + 16 * (3 * row + 1))
                Lanes.store16(0.5 * (t1 + t2) + t3, staged + 16 * (3 * row + 2))
            }
            tapRow(c0.0, c1.0, c2.0, c3.0, 0)
            tapRow(c0.1, c1.1, c2.1, c3.1, 1)
            tapRow(c0.2, c1.2, c2.2, c3.2, 2)
            let g = dw + (co * cin + ci) * 9
            for l in 0..<lanes { for j in 0..<9 { g[l * 9 + j] += staged[j * 16 + l] } }
        }
    }
}
