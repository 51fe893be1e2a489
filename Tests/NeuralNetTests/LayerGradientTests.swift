import Testing
@testable import NeuralNet
import Randomness

/// Finite-difference checks (central differences, h = 1e-2, sums in Float64): tolerance 2e-2 relative.
@Suite struct LayerGradientTests {
    let tol = 2e-2

    @Test(arguments: [
        (1, Padding.explicit(1, 1), 1, 1), (2, .explicit(1, 1), 1, 1), (1, .same, 1, 1), (2, .same, 1, 1),
        (1, .explicit(2, 2), 2, 1), (1, .explicit(1, 1), 1, 2), (1, .explicit(0, 0), 1, 1),
    ])
    func conv2d(stride: Int, padding: Padding, dilation: Int, groups: Int) {
        let conv = Conv2D("c", 4, 6, kernel: 3, stride: stride, padding: padding, dilation: dilation, groups: groups, bias: true)
        GradientCheck.randomize(conv, seed: 1)
        let err = GradientCheck.maxError(conv, input: GradientCheck.random([4, 2, 7, 6], seed: 2))
        #expect(err < tol)
    }

    /// Rectangular kernels (Inception's 1×7/7×1 and 1×3/3×1) with rectangular padding, strided and "same".
    @Test(arguments: [
        (1, 3, Padding.explicit(0, 1), 1, 1), (3, 1, .explicit(1, 0), 1, 1), (1, 7, .explicit(0, 3), 1, 1),
        (7, 1, .explicit(3, 0), 1, 1), (2, 3, .explicit(1, 0), 2, 1), (1, 3, .same, 2, 1), (3, 1, .explicit(1, 0), 1, 4),
    ])
    func rectangularConv(kh: Int, kw: Int, padding: Padding, stride: Int, groups: Int) {
        let conv = Conv2D("c", 4, groups == 1 ? 6 : 4, kernel: (kh, kw), stride: stride, padding: padding, groups: groups, bias: true)
        #expect(conv.weight.shape == [groups == 1 ? 6 : 4, 4 / groups, kh, kw])
        GradientCheck.randomize(conv, seed: 21)
        let x = GradientCheck.random([4, 2, 9, 8], seed: 22)
        let y = conv.forward(x, training: false)
        // Output size per axis: (in + 2·pad − k) / stride + 1, or ceil(in / stride) for "same".
        if case .explicit(let ph, let pw) = padding {
            #expect(y.shape == [conv.outChannels, 2, (9 + 2 * ph - kh) / stride + 1, (8 + 2 * pw - kw) / stride + 1])
        } else {
            #expect(y.shape == [conv.outChannels, 2, (9 + stride - 1) / stride, (8 + stride - 1) / stride])
        }
        #expect(GradientCheck.maxError(conv, input: x) < tol)
    }

    /// A 1×k convolution equals the k×1 one on the transposed image (rows and columns are not mixed up).
    @Test func rectangularConvTransposes() {
        let row = Conv2D("r", 2, 3, kernel: (1, 5), padding: .explicit(0, 2)), col = Conv2D("c", 2, 3, kernel: (5, 1), padding: .explicit(2, 0))
        GradientCheck.randomize(row, seed: 23)
        col.weight.value = row.weight.value
        let x = GradientCheck.random([2, 1, 6, 7], seed: 24)
        var xt = Tensor(unchecked: [2, 1, 7, 6], [Float](repeating: 0, count: x.count))
        for c in 0..<2 { for i in 0..<6 { for j in 0..<7 { xt.data[c * 42 + j * 6 + i] = x.data[c * 42 + i * 7 + j] } } }
        let y = row.forward(x, training: false), yt = col.forward(xt, training: false)
        #expect(y.shape == [3, 1, 6, 7] && yt.shape == [3, 1, 7, 6])
        for c in 0..<3 { for i in 0..<6 { for j in 0..<7 {
            #expect(abs(y.data[c * 42 + i * 7 + j] - yt.data[c * 42 + j * 6 + i]) < 1e-5)
        } } }
    }

    @Test func pointwiseConv() {
        let conv = Conv2D("c", 5, 3, kernel: 1)
        GradientCheck.randomize(conv, seed: 3)
        #expect(GradientCheck.maxError(conv, input: GradientCheck.random([5, 3, 4, 4], seed: 4)) < tol)
    }

    @Test(arguments: [1, 2])
    func depthwiseConv(stride: Int) {
        let conv = Conv2D("c", 4, 4, kernel: 3, stride: stride, padding: .explicit(1, 1), groups: 4)
        GradientCheck.randomize(conv, seed: 5)
        #expect(conv.isDepthwise)
        #expect(GradientCheck.maxError(conv, input: GradientCheck.random([4, 2, 6, 5], seed: 6)) < tol)
    }

