import Testing
@testable import NeuralNet

/// The im2col path processes a batch in chunks of images sized to a column budget: every split gives the same
/// output and gradients as the whole batch at once, and the chunked backward passes the finite-difference check.
@Suite struct ConvChunkingTests {
    /// Output, input gradient and weight gradient of a fresh 3×3 convolution over `x` with `columnBudget`.
    func run(_ x: Tensor, budget: Int, stride: Int, padding: Padding) -> (y: [Float], dx: [Float], dw: [Float], chunk: Int) {
        let conv = Conv2D("c", 3, 5, kernel: 3, stride: stride, padding: padding, bias: true)
        GradientCheck.randomize(conv, seed: 11)
        conv.columnBudget = budget
        let y = conv.forward(x, training: true)
        let dx = conv.backward(GradientCheck.random(y.shape, seed: 12))
        let plane = y.shape[2] * y.shape[3]
        return (y.data, dx.data, conv.weight.grad, conv.imagesPerChunk(n: x.shape[1], k: 27, plane: plane))
    }

    @Test(arguments: [(1, Padding.explicit(1, 1)), (2, .same), (2, .explicit(0, 0))])
    func everySplitAgreesWithTheWholeBatch(stride: Int, padding: Padding) {
        let x = GradientCheck.random([3, 5, 9, 7], seed: 10)
        let whole = run(x, budget: 1 << 30, stride: stride, padding: padding)
        #expect(whole.chunk == 5)
        let plane = whole.y.count / (5 * 5)
        // One image per chunk, then 2 + 2 + 1 (an uneven last chunk).
        for (budget, chunk) in [(1, 1), (27 * plane * 2, 2)] {
            let split = run(x, budget: budget, stride: stride, padding: padding)
            #expect(split.chunk == chunk)
            for (a, b) in [(whole.y, split.y), (whole.dx, split.dx), (whole.dw, split.dw)] {
                #expect(a.count == b.count)
                let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($0)) }.max() ?? 1
                #expect(worst < 1e-5, "budget \(budget): differs by \(worst)")
            }
            #expect(split.dx.contains { $0 != 0 })
        }
    }

    @Test func chunkedBackwardPassesTheGradientCheck() {
        let conv = Conv2D("c", 4, 6, kernel: 3, stride: 2, padding: .explicit(1, 1), bias: true)
        GradientCheck.randomize(conv, seed: 13)
        conv.columnBudget = 1
        #expect(GradientCheck.maxError(conv, input: GradientCheck.random([4, 3, 7, 6], seed: 14)) < 2e-2)
    }
}
