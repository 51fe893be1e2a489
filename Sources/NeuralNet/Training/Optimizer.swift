import Foundation

/// Which update rule.
public enum OptimizerKind: String, CaseIterable, Sendable, Codable {
    /// SGD with momentum (PyTorch semantics: L2 weight decay added to the gradient).
    case sgd
    /// SGD with Nesterov momentum.
    case nesterov
    /// Adam with L2 weight decay added to the gradient.
    case adam
    /// AdamW: decoupled weight decay.
    case adamw

    /// Parses a name, throwing a clear error listing the known ones.
    public static func named(_ name: String) throws -> OptimizerKind {
        guard let k = OptimizerKind(rawValue: name.lowercased()) else {
            throw NeuralNetError.invalidOption(name: "optimizer", value: name, allowed: allCases.map(\.rawValue))
        }
        return k
    }
}

/// Optimiser settings.
public struct OptimizerConfig: Sendable, Codable, Equatable {
    /// Update rule.
    public var kind: OptimizerKind
    /// Momentum for SGD (β₁ is separate for Adam).
    public var momentum: Float = 0.9
    /// Weight decay (L2 for sgd/adam, decoupled for adamw).
    public var weightDecay: Float = 0
    /// Adam's β₁, β₂ and ε.
    public var beta1: Float = 0.9, beta2: Float = 0.999, eps: Float = 1e-8

    /// Settings for `kind` with `weightDecay`.
    public init(kind: OptimizerKind, weightDecay: Float = 0, momentum: Float = 0.9) {
        self.kind = kind; self.weightDecay = weightDecay; self.momentum = momentum
    }
}

/// Updates parameters from their gradients; its per-parameter state is part of a checkpoint.
public final class Optimizer {
    /// Settings.
    public let config: OptimizerConfig
    /// Updates applied so far.
    public private(set) var steps = 0
    private var slots: [String: [Float]] = [:]

    /// An optimiser with no state yet.
    public init(_ config: OptimizerConfig) { self.config = config }

    /// Applies one update with learning rate `lr` to every trainable parameter.
    public func update(_ parameters: [Parameter], lr: Float) {
        steps += 1
        let c = config
        let bc1 = 1 - pow(c.beta1, Float(steps)), bc2 = 1 - pow(c.beta2, Float(steps))
        for p in parameters where p.trainable && !p.grad.isEmpty {
            let n = p.count
            switch c.kind {
            case .sgd, .nesterov:
                // Taken out of the dictionary while updated, so the buffer is not copied on write every step.
                // A fresh buffer of zeros gives PyTorch's first step (buf = d) exactly: 0.9 · 0 + d == d.
                var buf = slots.removeValue(forKey: "buf." + p.name) ?? [Float](repeating: 0, count: n)
                let (mu, wd, nesterov) = (c.momentum, c.weightDecay, c.kind == .nesterov)
                p.value.withUnsafeMutableBufferPointer { wp in p.grad.withUnsafeBufferPointer { gp in buf.withUnsafeMutableBufferPointer { bp in
                    let (w, g, b) = (wp.baseAddress!, gp.baseAddress!, bp.baseAddress!)
                    // Element-wise, so split over the engine's threads without changing any result.
                    Parallel.forEachRange(n) { r in
                        if nesterov {
                            for i in r { let d = g[i] + wd * w[i]; b[i] = mu * b[i] + d; w[i] -= lr * (d + mu * b[i]) }
                        } else {
                            for i in r { let d = g[i] + wd * w[i]; b[i] = mu * b[i] + d; w[i] -= lr * b[i] }
                        }
                    }
                }}}
                slots["buf." + p.name] = buf
            case .adam, .adamw:
                var m = slots.removeValue(forKey: "m." + p.name) ?? [Float](repeating: 0, count: n)
                var v = slots.removeValue(forKey: "v." + p.name) ?? [Float](repeating: 0, count: n)
                let (b1, b2, eps, wd) = (c.beta1, c.beta2, c.eps, c.weightDecay)
                let decoupled = c.kind == .adamw
                p.value.withUnsafeMutableBufferPointer { wp in p.grad.withUnsafeBufferPointer { gp in
                m.withUnsafeMutableBufferPointer { mb in v.withUnsafeMutableBufferPointer { vb in
                    let (w, g, mp, vp) = (wp.baseAddress!, gp.baseAddress!, mb.baseAddress!, vb.baseAddress!)
                    Parallel.forEachRange(n) { r in
                        for i in r {
                            if decoupled { w[i] *= 1 - lr * wd }
                            let gi = decoupled ? g[i] : g[i] + wd * w[i]
                            mp[i] = b1 * mp[i] + (1 - b1) * gi
                            vp[i] = b2 * vp[i] + (1 - b2) * gi * gi
                            w[i] -= lr * (mp[i] / bc1) / ((vp[i] / bc2).squareRoot() + eps)
                        }
                    }
                }}}}
                slots["m." + p.name] = m; slots["v." + p.name] = v
            }
        }
    }

    /// The state to checkpoint: every slot plus the step count.
    public func state() -> [String: NamedTensor] {
        var out: [String: NamedTensor] = ["steps": NamedTensor(shape: [], values: [Float(steps)], isInteger: true)]
        for (k, v) in slots { out[k] = NamedTensor(shape: [v.count], values: v) }
        return out
    }

    /// Restores what `state()` returned.
    public func restore(_ state: [String: NamedTensor]) {
        slots = [:]
        for (k, v) in state where k != "steps" { slots[k] = v.values }
        steps = Int(state["steps"]?.values.first ?? 0)
    }
}

@inline(__always) private func pow(_ a: Float, _ b: Float) -> Float { Float(exp(Double(b) * log(Double(a)))) }
