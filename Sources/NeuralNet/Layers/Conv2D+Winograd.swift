/// 3×3 stride-1 convolutions through Winograd F(2×2, 3×3) (Winograd.swift, WinogradGradients.swift) — 2.25× fewer
/// multiplications than im2col + GEMM, and 16 values per 4 output pixels per channel to transform instead of 9 per
/// pixel to pack — or, on outputs from 8×8, F(4×4, 3×3) (Winograd4.swift, Winograd4Gradients.swift, 4× fewer; see
/// `winogradTile`). At inference always; in training for layers wide and large enough (`paysOffInTraining`), for
/// the forward, the input gradient and the weight gradient, the latter from the transformed inputs the forward
/// kept (`keptTransformBudget`). F(4×4) forwards and input gradients run fused where they can (`fusesWinograd`,
/// WinogradFused.swift; a training forward copies its transformed inputs out for the backward). Measurements:
/// bench/nn/RESULTS.md.
extension Conv2D {
    /// Whether this convolution takes the Winograd path for an input with forward geometry `g`: 3×3, stride 1, no
    /// dilation, not depthwise, padding ≤ 2 (so the input gradient, a convolution of dY padded by 2 − p, is one too).
    func usesWinograd(_ g: (ho: Int, wo: Int, pt: Int, pl: Int), n: Int, training: Bool) -> Bool {
        winogradEnabled && kh == 3 && kw == 3 && stride == 1 && dilation == 1 && !isDepthwise
            && g.pt <= 2 && g.pl <= 2 && g.ho > 0 && g.wo > 0
            && (!training || paysOffInTraining(channels: min(inChannels, outChannels) / groups,
                                                tiles: n * Winograd.tiles(g.ho) * Winograd.tiles(g.wo)))
    }

    /// Whether Winograd beats im2col for a training step of a layer with `channels` (the narrower side) and
    /// `tiles` F(2×2) output tiles in the batch. Per step it transforms the filters and their gradient (∝
    /// channels²) and the activations (∝ channels · tiles) to save multiplications ∝ channels² · tiles, and its
    /// 16 GEMMs have `channels` as their inner dimension — so it needs wide layers and enough tiles for both.
    func paysOffInTraining(channels: Int, tiles: Int) -> Bool {
        channels >= winogradMinTrainingChannels && channels * tiles >= winogradMinTrainingWork
    }

    /// Whether the input transforms run across channels (`WinogradChannels`, V tile-major) rather than along tile
    /// rows: for images fewer than `winogradChannelsBelowTiles` tiles wide, where a row fills few of the 16 lanes.
    /// bench-nn ResNet-18 inference b32 (img/s, medians of 5, interleaved): below 4 tiles (its 8×8 F(4×4) and
    /// 4×4 F(2×2) layers) 161.9, below 16 152.4, never 151.7. Per layer (ms per 4 batches, input transform +
    /// GEMMs): 2 tiles wide 51 + 56 → 19 + 59 (F(4×4), 256 channels) and 34 + 79 → 15 + 81 (F(2×2), 512); 4 tiles
    /// 32 + 54 → 33 + 62 and 8 tiles 55 + 97 → 73 + 112 — there the interleave and the transposed GEMM cost more.
    func transformsByChannels(tilesW: Int) -> Bool { tilesW < winogradChannelsBelowTiles }

    /// Images per Winograd chunk: the transformed inputs and products (planes × channels × tiles each) stay near
    /// `columnBudget` floats.
    func winogradImagesPerChunk(n: Int, channels: Int, tilesPerImage: Int, planes: Int = 16) -> Int {
        max(1, min(n, columnBudget / max(1, planes * channels * tilesPerImage)))
    }

    /// The tile for geometry `g` and batch `n`: F(4×4, 3×3) where the output has at least 2×2 such tiles — in
    /// training only from `winograd4MinTrainingTiles` tiles in the batch, for the forward and both gradients —
    /// else F(2×2, 3×3). bench-nn b32, 128 px, img/s (medians of 4): inference with F(4×4)
    /// from 8, 16, 32 px outputs / never: VGG-16 31.0, 29.0, 30.4 / 26.9; ResNet-18 159.9, 157.6, 157.3 / 159.7;
    /// ResNet-50 71.4, 67.8, 71.8 / 71.8. Training VGG-16 b32 from 256 / 1,024 tiles / never: 9.0, 8.7 / 8.2
    /// (b4 7.3, 7.3 / 7.4; ResNet-18 b32 46.7, 45.2 / 45.5), then with an F(2×2) backward. With the F(4×4)
    /// backward, one ResNet-18 3×3 layer's training step (forward + backward, b32, ms, medians of 7, F(4×4) from 256
    /// tiles / F(2×2)): 64 channels at 32 px 45.8 / 59.2, 128 at 16 px 31.1 / 37.5; 256 at 8 px (128 tiles) from
    /// 128 tiles 33.6 / 28.4 — the 2-tile-wide rows lose.
    func winogradTile(_ g: (ho: Int, wo: Int, pt: Int, pl: Int), n: Int, training: Bool) -> WinogradTile {
        guard winograd4Enabled && g.ho >= 8 && g.wo >= 8 else { return .f2 }
        return !training || n * Winograd4.tiles(g.ho) * Winograd4.tiles(g.wo) >= winograd4MinTrainingTiles ? .f4 : .f2
    }

