import Testing
@testable import NeuralNet

/// The fused F(4×4, 3×3) path (`WinogradFused`) against the GEMM path and im2col + GEMM.
@Suite struct WinogradFusedTests {
    @Test(arguments: [(Padding.explicit(1, 1), 32, 32, 5, 8, 1, 2), (.same, 42, 37, 17, 16, 1, 3),
                      (.explicit(0, 0), 34, 66, 16, 8, 1, 2), (.explicit(2, 2), 12, 28, 9, 24, 1, 1),
                      (.explicit(1, 1), 64, 128, 3, 24, 1, 1), (.explicit(1, 1), 20, 40, 6, 16, 2, 2),
                      (.explicit(1, 1), 9, 130, 33, 8, 1, 2), (.explicit(1, 1), 16, 16, 8, 16, 1, 5),
                      (.explicit(1, 1), 14, 17, 7, 8, 1, 3), (.same, 13, 16, 20, 8, 1, 1)])
    func fusedMatchesTheOtherPaths(padding: Padding, h: Int, w: Int, cin: Int, cout: Int, groups: Int, n: Int) {
        // Bands of one tile row (32 and 33 tiles wide: a 16-lane remainder), two (16 wide), four (8 wide, and 10
        // wide: 40 tiles, two kernel widths), a last band with fewer rows (11 tile rows in bands of 4), outputs
        // clipped at the right and bottom, valid and 2-padded inputs, two groups, a 3-channel input; bands of whole
        // images: 16 tiles each (4 to a band, the last band one image), 20 tiles (4×5, clipped) and a lone image.
        let x = GradientCheck.random([cin, n, h, w], seed: 51)
        var outputs: [Tensor] = []
        for (winograd, fused) in [(false, false), (true, false), (true, true)] {
            let conv = Conv2D("c", cin, cout, kernel: 3, padding: padding, groups: groups, bias: true)
            GradientCheck.randomize(conv, seed: 52)
            conv.winogradEnabled = winograd; conv.winogradFusedEnabled = fused
            let g = conv.geometry(h, w)
            #expect(conv.winogradTile(g, n: n, training: false) == .f4)
            #expect(conv.fusesWinograd(g, n: n, tile: .f4) == (fused && WinogradFused.available))
            outputs.append(conv.forward(x, training: false))
            #expect((conv.winogradCache[.fused] != nil) == (fused && WinogradFused.available))
            #expect((conv.winogradCache[.transformed(.f4)] != nil) == (winograd && !(fused && WinogradFused.available)))
        }
        #expect(outputs[0].data.contains { $0 != 0 })
        let fromGemm = GradientCheck.maxDifference(outputs[1], outputs[2])
        let fromIm2col = GradientCheck.maxDifference(outputs[0], outputs[2])
        #expect(fromGemm < 2e-4 && fromIm2col < 2e-4, "\(padding) \(h)×\(w): differs by \(fromGemm) / \(fromIm2col)")
    }

    @Test func onlyInferenceWithRowTransformsWholeChannelBlocksAndSmallBandsIsFused() {
        let conv = Conv2D("c", 64, 64, kernel: 3, padding: .explicit(1, 1))
        let (wide, narrow) = (conv.geometry(16, 16), conv.geometry(12, 12))   // 4 and 3 tiles wide
        #expect(conv.fusesWinograd(wide, n: 32, tile: .f4) == WinogradFused.available)
        #expect(!conv.fusesWinograd(wide, n: 32, tile: .f2) && !conv.fusesWinograd(narrow, n: 32, tile: .f4))
        let odd = Conv2D("o", 64, 12, kernel: 3, padding: .explicit(1, 1))
        #expect(!odd.fusesWinograd(wide, n: 32, tile: .f4), "12 output channels: not whole blocks of 8")
        // Bands of 32 tiles: 36 × (128 + 128) × 32 floats fit the budget, 36 × (256 + 256) × 32 do not.
        let (mid, broad) = (Conv2D("m", 128, 128, kernel: 3, padding: .explicit(1, 1)), Conv2D("b", 256, 256, kernel: 3, padding: .explicit(1, 1)))
        #expect(mid.fusesWinograd(mid.geometry(64, 64), n: 32, tile: .f4) == WinogradFused.available)
        #expect(!broad.fusesWinograd(broad.geometry(32, 32), n: 32, tile: .f4))
    }

