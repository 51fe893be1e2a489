import Testing
@testable import NeuralNet

/// The vectorised depthwise convolution and pools against straightforward loops written here (sums in Float64):
/// outputs and gradients agree to 1e-5 relative; max pool routes each window's gradient to its first maximum.
@Suite struct PoolingAndDepthwiseTests {
    /// Largest `|a − b| / max(1, |b|)`; infinity when the counts differ.
    static func relError(_ a: [Float], _ b: [Double]) -> Double {
        if a.count != b.count { return .infinity }
        var worst = 0.0
        for i in 0..<a.count { worst = GradientCheck.worse(worst, abs(Double(a[i]) - b[i]) / max(1, abs(b[i]))) }
        return worst
    }

    /// Reference depthwise convolution of `x` [C, N, h, w]: output, input gradient and filter gradient for `dy`.
    static func referenceDepthwise(_ x: Tensor, weight: [Float], dy: [Float], k: Int, s: Int, d: Int,
                                   padding: Padding) -> (y: [Double], dx: [Double], dw: [Double], ho: Int, wo: Int) {
        let (c, n, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let ho: Int, wo: Int, pt: Int, pl: Int
        switch padding {
        case .explicit(let ph, let pw):
            ho = (h + 2 * ph - d * (k - 1) - 1) / s + 1; wo = (w + 2 * pw - d * (k - 1) - 1) / s + 1; pt = ph; pl = pw
        case .same:
            ho = (h + s - 1) / s; wo = (w + s - 1) / s
            pt = max((ho - 1) * s + (k - 1) * d + 1 - h, 0) / 2; pl = max((wo - 1) * s + (k - 1) * d + 1 - w, 0) / 2
        }
        var y = [Double](repeating: 0, count: c * n * ho * wo), dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: c * k * k)
        for ch in 0..<c { for b in 0..<n { for oy in 0..<ho { for ox in 0..<wo {
            let o = ((ch * n + b) * ho + oy) * wo + ox
            for i in 0..<k { for j in 0..<k {
                let iy = oy * s - pt + i * d, ix = ox * s - pl + j * d
                if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                let xi = ((ch * n + b) * h + iy) * w + ix, wi = (ch * k + i) * k + j
                y[o] += Double(weight[wi]) * Double(x.data[xi])
                dx[xi] += Double(weight[wi]) * Double(dy[o])
                dw[wi] += Double(x.data[xi]) * Double(dy[o])
            } }
        } } } }
        return (y, dx, dw, ho, wo)
    }

    /// Reference pool of `x` [C, N, h, w]: output and input gradient for `dy` (max: first maximum in scan order).
    static func referencePool(_ x: Tensor, dy: [Float]?, k: Int, s: Int, p: Int, isMax: Bool) -> (y: [Double], dx: [Double], shape: [Int]) {
        let (planes, h, w) = (x.shape[0] * x.shape[1], x.shape[2], x.shape[3])
        let ho = (h + 2 * p - k) / s + 1, wo = (w + 2 * p - k) / s + 1
        var y = [Double](repeating: 0, count: planes * ho * wo), dx = [Double](repeating: 0, count: x.count)
        for q in 0..<planes { for oy in 0..<ho { for ox in 0..<wo {
            let o = (q * ho + oy) * wo + ox
            var best = -Double.infinity, at = -1, sum = 0.0
            for i in 0..<k { for j in 0..<k {
                let iy = oy * s - p + i, ix = ox * s - p + j
                if iy < 0 || iy >= h || ix < 0 || ix >= w { continue }
                let xi = (q * h + iy) * w + ix, v = Double(x.data[xi])
                sum += v
                if at < 0 || v > best { best = v; at = xi }
            } }
            y[o] = isMax ? best : sum / Double(k * k)
            guard let dy else { continue }
            if isMax { dx[at] += Double(dy[o]) } else {
                for i in 0..<k { for j in 0..<k {
                    let iy = oy * s - p + i, ix = ox * s - p + j
                    if iy >= 0 && iy < h && ix >= 0 && ix < w { dx[(q * h + iy) * w + ix] += Double(dy[o]) / Double(k * k) }
                } }
            }
        } } }
        return (y, dx, [x.shape[0], x.shape[1], ho, wo])
    }

    @Test(arguments: [
        (3, 1, Padding.explicit(1, 1), 1, 7, 5), (3, 2, .explicit(1, 1), 1, 9, 11), (3, 1, .explicit(1, 1), 1, 1, 1),
        (3, 2, .explicit(1, 1), 1, 1, 1), (5, 1, .same, 1, 6, 13), (5, 2, .same, 1, 17, 19), (3, 2, .same, 1, 8, 8),
        (3, 1, .same, 1, 3, 3), (5, 2, .same, 1, 1, 1), (3, 1, .explicit(0, 0), 1, 5, 21), (3, 2, .explicit(0, 0), 1, 7, 7),
        (5, 1, .explicit(2, 2), 1, 4, 37), (3, 2, .explicit(1, 1), 1, 33, 34), (3, 1, .explicit(2, 2), 2, 6, 9),
        (5, 2, .explicit(1, 2), 1, 10, 12),
    ])
    func depthwiseMatchesReference(k: Int, stride: Int, padding: Padding, dilation: Int, h: Int, w: Int) {
        let conv = Conv2D("c", 3, 3, kernel: k, stride: stride, padding: padding, dilation: dilation, groups: 3)
        GradientCheck.randomize(conv, seed: 31)
        let x = GradientCheck.random([3, 2, h, w], seed: 32)
        let y = conv.forward(x, training: true)
        let dy = GradientCheck.random(y.shape, seed: 33)
        conv.weight.zeroGrad()
        let dx = conv.backward(dy)
        let ref = Self.referenceDepthwise(x, weight: conv.weight.value, dy: dy.data, k: k, s: stride, d: dilation, padding: padding)
        #expect(y.shape == [3, 2, ref.ho, ref.wo])
        #expect(Self.relError(y.data, ref.y) < 1e-5)
        #expect(Self.relError(dx.data, ref.dx) < 1e-5)
        #expect(Self.relError(conv.weight.grad, ref.dw) < 1e-5)
    }

