import Checkpoints
import Foundation
import Pipeline
import Stages
import Testing
import TestSupport

/// `images.prepare` decoding while `images.download` (same run, real runner, real SQLite state, loopback
/// server that answers slowly) stores the images: same outputs as without, and the work really overlaps.
@Suite struct PrepareWorkAheadTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images/imaging")
    static let files = ["myntra_10000.jpg", "myntra_10615.jpg", "rgb_progressive.jpg", "rgba8.png", "orient_6.jpg",
                        "gray.jpg", "truncated.jpg", "cmyk_adobe.jpg"]

    /// Runs load → download → split → prepare (split needs the download too, so prepare's other input is
    /// not ready while the download runs); returns prepare's summary and outputs.
    func run(workAhead: Bool, threads: Int = 2, budget: Int? = nil) async throws
        -> (summary: [String: JSONValue], outputs: [String: Data], log: String) {
        let dir = try TempDir.make("ahead"); defer { try? FileManager.default.removeItem(at: dir) }
        let server = LoopbackHTTPServer()
        for (i, f) in Self.files.enumerated() {
            let body = try Data(contentsOf: Self.fixtures.appendingPathComponent(f))
            server.route("/img/\(i)") { _, _ in
                usleep(40_000)  // slower than decoding: the work-ahead keeps up with the download
                return .ok(body, contentType: f.hasSuffix(".png") ? "image/png" : "image/jpeg")
            }
        }
        try server.start(); defer { server.stop() }
        var rows = ""
        for i in 0..<Self.files.count {
            rows += "{\"asin\": \"p\(i)\", \"url\": \"\(server.url("/img/\(i)"))\", \"label\": \"L\(i % 2)\", \"title\": \"t\(i)\"}\n"
        }
        try Data(rows.utf8).write(to: dir.appendingPathComponent("products.jsonl"))
        let yaml = """
        stages:
          load: { uses: catalog.load, with: { path: products.jsonl, id_column: asin } }
          download: { uses: images.download, with: { input: load.products, url_column: url, allow_loopback: true, concurrency: 1, failure_threshold: 1.0 } }
          split: { uses: dataset.split, with: { input: load.products, images: download.images, group_column: sha256 } }
          prepare: { uses: images.prepare, with: { input: split.products, images: download.images, size: 32, work_ahead: \(workAhead) } }
        """
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let spec = try PipelineLoader(registry: BuiltinStages.registry).load(dir.appendingPathComponent("p.yaml"))
        let state = dir.appendingPathComponent(".vitrine")
        let store = try SQLiteStore(stateDirectory: state)
        var options = ExecutorOptions(); options.threads = threads
        if let budget { options.feedByteBudget = budget }
        let ex = try Executor(spec: spec, registry: BuiltinStages.registry, store: store, layout: StateLayout(root: state), options: options)
        let id = try store.createRun(pipelinePath: spec.file.path, provenance: .object([:]), startedAt: Date().timeIntervalSince1970)
        let outcome = await ex.run(runID: id)
        #expect(outcome.status == .succeeded, "\(outcome.failed)")
        let out = state.appendingPathComponent("out/prepare")
        var outputs: [String: Data] = [:]
        for f in ["tensors/train_images.npy", "tensors/test_images.npy", "tensors/train.jsonl", "tensors/classes.json", "failures.jsonl"] {
            outputs[f] = try Data(contentsOf: out.appendingPathComponent(f))
        }
        let summary = try JSONValue.parse(try Data(contentsOf: out.appendingPathComponent("summary.json"))).objectValue ?? [:]
        let log = try String(contentsOf: state.appendingPathComponent("logs/\(id)/prepare.log"), encoding: .utf8)
        return (summary, outputs, log)
    }

    @Test func decodesWhileDownloadingWithTheSameOutputs() async throws {
        let ahead = try await run(workAhead: true)
        let plain = try await run(workAhead: false)
        #expect(ahead.outputs == plain.outputs)
        #expect(plain.summary["decoded_ahead"] == .int(0) && plain.summary["decoded"] == .int(7))
        // The slow server leaves the work-ahead time for every image but the last few in flight.
        let early = ahead.summary["decoded_ahead"]?.intValue ?? 0
        #expect(early >= 4 && ahead.summary["decoded"] == .int(7) && ahead.summary["reused_from_journal"] == .int(0), "\(ahead.summary)")
        // With one thread there is no spare one to work ahead on.
        let single = try await run(workAhead: true, threads: 1)
        #expect(single.outputs == plain.outputs && single.summary["decoded_ahead"] == .int(0))
        // Every image decoded ahead came from the bytes the download handed over, none read back…
        #expect(ahead.log.contains("\(early) of the images decoded ahead came as bytes from the download"), "\(ahead.log)")
        // …unless the feed may hold none: then each is read back from the store (and checked), same outputs.
        let readBack = try await run(workAhead: true, budget: 0)
        #expect(readBack.outputs == plain.outputs && readBack.summary["decoded_ahead"]?.intValue ?? 0 >= 4, "\(readBack.summary)")
        #expect(readBack.log.contains("0 of the images decoded ahead came as bytes from the download"), "\(readBack.log)")
        // The truncated JPEG is refused by the download's validation, so prepare lists it as not downloaded.
        #expect(ahead.summary["failures_by_reason"] == .object(["not_downloaded": .int(1)]), "\(ahead.summary)")
    }

    @Test func handedBytesAreDecodedWithoutReadingTheStoreBack() throws {
        let dir = try TempDir.make("handed"); defer { try? FileManager.default.removeItem(at: dir) }
        let shirt = try Data(contentsOf: Self.fixtures.appendingPathComponent("myntra_10000.jpg"))
        let other = try Data(contentsOf: Self.fixtures.appendingPathComponent("gray.jpg"))
        // Hashes from a store of their own: the stage's store holds neither image.
        let elsewhere = try BlobStore(root: dir.appendingPathComponent("elsewhere"))
        let (shirtSHA, otherSHA) = (try elsewhere.put(shirt), try elsewhere.put(other))
        let params = StageParameters(["input": .string("x"), "images": .string("y"), "id_column": .string("asin"),
                                      "label_column": .string("label"), "split_column": .string("split"), "size": .int(32),
                                      "mode": .string("pad"), "samples_per_class": .int(2), "max_failure_rate": .double(1.0),
                                      "work_ahead": .bool(true)],
                                     stageName: "prepare")
        let journal = InMemoryJournal()
        let ctx = StageContext(stageName: "prepare", parameters: params, stagingDirectory: dir, journal: journal,
                               blobs: try BlobStore(root: dir.appendingPathComponent("blobs")), threads: 2)
        let feed = ItemFeed()
        feed.send(shirtSHA, bytes: shirt)
        feed.send(otherSHA)
        let stage = try PrepareStage(parameters: params)
        let worker = Thread { _ = try? stage.workAhead(on: feed, in: ctx) }
        worker.start()
        let deadline = Date().addingTimeInterval(20)
        while feed.waiting > 0 && Date() < deadline { usleep(10_000) }
        feed.finish()   // both taken: the worker finishes them, flushes and returns
        while ((try? journal.all().count) ?? 0) < 2 && Date() < deadline { usleep(10_000) }
        let records = Array(try journal.all().values)
        #expect(records.filter { $0.status == .done }.count == 1, "the handed bytes decode though the store lacks them: \(records)")
        #expect(records.filter { $0.status == .failed && $0.errorClass == "missing_blob" }.count == 1,
                "an item without bytes is read from the store, where it is missing: \(records)")
    }
}
