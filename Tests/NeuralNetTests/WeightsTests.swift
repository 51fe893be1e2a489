import Foundation
import Testing
@testable import NeuralNet
import Randomness

/// Fixtures: Tests/Fixtures/nn, made by scripts/weights-fixtures.py, scripts/efficientnet-lite0-reference.py and
/// scripts/inception-v3-reference.py (torch 2.15 CPU, torchvision 0.29).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func nn(_ name: String) -> URL { root.appendingPathComponent("Tests/Fixtures/nn/" + name) }
    /// The ImageNet files scripts/fetch-weights.sh fetches.
    static let mobilenetFile = "mobilenet_v2-b0353104.pth", liteFile = "efficientnet-lite0-57934424.pth"
    /// A file fetched by scripts/fetch-weights.sh, in $VITRINE_WEIGHTS or .weights/.
    static func weights(_ file: String) -> URL {
        if let dir = ProcessInfo.processInfo.environment["VITRINE_WEIGHTS"] {
            return URL(fileURLWithPath: dir).appendingPathComponent(file)
        }
        return root.appendingPathComponent(".weights/" + file)
    }
    /// Whether `file` has been fetched (tests that need it are skipped otherwise).
    static func hasWeights(_ file: String) -> Bool { FileManager.default.fileExists(atPath: weights(file).path) }
}

@Suite struct WeightsTests {
    @Test(arguments: ["tiny_legacy.pth", "tiny_zip.pth"])
    func readsTorchCheckpoints(file: String) throws {
        let sd = try TorchCheckpoint.read(Fixtures.nn(file))
        #expect(Set(sd.keys) == ["conv.weight", "view.t", "bn.num_batches_tracked", "double.values"])
        #expect(sd["conv.weight"]?.shape == [2, 3, 2, 2])
        #expect(sd["conv.weight"]?.values == (0..<24).map { Float($0) * 0.5 })
        // A transposed (non-contiguous) view is materialised in its logical order.
        #expect(sd["view.t"]?.shape == [3, 2])
        #expect(sd["view.t"]?.values == [0, 3, 1, 4, 2, 5])
        #expect(sd["bn.num_batches_tracked"] == NamedTensor(shape: [], values: [7], isInteger: true))
        #expect(sd["double.values"]?.values == [1.5, -2])
    }

