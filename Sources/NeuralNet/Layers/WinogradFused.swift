/// F(4×4, 3×3) convolutions without the 36 transformed planes in memory (inference, training forwards — which may
/// copy their transformed inputs out for the backward — and input gradients): each thread takes a band of tile
/// rows of one image (32 tiles or more), transforms it for every input channel into V [36][Cin][tiles], multiplies
/// each plane by the filters with its own register kernel (8 output channels × 32 tiles) into M [36][Cout][tiles],
/// and transforms M back into the output, all while the band is in the thread's cache — where the GEMM path
/// (`Winograd4` and OpenBLAS) writes the whole chunk's planes to memory, has OpenBLAS pack them and zero its
/// products first. Images with fewer tiles go several to a band (`Bands`). Taken by `Conv2D.fusesWinograd`: in
/// AVX-512 builds (32 vector registers hold the kernel's 16 accumulators, one each), for tile rows of 4 tiles or
/// more (narrower ones would fill few lanes of the row transforms), output channels in multiples of 8 and bands
/// that fit `bandBudget`.
enum WinogradFused {
    typealias V = SIMD16<Float>

    /// Whether this build has the fused path: the NeuralNet target compiled for AVX-512 (Package.swift).
    static var available: Bool {
        #if VITRINE_AVX512
        return true
        #else
        return false
        #endif
    }

    /// Output channels per kernel block (`cout` must be a multiple).
    static let channelBlock = 8

    /// Tiles a band holds at least (whole tile rows or whole images): two 16-lane vectors per kernel row.
    static let targetTiles = 32

    /// Most floats of transformed inputs and products (V and M) one band may take: about the 1 MiB of L2 per core
    /// and as much again from L3. Wider layers' bands spill to memory as the GEMM path's chunks do, and there
    /// OpenBLAS's kernel, with its larger blocking, is faster than this one — one inference forward at b32 (ms,
    /// medians of 5–7, fused / GEMM path, `bench-nn conv --infer 1`): 64 channels at 128 px 246–362 / 395–456, at
    /// 32 px 8–14 / 22–23; 128 at 64 px 191–219 / 244–262, at 16 px 7–12 / 11–15; 256 at 32 px 131–176 / 118–158;
    /// 512 at 16 px (bands of 64 tiles) 127–133 / 116–118.
    static let bandBudget = 1 << 19

    /// Whether a band of `cin` → `cout` channels fits `bandBudget` for the geometry `tilesH` × `tilesW`, batch `n`.
    static func fits(cin: Int, cout: Int, tilesH: Int, tilesW: Int, n: Int) -> Bool {
        36 * (cin + cout) * Bands(tilesH: tilesH, tilesW: tilesW, n: n).padded <= bandBudget
    }

    /// How a batch splits into bands: `rows` tile rows of one image each where an image has enough tiles, else
    /// `images` whole images each.
    struct Bands {
        let tilesH: Int, tilesW: Int, n: Int, rows: Int, images: Int

        init(tilesH: Int, tilesW: Int, n: Int) {
            (self.tilesH, self.tilesW, self.n) = (tilesH, tilesW, n)
            let perImage = tilesH * tilesW, whole = perImage < targetTiles
            rows = whole ? tilesH : (targetTiles + tilesW - 1) / tilesW
            images = whole ? min(n, (targetTiles + perImage - 1) / perImage) : 1
        }

        /// Number of bands in the batch.
        var count: Int { images > 1 ? (n + images - 1) / images : n * ((tilesH + rows - 1) / rows) }

        /// Tiles per V and M row: the most a band holds, in whole vectors.
        var padded: Int { (images * rows * tilesW + 15) / 16 * 16 }

        /// Band `i`: its images, first tile row and tile rows per image.
        func band(_ i: Int) -> (images: Range<Int>, ty0: Int, rows: Int) {
            if images > 1 { return (i * images..<min(n, (i + 1) * images), 0, tilesH) }
            let (b, k) = i.quotientAndRemainder(dividingBy: (tilesH + rows - 1) / rows)
            return (b..<b + 1, k * rows, min(rows, tilesH - k * rows))
        }
    }

    /// The transformed filters `u` `[36][cout][cin]` into `p` in the kernel's order: `[36][cout / 8][cin][8]`.
    static func packFilters(_ u: UnsafePointer<Float>, cout: Int, cin: Int, into p: UnsafeMutablePointer<Float>) {
        Parallel.forEach(36) { xi in   // written in order: each block's 8 channels of one input channel at a time
            let plane = xi * cout * cin
            for co in Swift.stride(from: 0, to: cout, by: channelBlock) {
                var out = p + plane + co * cin
                for ci in 0..<cin {
                    for lane in 0..<channelBlock { out[lane] = u[plane + (co + lane) * cin + ci] }
                    out += channelBlock
                }
            }
        }
    }

