import Foundation
import Imaging
import NeuralNet
import Pipeline
import Randomness
@testable import Stages
import Testing
import TestSupport

/// model.train / model.evaluate / model.embed on real files in a temp dir: synthetic separable
/// tensors (bright square in one of four quadrants) for training, real Myntra JPEGs for embedding.
@Suite struct ModelStagesTests {
    final class Fixture {
        let dir: URL
        let blobs: BlobStore
        init() throws {
            dir = try TempDir.make("model-stages")
            blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
        }
        deinit { try? FileManager.default.removeItem(at: dir) }

        /// A tensors folder like images.prepare writes: 32 px quadrant images, 4 classes.
        func tensors() throws -> URL {
            let t = dir.appendingPathComponent("tensors")
            try FileManager.default.createDirectory(at: t, withIntermediateDirectories: true)
            var g = SeededGenerator(seed: 1, stream: "tensors")
            for (split, n) in [("train", 128), ("test", 32)] {
                var px = [UInt8](repeating: 0, count: n * 32 * 32 * 3), labels: [Int32] = []
                for i in 0..<n {
                    let c = i % 4; labels.append(Int32(c))
                    for y in 0..<32 { for x in 0..<32 { for ch in 0..<3 {
                        let inside = y / 16 == c / 2 && x / 16 == c % 2 && (y % 16) > 2 && (x % 16) > 2
                        px[((i * 32 + y) * 32 + x) * 3 + ch] = inside ? 220 : UInt8(g.nextInt(below: 60))
                    }}}
                }
                try NpyFile.write(px, shape: [n, 32, 32, 3], to: t.appendingPathComponent("\(split)_images.npy"))
                try NpyFile.write(labels, shape: [n], to: t.appendingPathComponent("\(split)_labels.npy"))
            }
            try Data(#"{"classes": ["A", "B", "C", "D"], "counts": {}}"#.utf8).write(to: t.appendingPathComponent("classes.json"))
            return t
        }

        func context<S: Stage>(_ type: S.Type, _ overrides: [String: JSONValue], inputs: [String: [URL]], journal: InMemoryJournal,
                               name: String) throws -> (S, StageContext) {
            var values: [String: JSONValue] = [:]
            for p in S.parameters { if let d = p.defaultValue { values[p.name] = d } }
            for (k, v) in overrides { values[k] = v }
            let params = StageParameters(values, stageName: name)
            let staging = dir.appendingPathComponent("staging-\(name)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            let ctx = StageContext(stageName: name, parameters: params, inputs: inputs, stagingDirectory: staging,
                                   outputSpecs: S.outputs, journal: journal, blobs: blobs, seed: 42, threads: 2, pipelineDirectory: dir)
            return (try S(parameters: params), ctx)
        }
    }

    static let trainParams: [String: JSONValue] = [
        "backbone": .string("resnet18"), "width": .double(0.125), "epochs": .int(3), "batch_size": .int(16),
        "optimizer": .string("adamw"), "lr": .double(0.003), "hidden": .array([.int(32)]), "dropout": .double(0.1), "augment": .bool(false), // crops/flips would move the square across quadrants
    ]

    @Test func trainResumesBitIdenticallyThenEvaluatesAndEmbeds() async throws {
        let f = try Fixture()
        let data = try f.tensors()
        let full = InMemoryJournal(namespace: "train")
        let (stage, ctx) = try f.context(TrainStage.self, Self.trainParams, inputs: ["data": [data]], journal: full, name: "train")
        try await stage.run(in: ctx)
        let model = ctx.output("model")
        let weights = try Data(contentsOf: model.appendingPathComponent("weights.safetensors"))
        #expect(Set(try full.all().keys) == ["epoch-1", "epoch-2", "epoch-3"])
        let acc = ctx.metrics.filter { $0.name == "test_accuracy" }
        #expect(acc.map(\.step) == [1, 2, 3])
        #expect((acc.last?.value ?? 0) > 0.9)

        // "Killed during epoch 3": only epochs 1–2 are journaled. The resumed run ends bit-identical.
        let partial = InMemoryJournal(namespace: "train")
        try partial.write(try full.all().filter { $0.key != "epoch-3" }.map(\.value))
        let (stage2, ctx2) = try f.context(TrainStage.self, Self.trainParams, inputs: ["data": [data]], journal: partial, name: "train")
        try await stage2.run(in: ctx2)
        #expect(try Data(contentsOf: ctx2.output("model").appendingPathComponent("weights.safetensors")) == weights)
        #expect(ctx2.metrics.filter { $0.name == "test_accuracy" }.map(\.value) == acc.map(\.value))

        // Evaluate.
        let (eval, ectx) = try f.context(EvaluateStage.self, [:], inputs: ["model": [model], "data": [data]], journal: InMemoryJournal(), name: "evaluate")
        try await eval.run(in: ectx)
        let doc = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: ectx.output("evaluation")))
        guard case .object(let o) = doc, case .object(let final)? = o["final"], case .array(let epochs)? = o["epochs"] else {
            Issue.record("evaluation.json shape"); return
        }
        #expect(epochs.count == 3)
        #expect(abs((final["accuracy"]?.doubleValue ?? 0) - (acc.last?.value ?? -1)) < 1e-9)
        #expect(ectx.metrics.contains { $0.name == "macro_f1" && $0.step == 3 })