    /// Whether a Winograd forward with `tile` and geometry `g` that keeps no transformed inputs for a backward takes
    /// the fused F(4×4) path (`WinogradFused`) — or, `transposed`, the input gradient's (output channels and
    /// inputs swapped): in builds that have it, where the input transforms run along tile rows
    /// (`transformsByChannels`), the output channels per group are a multiple of 8 and a band fits its budget.
    func fusesWinograd(_ g: (ho: Int, wo: Int, pt: Int, pl: Int), n: Int, tile: WinogradTile, transposed: Bool = false) -> Bool {
        let (cin, cout) = transposed ? (outChannels / groups, inChannels / groups) : (inChannels / groups, outChannels / groups)
        return winogradFusedEnabled && WinogradFused.available && tile == .f4 && cout % WinogradFused.channelBlock == 0
            && !transformsByChannels(tilesW: Winograd4.tiles(g.wo))
            && WinogradFused.fits(cin: cin, cout: cout, tilesH: Winograd4.tiles(g.ho), tilesW: Winograd4.tiles(g.wo), n: n)
    }

    /// The input gradient's geometry for a forward geometry `g` from an `h`×`w` input: dY padded by 2 − p, an
    /// `h`×`w` output.
    func transposedGeometry(_ g: (ho: Int, wo: Int, pt: Int, pl: Int), h: Int, w: Int) -> (ho: Int, wo: Int, pt: Int, pl: Int) {
        (h, w, 2 - g.pt, 2 - g.pl)
    }

    /// The filters `kind` from the cache, or made by `make` and kept when the weights changed since they were (in
    /// training: once per step, for the forward and the backward).
    func cachedFilters(_ kind: WinogradFilters, _ make: () -> [Float]) -> [Float] {
        if let cached = winogradCache[kind], cached.version == weight.version { return cached.filters }
        let filters = make()
        winogradCache[kind] = (weight.version, filters)
        return filters
    }

    /// The transformed filters of every group (`[groups][planes][Cout/groups][Cin/groups]`) for `tile`, cached.
    func winogradFilters(_ tile: WinogradTile) -> [Float] { cachedFilters(.transformed(tile)) { transformedFilters(tile) } }

    /// The fused path's filters, cached: every group's F(4×4) transformed filters — or, `rotated`, the input
    /// gradient's (`rotatedTransformedFilters`) — in `WinogradFused.packFilters`' order; in place of the unpacked
    /// ones, which a layer then does not need for that pass.
    func fusedWinogradFilters(rotated: Bool = false) -> [Float] {
        cachedFilters(rotated ? .fusedRotated : .fused) {
            let (cin, cout) = rotated ? (outChannels / groups, inChannels / groups) : (inChannels / groups, outChannels / groups)
            let per = WinogradTile.f4.planes * cout * cin
            var packed = Buffers.uninitialized(groups * per)
            (rotated ? rotatedTransformedFilters() : transformedFilters(.f4)).withUnsafeBufferPointer { up in
                packed.withUnsafeMutableBufferPointer { pp in
                    for gi in 0..<groups {
                        WinogradFused.packFilters(up.baseAddress! + gi * per, cout: cout, cin: cin, into: pp.baseAddress! + gi * per)
                    }
                }
            }
            return packed
        }
    }

    /// U = G g Gᵀ of every group's filters for `tile`, uncached.
    func transformedFilters(_ tile: WinogradTile) -> [Float] {
        let cg = inChannels / groups, og = outChannels / groups
        var u = Buffers.uninitialized(groups * tile.planes * og * cg)
        weight.value.withUnsafeBufferPointer { wp in u.withUnsafeMutableBufferPointer { up in
            for gi in 0..<groups {
                tile.transformWeights(wp.baseAddress! + gi * og * cg * 9, cout: og, cin: cg, into: up.baseAddress! + gi * tile.planes * og * cg)
            }
        }}
        return u
    }