    /// The filter gradient accumulates across backward calls (as the scalar loop did).
    @Test func depthwiseFilterGradientAccumulates() {
        let conv = Conv2D("c", 2, 2, kernel: 3, stride: 2, padding: .explicit(1, 1), groups: 2)
        GradientCheck.randomize(conv, seed: 34)
        let x = GradientCheck.random([2, 3, 9, 10], seed: 35)
        let y = conv.forward(x, training: true), dy = GradientCheck.random(y.shape, seed: 36)
        conv.weight.zeroGrad()
        _ = conv.backward(dy)
        let once = conv.weight.grad
        _ = conv.backward(dy)
        #expect(Self.relError(conv.weight.grad, once.map { 2 * Double($0) }) < 1e-5)
    }

    /// Inputs with many ties (values on a 0.5 grid) or all negative, so padding must act as −inf.
    static func poolInput(_ shape: [Int], seed: UInt64, ties: Bool, negative: Bool) -> Tensor {
        var x = GradientCheck.random(shape, seed: seed)
        for i in 0..<x.count {
            if ties { x.data[i] = (x.data[i] * 2).rounded() / 2 }
            if negative { x.data[i] = -abs(x.data[i]) - 0.25 }
        }
        return x
    }

    @Test(arguments: [
        (3, 2, 1, 9, 9), (3, 2, 1, 1, 1), (3, 2, 0, 7, 23), (2, 2, 0, 6, 5), (3, 1, 1, 5, 3), (3, 2, 1, 16, 37),
        (3, 1, 1, 1, 18), (2, 1, 0, 4, 9), (3, 3, 1, 8, 11),
    ])
    func maxPoolMatchesReference(k: Int, stride: Int, padding: Int, h: Int, w: Int) {
        for (ties, negative) in [(false, false), (true, false), (true, true), (false, true)] {
            let pool = MaxPool2D(kernel: k, stride: stride, padding: padding)
            let x = Self.poolInput([2, 3, h, w], seed: 41, ties: ties, negative: negative)
            let y = pool.forward(x, training: true)
            let dy = GradientCheck.random(y.shape, seed: 42)
            let dx = pool.backward(dy)
            let ref = Self.referencePool(x, dy: dy.data, k: k, s: stride, p: padding, isMax: true)
            #expect(y.shape == ref.shape)
            #expect(Self.relError(y.data, ref.y) == 0, "ties \(ties) negative \(negative)")
            #expect(Self.relError(dx.data, ref.dx) < 1e-6, "ties \(ties) negative \(negative)")
            #expect(pool.forward(x, training: false).data == y.data)
        }
    }

    @Test(arguments: [(3, 1, 1, 7, 9), (3, 2, 1, 9, 9), (2, 2, 0, 6, 5), (3, 2, 0, 1, 19), (3, 1, 1, 1, 1), (3, 1, 1, 5, 40)])
    func avgPoolMatchesReference(k: Int, stride: Int, padding: Int, h: Int, w: Int) {
        let pool = AvgPool2D(kernel: k, stride: stride, padding: padding)
        let x = Self.poolInput([2, 3, h, w], seed: 43, ties: false, negative: false)
        let y = pool.forward(x, training: true)
        let dy = GradientCheck.random(y.shape, seed: 44)
        let dx = pool.backward(dy)
        let ref = Self.referencePool(x, dy: dy.data, k: k, s: stride, p: padding, isMax: false)
        #expect(y.shape == ref.shape)
        #expect(Self.relError(y.data, ref.y) < 1e-5)
        #expect(Self.relError(dx.data, ref.dx) < 1e-5)
    }

    @Test(arguments: [(1, 1), (7, 5), (4, 4), (13, 3)])
    func globalAvgPoolMatchesReference(h: Int, w: Int) {
        let pool = GlobalAvgPool()
        let x = GradientCheck.random([5, 3, h, w], seed: 45)
        let y = pool.forward(x, training: true)
        let dy = GradientCheck.random([3, 5], seed: 46)
        let dx = pool.backward(dy)
        var ry = [Double](repeating: 0, count: 15), rdx = [Double](repeating: 0, count: x.count)
        for c in 0..<5 { for b in 0..<3 { for i in 0..<(h * w) {
            ry[b * 5 + c] += Double(x.data[(c * 3 + b) * h * w + i]) / Double(h * w)
            rdx[(c * 3 + b) * h * w + i] = Double(dy.data[b * 5 + c]) / Double(h * w)
        } } }
        #expect(y.shape == [3, 5])
        #expect(Self.relError(y.data, ry) < 1e-5)
        #expect(Self.relError(dx.data, rdx) < 1e-5)
    }
}
