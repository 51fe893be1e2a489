import Foundation

/// Softmax cross-entropy over `[N, classes]` logits with optional label smoothing (mean over the batch).
public struct SoftmaxCrossEntropy: Sendable {
    /// Label smoothing ε: the target puts 1-ε on the label and ε/classes on every class.
    public let labelSmoothing: Float

    /// A loss with `labelSmoothing` in [0, 1).
    public init(labelSmoothing: Float = 0) { self.labelSmoothing = labelSmoothing }

    /// Mean loss, gradient with respect to the logits, and the softmax probabilities.
    public func evaluate(logits: Tensor, labels: [Int]) -> (loss: Float, grad: Tensor, probabilities: [Float]) {
        let (n, k) = (logits.shape[0], logits.shape[1])
        var probs = [Float](repeating: 0, count: n * k)
        var grad = [Float](repeating: 0, count: n * k)
        var total = 0.0
        let eps = Double(labelSmoothing)
        for b in 0..<n {
            var mx = -Float.infinity
            for j in 0..<k { mx = max(mx, logits.data[b * k + j]) }
            var s = 0.0
            for j in 0..<k { s += exp(Double(logits.data[b * k + j] - mx)) }
            let logZ = Double(mx) + log(s)
            for j in 0..<k {
                let lp = Double(logits.data[b * k + j]) - logZ
                let target = (j == labels[b] ? 1 - eps : 0) + eps / Double(k)
                total -= target * lp
                let p = exp(lp)
                probs[b * k + j] = Float(p)
                grad[b * k + j] = Float((p - target) / Double(n))
            }
        }
        return (Float(total / Double(max(n, 1))), Tensor(unchecked: logits.shape, grad), probs)
    }
}