    @Test func safetensorsRoundTrip() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-st-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let tensors = ["a.weight": NamedTensor(shape: [2, 2], values: [1, -2, 3.5, .pi]),
                       "a.n": NamedTensor(shape: [], values: [42], isInteger: true)]
        let url = dir.appendingPathComponent("w.safetensors")
        try Safetensors.write(tensors, metadata: ["epoch": "3"], to: url)
        let (back, meta) = try Safetensors.read(url)
        #expect(back == tensors)
        #expect(meta == ["epoch": "3"])
        // Truncated data is a clear error, not a crash.
        let bytes = try Data(contentsOf: url)
        #expect(throws: NeuralNetError.self) { try Safetensors.decode([UInt8](bytes.prefix(bytes.count - 3)), path: "cut") }
    }

    @Test func refusesForeignGlobalsAndTruncation() throws {
        // pickle protocol 2: os.system("echo") — must be refused without executing anything.
        var evil: [UInt8] = [0x80, 0x02, 0x63] + Array("os\nsystem\n".utf8)
        evil += [0x58, 4, 0, 0, 0] + Array("echo".utf8) + [0x85, 0x52, 0x2E]
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nn-evil-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("evil.pth")
        try Data(evil).write(to: url)
        #expect(throws: NeuralNetError.forbiddenGlobal(module: "os", name: "system")) { try TorchCheckpoint.read(url) }
        for file in ["tiny_legacy.pth", "tiny_zip.pth"] {
            let whole = try Data(contentsOf: Fixtures.nn(file))
            let cut = dir.appendingPathComponent("cut-" + file)
            try whole.prefix(whole.count * 2 / 3).write(to: cut)
            #expect(throws: NeuralNetError.self) { try TorchCheckpoint.read(cut) }
        }
    }

    @Test func wrongShapeWeightIsRejected() throws {
        let net = try Network(NetworkConfig(architecture: .mobilenet_v2, width: 0.25, numClasses: 3), seed: 1, initialize: false)
        var sd = net.stateDict()
        sd["features.0.0.weight"] = NamedTensor(shape: [1, 2, 3], values: [0, 0, 0, 0, 0, 0])
        #expect(throws: NeuralNetError.self) { try net.load(sd) }
        sd = net.stateDict(); sd["bogus.weight"] = NamedTensor(shape: [1], values: [0])
        #expect(throws: NeuralNetError.unexpectedWeight(name: "bogus.weight")) { try net.load(sd) }
    }

    /// ImageNet MobileNetV2 on three real photos: logits within 1e-3 max-abs of torchvision's, same top-5.
    @Test(.enabled(if: Fixtures.hasWeights(Fixtures.mobilenetFile), "needs .weights/mobilenet_v2-b0353104.pth (scripts/fetch-weights.sh)"))
    func mobilenetV2ImageNetParity() throws {
        let net = try Network(.imagenet(.mobilenet_v2), seed: 0, initialize: false)
        #expect(try net.load(TorchCheckpoint.read(Fixtures.weights(Fixtures.mobilenetFile)), requireTop: true) == 314)
        let (worst, sameTop5) = try ParityCheck.compare(net, fixture: "mobilenet_v2_parity.safetensors", imageBatch: ImageBatch())
        #expect(worst < 1e-3, "max abs diff \(worst)")
        #expect(sameTop5 == [true, true, true])
    }

    /// The ImageNet EfficientNet-Lite0 checkpoint loads strictly (all 296 tensors used, shapes checked) and
    /// gives, on four real photos at 128 px, logits within 1e-3 max-abs of the PyTorch reference
    /// (scripts/efficientnet-lite0-reference.py: TF "same" padding, eps 1e-3, (x - 127) / 128), same top-5.
    @Test(.enabled(if: Fixtures.hasWeights(Fixtures.liteFile), "needs .weights/efficientnet-lite0-57934424.pth (scripts/fetch-weights.sh efficientnet_lite0)"))
    func efficientnetLite0ImageNetParity() throws {
        let file = try TorchCheckpoint.read(Fixtures.weights(Fixtures.liteFile))
        #expect(file.count == 296)
        let net = try Network(.imagenet(.efficientnet_lite0), seed: 0, initialize: false)
        #expect(Set(net.parameters.map(\.name)) == Set(file.keys))
        #expect(try net.load(file, requireTop: true) == 296)
        let (worst, sameTop5) = try ParityCheck.compare(net, fixture: "efficientnet_lite0_parity.safetensors",
                                                         imageBatch: ImageBatch(for: .efficientnet_lite0))
        #expect(worst < 1e-3, "max abs diff \(worst)")
        #expect(sameTop5 == [true, true, true, true])
        // Without the checked conventions the logits are far off (symmetric padding, eps 1e-5, or ImageNet mean/std).
        let (wrongScale, _) = try ParityCheck.compare(net, fixture: "efficientnet_lite0_parity.safetensors", imageBatch: ImageBatch())
        #expect(wrongScale > 0.5)
    }

    /// A lite0 checkpoint with a tensor missing or of the wrong shape is refused, naming the tensor.
    @Test(.enabled(if: Fixtures.hasWeights(Fixtures.liteFile), "needs .weights/efficientnet-lite0-57934424.pth (scripts/fetch-weights.sh efficientnet_lite0)"))
    func efficientnetLite0LoadIsStrict() throws {
        var file = try TorchCheckpoint.read(Fixtures.weights(Fixtures.liteFile))
        let net = try Network(NetworkConfig(architecture: .efficientnet_lite0, numClasses: 4), seed: 0, initialize: false)
        // The research head replaces `_fc`: every backbone tensor (294) loads, `_fc.*` is ignored.
        #expect(try net.load(file) == 294)
        file["_blocks.3._depthwise_conv.weight"] = NamedTensor(shape: [144, 1, 3, 3], values: [Float](repeating: 0, count: 144 * 9))
        #expect(throws: NeuralNetError.self) { try net.load(file) }
        file["_blocks.3._depthwise_conv.weight"] = nil
        #expect(throws: NeuralNetError.missingWeight(name: "_blocks.3._depthwise_conv.weight")) { try net.load(file) }
    }
}
