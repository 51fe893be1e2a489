import Foundation
import Pipeline
@testable import Stages
import Testing
import TestSupport

/// `images.download` against the real loopback server: outputs, resume after cancellation,
/// nightly increments, known-dead URLs, revalidation, identical images and the failure threshold.
@Suite struct DownloadStageTests {
    /// One state directory (journal + blobs) reused across "nights".
    final class Fixture: @unchecked Sendable {
        let dir: URL
        let server: LoopbackHTTPServer
        let journal = InMemoryJournal(namespace: "download")
        let blobs: BlobStore

        init(extra: [String: LoopbackHTTPHandler] = [:]) throws {
            dir = try TempDir.make("download")
            blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
            server = LoopbackHTTPServer(routes: try LoopbackHTTPHostileRoutes.make().merging(extra) { _, b in b },
                                        folder: LoopbackHTTPFixtures.folder)
            try server.start()
        }

        deinit {
            server.stop()
            try? FileManager.default.removeItem(at: dir)
        }

        /// Writes a products table of (asin, medium_image_url) rows.
        func products(_ rows: [(String, String?)], name: String = "products.jsonl") throws -> URL {
            let url = dir.appendingPathComponent(name)
            var text = ""
            for (id, u) in rows {
                text += "{\"asin\":\"\(id)\",\"medium_image_url\":" + (u.map { "\"\($0)\"" } ?? "null") + ",\"title\":\"t \(id)\"}\n"
            }
            try Data(text.utf8).write(to: url)
            return url
        }

        /// Runs the stage once; returns the context and the output rows.
        @discardableResult
        func run(_ products: URL, _ overrides: [String: JSONValue] = [:], night: Int = 1) async throws -> (StageContext, [[String: JSONValue]]) {
            var values: [String: JSONValue] = [:]
            for p in DownloadStage.parameters { if let d = p.defaultValue { values[p.name] = d } }
            values["allow_loopback"] = .bool(true)
            values["backoff"] = .double(0.05)
            values["low_speed_time"] = .int(1)
            values["timeout"] = .double(5)
            values["retries"] = .int(1)
            for (k, v) in overrides { values[k] = v }
            let params = StageParameters(values, stageName: "download")
            let stage = try DownloadStage(parameters: params)
            let staging = dir.appendingPathComponent("staging-\(night)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            let ctx = StageContext(stageName: "download", parameters: params, inputs: ["input": [products]], stagingDirectory: staging,
                                   outputSpecs: DownloadStage.outputs, journal: journal, blobs: blobs, seed: 42)
            try await stage.run(in: ctx)
            let text = try String(contentsOf: ctx.output("images"), encoding: .utf8)
            let rows = try text.split(separator: "\n").map { try JSONValue.parse(Data($0.utf8)).objectValue ?? [:] }
            return (ctx, rows)
        }
    }

    @Test func writesOneRowPerProductWithHashesAndReasons() async throws {
        let f = try Fixture()
        let input = try f.products([("A", f.server.url("/ok.jpg")), ("B", f.server.url("/ok.png")), ("C", f.server.url("/404")),
                                    ("D", f.server.url("/ok.jpg")), ("E", nil), ("F", f.server.url("/ok.jpg?copy=1")),
                                    ("G", f.server.url("/html-200")), ("H", f.server.url("/flaky-500"))])
        let (ctx, rows) = try await f.run(input, ["failure_threshold": .double(0.9)])
        #expect(rows.map { $0["id"]?.stringValue } == ["A", "B", "C", "D", "E", "F", "G", "H"])
        #expect(rows.map { $0["status"]?.stringValue } == ["ok", "ok", "failed", "ok", "failed", "ok", "failed", "ok"])
        #expect(rows.map { $0["reason"]?.stringValue } == [nil, nil, "http_404", nil, "no_url", nil, "html_page", nil])
        let jpegHash = ContentHash.sha256(try LoopbackHTTPFixtures.jpeg())
        #expect(rows[0]["sha256"]?.stringValue == jpegHash)
        #expect(rows[0]["width"]?.intValue == 224 && rows[0]["format"]?.stringValue == "jpeg")
        #expect(rows[1]["format"]?.stringValue == "png" && rows[1]["height"]?.intValue == 12)
        #expect(try f.blobs.data(for: jpegHash) == (try LoopbackHTTPFixtures.jpeg()))
        #expect(f.server.requestCount("/ok.jpg") == 2, "A and D share a URL: one request; F is a distinct URL")
        #expect(f.server.requestCount("/flaky-500") == 2)
        #expect(ctx.summary["identical_images"] == .int(3), "A, D, F and H point at one blob: 5 ok rows, 2 distinct images")
        #expect(ctx.summary["fetched"] == .int(4), "4 distinct URLs gave images")
        #expect(ctx.summary["failed_by_reason"]?.objectValue?["http_404"] == .int(1))
        // Columns in the agreed order.
        let firstLine = try String(contentsOf: ctx.output("images"), encoding: .utf8).split(separator: "\n")[0]
        #expect(firstLine.hasPrefix("{\"id\":\"A\",\"url\":"))
    }