    @Test(arguments: [(8, 32, 1 << 24), (6, 32, 1 << 24), (8, 32, 0), (8, 16, 0), (8, 12, 1 << 24)])
    func trainingForwardsAreFusedAndKeepWhatTheGEMMPathKeeps(inputs: Int, size: Int, columnBudget: Int) {
        // A training forward takes the fused path whether or not it keeps its transformed inputs for the backward;
        // what it keeps is, bit for bit, what the GEMM path keeps in its chunks' layout (columnBudget 0: one image a
        // chunk; 32 px: bands of tile rows, so a band starts mid-image; 16 px: two images a band, across chunks;
        // 12 px: 3 tiles wide, never fused). The input gradient (16 → `inputs` channels) is fused where `inputs` is
        // a multiple of 8. Every path matches im2col.
        let x = GradientCheck.random([inputs, 2, size, size], seed: 55)
        var results: [(y: Tensor, dx: Tensor, dw: [Float], kept: [Float])] = []
        for (winograd, fusedEnabled, keptBudget) in [(false, true, 1 << 23), (true, false, 1 << 23), (true, true, 1 << 23), (true, true, 0)] {
            let conv = Conv2D("c", inputs, 16, kernel: 3, padding: .explicit(1, 1))
            GradientCheck.randomize(conv, seed: 56)
            conv.winogradEnabled = winograd; conv.winogradFusedEnabled = fusedEnabled; conv.keptTransformBudget = keptBudget
            conv.winogradMinTrainingChannels = 0; conv.winogradMinTrainingWork = 0; conv.winograd4MinTrainingTiles = 0
            conv.columnBudget = columnBudget
            let y = conv.forward(x, training: true), kept = conv.keptForBackward
            let fused = winograd && fusedEnabled && size != 12 && WinogradFused.available
            #expect((conv.winogradCache[.fused] != nil) == fused)
            #expect(kept.isEmpty == (winograd && (keptBudget == 0 || size == 12)))
            let dx = conv.backward(GradientCheck.random(y.shape, seed: 57))
            let fusedDx = winograd && fusedEnabled && inputs % 8 == 0 && size != 12 && WinogradFused.available
            #expect((conv.winogradCache[.fusedRotated] != nil) == fusedDx)
            #expect((conv.winogradCache[.rotated] != nil) == (winograd && !fusedDx))
            results.append((y, dx, conv.weight.grad, kept))
        }
        #expect(results[0].dx.data.contains { $0 != 0 } && results[0].dw.contains { $0 != 0 })
        for r in results.dropFirst() {
            let dw = GradientCheck.maxDifference(results[0].dw, r.dw)
            #expect(GradientCheck.maxDifference(results[0].y, r.y) < 2e-4
                    && GradientCheck.maxDifference(results[0].dx, r.dx) < 2e-4 && dw < 1e-3)
        }
        // GEMM path and fused path, both keeping: the same transformed inputs, so the same weight gradient.
        #expect(size == 12 || !results[1].kept.isEmpty)
        func differing(_ a: [Float], _ b: [Float]) -> Int {
            a.count == b.count ? zip(a, b).filter { $0.bitPattern != $1.bitPattern }.count : max(a.count, b.count)
        }
        #expect(differing(results[1].kept, results[2].kept) == 0 && differing(results[1].dw, results[2].dw) == 0)
    }

    @Test(arguments: [(Activation.Kind.relu, 1), (.relu6, 1), (.relu, 2), (.relu6, 2)])
    func biasAndActivationAppliedAsOutputsAreWrittenEqualSeparatePasses(kind: Activation.Kind, groups: Int) {
        // Each path — im2col, F(2×2) and F(4×4) through GEMMs, fused F(4×4) — with the bias and activation in its
        // output pass (`then:`) against the same convolution without a bias, its bias added and the activation
        // applied afterwards here: the same floats bit for bit, in inference and training, and the activation's
        // gradient from what it remembered the same as from its own forward.
        let input = Tensor(unchecked: [16, 2, 20, 24], GradientCheck.random([16, 2, 20, 24], seed: 58).data.map { 6 * $0 })
        let cap: Float = kind == .relu6 ? 6 : .infinity
        for (winograd, f4, fused) in [(false, false, false), (true, false, false), (true, true, false), (true, true, true)] {
            for training in [false, true] {
                func conv(bias: Bool) -> Conv2D {
                    let conv = Conv2D("c", 16, 16, kernel: 3, padding: .explicit(1, 1), groups: groups, bias: bias)
                    GradientCheck.randomize(conv, seed: 59)
                    conv.winogradEnabled = winograd; conv.winograd4Enabled = f4; conv.winogradFusedEnabled = fused
                    conv.winogradMinTrainingChannels = 0; conv.winogradMinTrainingWork = 0; conv.winograd4MinTrainingTiles = 0
                    conv.keptTransformBudget = fused ? 0 : 1 << 23
                    return conv
                }
                let (withBias, plain, act, separate) = (conv(bias: true), conv(bias: false), Activation(kind), Activation(kind))
                plain.weight.value = withBias.weight.value
                let y = withBias.forward(input, training: training, then: act).data
                #expect((withBias.winogradCache[.fused] != nil) == (fused && WinogradFused.available))
                let raw = plain.forward(input, training: training), perChannel = raw.count / 16
                let shifted = raw.data.enumerated().map { $1 + withBias.bias!.value[$0 / perChannel] }
                let expected = shifted.map { $0 < 0 ? 0 : $0 > cap ? cap : $0 }
                #expect(y.contains { $0 == 0 } && y.contains { $0 > 6 } == (kind == .relu) && y.contains { $0 > 0 && $0 < 6 })
                let differing = zip(y, expected).filter { $0 != $1 }.count
                #expect(differing == 0, "\(kind) winograd \(winograd) f4 \(f4) fused \(fused) training \(training)")
                guard training else { continue }
                let dy = GradientCheck.random(raw.shape, seed: 60)
                _ = separate.forward(Tensor(unchecked: raw.shape, shifted), training: true)
                #expect(zip(act.backward(dy).data, separate.backward(dy).data).allSatisfy { $0 == $1 })
            }
        }
    }

    @Test(arguments: [false, true])
    func aLayerWithNoInputChannelsOutputsItsBiasOnce(fused: Bool) {
        // No filters to transform: whichever path runs, the bias and ReLU are applied exactly once.
        let conv = Conv2D("c", 0, 8, kernel: 3, padding: .explicit(1, 1), bias: true)
        conv.winogradFusedEnabled = fused
        for c in 0..<8 { conv.bias!.value[c] = Float(c) - 3.5 }
        let y = Sequential([conv, Activation(.relu)]).forward(Tensor(unchecked: [0, 2, 8, 8], []), training: false)
        #expect(y.shape == [8, 2, 8, 8])
        let expected = (0..<8).flatMap { c in [Float](repeating: max(0, Float(c) - 3.5), count: 128) }
        let wrong = zip(y.data, expected).filter { $0 != $1 }.count
        #expect(y.count == expected.count && wrong == 0, "\(wrong) outputs differ from relu(bias)")
    }

    @Test func theFusedPathIsBuiltWhereTheEngineIsAVX512() {
        // Else the comparisons above would compare the GEMM path with itself.
        #expect(WinogradFused.available == (BLAS.engineCPU == "skylake-avx512"), "engine CPU \(BLAS.engineCPU)")
    }
}
