import Testing
@testable import NeuralNet

/// The fused F(4×4, 3×3) inference path (`WinogradFused`) against the GEMM path and im2col + GEMM.
@Suite struct WinogradFusedTests {
    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        a.shape == b.shape ? zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

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
            #expect(conv.fusesWinograd(g, n: n, tile: .f4, training: false) == (fused && WinogradFused.available))
            outputs.append(conv.forward(x, training: false))
            #expect((conv.fusedWinogradCache != nil) == (fused && WinogradFused.available))
            #expect((conv.winogradCache[.f4] != nil) == (winograd && !(fused && WinogradFused.available)))
        }
        #expect(outputs[0].data.contains { $0 != 0 })
        let (fromGemm, fromIm2col) = (maxDifference(outputs[1], outputs[2]), maxDifference(outputs[0], outputs[2]))
        #expect(fromGemm < 2e-4 && fromIm2col < 2e-4, "\(padding) \(h)×\(w): differs by \(fromGemm) / \(fromIm2col)")
    }

    @Test func onlyInferenceWithRowTransformsWholeChannelBlocksAndSmallBandsIsFused() {
        let conv = Conv2D("c", 64, 64, kernel: 3, padding: .explicit(1, 1))
        let (wide, narrow) = (conv.geometry(16, 16), conv.geometry(12, 12))   // 4 and 3 tiles wide
        #expect(conv.fusesWinograd(wide, n: 32, tile: .f4, training: false) == WinogradFused.available)
        #expect(!conv.fusesWinograd(wide, n: 32, tile: .f4, training: true), "training keeps the GEMM path")
        #expect(!conv.fusesWinograd(wide, n: 32, tile: .f2, training: false) && !conv.fusesWinograd(narrow, n: 32, tile: .f4, training: false))
        let odd = Conv2D("o", 64, 12, kernel: 3, padding: .explicit(1, 1))
        #expect(!odd.fusesWinograd(wide, n: 32, tile: .f4, training: false), "12 output channels: not whole blocks of 8")
        // Bands of 32 tiles: 36 × (128 + 128) × 32 floats fit the budget, 36 × (256 + 256) × 32 do not.
        let (mid, broad) = (Conv2D("m", 128, 128, kernel: 3, padding: .explicit(1, 1)), Conv2D("b", 256, 256, kernel: 3, padding: .explicit(1, 1)))
        #expect(mid.fusesWinograd(mid.geometry(64, 64), n: 32, tile: .f4, training: false) == WinogradFused.available)
        #expect(!broad.fusesWinograd(broad.geometry(32, 32), n: 32, tile: .f4, training: false))
    }

    @Test func theFusedPathIsBuiltWhereTheEngineIsAVX512() {
        // Else the comparisons above would compare the GEMM path with itself.
        #expect(WinogradFused.available == (BLAS.engineCPU == "skylake-avx512"), "engine CPU \(BLAS.engineCPU)")
    }
}
