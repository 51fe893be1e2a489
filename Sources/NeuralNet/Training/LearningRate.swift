import Foundation

/// A learning-rate schedule: linear warm-up, then constant, step decay or cosine decay.
public struct LearningRate: Sendable, Codable, Equatable {
    /// The decay after warm-up.
    public enum Schedule: Sendable, Codable, Equatable {
        /// The base rate throughout.
        case constant
        /// Multiply by `gamma` every `everyEpochs` epochs.
        case step(everyEpochs: Int, gamma: Double)
        /// Cosine from the base rate to zero over the whole run.
        case cosine
    }

    /// Peak rate.
    public var base: Double
    /// Decay.
    public var schedule: Schedule
    /// Optimiser steps of linear warm-up from base/steps to base.
    public var warmupSteps: Int

    /// A schedule.
    public init(base: Double, schedule: Schedule = .constant, warmupSteps: Int = 0) {
        self.base = base; self.schedule = schedule; self.warmupSteps = warmupSteps
    }

    /// Parses `constant`, `cosine` or `step` (step: ×0.1 every `max(1, epochs/3)` epochs).
    public static func named(_ name: String, base: Double, epochs: Int, warmupSteps: Int = 0) throws -> LearningRate {
        switch name {
        case "constant": return LearningRate(base: base, warmupSteps: warmupSteps)
        case "cosine": return LearningRate(base: base, schedule: .cosine, warmupSteps: warmupSteps)
        case "step": return LearningRate(base: base, schedule: .step(everyEpochs: max(1, epochs / 3), gamma: 0.1), warmupSteps: warmupSteps)
        default: throw NeuralNetError.invalidOption(name: "lr_schedule", value: name, allowed: ["constant", "step", "cosine"])
        }
    }

    /// The rate for optimiser step `step` (0-based) of `totalSteps`, with `stepsPerEpoch` steps per epoch.
    public func rate(step: Int, totalSteps: Int, stepsPerEpoch: Int) -> Float {
        if step < warmupSteps { return Float(base * Double(step + 1) / Double(warmupSteps)) }
        switch schedule {
        case .constant: return Float(base)
        case .step(let every, let gamma):
            let epoch = step / max(1, stepsPerEpoch)
            return Float(base * Foundation.pow(gamma, Double(epoch / max(1, every))))
        case .cosine:
            let span = max(1, totalSteps - warmupSteps)
            let t = Double(step - warmupSteps) / Double(span)
            return Float(base * 0.5 * (1 + cos(Double.pi * min(1, t))))
        }
    }
}
