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
                let worst = zip(a, b).reduce(0) { GradientCheck.worse($0, abs($1.0 - $1.1) / max(1, abs($1.0))) }
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

/// A training forward keeps the whole batch's im2col columns for its backward, which then does not pack them again.
@Suite struct KeptColumnsTests {
    /// Output, input gradient and weight gradient of a fresh convolution over `x`, columns kept or not.
    func run(_ x: Tensor, keep: Bool, stride: Int, groups: Int = 1) -> (y: [Float], dx: [Float], dw: [Float]) {
        let conv = Conv2D("c", 4, 6, kernel: 3, stride: stride, padding: .explicit(1, 1), groups: groups, bias: true)
        GradientCheck.randomize(conv, seed: 21)
        conv.columnBudget = 1 << 30   // one chunk either way: the same products in the same order
        conv.keptColumnBudget = keep ? 1 << 30 : 0
        let y = conv.forward(x, training: true)
        let dx = conv.backward(GradientCheck.random(y.shape, seed: 22))
        return (y.data, dx.data, conv.weight.grad)
    }

    @Test(arguments: [(1, 1), (2, 1), (2, 2)])
    func keptColumnsGiveTheSameOutputAndGradients(stride: Int, groups: Int) {
        let x = GradientCheck.random([4, 3, 9, 7], seed: 20)
        let kept = run(x, keep: true, stride: stride, groups: groups), packed = run(x, keep: false, stride: stride, groups: groups)
        #expect(kept.y == packed.y && kept.dx == packed.dx && kept.dw == packed.dw)
        #expect(kept.dx.contains { $0 != 0 } && kept.dw.contains { $0 != 0 })
    }

    @Test func keptColumnsPassTheGradientCheckAndAreDroppedByAnInferenceForward() {
        let conv = Conv2D("c", 4, 6, kernel: 3, stride: 2, padding: .explicit(1, 1), bias: true)
        GradientCheck.randomize(conv, seed: 23)
        #expect(GradientCheck.maxError(conv, input: GradientCheck.random([4, 3, 7, 6], seed: 24)) < 2e-2)
        // A later forward replaces what an earlier one kept, and an inference forward (evaluation) keeps nothing:
        // the backward then packs its input again. The weight gradient shows which columns were used.
        let x = GradientCheck.random([4, 2, 7, 6], seed: 25), other = GradientCheck.random([4, 2, 7, 6], seed: 27)
        func weightGradient(after forwards: [(Tensor, Bool)], _ dy: Tensor) -> [Float] {
            for (input, training) in forwards { _ = conv.forward(input, training: training) }
            conv.weight.grad = [Float](repeating: 0, count: conv.weight.grad.count)
            _ = conv.backward(dy)
            return conv.weight.grad
        }
        let dy = GradientCheck.random([6, 2, 4, 3], seed: 26)
        let expected = weightGradient(after: [(x, true)], dy)
        #expect(weightGradient(after: [(other, true), (x, true)], dy) == expected)
        #expect(weightGradient(after: [(other, true), (x, false)], dy) == expected)
        #expect(weightGradient(after: [(other, true)], dy) != expected)
    }

    @Test(arguments: [(WinogradTile.f2, 1 << 30, 1), (.f4, 1 << 30, 1), (.f2, 6000, 1), (.f4, 20000, 2), (.f4, 1, 1)])
    func keptWinogradInputsGiveTheSameGradients(tile: WinogradTile, budget: Int, groups: Int) {
        // The forward's transformed inputs, kept chunk after chunk (budgets of 6,000, 20,000 and 1 float cut the
        // batch of 3 into chunks), stand in for the backward's own transforms: bit-equal gradients.
        let x = GradientCheck.random([8, 3, 10, 9], seed: 28), dy = GradientCheck.random([8, 3, 10, 9], seed: 29)
        var results: [(dx: [Float], dw: [Float])] = []
        for keep in [true, false] {
            let conv = Conv2D("c", 8, 8, kernel: 3, padding: .explicit(1, 1), groups: groups)
            GradientCheck.randomize(conv, seed: 30)
            conv.winogradMinTrainingChannels = 0; conv.winogradMinTrainingWork = 0
            conv.winograd4MinTrainingTiles = tile == .f4 ? 0 : .max; conv.winogradChannelsBelowTiles = 0
            conv.columnBudget = budget; conv.keptTransformBudget = keep ? 1 << 30 : 0
            #expect(conv.usesWinograd(conv.geometry(10, 9), n: 3, training: true))
            #expect(conv.winogradTile(conv.geometry(10, 9), n: 3, training: true) == tile)
            _ = conv.forward(x, training: true)
            #expect(conv.keptForBackward.count == (keep ? conv.winogradKeptCount(conv.geometry(10, 9), n: 3, tile: tile) : 0))
            let dx = conv.backward(dy)
            #expect(conv.keptForBackward.isEmpty, "the backward lets go of what it used")
            results.append((dx.data, conv.weight.grad))
        }
        #expect(results[0].dx == results[1].dx && results[0].dw == results[1].dw)
        #expect(results[0].dx.contains { $0 != 0 } && results[0].dw.contains { $0 != 0 })
    }

    @Test func channelTransformsKeepNothing() {
        // Images under four tiles wide transform across channels, a layout the weight gradient does not read.
        let conv = Conv2D("c", 64, 64, kernel: 3, padding: .explicit(1, 1))
        #expect(conv.winogradKeptCount(conv.geometry(4, 4), n: 32, tile: .f2) == nil)
        #expect(conv.winogradKeptCount(conv.geometry(8, 8), n: 32, tile: .f4) == nil)
        #expect(conv.winogradKeptCount(conv.geometry(8, 8), n: 32, tile: .f2) == 16 * 64 * 32 * 16)
    }
}
