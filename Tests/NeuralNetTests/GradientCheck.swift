@testable import NeuralNet
import Randomness

/// Finite-difference gradient checking for layers: loss = Σ r·f(x) for a fixed random r.
enum GradientCheck {
    /// Random tensor of `shape` with values in [-1, 1).
    static func random(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed, stream: "test")
        let n = shape.reduce(1, *)
        return Tensor(unchecked: shape, (0..<n).map { _ in g.nextFloat() * 2 - 1 })
    }

    /// The larger of two errors, a NaN counted as infinite: Swift's `max` returns its first argument when the
    /// second is NaN, so a NaN output would otherwise pass every tolerance.
    static func worse<T: FloatingPoint>(_ a: T, _ b: T) -> T { a.isNaN || b.isNaN ? .infinity : max(a, b) }

    /// Largest |a − b| element by element: infinite for different lengths or any NaN.
    static func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
        a.count == b.count ? zip(a, b).reduce(0) { worse($0, abs($1.0 - $1.1)) } : .infinity
    }

    /// Largest |a − b| element by element: infinite for different shapes or any NaN.
    static func maxDifference(_ a: Tensor, _ b: Tensor) -> Float {
        a.shape == b.shape ? maxDifference(a.data, b.data) : .infinity
    }

    /// Largest relative error between analytic and numeric gradients of input and parameters.
    /// `reset` runs before each forward (e.g. to restore a dropout generator).
    static func maxError(_ layer: any Layer, input: Tensor, seed: UInt64 = 7, reset: () -> Void = {}) -> Double {
        reset()
        let y0 = layer.forward(input, training: true)
        let r = random(y0.shape, seed: seed)
        for p in layer.parameters where p.trainable { p.zeroGrad() }
        let dx = layer.backward(r)
        func loss(_ x: Tensor) -> Double {
            reset()
            let y = layer.forward(x, training: true)
            var s = 0.0
            for i in 0..<y.count { s += Double(y.data[i]) * Double(r.data[i]) }
            return s
        }
        var worst = 0.0
        let h: Float = 1e-2
        func compare(_ analytic: Float, _ numeric: Double) {
            let err = abs(Double(analytic) - numeric) / max(1, abs(numeric))
            worst = worse(worst, err)
        }
        var gen = SeededGenerator(seed: seed, stream: "probe")
        for _ in 0..<min(24, input.count) {
            let i = gen.nextInt(below: input.count)
            var xp = input, xm = input
            xp.data[i] += h; xm.data[i] -= h
            compare(dx.data[i], (loss(xp) - loss(xm)) / Double(2 * h))
        }
        for p in layer.parameters where p.trainable {
            let grad = p.grad
            for _ in 0..<min(12, p.count) {
                let i = gen.nextInt(below: p.count)
                let old = p.value[i]
                p.value[i] = old + h; let lp = loss(input)
                p.value[i] = old - h; let lm = loss(input)
                p.value[i] = old
                compare(grad[i], (lp - lm) / Double(2 * h))
            }
        }
        return worst
    }

    /// Fills every trainable parameter with small seeded values.
    static func randomize(_ layer: any Layer, seed: UInt64) {
        var g = SeededGenerator(seed: seed, stream: "params")
        for p in layer.parameters where p.trainable {
            for i in 0..<p.count { p.value[i] = (g.nextFloat() * 2 - 1) * 0.5 }
        }
    }
}
