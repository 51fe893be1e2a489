import Foundation
import Imaging
import NeuralNet
import Pipeline

/// The images.prepare `tensors/` folder: class names and, per split, uint8 NHWC images, labels and ids.
struct PreparedTensors {
    /// Class names in index order.
    let classes: [String]
    let folder: URL

    /// Reads classes.json from `folder`.
    init(_ folder: URL, stage: String) throws {
        self.folder = folder
        let url = folder.appendingPathComponent("classes.json")
        guard let obj = try? JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any],
              let classes = obj["classes"] as? [String], !classes.isEmpty else {
            throw StageError.failed(stage: stage, item: nil, reason: "\(url.path) is missing or has no \"classes\" list (run images.prepare)")
        }
        self.classes = classes
    }

    /// Whether the split's tensors exist.
    func has(_ split: String) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(split)_images.npy").path)
    }

    /// The split as a dataset (pixels, side, labels).
    func load(_ split: String, stage: String) throws -> (dataset: Dataset, size: Int) {
        let images = try NpyFile.readUInt8(from: folder.appendingPathComponent("\(split)_images.npy"))
        let labels = try NpyFile.readInt32(from: folder.appendingPathComponent("\(split)_labels.npy"))
        guard images.shape.count == 4, images.shape[3] == 3, images.shape[1] == images.shape[2], images.shape[0] == labels.values.count else {
            throw StageError.failed(stage: stage, item: split, reason: "\(split)_images.npy shape \(images.shape) does not match [N,S,S,3] with \(labels.values.count) labels")
        }
        do {
            let ds = try Dataset(.images(pixels: images.values, height: images.shape[1], width: images.shape[2]),
                                 labels: labels.values.map(Int.init), classes: classes.count)
            return (ds, images.shape[1])
        } catch let e as NeuralNetError {
            throw StageError.failed(stage: stage, item: split, reason: e.description)
        }
    }
}
