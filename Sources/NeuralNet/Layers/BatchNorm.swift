/// Batch normalisation over channels, torchvision-compatible (`weight`, `bias`, `running_mean`,
/// `running_var`, `num_batches_tracked`; momentum 0.1, unbiased running variance).
/// Works on CNHW activations (`channelsFirst`, 2-D) and on `[N, F]` features (1-D).
public final class BatchNorm: Layer {
    /// γ, β and the running statistics.
    public let weight: Parameter, bias: Parameter, runningMean: Parameter, runningVar: Parameter, batches: Parameter
    let features: Int, eps: Float, momentum: Float, channelsFirst: Bool
    private var xhat: [Float] = [], invStd: [Float] = [], lastShape: [Int] = [], lastTraining = false

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

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        lastShape = x.shape; lastTraining = training
        let m = channelsFirst ? x.count / features : x.shape[0]
        var y = [Float](repeating: 0, count: x.count)
        if training {
            xhat = [Float](repeating: 0, count: x.count)
            invStd = [Float](repeating: 0, count: features)
            batches.value[0] += 1
        }
        let unbias = m > 1 ? Double(m) / Double(m - 1) : 1
        x.data.withUnsafeBufferPointer { xp in
        y.withUnsafeMutableBufferPointer { yp in
        xhat.withUnsafeMutableBufferPointer { hp in
        invStd.withUnsafeMutableBufferPointer { ip in
        runningMean.value.withUnsafeMutableBufferPointer { rm in
        runningVar.value.withUnsafeMutableBufferPointer { rv in
            let xb = xp.baseAddress!, yb = yp.baseAddress!
            let hb = hp.baseAddress, ib = ip.baseAddress
            let gam = weight.value, bet = bias.value
            Parallel.forEach(features, minPerThread: 4) { c in
                let (base, st) = channelsFirst ? (c * m, 1) : (c, features)
                var mean: Float, inv: Float
                if training {
                    var s = 0.0
                    for i in 0..<m { s += Double(xb[base + i * st]) }
                    let mu = s / Double(m)
                    var v = 0.0
                    for i in 0..<m { let t = Double(xb[base + i * st]) - mu; v += t * t }
                    v /= Double(m)
                    mean = Float(mu); inv = Float(1 / (v + Double(eps)).squareRoot())
                    ib![c] = inv
                    rm[c] = (1 - momentum) * rm[c] + momentum * Float(mu)
                    rv[c] = (1 - momentum) * rv[c] + momentum * Float(v * unbias)
                } else {
                    mean = rm[c]; inv = 1 / (rv[c] + eps).squareRoot()
                }
                let g = gam[c] * inv, b = bet[c] - mean * g
                if training, let hb {
                    for i in 0..<m { let o = base + i * st; let h = (xb[o] - mean) * inv; hb[o] = h; yb[o] = h * gam[c] + bet[c] }
                } else {
                    for i in 0..<m { let o = base + i * st; yb[o] = xb[o] * g + b }
                }
            }
        }}}}}}
        return Tensor(unchecked: x.shape, y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let m = channelsFirst ? grad.count / features : grad.shape[0]
        var dx = [Float](repeating: 0, count: grad.count)
        let training = lastTraining && !xhat.isEmpty
        grad.data.withUnsafeBufferPointer { gp in
        dx.withUnsafeMutableBufferPointer { dp in
        xhat.withUnsafeBufferPointer { hp in
        weight.grad.withUnsafeMutableBufferPointer { dg in
        bias.grad.withUnsafeMutableBufferPointer { db in
            let gb = gp.baseAddress!, dxb = dp.baseAddress!, hb = hp.baseAddress
            let gam = weight.value, rv = runningVar.value, inv = invStd
            Parallel.forEach(features, minPerThread: 4) { c in
                let (base, st) = channelsFirst ? (c * m, 1) : (c, features)
                var sdy = 0.0, sdyh = 0.0
                if training, let hb {
                    for i in 0..<m { let o = base + i * st; sdy += Double(gb[o]); sdyh += Double(gb[o] * hb[o]) }
                    dg[c] += Float(sdyh); db[c] += Float(sdy)
                    let k = gam[c] * inv[c] / Float(m)
                    let a = Float(sdy), b = Float(sdyh), mf = Float(m)
                    for i in 0..<m { let o = base + i * st; dxb[o] = k * (mf * gb[o] - a - hb[o] * b) }
                } else {
                    // Eval mode: y = x·g + b with fixed statistics.
                    let i0 = 1 / (rv[c] + eps).squareRoot()
                    for i in 0..<m { let o = base + i * st; sdy += Double(gb[o]); dxb[o] = gb[o] * gam[c] * i0 }
                    db[c] += Float(sdy)
                }
            }
        }}}}}
        return Tensor(unchecked: lastShape, dx)
    }
}
