import Testing
@testable import NeuralNet

/// 3×3 stride-1 convolutions through Winograd F(2×2, 3×3) — forward, input and weight gradients — agree with
/// im2col + GEMM.
@Suite struct WinogradTests {
    @Test(arguments: [(Padding.explicit(1, 1), 7, 6, 1), (.same, 9, 9, 1), (.explicit(0, 0), 8, 5, 1),
                      (.explicit(2, 2), 3, 4, 1), (.explicit(1, 1), 1, 1, 1), (.explicit(1, 1), 21, 35, 1), (.same, 6, 7, 2),
                      (.explicit(2, 2), 12, 10, 1), (.explicit(0, 0), 10, 17, 1), (.same, 16, 16, 2), (.explicit(1, 1), 8, 8, 1),
                      (.explicit(1, 1), 8, 64, 1), (.explicit(1, 1), 9, 40, 1), (.explicit(1, 1), 6, 33, 1), (.explicit(1, 1), 5, 16, 1),
                      (.explicit(1, 1), 4, 16, 1), (.explicit(1, 1), 7, 8, 1), (.explicit(1, 1), 32, 32, 1),
                      (.explicit(1, 1), 4, 8, 1), (.explicit(1, 1), 4, 4, 1), (.explicit(1, 1), 2, 2, 1),
                      (.explicit(1, 1), 2, 64, 1), (.explicit(1, 1), 12, 16, 1)])
    func winogradMatchesIm2col(padding: Padding, h: Int, w: Int, groups: Int) {
        // Wide tile rows: 16 tiles (64 columns under F(4×4), 33 under F(2×2)), 8 (5×16), and 9×40 with a
        // clipped last tile row; images 8 or 4 tiles wide whose blocks take whole tile rows: 4×16 and 7×8
        // (F(2×2)), 32×32 and 16×16 (F(4×4)). Outputs the tiles cover exactly are written row by row, also where
        // sixteen tiles span images (4×8, 4×4, 2×2 and 12×16 under F(4×4), whose last block is partial) or a
        // tile row holds 32 (2×64).
        // Outputs from 8×8 on take F(4×4, 3×3) at inference, smaller ones F(2×2, 3×3).
        // 18 input channels: a partial 16-lane block in the filter transform; 35 columns: tile rows of 16 + 2.
        let x = GradientCheck.random([18, 3, h, w], seed: 31)
        var outputs: [Tensor] = []
        for winograd in [false, true] {
            let conv = Conv2D("c", 18, 8, kernel: 3, padding: padding, groups: groups, bias: true)
            GradientCheck.randomize(conv, seed: 32)
            conv.winogradEnabled = winograd
            #expect(conv.usesWinograd(conv.geometry(h, w), n: 3, training: false) == winograd)
            outputs.append(conv.forward(x, training: false))
        }
        #expect(outputs[0].count > 0 && outputs[0].data.contains { $0 != 0 })
        let worst = GradientCheck.maxDifference(outputs[0], outputs[1])
        #expect(worst < 2e-4, "\(padding) \(h)×\(w): differs by \(worst)")
    }

    @Test(arguments: [(Padding.explicit(1, 1), 7, 6, 1, 1 << 22), (.same, 9, 9, 1, 1 << 22), (.explicit(0, 0), 8, 5, 1, 1 << 22),
                      (.explicit(2, 2), 3, 4, 1, 1 << 22), (.explicit(1, 1), 1, 1, 1, 1 << 22), (.explicit(1, 1), 21, 35, 1, 1 << 22),
                      (.same, 6, 7, 2, 1 << 22), (.explicit(1, 1), 10, 11, 1, 600), (.explicit(0, 0), 5, 9, 2, 1),
                      (.explicit(1, 1), 16, 16, 1, 1 << 22), (.explicit(1, 1), 8, 8, 1, 1 << 22),
                      (.explicit(1, 1), 4, 8, 1, 1 << 22), (.explicit(1, 1), 4, 8, 1, 300)])
    func backwardMatchesIm2col(padding: Padding, h: Int, w: Int, groups: Int, budget: Int) {
        // Budgets of 600, 300 and 1 float split the batch of 3 into chunks: the weight gradient sums over them
        // (and 4×8 chunks start past image 0 with blocks spanning images, written row by row).
        compareBackwards(padding: padding, h: h, w: w, groups: groups, budget: budget, tile: .f2)
    }