    /// Floats of Winograd-transformed inputs a training forward with `tile` keeps for its backward (all groups, the
    /// whole batch, in its chunks' layout), or nil where its transforms run across channels (`transformsByChannels`:
    /// a layout the weight gradient's GEMMs do not read).
    func winogradKeptCount(_ g: (ho: Int, wo: Int, pt: Int, pl: Int), n: Int, tile: WinogradTile) -> Int? {
        let (tilesH, tilesW) = (tile.tiles(g.ho), tile.tiles(g.wo))
        return transformsByChannels(tilesW: tilesW) ? nil : groups * tile.planes * (inChannels / groups) * n * tilesH * tilesW
    }

    /// Where one group's kept transformed inputs lie (`WinogradKept`): the chunks its Winograd passes use.
    func winogradKept(_ g: (ho: Int, wo: Int, pt: Int, pl: Int), n: Int, tile: WinogradTile, cin: Int, cout: Int) -> WinogradKept {
        let perImage = tile.tiles(g.ho) * tile.tiles(g.wo)
        return WinogradKept(planes: tile.planes, channels: cin, n: n, perImage: perImage,
                            chunk: winogradImagesPerChunk(n: n, channels: max(cin, cout), tilesPerImage: perImage, planes: tile.planes))
    }

    /// y[cout, n, ho, wo] = conv(x[cin, n, h, w]) for one group from its transformed filters `u`, by chunks of the
    /// batch; with `keep`, the transformed inputs go there (chunk after chunk, `WinogradKept`) for the backward. `flipped`: `u`
    /// holds the transformed filters of the transposed convolution (`[16][cin][cout]`), used rotated by 180° — the
    /// input gradient, since rotating g swaps rows 0 and 3 of G g, so the rotated filter's U[ξ] is Uᵀ[ξ'] with ξ'
    /// the transform index with 0 and 3 swapped in both coordinates. `epilogue`: applied as the outputs are written.
    func winogradForward(_ x: UnsafePointer<Float>, _ u: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                         cin: Int, cout: Int, n: Int, h: Int, w width: Int, _ g: (ho: Int, wo: Int, pt: Int, pl: Int),
                         tile: WinogradTile = .f2, flipped: Bool = false, keep: UnsafeMutablePointer<Float>? = nil,
                         epilogue: Winograd.Epilogue = .none) {
        precondition(!flipped || tile == .f2, "flipped filters are F(2×2, 3×3) only")
        let (tilesH, tilesW) = (tile.tiles(g.ho), tile.tiles(g.wo)), planes = tile.planes
        let perImage = tilesH * tilesW, byChannels = transformsByChannels(tilesW: tilesW)
        precondition(keep == nil || !byChannels, "kept inputs are in the row transforms' layout")
        let layout = winogradKept(g, n: n, tile: tile, cin: cin, cout: cout), chunk = layout.chunk
        ScratchPool.shared.with(keep == nil ? planes * cin * chunk * perImage : 0) { scratch in
        ScratchPool.shared.with(planes * cout * chunk * perImage) { m in
            for b0 in Swift.stride(from: 0, to: n, by: chunk) {
                let images = b0..<min(n, b0 + chunk), tiles = images.count * perImage
                let v = keep.map { $0 + layout.chunkStart(b0) } ?? scratch
                if byChannels {
                    WinogradChannels.transformInput(x, tile: tile, channels: cin, n: n, images: images, h: h, w: width,
                                                    pt: g.pt, pl: g.pl, tilesH: tilesH, tilesW: tilesW, into: v)
                } else {
                    tile.transformInput(x, channels: cin, n: n, images: images, h: h, w: width, pt: g.pt, pl: g.pl,
                                        tilesH: tilesH, tilesW: tilesW, into: v)
                }
                BLAS.eachSingleThreaded(planes) { xi in
                    let filters = flipped ? u + Winograd.swap03(xi) * cout * cin : u + xi * cout * cin
                    BLAS.gemm(transA: flipped, transB: byChannels, m: cout, n: tiles, k: cin, a: filters,
                              lda: flipped ? cout : cin, b: v + xi * cin * tiles, ldb: byChannels ? cin : tiles,
                              beta: 0, c: m + xi * cout * tiles, ldc: tiles)
                }
                tile.transformOutput(m, channels: cout, n: n, images: images, ho: g.ho, wo: g.wo,
                                     tilesH: tilesH, tilesW: tilesW, into: y, epilogue: epilogue)
            }
        }}
    }

