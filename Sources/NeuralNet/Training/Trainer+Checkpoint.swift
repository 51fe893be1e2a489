import Foundation
import Randomness

/// Checkpoints: one safetensors blob with `model.*` weights and buffers, `optim.*` slots and, in
/// the metadata, the epoch and every generator state, so a resumed run is bit-identical.
extension Trainer {
    /// The whole training state as safetensors bytes.
    public func checkpoint() -> Data {
        var tensors: [String: NamedTensor] = [:]
        for (k, v) in network.stateDict() { tensors["model." + k] = v }
        for (k, v) in optimizer.state() { tensors["optim." + k] = v }
        var meta = ["epoch": String(epoch), "generator": generator.state.map(String.init).joined(separator: ",")]
        for (i, d) in network.dropouts.enumerated() { meta["dropout.\(i)"] = d.generator.state.map(String.init).joined(separator: ",") }
        return Safetensors.encode(tensors, metadata: meta)
    }

    /// Restores a state written by `checkpoint()`.
    public func restore(_ data: Data, source: String = "checkpoint") throws {
        let (tensors, meta) = try Safetensors.decode([UInt8](data), path: source)
        var model: [String: NamedTensor] = [:], optim: [String: NamedTensor] = [:]
        for (k, v) in tensors {
            if k.hasPrefix("model.") { model[String(k.dropFirst(6))] = v } else if k.hasPrefix("optim.") { optim[String(k.dropFirst(6))] = v }
        }
        try network.load(model, requireTop: true)
        optimizer.restore(optim)
        func gen(_ s: String?) throws -> SeededGenerator {
            guard let words = s?.split(separator: ",").compactMap({ UInt64($0) }), let g = SeededGenerator(state: words) else {
                throw NeuralNetError.badWeightFile(path: source, reason: "missing or bad generator state")
            }
            return g
        }
        generator = try gen(meta["generator"])
        for (i, d) in network.dropouts.enumerated() { d.generator = try gen(meta["dropout.\(i)"]) }
        guard let e = meta["epoch"].flatMap(Int.init) else { throw NeuralNetError.badWeightFile(path: source, reason: "missing epoch") }
        restoreEpoch(e)
    }

    /// Evaluates `data` in inference mode in batches of `batchSize`: report plus the predictions.
    public func evaluate(_ data: Dataset, classes: Int, batchSize: Int = 32) -> (ClassificationReport, [Int]) {
        Evaluator(network: network, imageBatch: ImageBatch(mean: imageBatch.mean, std: imageBatch.std)).evaluate(data, classes: classes, batchSize: batchSize)
    }
}