    @Test(arguments: [(Padding.explicit(1, 1), 8, 8, 1, 1 << 22), (.same, 9, 11, 1, 1 << 22), (.explicit(0, 0), 12, 10, 2, 1 << 22),
                      (.explicit(2, 2), 8, 9, 1, 1 << 22), (.explicit(1, 1), 16, 16, 1, 1 << 22), (.explicit(1, 1), 10, 70, 1, 1 << 22),
                      (.explicit(1, 1), 13, 8, 1, 3000), (.explicit(1, 1), 16, 16, 1, 1), (.same, 32, 32, 1, 1 << 22)])
    func largerTileBackwardMatchesIm2col(padding: Padding, h: Int, w: Int, groups: Int, budget: Int) {
        // F(4×4) for the weight gradient (36 GEMMs, A dY Aᵀ, Gᵀ dU G) and the input gradient (rotated filters): one
        // image's output exactly covered by tiles (8×8, 16×16, 32×32 whose rows take whole 16-lane blocks), clipped
        // ones (9×11, 13×8), tile rows of 16 + 2 (70 wide), valid and 2-padded inputs, two groups, chunks of one image.
        compareBackwards(padding: padding, h: h, w: w, groups: groups, budget: budget, tile: .f4)
    }

    /// Forward + backward through Winograd with `tile` against im2col: input, weight and bias gradients.
    func compareBackwards(padding: Padding, h: Int, w: Int, groups: Int, budget: Int, tile: WinogradTile) {
        let x = GradientCheck.random([18, 3, h, w], seed: 35)
        var results: [(dx: Tensor, dw: [Float], db: [Float])] = []
        for winograd in [false, true] {
            let conv = Conv2D("c", 18, 8, kernel: 3, padding: padding, groups: groups, bias: true)
            GradientCheck.randomize(conv, seed: 36)
            conv.winogradEnabled = winograd; conv.columnBudget = budget; conv.winogradMinTrainingChannels = 0; conv.winogradMinTrainingWork = 0
            conv.winograd4MinTrainingTiles = tile == .f4 ? 0 : .max
            #expect(conv.usesWinograd(conv.geometry(h, w), n: 3, training: true) == winograd)
            #expect(conv.winogradTile(conv.geometry(h, w), n: 3, training: true) == tile)
            let y = conv.forward(x, training: true)
            let dy = GradientCheck.random(y.shape, seed: 37)
            for i in 0..<conv.weight.count { conv.weight.grad[i] = 0.25 }   // gradients add to what is there
            results.append((conv.backward(dy), conv.weight.grad, conv.bias!.grad))
            #expect(!winograd || (conv.winogradCache[.rotated] != nil) == (tile == .f4))
        }
        let (reference, winograd) = (results[0], results[1])
        #expect(reference.dx.data.contains { $0 != 0 } && reference.dw.contains { $0 != 0.25 })
        let dxError = GradientCheck.maxDifference(reference.dx, winograd.dx)
        let dwError = GradientCheck.maxDifference(reference.dw, winograd.dw)
        #expect(dxError < (tile == .f2 ? 1e-4 : 2e-4), "\(padding) \(h)×\(w): input gradients differ by \(dxError)")
        #expect(dwError < 1e-3, "\(padding) \(h)×\(w): weight gradients differ by \(dwError)")
        #expect(reference.db == winograd.db)
    }

