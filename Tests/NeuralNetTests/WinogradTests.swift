import Testing
@testable import NeuralNet

/// 3×3 stride-1 convolutions at inference through Winograd F(2×2, 3×3) agree with im2col + GEMM.
@Suite struct WinogradTests {
    func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        a.shape == b.shape ? zip(a.data, b.data).map { abs($0 - $1) }.max() ?? 0 : .infinity
    }

    @Test(arguments: [(Padding.explicit(1, 1), 7, 6, 1), (.same, 9, 9, 1), (.explicit(0, 0), 8, 5, 1),
                      (.explicit(2, 2), 3, 4, 1), (.explicit(1, 1), 1, 1, 1), (.explicit(1, 1), 21, 35, 1), (.same, 6, 7, 2)])
    func winogradMatchesIm2col(padding: Padding, h: Int, w: Int, groups: Int) {
        // 18 input channels: a partial 16-lane block in the filter transform; 35 columns: tile rows of 16 + 2.
        let x = GradientCheck.random([18, 3, h, w], seed: 31)
        var outputs: [Tensor] = []
        for winograd in [false, true] {
            let conv = Conv2D("c", 18, 8, kernel: 3, padding: padding, groups: groups, bias: true)
            GradientCheck.randomize(conv, seed: 32)
            conv.winogradEnabled = winograd
            #expect(conv.usesWinograd(conv.geometry(h, w), training: false) == winograd)
            outputs.append(conv.forward(x, training: false))
        }
        #expect(outputs[0].count > 0 && outputs[0].data.contains { $0 != 0 })
        let worst = maxDifference(outputs[0], outputs[1])
        #expect(worst < 1e-4, "\(padding) \(h)×\(w): differs by \(worst)")
    }

    @Test func trainingUsesIm2colAndNewWeightsReplaceTheCachedFilters() {
        let x = GradientCheck.random([4, 2, 6, 6], seed: 33)
        let conv = Conv2D("c", 4, 4, kernel: 3, padding: .explicit(1, 1))
        GradientCheck.randomize(conv, seed: 34)
        #expect(!conv.usesWinograd(conv.geometry(6, 6), training: true))
        let first = conv.forward(x, training: false)
        #expect(conv.winogradCache != nil)
        for i in 0..<conv.weight.count { conv.weight.value[i] *= -2 }
        let second = conv.forward(x, training: false)
        conv.winogradEnabled = false
        let reference = conv.forward(x, training: false)
        #expect(maxDifference(second, reference) < 1e-5, "filters transformed from the changed weights")
        #expect(maxDifference(first, second) > 0.1)
    }
}