    /// The backward pass of one group's Winograd convolution with `tile` (input `x` [cin, n, h, w], gradient `dy`
    /// [cout, n, ho, wo]): adds the weight gradient to `dw` and, when `dx` is given, writes the input gradient
    /// there from `u`, the group's filters for it — under F(2×2) the forward's own (used flipped), under F(4×4)
    /// `rotatedWinogradFilters`, or with `fusedDx` those packed for the fused path (`fusedWinogradFilters(rotated:)`).
    /// `kept`: the transformed inputs the forward kept (else they are transformed again).
    func winogradBackward(_ x: UnsafePointer<Float>, _ dy: UnsafePointer<Float>, _ u: UnsafePointer<Float>,
                          dw: UnsafeMutablePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                          cin: Int, cout: Int, n: Int, h: Int, w: Int, _ g: (ho: Int, wo: Int, pt: Int, pl: Int),
                          tile: WinogradTile = .f2, kept: UnsafePointer<Float>? = nil, fusedDx: Bool = false) {
        let (tilesH, tilesW) = (tile.tiles(g.ho), tile.tiles(g.wo)), planes = tile.planes
        let perImage = tilesH * tilesW
        let layout = winogradKept(g, n: n, tile: tile, cin: cin, cout: cout), chunk = layout.chunk
        ScratchPool.shared.with(kept == nil ? planes * cin * chunk * perImage : 0) { scratch in
        ScratchPool.shared.with(planes * cout * chunk * perImage) { dm in
        ScratchPool.shared.with(planes * cout * cin) { du in
            for b0 in Swift.stride(from: 0, to: n, by: chunk) {
                let images = b0..<min(n, b0 + chunk), tiles = images.count * perImage
                let v = kept.map { $0 + layout.chunkStart(b0) } ?? UnsafePointer(scratch)
                if kept == nil {
                    tile.transformInput(x, channels: cin, n: n, images: images, h: h, w: w, pt: g.pt, pl: g.pl,
                                        tilesH: tilesH, tilesW: tilesW, into: scratch)
                }
                tile.transformGradient(dy, channels: cout, n: n, images: images, ho: g.ho, wo: g.wo,
                                       tilesH: tilesH, tilesW: tilesW, into: dm)
                BLAS.eachSingleThreaded(planes) { xi in
                    BLAS.gemm(transB: true, m: cout, n: cin, k: tiles, a: dm + xi * cout * tiles, lda: tiles,
                              b: v + xi * cin * tiles, ldb: tiles, beta: b0 == 0 ? 0 : 1, c: du + xi * cout * cin, ldc: cin)
                }
            }
            tile.accumulateWeightGradient(du, cout: cout, cin: cin, into: dw)
        }}}
        guard let dx else { return }
        // dX = dY (padded by 2 − p) correlated with the filters rotated by 180° and transposed: an h×w output.
        if fusedDx {
            WinogradFused.forward(dy, filters: u, dx, cin: cout, cout: cin, n: n, h: g.ho, w: g.wo,
                                  transposedGeometry(g, h: h, w: w))
        } else {
            winogradForward(dy, u, dx, cin: cout, cout: cin, n: n, h: g.ho, w: g.wo, transposedGeometry(g, h: h, w: w),
                            tile: tile, flipped: tile == .f2)
        }
    }

    /// The F(4×4) transformed filters of the input gradient (`[groups][36][Cin/groups][Cout/groups]`): those of
    /// every filter rotated by 180° and transposed — F(4×4)'s points make the rotation no permutation of the
    /// forward's planes, unlike F(2×2)'s (`Winograd.swap03`). Cached like `winogradFilters`.
    func rotatedWinogradFilters() -> [Float] { cachedFilters(.rotated) { rotatedTransformedFilters() } }

    /// `rotatedWinogradFilters`, uncached.
    func rotatedTransformedFilters() -> [Float] {
        let cg = inChannels / groups, og = outChannels / groups, planes = WinogradTile.f4.planes
        var rotated = Buffers.uninitialized(og * cg * 9), u = Buffers.uninitialized(groups * planes * og * cg)
        weight.value.withUnsafeBufferPointer { wp in rotated.withUnsafeMutableBufferPointer { rp in u.withUnsafeMutableBufferPointer { up in
            for gi in 0..<groups {
                let wg = wp.baseAddress! + gi * og * cg * 9
                let r = rp.baseAddress!
                Parallel.forEach(cg, minPerThread: 8) { ci in   // each filter written whole, in order
                    for co in 0..<og { for j in 0..<9 { r[(ci * og + co) * 9 + 8 - j] = wg[(co * cg + ci) * 9 + j] } }
                }
                Winograd4.transformWeights(r, cout: cg, cin: og, into: up.baseAddress! + gi * planes * og * cg)
            }
        }}}
        return u
    }
}

