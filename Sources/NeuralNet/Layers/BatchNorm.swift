/// Batch normalisation over channels, torchvision-compatible (`weight`, `bias`, `running_mean`,
/// `running_var`, `num_batches_tracked`; momentum 0.1, unbiased running variance).
/// Works on CNHW activations (`channelsFirst`, 2-D) and on `[N, F]` features (1-D).
public final class BatchNorm: Layer {
    /// γ, β and the running statistics.
    public let weight: Parameter, bias: Parameter, runningMean: Parameter, runningVar: Parameter, batches: Parameter
    let features: Int, eps: Float, momentum: Float, channelsFirst: Bool
    /// The last training forward's input, batch means and inverse deviations (x̂ is recomputed in backward).
    private var input = Tensor(zeros: [0]), means: [Float] = [], invStd: [Float] = [], lastTraining = false

    /// A batch norm named `name` over `features` channels.
    public init(_ name: String, _ features: Int, eps: Float = 1e-5, momentum: Float = 0.1, channelsFirst: Bool = true) {
        self.features = features; self.eps = eps; self.momentum = momentum; self.channelsFirst = channelsFirst
        weight = Parameter(name + ".weight", [features], value: [Float](repeating: 1, count: features))
        bias = Parameter(name + ".bias", [features])
        runningMean = Parameter(name + ".running_mean", [features], buffer: true)
        runningVar = Parameter(name + ".running_var", [features], value: [Float](repeating: 1, count: features), buffer: true)
        batches = Parameter(name + ".num_batches_tracked", [], value: [0], buffer: true, isInteger: true)
    }

