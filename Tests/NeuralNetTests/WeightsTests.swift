import Foundation
import Testing
@testable import NeuralNet
import Randomness

/// Fixtures: Tests/Fixtures/nn, made by scripts/weights-fixtures.py (torch 2.15 CPU, torchvision 0.29).
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static func nn(_ name: String) -> URL { root.appendingPathComponent("Tests/Fixtures/nn/" + name) }
    static var mobilenetWeights: URL {
        if let dir = ProcessInfo.processInfo.environment["VITRINE_WEIGHTS"] {
            return URL(fileURLWithPath: dir).appendingPathComponent("mobilenet_v2-b0353104.pth")
        }
        return root.appendingPathComponent(".weights/mobilenet_v2-b0353104.pth")
    }
    static var hasMobilenetWeights: Bool { FileManager.default.fileExists(atPath: mobilenetWeights.path) }
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
    @Test(.enabled(if: Fixtures.hasMobilenetWeights, "needs .weights/mobilenet_v2-b0353104.pth (scripts/fetch-weights.sh)"))
    func mobilenetV2ImageNetParity() throws {
        let (fixture, _) = try Safetensors.read(Fixtures.nn("mobilenet_v2_parity.safetensors"))
        let images = try #require(fixture["images"]), reference = try #require(fixture["logits"])
        let net = try Network(.imagenet(.mobilenet_v2), seed: 0, initialize: false)
        #expect(try net.load(TorchCheckpoint.read(Fixtures.mobilenetWeights), requireTop: true) == 314)
        var g = SeededGenerator(seed: 0)
        let x = ImageBatch().tensor(images.values.map { UInt8($0) }, height: 112, width: 112, indices: [0, 1, 2], generator: &g)
        let logits = net.forward(x, training: false)
        #expect(logits.shape == [3, 1000])
        var worst: Float = 0
        for i in 0..<logits.count { worst = max(worst, abs(logits.data[i] - reference.values[i])) }
        #expect(worst < 1e-3, "max abs diff \(worst)")
        func top5(_ v: ArraySlice<Float>) -> [Int] { v.indices.sorted { v[$0] > v[$1] }.prefix(5).map { $0 - v.startIndex } }
        for b in 0..<3 {
            #expect(top5(logits.data[(b * 1000)..<((b + 1) * 1000)]) == top5(reference.values[(b * 1000)..<((b + 1) * 1000)]))
        }
    }
}