    @Test func depthwiseMatchesGroupedGEMM() {
        // The direct depthwise loop and a per-group GEMM (groups == channels) agree to 1e-5.
        let dw = Conv2D("c", 3, 3, kernel: 3, stride: 2, padding: .same, groups: 3)
        GradientCheck.randomize(dw, seed: 8)
        let x = GradientCheck.random([3, 2, 9, 8], seed: 9)
        let y = dw.forward(x, training: false)
        for c in 0..<3 {
            let single = Conv2D("s", 1, 1, kernel: 3, stride: 2, padding: .same)
            single.weight.value = Array(dw.weight.value[(c * 9)..<(c * 9 + 9)])
            let xc = Tensor(unchecked: [1, 2, 9, 8], Array(x.data[(c * 144)..<(c * 144 + 144)]))
            let yc = single.forward(xc, training: false)
            let per = yc.count
            for i in 0..<per { #expect(abs(yc.data[i] - y.data[c * per + i]) < 1e-5) }
        }
    }

    @Test func batchNormTrainAndEval() {
        let bn = BatchNorm("bn", 3)
        GradientCheck.randomize(bn, seed: 10)
        #expect(GradientCheck.maxError(bn, input: GradientCheck.random([3, 4, 3, 3], seed: 11)) < tol)
        let bn1 = BatchNorm("bn", 5, channelsFirst: false)
        GradientCheck.randomize(bn1, seed: 12)
        #expect(GradientCheck.maxError(bn1, input: GradientCheck.random([6, 5], seed: 13)) < tol)
    }

    @Test func batchNormRunningStatistics() {
        let bn = BatchNorm("bn", 1)
        let x = Tensor(unchecked: [1, 4, 1, 1], [1, 2, 3, 4])
        _ = bn.forward(x, training: true)
        // mean 2.5, unbiased var 5/3: running = 0.9·init + 0.1·batch.
        #expect(abs(bn.runningMean.value[0] - 0.25) < 1e-6)
        #expect(abs(bn.runningVar.value[0] - (0.9 + 0.1 * 5.0 / 3.0)) < 1e-6)
        #expect(bn.batches.value[0] == 1)
        let y = bn.forward(x, training: false)
        #expect(abs(y.data[0] - (1 - 0.25) / (bn.runningVar.value[0] + 1e-5).squareRoot()) < 1e-5)
    }

    @Test func activationsAndPools() {
        let x = GradientCheck.random([3, 2, 6, 6], seed: 14)
        #expect(GradientCheck.maxError(Activation(.relu), input: x) < tol)
        var big = x; for i in 0..<big.count { big.data[i] *= 8 }
        #expect(GradientCheck.maxError(Activation(.relu6), input: big) < tol)
        #expect(GradientCheck.maxError(MaxPool2D(kernel: 3, stride: 2, padding: 1), input: x) < tol)
        #expect(GradientCheck.maxError(MaxPool2D(kernel: 2), input: x) < tol)
        #expect(GradientCheck.maxError(AvgPool2D(kernel: 3, stride: 1, padding: 1), input: x) < tol)
        #expect(GradientCheck.maxError(GlobalAvgPool(), input: x) < tol)
    }

    @Test func denseDropoutResidualConcat() {
        let d = Dense("fc", 7, 4)
        GradientCheck.randomize(d, seed: 15)
        #expect(GradientCheck.maxError(d, input: GradientCheck.random([5, 7], seed: 16)) < tol)

        let drop = Dropout(0.5, generator: SeededGenerator(seed: 3, stream: "d"))
        let saved = drop.generator
        #expect(GradientCheck.maxError(drop, input: GradientCheck.random([4, 6], seed: 17), reset: { drop.generator = saved }) < tol)

        let body = Sequential([Conv2D("a", 3, 3, kernel: 3, padding: .explicit(1, 1)), BatchNorm("b", 3)])
        let res = Residual(body, shortcut: Conv2D("s", 3, 3, kernel: 1)) // ReLU kinks are checked on their own
        GradientCheck.randomize(res, seed: 18)
        #expect(GradientCheck.maxError(res, input: GradientCheck.random([3, 2, 5, 5], seed: 19)) < tol)

        let cat = Concat([Conv2D("x", 3, 2, kernel: 1), Sequential([Conv2D("y", 3, 4, kernel: 3, padding: .explicit(1, 1)), Activation(.relu)])])
        GradientCheck.randomize(cat, seed: 20)
        #expect(GradientCheck.maxError(cat, input: GradientCheck.random([3, 2, 4, 4], seed: 21)) < tol)
    }

    /// Concats in a row (as Inception's blocks): the input gradient has the input's shape (3 channels
    /// here, not the 6 of the output), so the Concat before it slices its gradient right.
    @Test func chainedConcats() {
        let first = Concat([Conv2D("a", 3, 2, kernel: 1), Conv2D("b", 3, 4, kernel: 3, padding: .explicit(1, 1))])
        let second = Concat([Conv2D("c", 6, 5, kernel: (1, 3), padding: .explicit(0, 1)), MaxPool2D(kernel: 3, stride: 1, padding: 1)])
        let chain = Sequential([first, second])
        GradientCheck.randomize(chain, seed: 25)
        let x = GradientCheck.random([3, 2, 4, 4], seed: 26)
        let y = chain.forward(x, training: true)
        #expect(y.shape == [11, 2, 4, 4])
        #expect(second.backward(GradientCheck.random(y.shape, seed: 27)).shape == [6, 2, 4, 4])
        #expect(GradientCheck.maxError(chain, input: x) < tol)
    }

    @Test func softmaxCrossEntropyGradient() {
        let logits = GradientCheck.random([3, 4], seed: 22)
        let labels = [0, 3, 1]
        for smoothing in [Float(0), 0.1] {
            let ce = SoftmaxCrossEntropy(labelSmoothing: smoothing)
            let (_, grad, probs) = ce.evaluate(logits: logits, labels: labels)
            #expect(abs(probs[0..<4].reduce(0, +) - 1) < 1e-5)
            for i in 0..<logits.count {
                var p = logits, m = logits
                p.data[i] += 1e-2; m.data[i] -= 1e-2
                let num = (ce.evaluate(logits: p, labels: labels).loss - ce.evaluate(logits: m, labels: labels).loss) / 2e-2
                #expect(abs(num - grad.data[i]) < 2e-3)
            }
        }
        // Uniform logits over 4 classes: loss = ln 4.
        let flat = Tensor(zeros: [1, 4])
        #expect(abs(SoftmaxCrossEntropy().evaluate(logits: flat, labels: [2]).loss - Float(1.3862944)) < 1e-5)
    }
}