    /// y[cout, n, ho, wo] = conv(x[cin, n, h, w]) for the packed filters `u` (`packFilters`), padding `pt`/`pl`, the
    /// bands spread over threads, `epilogue` applied as the outputs are written; with `keep`, each band's transformed
    /// inputs are also copied to `keep.inputs` in the GEMM path's layout (`WinogradKept`), for a training backward.
    static func forward(_ x: UnsafePointer<Float>, filters u: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                        cin: Int, cout: Int, n: Int, h: Int, w: Int, _ g: (ho: Int, wo: Int, pt: Int, pl: Int),
                        epilogue: Winograd.Epilogue = .none,
                        keep: (inputs: UnsafeMutablePointer<Float>, layout: WinogradKept)? = nil) {
        precondition(cout % channelBlock == 0, "output channels in blocks of \(channelBlock)")
        let (tilesH, tilesW) = (Winograd4.tiles(g.ho), Winograd4.tiles(g.wo))
        let bands = Bands(tilesH: tilesH, tilesW: tilesW, n: n), padded = bands.padded
        let rows = 4 * bands.rows + 2, width = (tilesW + 15) / 16 * 16 + 16   // each image's phase rows in a band
        let (vCount, mCount, phaseCount) = (36 * cin * padded, 36 * cout * padded, 4 * rows * width)
        Parallel.forEach(bands.count) { item in
            let (images, ty0, bandH) = bands.band(item), perImage = bandH * tilesW, tiles = images.count * perImage
            ScratchPool.shared.with(vCount + mCount + phaseCount + 36 * 16 + 16 * 16) { scratch in
                let v = scratch, m = v + vCount, phases = m + mCount, staged = phases + phaseCount
                if tiles < padded {   // lanes past the band's tiles: zeros, not whatever the scratch held
                    for row in 0..<(36 * cin) { (v + row * padded + tiles).update(repeating: 0, count: padded - tiles) }
                }
                // Each image's input rows from row 4·ty0 − pt (above the image only in a first tile row).
                let r0 = 4 * ty0 - g.pt, (top, pt) = r0 >= 0 ? (r0, 0) : (0, g.pt)
                for c in 0..<cin {
                    for (k, b) in images.enumerated() {
                        Winograd.splitPhases(x + ((c * n + b) * h + top) * w, h: h - top, w: w, pt: pt, pl: g.pl, rows: rows,
                                             width: width, read: Winograd.readable(tilesW: tilesW), phases: 4, into: phases)
                        Winograd4.transformPhases(phases, rows: rows, width: width, tilesH: bandH, tilesW: tilesW,
                                                  staged: staged, into: v + c * padded + k * perImage, plane: cin * padded)
                    }
                }
                if let keep {
                    for row in 0..<(36 * cin) {
                        for (k, b) in images.enumerated() {
                            (keep.inputs + keep.layout.row(row / cin, row % cin, image: b) + ty0 * tilesW)
                                .update(from: v + row * padded + k * perImage, count: perImage)
                        }
                    }
                }
                multiply(v, u, m, cin: cin, cout: cout, tiles: padded)
                for c in 0..<cout {
                    Winograd.writeChannel(m + c * padded, plane: cout * padded, tiles: tiles, planes: 36, side: 4,
                                          from: (images.lowerBound, ty0), ho: g.ho, wo: g.wo, tilesH: tilesH, tilesW: tilesW,
                                          into: y + c * n * g.ho * g.wo, scratch: staged, epilogue: epilogue.from(c),
                                          Winograd4.outputBlock)
                }
            }
        }
    }

    /// M[ξ][co][t] = Σ_ci U[ξ][co][ci] · V[ξ][ci][t] for a band of `tiles` (a multiple of 16) tiles, from the packed
    /// filters: for each plane and block of 8 output channels, 32 tiles at a time, then 16.
    static func multiply(_ v: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                         cin: Int, cout: Int, tiles: Int) {
        for xi in 0..<36 {
            let vp = v + xi * cin * tiles, mp = m + xi * cout * tiles
            for co in Swift.stride(from: 0, to: cout, by: channelBlock) {
                let up = u + xi * cout * cin + co * cin, out = mp + co * tiles
                var t = 0
                while t + 32 <= tiles { kernel(vp + t, up, out + t, cin: cin, stride: tiles, vectors: 2); t += 32 }
                if t < tiles { kernel(vp + t, up, out + t, cin: cin, stride: tiles, vectors: 1) }
            }
        }
    }

    /// out[j][t] = Σ_ci u[ci][j] · v[ci][t] for 8 output channels j and 16 · `vectors` (1 or 2) tiles t, rows of `v`
    /// and `out` `stride` apart: one accumulator register per channel and vector, the filter values broadcast.
    @inline(__always)
    static func kernel(_ v: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                       cin: Int, stride: Int, vectors: Int) {
        var (a0, a1, a2, a3, a4, a5, a6, a7) = (V(), V(), V(), V(), V(), V(), V(), V())
        var (b0, b1, b2, b3, b4, b5, b6, b7) = (V(), V(), V(), V(), V(), V(), V(), V())
        var (vp, up) = (v, u)
        if vectors == 2 {
            for _ in 0..<cin {
                let x0 = Lanes.load16(vp), x1 = Lanes.load16(vp + 16)
                @inline(__always) func fma(_ j: Int, _ a: inout V, _ b: inout V) {
                    let s = V(repeating: up[j]); a.addProduct(x0, s); b.addProduct(x1, s)
                }
                fma(0, &a0, &b0); fma(1, &a1, &b1); fma(2, &a2, &b2); fma(3, &a3, &b3)
                fma(4, &a4, &b4); fma(5, &a5, &b5); fma(6, &a6, &b6); fma(7, &a7, &b7)
                vp += stride; up += channelBlock
            }
        } else {
            for _ in 0..<cin {
                let x0 = Lanes.load16(vp)
                @inline(__always) func fma(_ j: Int, _ a: inout V) { a.addProduct(x0, V(repeating: up[j])) }
                fma(0, &a0); fma(1, &a1); fma(2, &a2); fma(3, &a3); fma(4, &a4); fma(5, &a5); fma(6, &a6); fma(7, &a7)
                vp += stride; up += channelBlock
            }
        }
        @inline(__always) func store(_ j: Int, _ a: V, _ b: V) {
            Lanes.store16(a, out + j * stride)
            if vectors == 2 { Lanes.store16(b, out + j * stride + 16) }
        }
        store(0, a0, b0); store(1, a1, b1); store(2, a2, b2); store(3, a3, b3)
        store(4, a4, b4); store(5, a5, b5); store(6, a6, b6); store(7, a7, b7)
    }
}