    public var parameters: [Parameter] { [weight, bias, runningMean, runningVar, batches] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor { forward(x, training: training, then: nil) }

    /// The forward pass, with `activation` (the next layer) applied in the same pass over the output when given:
    /// one read and one write of the activations instead of two of each. `activation` keeps its output for its
    /// backward as if it had run itself.
    func forward(_ x: Tensor, training: Bool, then activation: Activation?) -> Tensor {
        lastTraining = training
        let m = channelsFirst ? x.count / features : x.shape[0]
        var y = Buffers.uninitialized(x.count)
        if training {
            input = x
            means = [Float](repeating: 0, count: features); invStd = [Float](repeating: 0, count: features)
            batches.value[0] += 1
        }
        let unbias = m > 1 ? Double(m) / Double(m - 1) : 1
        x.data.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
        means.withUnsafeMutableBufferPointer { mp in
        invStd.withUnsafeMutableBufferPointer { ip in
        runningMean.value.withUnsafeMutableBufferPointer { rm in
        runningVar.value.withUnsafeMutableBufferPointer { rv in
            let xb = xp.baseAddress!, yb = yp.baseAddress!
            let gam = weight.value, bet = bias.value
            Parallel.forEach(features, minPerThread: 4) { c in
                let (base, st) = channelsFirst ? (c * m, 1) : (c, features)
                var mean: Float, inv: Float
                if training {
                    let mu = Reduce.sum(xb + base, count: m, stride: st) / Double(m)
                    let v = Reduce.sumOfSquares(xb + base, count: m, stride: st, minus: Float(mu)) / Double(m)
                    mean = Float(mu); inv = Float(1 / (v + Double(eps)).squareRoot())
                    mp[c] = mean; ip[c] = inv
                    rm[c] = (1 - momentum) * rm[c] + momentum * Float(mu)
                    rv[c] = (1 - momentum) * rv[c] + momentum * Float(v * unbias)
                } else {
                    mean = rm[c]; inv = 1 / (rv[c] + eps).squareRoot()
                }
                let g = gam[c] * inv, b = bet[c] - mean * g
                if st == 1 {
                    Activation.affine(xb + base, yb + base, count: m, scale: g, shift: b, cap: activation?.cap)
                } else {
                    for i in 0..<m { let o = base + i * st; yb[o] = xb[o] * g + b }
                    if let cap = activation?.cap { for i in 0..<m { let o = base + i * st; yb[o] = min(max(yb[o], 0), cap) } }
                }
            }
        }}}}}}
        activation?.remember(y)
        return Tensor(unchecked: x.shape, y)
    }

    /// Inference on CNHW activations in place: x·g + b per channel with the running statistics, with
    /// `activation` applied in the same pass — no new buffer, the memory just read is written back (a shared
    /// buffer is copied first, by copy-on-write). Nothing is kept for a backward pass.
    func inferInPlace(_ x: inout Tensor, then activation: Activation?) {
        precondition(channelsFirst, "in-place inference is for CNHW activations")
        lastTraining = false
        activation?.remember([])
        let m = x.count / max(features, 1), cap = activation?.cap
        let gam = weight.value, bet = bias.value, rm = runningMean.value, rv = runningVar.value
        x.data.withUnsafeMutableBufferPointer { xp in
            let xb = xp.baseAddress!
            Parallel.forEach(features, minPerThread: 4) { c in
                let inv = 1 / (rv[c] + eps).squareRoot(), g = gam[c] * inv, b = bet[c] - rm[c] * g   // as forward
                Activation.affine(xb + c * m, xb + c * m, count: m, scale: g, shift: b, cap: cap)
            }
        }
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let m = channelsFirst ? grad.count / features : grad.shape[0]
        var dx = Buffers.uninitialized(grad.count)
        let training = lastTraining && input.count == grad.count
        grad.data.withUnsafeBufferPointer { gp in
        dx.withUnsafeMutableBufferPointer { dp in
        input.data.withUnsafeBufferPointer { xp in
        weight.grad.withUnsafeMutableBufferPointer { dg in
        bias.grad.withUnsafeMutableBufferPointer { db in
            let gb = gp.baseAddress!, dxb = dp.baseAddress!, xb = xp.baseAddress
            let gam = weight.value, rv = runningVar.value, inv = invStd, mean = means
            Parallel.forEach(features, minPerThread: 4) { c in
                let (base, st) = channelsFirst ? (c * m, 1) : (c, features)
                if training, let xb {
                    // x̂ = (x − μ)·σ⁻¹;  Σdy·x̂ = σ⁻¹·Σdy·(x − μ).
                    let (sdy, sdyd) = Reduce.sumAndDot(gb + base, xb + base, count: m, stride: st, minus: mean[c])
                    let sdyh = sdyd * Double(inv[c])
                    dg[c] += Float(sdyh); db[c] += Float(sdy)
                    let k = gam[c] * inv[c] / Float(m), mf = Float(m)
                    let a = Float(sdy), bh = Float(sdyh) * inv[c], mu = mean[c]
                    if st == 1 {   // sixteen at a time (LLVM does not vectorise the strided loop)
                        let (g, x, d) = (gb + base, xb + base, dxb + base), vm = m / 16 * 16
                        for i in Swift.stride(from: 0, to: vm, by: 16) {
                            let v = k * (mf * Lanes.load16(g + i) - a - (Lanes.load16(x + i) - mu) * bh)
                            Lanes.store16(v, d + i)
                        }
                        for i in vm..<m { d[i] = k * (mf * g[i] - a - (x[i] - mu) * bh) }
                    } else {
                        for i in 0..<m { let o = base + i * st; dxb[o] = k * (mf * gb[o] - a - (xb[o] - mu) * bh) }
                    }
                } else {
                    // Eval mode: y = x·g + b with fixed statistics.
                    let s = gam[c] / (rv[c] + eps).squareRoot()
                    db[c] += Float(Reduce.sum(gb + base, count: m, stride: st))
                    for i in 0..<m { let o = base + i * st; dxb[o] = gb[o] * s }
                }
            }
        }}}}}
        return Tensor(unchecked: grad.shape, dx)
    }
}
