import Foundation
import NeuralNet
import Pipeline

/// The `model/` artifact: `weights.safetensors`, `model.json` and per-epoch `metrics.json`.
struct ModelFolder {
    /// Contents of model.json.
    struct Info: Codable {
        var architecture: String
        var width: Double
        var num_classes: Int
        var classes: [String]
        var input_size: Int
        var mean: [Float]
        var std: [Float]
        var embedding_dim: Int
        var fingerprint: String
        var hidden: [Int]
        var dropout: Double
        var pretrained: String
        var freeze_backbone: Bool
    }

    /// Writes the folder; returns the fingerprint (sha256 of the weights file).
    static func write(_ network: Network, info: Info, epochs: [JSONValue], to dir: URL) throws -> String {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let weights = Safetensors.encode(network.stateDict(), metadata: ["format": "pt", "architecture": info.architecture])
        try FileIO.writeAtomically(weights, to: dir.appendingPathComponent("weights.safetensors"))
        var info = info
        info.fingerprint = ContentHash.sha256(weights)
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try FileIO.writeAtomically(try enc.encode(info), to: dir.appendingPathComponent("model.json"))
        try FileIO.writeAtomically(Data((JSONValue.object(["epochs": .array(epochs)]).canonical + "\n").utf8),
                                   to: dir.appendingPathComponent("metrics.json"))
        return info.fingerprint
    }

    /// Reads model.json and builds the network with its weights.
    static func load(_ dir: URL, stage: String) throws -> (Network, Info) {
        let infoURL = dir.appendingPathComponent("model.json")
        guard let data = try? Data(contentsOf: infoURL), let info = try? JSONDecoder().decode(Info.self, from: data) else {
            throw StageError.failed(stage: stage, item: nil, reason: "\(infoURL.path) is missing or unreadable (run model.train)")
        }
        do {
            let arch = try Architecture.named(info.architecture)
            let net = try Network(NetworkConfig(architecture: arch, width: info.width, numClasses: info.num_classes,
                                                hidden: info.hidden, dropout: info.dropout), seed: 0, initialize: false)
            try net.load(Safetensors.read(dir.appendingPathComponent("weights.safetensors")).tensors, requireTop: true)
            return (net, info)
        } catch let e as NeuralNetError {
            throw StageError.failed(stage: stage, item: nil, reason: e.description)
        }
    }

    /// A classification report as JSON (with class names).
    static func json(_ r: ClassificationReport, classes: [String]) -> JSONValue {
        func per(_ v: [Double]) -> JSONValue { .object(Dictionary(uniqueKeysWithValues: zip(classes, v.map { JSONValue.double($0) }))) }
        return .object([
            "accuracy": .double(r.accuracy), "loss": .double(r.loss), "count": .int(r.count),
            "precision": per(r.precision), "recall": per(r.recall), "f1": per(r.f1),
            "macro_precision": .double(r.macroPrecision), "macro_recall": .double(r.macroRecall), "macro_f1": .double(r.macroF1),
            "confusion": .array(r.confusion.map { .array($0.map { .int($0) }) }), "classes": .array(classes.map { .string($0) }),
        ])
    }

    /// The ImageNet weight file scripts/fetch-weights.sh fetches for each architecture that has one.
    static let imagenetFiles: [Architecture: String] = [
        .mobilenet_v2: "mobilenet_v2-b0353104.pth",
        .efficientnet_lite0: "efficientnet-lite0-57934424.pth",
    ]

    /// Resolves `pretrained`: "none"/"" → nil; "imagenet" → the architecture's file (`imagenetFiles`) in
    /// $VITRINE_WEIGHTS or `.weights/` beside the pipeline; anything else → a path relative to the pipeline folder.
    static func resolvePretrained(_ value: String, architecture: Architecture, pipelineDirectory: URL, stage: String) throws -> URL? {
        if value.isEmpty || value == "none" { return nil }
        if value == "imagenet" {
            guard let file = imagenetFiles[architecture] else {
                let have = Architecture.allCases.filter { imagenetFiles[$0] != nil }.map(\.rawValue).joined(separator: ", ")
                throw StageError.invalidParameter(stage: stage, parameter: "pretrained",
                    reason: "no ImageNet weights for \(architecture.rawValue) on these machines (available: \(have)); give a .pth/.safetensors path for \(architecture.rawValue)")
            }
            var candidates: [URL] = []
            if let env = ProcessInfo.processInfo.environment["VITRINE_WEIGHTS"] { candidates.append(URL(fileURLWithPath: env).appendingPathComponent(file)) }
            var dir = pipelineDirectory
            for _ in 0..<4 { candidates.append(dir.appendingPathComponent(".weights/" + file)); dir = dir.deletingLastPathComponent() }
            guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
                throw StageError.invalidParameter(stage: stage, parameter: "pretrained",
                    reason: "\(file) not found in $VITRINE_WEIGHTS or .weights/ (run scripts/fetch-weights.sh \(architecture.rawValue))")
            }
            return found
        }
        let url = value.hasPrefix("/") ? URL(fileURLWithPath: value) : pipelineDirectory.appendingPathComponent(value)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StageError.invalidParameter(stage: stage, parameter: "pretrained", reason: "no weight file at \(url.path)")
        }
        return url
    }

    /// Reads a `.pth` or `.safetensors` state dict.
    static func readWeights(_ url: URL) throws -> [String: NamedTensor] {
        url.pathExtension == "safetensors" ? try Safetensors.read(url).tensors : try TorchCheckpoint.read(url)
    }
}