    @Test(arguments: [(Padding.explicit(1, 1), 8, 8, true), (.explicit(1, 1), 4, 4, false), (.same, 7, 5, false),
                      (.explicit(0, 0), 11, 9, true), (.explicit(2, 2), 6, 3, false), (.explicit(1, 1), 9, 35, true),
                      (.explicit(1, 1), 1, 1, false)])
    func channelTransformsMatchTheRowTransforms(padding: Padding, h: Int, w: Int, larger: Bool) {
        // 34 channels: two whole 16-lane blocks and a partial one; the input gradient transforms dY (20 channels).
        let x = GradientCheck.random([34, 3, h, w], seed: 46)
        var results: [(y: Tensor, dx: Tensor, dw: [Float])] = []
        for byChannels in [false, true] {
            let conv = Conv2D("c", 34, 20, kernel: 3, padding: padding)
            GradientCheck.randomize(conv, seed: 47)
            conv.winogradChannelsBelowTiles = byChannels ? .max : 0; conv.winograd4Enabled = larger
            conv.winogradMinTrainingChannels = 0; conv.winogradMinTrainingWork = 0; conv.winograd4MinTrainingTiles = 0
            #expect(conv.transformsByChannels(tilesW: 40) == byChannels)
            let inference = conv.forward(x, training: false), y = conv.forward(x, training: true)
            #expect(GradientCheck.maxDifference(inference, y) == 0)
            let dx = conv.backward(GradientCheck.random(y.shape, seed: 48))
            results.append((y, dx, conv.weight.grad))
        }
        #expect(results[0].y.data.contains { $0 != 0 } && results[0].dx.data.contains { $0 != 0 })
        let dy = GradientCheck.maxDifference(results[0].y, results[1].y)
        let ddx = GradientCheck.maxDifference(results[0].dx, results[1].dx)
        #expect(dy < 2e-4 && ddx < 2e-4, "\(padding) \(h)×\(w): outputs differ by \(dy), input gradients by \(ddx)")
        #expect(results[0].dw == results[1].dw, "the weight gradient does not use the input transform's layout")
    }

    @Test func onlyNarrowTileRowsTakeTheChannelTransforms() {
        let conv = Conv2D("c", 64, 64, kernel: 3, padding: .explicit(1, 1))
        #expect(conv.transformsByChannels(tilesW: 2) && conv.transformsByChannels(tilesW: 3))
        #expect(!conv.transformsByChannels(tilesW: 4) && !conv.transformsByChannels(tilesW: 16))
    }

    @Test func aFirstLayerSkipsTheInputGradientButNotTheWeights() {
        let x = GradientCheck.random([3, 2, 6, 6], seed: 38)
        var weightGradients: [[Float]] = []
        for winograd in [false, true] {
            let conv = Conv2D("c", 3, 4, kernel: 3, padding: .explicit(1, 1))
            GradientCheck.randomize(conv, seed: 39)
            conv.winogradEnabled = winograd; conv.needsInputGradient = false; conv.winogradMinTrainingChannels = 0; conv.winogradMinTrainingWork = 0
            let dx = conv.backward(GradientCheck.random(conv.forward(x, training: true).shape, seed: 40))
            #expect(dx.shape == x.shape && dx.data.allSatisfy { $0 == 0 })
            weightGradients.append(conv.weight.grad)
        }
        let worst = GradientCheck.maxDifference(weightGradients[0], weightGradients[1])
        #expect(worst < 1e-4 && weightGradients[0].contains { $0 != 0 })
    }

    @Test func theLargerTileIsForInferenceOnLargeEnoughOutputs() {
        let conv = Conv2D("c", 4, 4, kernel: 3, padding: .explicit(1, 1))
        #expect(conv.winogradTile(conv.geometry(8, 8), n: 1, training: false) == .f4)
        #expect(conv.winogradTile(conv.geometry(8, 7), n: 1, training: false) == .f2)
        #expect(conv.winogradTile(conv.geometry(32, 32), n: 3, training: true) == .f2)   // 3 × 64 tiles
        #expect(conv.winogradTile(conv.geometry(32, 32), n: 4, training: true) == .f4)
        let x = GradientCheck.random([4, 2, 9, 9], seed: 41)
        GradientCheck.randomize(conv, seed: 42)
        let f4 = conv.forward(x, training: false)
        #expect(conv.winogradCache[.transformed(.f4)] != nil && conv.winogradCache[.transformed(.f2)] == nil)
        conv.winograd4Enabled = false
        let f2 = conv.forward(x, training: false)
        #expect(conv.winogradCache[.transformed(.f2)] != nil, "each tile keeps its own transformed filters")
        #expect(GradientCheck.maxDifference(f4, f2) < 1e-4 && f4.data.contains { $0 != 0 })
    }

