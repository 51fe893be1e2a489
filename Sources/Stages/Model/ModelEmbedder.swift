import Foundation
import Imaging
import NeuralNet
import Pipeline

/// Embeds single photos with a trained model folder, exactly as `model.embed` does (for `vitrine similar --image`).
public final class ModelEmbedder {
    /// Embedding width (1280 for MobileNetV2).
    public let dimension: Int
    /// sha256 of the model's weights file (matches model.json and the embed stage's summary).
    public let fingerprint: String
    /// Thumbnail side the model was trained at.
    public let inputSize: Int
    private let evaluator: Evaluator

    /// Loads `model/` (weights.safetensors + model.json) written by `model.train`.
    public init(modelDirectory: URL, threads: Int = 2) throws {
        BLAS.setThreads(threads)
        let (network, info) = try ModelFolder.load(modelDirectory, stage: "embedder")
        dimension = network.featureDim; fingerprint = info.fingerprint; inputSize = info.input_size
        evaluator = Evaluator(network: network, imageBatch: ImageBatch(mean: info.mean, std: info.std))
    }

    /// The L2-normalised embedding of an encoded image (JPEG/PNG bytes); throws when it cannot be decoded.
    public func embed(imageData: Data, mode: FitMode = .pad) throws -> [Float] {
        let thumb = try makeThumbnail(imageData, size: inputSize, mode: mode)
        var feats = evaluator.features(thumb.pixels, height: inputSize, width: inputSize, batchSize: 1)
        return EmbedStage.normalize(&feats, row: 0, dim: dimension)
    }
}