    @Test func relativeURLsUseThePrefixAndLoopbackNeedsPermission() async throws {
        let f = try Fixture()
        let input = try f.products([("1", "fetch-10000.jpg"), ("2", "/fetch-10001.jpg")])
        let (_, rows) = try await f.run(input, ["url_prefix": .string(f.server.url("/"))])
        #expect(rows.allSatisfy { $0["status"]?.stringValue == "ok" })
        #expect(f.server.requestCount("/fetch-10000.jpg") == 1)
        let strict = try Fixture()
        let input2 = try strict.products([("1", strict.server.url("/ok.jpg"))])
        await #expect(throws: StageError.self) { try await strict.run(input2, ["allow_loopback": .bool(false)]) }
        #expect(strict.server.totalRequests == 0)
    }

    /// Cancels a task from the server thread once `after` requests have arrived (deterministic under load).
    final class Canceller: @unchecked Sendable {
        let lock = NSLock()
        var seen = 0
        var task: Task<(StageContext, [[String: JSONValue]]), any Error>?
        func arrived(after: Int) {
            let t: Task<(StageContext, [[String: JSONValue]]), any Error>? = lock.withLock {
                seen += 1
                return seen >= after ? task : nil
            }
            t?.cancel()
        }
    }

    @Test func cancelledRunResumesWithoutRefetchingStoredImages() async throws {
        let jpeg = try LoopbackHTTPFixtures.jpeg()
        let canceller = Canceller()
        let slow: LoopbackHTTPHandler = { _, _ in
            canceller.arrived(after: 10)
            usleep(20_000)
            return .ok(jpeg, contentType: "image/jpeg")
        }
        var routes: [String: LoopbackHTTPHandler] = [:]
        for i in 0..<40 { routes["/slow/\(i).jpg"] = slow }
        let f = try Fixture(extra: routes)
        let input = try f.products((0..<40).map { ("P\($0)", f.server.url("/slow/\($0).jpg")) })
        let task = Task { try await f.run(input, ["concurrency": .int(2), "per_host": .int(2)]) }
        let early = canceller.lock.withLock { canceller.task = task; return canceller.seen >= 10 }
        if early { task.cancel() }
        await #expect(throws: StageError.self) { try await task.value }
        let afterFirst = f.server.totalRequests
        let done = try f.journal.all().values.filter { $0.status == .done }.map(\.key)
        #expect(afterFirst > 0 && afterFirst < 40, "cancelled mid-stage after \(afterFirst) requests")
        #expect(done.count >= afterFirst - 2, "every finished URL was journaled before stopping")
        let beforeResume = f.server.totalRequests
        let (ctx, rows) = try await f.run(input, ["concurrency": .int(2), "per_host": .int(2)], night: 2)
        #expect(rows.count == 40 && rows.allSatisfy { $0["status"]?.stringValue == "ok" })
        for url in done { #expect(f.server.requestCount(URL(string: url)?.path ?? "") == 1, "\(url) fetched again") }
        #expect(f.server.totalRequests - beforeResume == 40 - done.count, "the resumed run fetched only unfinished URLs")
        #expect(ctx.summary["reused"] == .int(done.count))
    }

    @Test func nextNightFetchesOnlyNewURLsAndSkipsKnownDead() async throws {
        let f = try Fixture()
        let night1 = try f.products([("A", f.server.url("/ok.jpg")), ("B", f.server.url("/404")), ("C", f.server.url("/etag.jpg"))])
        try await f.run(night1, ["failure_threshold": .double(0.5)])
        let night2 = try f.products([("A", f.server.url("/ok.jpg")), ("B", f.server.url("/404")), ("C", f.server.url("/etag.jpg")),
                                     ("D", f.server.url("/ok.png"))], name: "night2.jsonl")
        let (ctx2, rows2) = try await f.run(night2, ["failure_threshold": .double(0.5)], night: 2)
        #expect(f.server.requestCount("/ok.jpg") == 1 && f.server.requestCount("/404") == 1 && f.server.requestCount("/etag.jpg") == 1)
        #expect(f.server.requestCount("/ok.png") == 1)
        #expect(rows2.map { $0["status"]?.stringValue } == ["ok", "failed", "ok", "ok"])
        #expect(rows2[1]["reason"]?.stringValue == "http_404")
        #expect(ctx2.summary["reused"] == .int(2) && ctx2.summary["known_dead"] == .int(1) && ctx2.summary["fetched"] == .int(1))
        // Night 3: dead URLs retried after retry_failed_after, stored ones revalidated after revalidate_after.
        let (ctx3, rows3) = try await f.run(night2, ["failure_threshold": .double(0.5), "retry_failed_after": .string("0s"),
                                                     "revalidate_after": .string("0")], night: 3)
        #expect(f.server.requestCount("/404") == 2)
        #expect(f.server.requestCount("/etag.jpg") == 2)
        #expect(ctx3.summary["not_modified"] == .int(1), "the ETag route answers 304")
        #expect(rows3[2]["sha256"] == rows2[2]["sha256"] && rows3[2]["status"]?.stringValue == "ok")
    }

    @Test func aStoredImageCutShortIsFetchedAgain() async throws {
        let f = try Fixture()
        let products = try f.products([("A", f.server.url("/ok.jpg")), ("B", f.server.url("/ok.png"))])
        let (_, rows) = try await f.run(products)
        let sha = try #require(rows[0]["sha256"]?.stringValue)
        let whole = try f.blobs.data(for: sha)
        #expect(truncate(f.blobs.url(for: sha).path, 0) == 0)  // what a power loss can leave of an unsynced file
        let (ctx, again) = try await f.run(products, night: 2)
        #expect(f.server.requestCount("/ok.jpg") == 2 && f.server.requestCount("/ok.png") == 1)
        #expect(ctx.summary["fetched"] == .int(1) && ctx.summary["reused"] == .int(1))
        #expect(again[0]["sha256"]?.stringValue == sha)
        #expect(try f.blobs.data(for: sha) == whole)
    }

    @Test func failureThresholdFailsTheStageOnlyAboveIt() async throws {
        let f = try Fixture()
        let input = try f.products([("A", f.server.url("/ok.jpg")), ("B", f.server.url("/404")), ("C", f.server.url("/410")),
                                    ("D", f.server.url("/truncated.jpg"))])
        await #expect(throws: StageError.self) { try await f.run(input, ["failure_threshold": .double(0.5)]) }
        let (_, rows) = try await f.run(input, ["failure_threshold": .double(0.8)], night: 2)
        #expect(rows.map { $0["reason"]?.stringValue } == [nil, "http_404", "http_410", "truncated"])
    }

    /// Keeps progress calls for assertions.
    final class RecordingReporter: StageReporter, @unchecked Sendable {
        let lock = NSLock()
        var calls: [(done: Int, total: Int, unit: String, note: String?)] = []
        func log(stage: String, level: LogLevel, _ message: String) {}
        func progress(stage: String, done: Int, total: Int, unit: String, note: String?) {
            lock.withLock { calls.append((done, total, unit, note)) }
        }
    }

    @Test func reportsProgressWithRatesAndFailures() async throws {
        let f = try Fixture()
        let input = try f.products([("A", f.server.url("/ok.jpg")), ("B", f.server.url("/404")), ("C", f.server.url("/ok.png"))])
        var values: [String: JSONValue] = [:]
        for p in DownloadStage.parameters { if let d = p.defaultValue { values[p.name] = d } }
        values["allow_loopback"] = .bool(true)
        values["failure_threshold"] = .double(0.5)
        let params = StageParameters(values, stageName: "download")
        let reporter = RecordingReporter()
        let ctx = StageContext(stageName: "download", parameters: params, inputs: ["input": [input]], stagingDirectory: f.dir,
                               outputSpecs: DownloadStage.outputs, journal: f.journal, blobs: f.blobs, reporter: reporter)
        try await DownloadStage(parameters: params).run(in: ctx)
        let last = try #require(reporter.calls.last)
        #expect(last.done == 3 && last.total == 3 && last.unit == "images")
        #expect(last.note?.contains("img/s") == true && last.note?.contains("http_404 1") == true)
        #expect(ctx.metrics.contains { $0.name == "failed.http_404" && $0.value == 1 })
    }

    @Test func shardsSplitProductsDisjointly() async throws {
        let f = try Fixture()
        let input = try f.products((0..<20).map { ("P\($0)", f.server.url("/ok.jpg?i=\($0)")) })
        var values: [String: JSONValue] = [:]
        for p in DownloadStage.parameters { if let d = p.defaultValue { values[p.name] = d } }
        values["allow_loopback"] = .bool(true)
        let params = StageParameters(values, stageName: "download")
        var ids: [[String]] = []
        for shard in 0..<2 {
            let staging = f.dir.appendingPathComponent("shard\(shard)")
            try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
            let ctx = StageContext(stageName: "download", parameters: params, inputs: ["input": [input]], stagingDirectory: staging,
                                   outputSpecs: DownloadStage.outputs, journal: f.journal, blobs: f.blobs, shard: (shard, 2))
            try await DownloadStage(parameters: params).run(in: ctx)
            let text = try String(contentsOf: ctx.output("images"), encoding: .utf8)
            ids.append(try text.split(separator: "\n").compactMap { try JSONValue.parse(Data($0.utf8)).objectValue?["id"]?.stringValue })
        }
        #expect(Set(ids[0]).isDisjoint(with: ids[1]))
        #expect(Set(ids[0] + ids[1]) == Set((0..<20).map { "P\($0)" }))
        #expect(!ids[0].isEmpty && !ids[1].isEmpty)
        #expect(f.server.requestCount("/ok.jpg") == 20)
    }

    /// The real Myntra product photos (`SharedData`), when present.
    static let myntra = SharedData.url("myntra-products-2k")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: myntra.appendingPathComponent("products.csv").path)))
    func downloadsAllRealMyntraImagesFromLoopback() async throws {
        let f = try Fixture()
        let server = LoopbackHTTPServer(folder: Self.myntra)
        let port = try server.start()
        defer { server.stop() }
        let csv = try String(contentsOf: Self.myntra.appendingPathComponent("products.csv"), encoding: .utf8)
        let rows: [(String, String?)] = csv.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let cells = line.split(separator: ",", maxSplits: 2, omittingEmptySubsequences: false)
            return cells.count >= 2 ? (String(cells[0]), String(cells[1])) : nil
        }
        let input = try f.products(rows)
        let (ctx, out) = try await f.run(input, ["url_prefix": .string("http://127.0.0.1:\(port)/")])
        #expect(out.count == 2_099)
        #expect(out.allSatisfy { $0["status"]?.stringValue == "ok" && $0["format"]?.stringValue == "jpeg" })
        #expect(out.allSatisfy { $0["width"]?.intValue == 224 || $0["height"]?.intValue == 224 })
        #expect(server.totalRequests == 2_099)
        #expect(ctx.summary["fetched"] == .int(2_099))
    }

    @Test func badParametersAreRejected() throws {
        var values: [String: JSONValue] = [:]
        for p in DownloadStage.parameters { if let d = p.defaultValue { values[p.name] = d } }
        values["retry_failed_after"] = .string("soon")
        #expect(throws: StageError.self) { try DownloadStage(parameters: StageParameters(values)) }
        #expect(try DownloadStage.duration("7d", parameter: "x", stage: "s") == 604_800)
        #expect(try DownloadStage.duration("90m", parameter: "x", stage: "s") == 5400)
        #expect(try DownloadStage.duration("never", parameter: "x", stage: "s") == .infinity)
    }
}