/// Which transformed filters a `Conv2D.winogradCache` entry holds.
enum WinogradFilters: Hashable {
    /// U = G g Gᵀ for a tile (F(2×2)'s also serve its input gradient, used flipped).
    case transformed(WinogradTile)
    /// The F(4×4) input gradient's: of the filters rotated by 180° and transposed.
    case rotated
    /// The fused path's (`WinogradFused.packFilters`): F(4×4)'s, or the input gradient's.
    case fused, fusedRotated
}

/// The layout of the transformed inputs a training forward keeps for its backward's weight gradient: chunk after
/// chunk of `chunk` images, each `[planes][channels][the chunk's tiles]`, tiles in image-row-column order.
struct WinogradKept {
    let planes: Int, channels: Int, n: Int, perImage: Int, chunk: Int

    /// Offset of the chunk that starts at image `b0`.
    func chunkStart(_ b0: Int) -> Int { planes * channels * b0 * perImage }

    /// Offset of plane `xi`, channel `c` of image `b`'s first tile.
    func row(_ xi: Int, _ c: Int, image b: Int) -> Int {
        let b0 = b / chunk * chunk, images = min(n, b0 + chunk) - b0
        return chunkStart(b0) + (xi * channels + c) * images * perImage + (b - b0) * perImage
    }
}

/// The Winograd tile a convolution runs with: F(2×2, 3×3) (`Winograd`) or F(4×4, 3×3) (`Winograd4`).
enum WinogradTile: Hashable {
    case f2, f4

    /// Transformed values per tile: 16 or 36 (one GEMM each).
    var planes: Int { self == .f2 ? 16 : 36 }

    /// Tiles along a side of `n` outputs.
    func tiles(_ n: Int) -> Int { self == .f2 ? Winograd.tiles(n) : Winograd4.tiles(n) }

    /// F(2×2)'s version of a transform or F(4×4)'s.
    private func pick<F>(_ f2: F, _ f4: F) -> F { self == .f2 ? f2 : f4 }

    /// U = G g Gᵀ for 3×3 filters `[cout, cin, 3, 3]` into `[planes][cout][cin]`.
    func transformWeights(_ w: UnsafePointer<Float>, cout: Int, cin: Int, into u: UnsafeMutablePointer<Float>) {
        pick(Winograd.transformWeights, Winograd4.transformWeights)(w, cout, cin, u)
    }

    /// V = Bᵀ d B for the input tiles of `images` (see `Winograd.transformInput`).
    func transformInput(_ x: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, h: Int, w: Int,
                        pt: Int, pl: Int, tilesH: Int, tilesW: Int, into v: UnsafeMutablePointer<Float>) {
        pick(Winograd.transformInput, Winograd4.transformInput)(x, channels, n, images, h, w, pt, pl, tilesH, tilesW, v)
    }

    /// Ŷ = A dY Aᵀ for the gradient tiles of `images` (see `Winograd.transformGradient`).
    func transformGradient(_ dy: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, ho: Int, wo: Int,
                           tilesH: Int, tilesW: Int, into out: UnsafeMutablePointer<Float>) {
        pick(Winograd.transformGradient, Winograd4.transformGradient)(dy, channels, n, images, ho, wo, tilesH, tilesW, out)
    }

    /// dw += Gᵀ dU G for the transformed-filter gradients `du` `[planes][cout][cin]`.
    func accumulateWeightGradient(_ du: UnsafePointer<Float>, cout: Int, cin: Int, into dw: UnsafeMutablePointer<Float>) {
        pick(Winograd.accumulateWeightGradient, Winograd4.accumulateWeightGradient)(du, cout, cin, dw)
    }

    /// Y = Aᵀ M A into the CNHW output, `epilogue` applied (see `Winograd.transformOutput`).
    func transformOutput(_ m: UnsafePointer<Float>, channels: Int, n: Int, images: Range<Int>, ho: Int, wo: Int,
                         tilesH: Int, tilesW: Int, into y: UnsafeMutablePointer<Float>, epilogue: Winograd.Epilogue) {
        pick(Winograd.transformOutput, Winograd4.transformOutput)(m, channels, n, images, ho, wo, tilesH, tilesW, y, epilogue)
    }
}