        // Embed three real photos plus one undecodable blob; the second run computes nothing new.
        let photos = SharedData.url("myntra-products-2k/images")
        var rows = ""
        for (i, id) in ["10000", "10001", "10003"].enumerated() {
            let bytes = try Data(contentsOf: photos.appendingPathComponent("\(id).jpg"))
            let sha = try f.blobs.put(bytes)
            rows += #"{"id": "p\#(i)", "url": "u", "status": "ok", "sha256": "\#(sha)"}"# + "\n"
        }
        let junk = try f.blobs.put(Data("not an image".utf8))
        rows += #"{"id": "bad", "url": "u", "status": "ok", "sha256": "\#(junk)"}"# + "\n"
        rows += #"{"id": "gone", "url": "u", "status": "failed", "sha256": null}"# + "\n"
        let images = f.dir.appendingPathComponent("images.jsonl")
        try Data(rows.utf8).write(to: images)
        let ej = InMemoryJournal(namespace: "embed")
        var outputs: [Data] = [], firstRow: [Float] = []
        for night in 0..<2 {
            let (embed, c) = try f.context(EmbedStage.self, [:], inputs: ["model": [model], "images": [images]], journal: ej, name: "embed")
            try await embed.run(in: c)
            let e = try NpyFile.readFloat32(from: c.output("embeddings"))
            #expect(e.shape == [3, 64])
            firstRow = Array(e.values[0..<64])
            for r in 0..<3 {
                let norm = e.values[(r * 64)..<((r + 1) * 64)].reduce(Float(0)) { $0 + $1 * $1 }
                #expect(abs(norm - 1) < 1e-4)
            }
            #expect(c.summary["computed_now"] == .int(night == 0 ? 3 : 0))
            #expect(c.summary["undecodable"] == .int(1))
            outputs.append(try Data(contentsOf: c.output("embeddings")))
            let ids = String(decoding: try Data(contentsOf: c.output("ids")), as: UTF8.self)
            #expect(ids.split(separator: "\n").count == 3 && ids.contains("\"p2\""))
        }
        #expect(outputs[0] == outputs[1])
        // The single-photo embedder (for `vitrine similar --image`) gives the stage's row.
        let embedder = try ModelEmbedder(modelDirectory: model)
        let one = try embedder.embed(imageData: Data(contentsOf: photos.appendingPathComponent("10000.jpg")))
        #expect(embedder.dimension == 64)
        #expect(zip(one, firstRow).allSatisfy { abs($0 - $1) < 1e-5 })
    }

    @Test func badInputsAreClearStageErrors() async throws {
        let f = try Fixture()
        let data = try f.tensors()
        var p = Self.trainParams; p["backbone"] = .string("alexnet")
        #expect(throws: StageError.self) { _ = try f.context(TrainStage.self, p, inputs: [:], journal: InMemoryJournal(), name: "t") }
        p = Self.trainParams; p["pretrained"] = .string("missing.pth")
        let (s, c) = try f.context(TrainStage.self, p, inputs: ["data": [data]], journal: InMemoryJournal(), name: "t")
        await #expect(throws: StageError.self) { try await s.run(in: c) }
        // A divergent run stops with the epoch and batch named.
        p = Self.trainParams; p["lr"] = .double(1e30); p["optimizer"] = .string("sgd"); p["epochs"] = .int(2)
        let (s2, c2) = try f.context(TrainStage.self, p, inputs: ["data": [data]], journal: InMemoryJournal(), name: "t")
        do { try await s2.run(in: c2); Issue.record("expected failure") } catch let e as StageError {
            #expect(e.description.contains("epoch-") && e.description.contains("batch-"))
        }
    }

    /// `pretrained: imagenet` finds each architecture's own file, and names the architecture when it has none.
    @Test func imagenetWeightsArePerArchitecture() throws {
        let f = try Fixture()
        let weights = f.dir.appendingPathComponent(".weights")
        try FileManager.default.createDirectory(at: weights, withIntermediateDirectories: true)
        for file in ModelFolder.imagenetFiles.values { try Data("x".utf8).write(to: weights.appendingPathComponent(file)) }
        for (arch, file) in [(Architecture.mobilenet_v2, "mobilenet_v2-b0353104.pth"), (.efficientnet_lite0, "efficientnet-lite0-57934424.pth")] {
            let url = try ModelFolder.resolvePretrained("imagenet", architecture: arch, pipelineDirectory: f.dir, stage: "t")
            #expect(url?.lastPathComponent == file)
        }
        for arch in [Architecture.resnet18, .inception_v3, .vgg19] {
            do {
                _ = try ModelFolder.resolvePretrained("imagenet", architecture: arch, pipelineDirectory: f.dir, stage: "t")
                Issue.record("expected an error for \(arch)")
            } catch let e as StageError {
                #expect(e.description.contains("no ImageNet weights for \(arch.rawValue)"))
                #expect(e.description.contains("mobilenet_v2, efficientnet_lite0"))
            }
        }
        if ProcessInfo.processInfo.environment["VITRINE_WEIGHTS"] == nil {
            try FileManager.default.removeItem(at: weights.appendingPathComponent("efficientnet-lite0-57934424.pth"))
            do {
                _ = try ModelFolder.resolvePretrained("imagenet", architecture: .efficientnet_lite0, pipelineDirectory: f.dir, stage: "t")
                Issue.record("expected a missing-file error")
            } catch let e as StageError {
                #expect(e.description.contains("scripts/fetch-weights.sh efficientnet_lite0"))
            }
        }
    }

    /// Inception-v3 on images smaller than it can take (32 px here; it needs 75) is a clear stage error.
    @Test func inceptionRefusesSmallImages() async throws {
        let f = try Fixture()
        var p = Self.trainParams; p["backbone"] = .string("inception_v3")
        let (s, c) = try f.context(TrainStage.self, p, inputs: ["data": [try f.tensors()]], journal: InMemoryJournal(), name: "t")
        do { try await s.run(in: c); Issue.record("expected failure") } catch let e as StageError {
            #expect(e.description.contains("inception_v3 needs images of at least 75 px"))
        }
    }
}