    @Test func aTrainingStepWithTheLargerTileMatchesIm2col() {
        // F(4×4) forward, input and weight gradients, against im2col for all three.
        let x = GradientCheck.random([6, 2, 12, 10], seed: 43)
        var results: [(y: Tensor, dx: Tensor, dw: [Float])] = []
        for winograd in [false, true] {
            let conv = Conv2D("c", 6, 5, kernel: 3, padding: .explicit(1, 1))
            GradientCheck.randomize(conv, seed: 44)
            conv.winogradEnabled = winograd; conv.winogradMinTrainingChannels = 0; conv.winogradMinTrainingWork = 0; conv.winograd4MinTrainingTiles = 0
            let y = conv.forward(x, training: true)
            #expect(!winograd || conv.winogradCache[.transformed(.f4)] != nil)
            let dx = conv.backward(GradientCheck.random(y.shape, seed: 45))
            #expect(!winograd || (conv.winogradCache[.rotated] != nil && conv.winogradCache[.transformed(.f2)] == nil))
            results.append((y, dx, conv.weight.grad))
        }
        #expect(GradientCheck.maxDifference(results[0].y, results[1].y) < 2e-4)
        #expect(GradientCheck.maxDifference(results[0].dx, results[1].dx) < 2e-4)
        #expect(GradientCheck.maxDifference(results[0].dw, results[1].dw) < 1e-3)
        #expect(results[0].dw.contains { $0 != 0 })
    }

    @Test func trainingTakesWinogradForWideAndLargeLayersOnly() {
        let conv = Conv2D("c", 64, 128, kernel: 3, padding: .explicit(1, 1))
        #expect(conv.winogradMinTrainingChannels == 64 && conv.winogradMinTrainingWork == 1 << 15)
        #expect(!conv.usesWinograd(conv.geometry(16, 16), n: 7, training: true))   // 64 × 7 × 64 tiles < 2¹⁵
        #expect(conv.usesWinograd(conv.geometry(16, 16), n: 8, training: true))
        #expect(conv.usesWinograd(conv.geometry(16, 16), n: 1, training: false))
        let thin = Conv2D("t", 32, 32, kernel: 3, padding: .explicit(1, 1))
        #expect(!thin.usesWinograd(thin.geometry(128, 128), n: 32, training: true), "32 channels: im2col")
        #expect(thin.usesWinograd(thin.geometry(128, 128), n: 32, training: false))
    }

    @Test(arguments: [(6, 4), (32, 8)])
    func newWeightsReplaceTheCachedFilters(size: Int, outputs: Int) {
        // 6×6: F(2×2)'s cached filters; 32×32 to 8 channels: the fused F(4×4) path's (`WinogradFused`, where built).
        let x = GradientCheck.random([4, 2, size, size], seed: 33)
        let conv = Conv2D("c", 4, outputs, kernel: 3, padding: .explicit(1, 1))
        GradientCheck.randomize(conv, seed: 34)
        let first = conv.forward(x, training: false)
        #expect(size == 6 ? conv.winogradCache[.transformed(.f2)] != nil : (conv.winogradCache[.fused] != nil) == WinogradFused.available)
        for i in 0..<conv.weight.count { conv.weight.value[i] *= -2 }
        let second = conv.forward(x, training: false)
        conv.winogradEnabled = false
        let reference = conv.forward(x, training: false)
        #expect(GradientCheck.maxDifference(second, reference) < 1e-4, "filters transformed from the changed weights")
        #expect(GradientCheck.maxDifference(first, second) > 0.1)
    }
}
