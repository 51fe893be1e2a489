import Foundation
import Randomness

/// Settings for a training run.
public struct TrainConfig: Sendable, Codable, Equatable {
    /// Passes over the training set.
    public var epochs: Int = 5
    /// Examples per optimiser step.
    public var batchSize: Int = 4
    /// Optimiser.
    public var optimizer: OptimizerConfig = OptimizerConfig(kind: .adam)
    /// Learning-rate schedule.
    public var learningRate: LearningRate = LearningRate(base: 1e-3)
    /// Label smoothing for the loss.
    public var labelSmoothing: Float = 0
    /// Random crops and flips (image input only).
    public var augment: Bool = false
    /// Seed for shuffling, augmentation and dropout.
    public var seed: UInt64 = 0

    /// Defaults: 5 epochs, batch 4, Adam 1e-3 (the research's setup).
    public init() {}
}

/// What one epoch did.
public struct EpochStats: Sendable, Codable, Equatable {
    /// 1-based epoch number.
    public var epoch: Int
    /// Mean training loss and accuracy.
    public var loss: Double, accuracy: Double
    /// Wall time and throughput.
    public var seconds: Double, imagesPerSecond: Double
}

/// Runs epochs over a dataset with deterministic order, augmentation and dropout, and saves/restores
/// everything needed to continue bit-identically (weights, buffers, optimiser slots, generators).
public final class Trainer {
    /// The model being trained.
    public let network: Network
    /// Run settings.
    public let config: TrainConfig
    /// The optimiser.
    public let optimizer: Optimizer
    /// Completed epochs.
    public private(set) var epoch = 0
    /// Draws shuffles and augmentation.
    public internal(set) var generator: SeededGenerator
    /// Normalisation/augmentation of image batches (the architecture's normalisation by default).
    public var imageBatch: ImageBatch
    /// When true only the head trains (the backbone's weights are frozen).
    public let headOnly: Bool

    /// A trainer; `headOnly` freezes the backbone (train on precomputed features).
    public init(network: Network, config: TrainConfig, headOnly: Bool = false) {
        self.network = network; self.config = config; self.headOnly = headOnly
        optimizer = Optimizer(config.optimizer)
        generator = SeededGenerator(seed: config.seed, stream: "train")
        imageBatch = ImageBatch(for: network.config.architecture, augment: config.augment)
        if headOnly { for p in network.backbone.parameters { p.trainable = false } }
    }

    private func batches(_ n: Int) -> Int { let b = max(1, config.batchSize); return n / b + (n % b > 1 ? 1 : 0) }

    /// One pass over `data`; `onBatch(batchIndex, batches, loss)` reports progress.
    /// Throws `nonFiniteLoss` naming the epoch and batch when the loss blows up.
    @discardableResult
    public func trainEpoch(_ data: Dataset, onBatch: (Int, Int, Float) -> Void = { _, _, _ in }) throws -> EpochStats {
        let start = Date()
        var order = Array(0..<data.count)
        generator.shuffle(&order)
        let bs = max(1, config.batchSize), nb = batches(data.count)
        let loss = SoftmaxCrossEntropy(labelSmoothing: config.labelSmoothing)
        let total = nb * config.epochs
        var lossSum = 0.0, correct = 0, seen = 0
        let params = network.parameters.filter { $0.trainable }
        for b in 0..<nb {
            let idx = Array(order[(b * bs)..<min(data.count, (b + 1) * bs)])
            let labels = idx.map { data.labels[$0] }
            let logits: Tensor
            switch data.examples {
            case .images(let pixels, let h, let w):
                let x = imageBatch.tensor(pixels, height: h, width: w, indices: idx, generator: &generator)
                logits = network.forward(x, training: true)
            case .features(let values, let d):
                var rows = [Float](); rows.reserveCapacity(idx.count * d)
                for i in idx { rows += values[(i * d)..<((i + 1) * d)] }
                logits = network.top.forward(Tensor(unchecked: [idx.count, d], rows), training: true)
            }
            let (l, grad, _) = loss.evaluate(logits: logits, labels: labels)
            guard l.isFinite else { throw NeuralNetError.nonFiniteLoss(epoch: epoch + 1, batch: b + 1, value: l) }
            for p in params { p.zeroGrad() }
            if case .features = data.examples { _ = network.top.backward(grad) } else { network.backward(grad, headOnly: headOnly) }
            let lr = config.learningRate.rate(step: epoch * nb + b, totalSteps: total, stepsPerEpoch: nb)
            optimizer.update(params, lr: lr)
            lossSum += Double(l) * Double(idx.count); seen += idx.count
            correct += zip(Trainer.argmax(logits), labels).filter { $0 == $1 }.count
            onBatch(b + 1, nb, l)
        }
        epoch += 1
        let secs = Date().timeIntervalSince(start)
        return EpochStats(epoch: epoch, loss: lossSum / Double(max(seen, 1)), accuracy: Double(correct) / Double(max(seen, 1)),
                          seconds: secs, imagesPerSecond: Double(seen) / max(secs, 1e-9))
    }

    /// Sets the completed-epoch counter (used when restoring a checkpoint).
    func restoreEpoch(_ e: Int) { epoch = e }

    /// Index of the largest logit per row.
    public static func argmax(_ logits: Tensor) -> [Int] {
        let (n, k) = (logits.shape[0], logits.shape[1])
        return (0..<n).map { b in
            var best = 0
            for j in 1..<k where logits.data[b * k + j] > logits.data[b * k + best] { best = j }
            return best
        }
    }
}
