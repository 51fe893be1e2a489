import Foundation
@testable import NeuralNet
import Randomness

/// Compares a network's logits with a reference fixture (`images`: uint8 NHWC, `logits`: float32
/// [N, classes]) made outside the project by a committed script.
enum ParityCheck {
    /// The largest absolute logit difference and, per image, whether the top-5 classes agree in order.
    static func compare(_ net: Network, fixture: String, imageBatch: ImageBatch) throws -> (maxAbs: Float, sameTop5: [Bool]) {
        let (tensors, _) = try Safetensors.read(Fixtures.nn(fixture))
        guard let images = tensors["images"], let reference = tensors["logits"], images.shape.count == 4 else {
            throw NeuralNetError.badWeightFile(path: fixture, reason: "needs `images` [N, H, W, 3] and `logits`")
        }
        let (n, h, w) = (images.shape[0], images.shape[1], images.shape[2])
        var g = SeededGenerator(seed: 0)
        let x = imageBatch.tensor(images.values.map { UInt8($0) }, height: h, width: w, indices: Array(0..<n), generator: &g)
        let logits = net.forward(x, training: false)
        guard logits.shape == reference.shape else {
            throw NeuralNetError.shapeMismatch(what: "logits", expected: reference.shape, got: logits.shape)
        }
        var worst: Float = 0
        for i in 0..<logits.count { worst = GradientCheck.worse(worst, abs(logits.data[i] - reference.values[i])) }
        let classes = reference.shape[1]
        func top5(_ v: ArraySlice<Float>) -> [Int] { v.indices.sorted { v[$0] > v[$1] }.prefix(5).map { $0 - v.startIndex } }
        let same = (0..<n).map { b in
            top5(logits.data[(b * classes)..<((b + 1) * classes)]) == top5(reference.values[(b * classes)..<((b + 1) * classes)])
        }
        return (worst, same)
    }
}
