import Foundation
import Testing
import Checkpoints
import Pipeline
import TestSupport

/// Runs, executions, artifacts, skips and metrics round-trip through a real state.sqlite.
@Suite struct SQLiteStoreTests {
    static func artifact(_ path: String, output: String = "table", rows: Int? = nil) -> ArtifactRecord {
        ArtifactRecord(output: output, path: path, sha256: String(repeating: "a", count: 64), bytes: 42, rows: rows,
                       stat: FileStat(size: 42, mtimeNanoseconds: 1_700_000_000_123_456_789, inode: UInt64.max - 7))
    }

    @Test func createsDatabaseWithWALAndSchemaVersion() throws {
        let dir = try TempDir.make("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir.appendingPathComponent("nested/state"))
        #expect(try store.schemaVersion() == Schema.currentVersion)
        #expect(FileManager.default.fileExists(atPath: store.path))
        #expect(FileManager.default.fileExists(atPath: store.path + "-wal"))
        try store.checkIntegrity(full: true)
    }

    @Test func runLifecycle() throws {
        let dir = try TempDir.make("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        let prov: JSONValue = .object(["seed": .int(7), "host": .string("box")])
        let a = try store.createRun(pipelinePath: "p.yaml", provenance: prov, startedAt: 100)
        let b = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 200)
        #expect(b > a)
        try store.finishRun(a, status: .failed, error: "stage x failed", finishedAt: 150)
        try store.finishRun(b, status: .succeeded, error: nil, finishedAt: 250)
        let runA = try #require(try store.run(a))
        #expect(runA.status == .failed && runA.error == "stage x failed" && runA.finishedAt == 150)
        #expect(runA.provenance == prov)
        #expect(try store.runs(limit: 10).map(\.id) == [b, a])
        #expect(try store.latestResumableRun()?.id == a)
        try store.reopenRun(a)
        let reopened = try #require(try store.run(a))
        #expect(reopened.status == .running && reopened.finishedAt == nil && reopened.error == nil)
        #expect(try store.run(9999) == nil)
    }

    @Test func executionCommitSkipAndLatest() throws {
        let dir = try TempDir.make("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        let run1 = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
        let e1 = try store.startExecution(runID: run1, stage: "load", stageType: "catalog.load", fingerprint: "fp1",
                                          attempt: 1, reason: "never run", startedAt: 2)
        #expect(try store.latestSucceeded(stage: "load", fingerprint: nil) == nil)
        let arts = [Self.artifact("out/load/1/products.jsonl", rows: 17_593), Self.artifact("out/load/1/summary.json", output: "summary")]
        try store.commitExecution(e1, outputDirectory: "out/load/1", artifacts: arts,
                                  metrics: [MetricPoint(name: "rows", step: nil, value: 17_593), MetricPoint(name: "loss", step: 1, value: 0.5)],
                                  summary: .object(["rows": .int(17_593)]), finishedAt: 3)
        let latest = try #require(try store.latestSucceeded(stage: "load", fingerprint: "fp1"))
        #expect(latest.id == e1 && latest.status == .succeeded && latest.outputDirectory == "out/load/1")
        // Each output's content hash is recorded with the commit, equal to hashing the rows.
        #expect(latest.outputHashes == ["table": Fingerprinter.outputHash(arts, output: "table", executionDirectory: "out/load/1"),
                                        "summary": Fingerprinter.outputHash(arts, output: "summary", executionDirectory: "out/load/1")])
        #expect(latest.outputHashes?["table"] != latest.outputHashes?["summary"])
        #expect(latest.summary == .object(["rows": .int(17_593)]) && latest.reason == "never run" && latest.finishedAt == 3)
        #expect(try store.latestSucceeded(stage: "load", fingerprint: "other") == nil)
        let stored = try store.artifacts(executionID: e1)
        #expect(stored == arts.sorted { $0.path < $1.path })
        #expect(stored.first?.stat.inode == UInt64.max - 7)

        // A second run: a failed attempt, then a skip reusing e1.
        let run2 = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 10)
        let e2 = try store.startExecution(runID: run2, stage: "split", stageType: "dataset.split", fingerprint: "s1",
                                          attempt: 1, reason: nil, startedAt: 11)
        try store.failExecution(e2, status: .failed, error: "boom", finishedAt: 12)
        try store.recordSkip(runID: run2, stage: "load", stageType: "catalog.load", fingerprint: "fp1", reusing: e1, at: 13)
        let execs = try store.executions(runID: run2)
        #expect(execs.map(\.stage) == ["split", "load"])
        #expect(execs[0].status == .failed && execs[0].error == "boom")
        #expect(execs[1].status == .skipped && execs[1].outputDirectory == "out/load/1")
        #expect(try store.reusedExecutionID(of: execs[1].id) == e1)
        #expect(try store.latestSucceeded(stage: "load", fingerprint: nil)?.id == e1)
        #expect(try store.latestSucceeded(stage: "split", fingerprint: nil) == nil)
        #expect(try store.execution(e2)?.status == .failed)

        let metrics = try store.metrics(runID: run1)
        #expect(metrics.map(\.name) == ["rows", "loss"])
        #expect(metrics[1] == MetricRecord(runID: run1, executionID: e1, stage: "load", name: "loss", step: 1, value: 0.5))
        #expect(try store.metrics(runID: run2).isEmpty)
        #expect(try store.metrics(runID: nil).count == 2)
    }

    @Test func bulkQueriesAndDeletion() throws {
        let dir = try TempDir.make("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        let run = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
        var ids: [Int64] = []
        for (i, stage) in ["a", "b", "a"].enumerated() {
            let id = try store.startExecution(runID: run, stage: stage, stageType: "t", fingerprint: "f\(i)", attempt: 1,
                                              reason: nil, startedAt: Double(i))
            try store.commitExecution(id, outputDirectory: "out/\(stage)/\(i)", artifacts: [Self.artifact("out/\(stage)/\(i)/x")],
                                      metrics: [], summary: .object([:]), finishedAt: Double(i))
            ids.append(id)
        }
        let latest = try store.latestSucceededExecutions()
        #expect(latest["a"]?.id == ids[2] && latest["b"]?.id == ids[1] && latest.count == 2)
        #expect(try store.latestSucceededExecutions(stages: ["b"]).keys.sorted() == ["b"])
        let arts = try store.artifactsForExecutions(ids + [12345])
        #expect(arts.count == 3 && arts[ids[1]]?.first?.path == "out/b/1/x" && arts[12345] == nil)
        #expect(try store.allOutputDirectories().map(\.directory) == ["out/a/0", "out/b/1", "out/a/2"])
        try store.deleteExecutions([ids[0]])
        #expect(try store.execution(ids[0]) == nil)
        #expect(try store.artifacts(executionID: ids[0]).isEmpty)
        #expect(try store.allOutputDirectories().count == 2)
    }

    @Test func anotherStoreInstanceSeesCommittedState() throws {
        let dir = try TempDir.make("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try SQLiteStore(stateDirectory: dir)
        let run = try first.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
        let e = try first.startExecution(runID: run, stage: "s", stageType: "t", fingerprint: "f", attempt: 2, reason: nil, startedAt: 1)
        try first.commitExecution(e, outputDirectory: "o", artifacts: [Self.artifact("o/x")], metrics: [], summary: .null, finishedAt: 2)
        let second = try SQLiteStore(stateDirectory: dir, check: .full)
        #expect(try second.latestSucceeded(stage: "s", fingerprint: "f")?.attempt == 2)
        try first.close()
        let third = try SQLiteStore(stateDirectory: dir, check: .quick)
        #expect(try third.artifacts(executionID: e).count == 1)
    }

    @Test func runningExecutionsLeftByACrashAreAbandoned() throws {
        let dir = try TempDir.make("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        let run = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
        let done = try store.startExecution(runID: run, stage: "a", stageType: "t", fingerprint: "f", attempt: 1, reason: nil, startedAt: 1)
        try store.commitExecution(done, outputDirectory: "o", artifacts: [], metrics: [], summary: .null, finishedAt: 2)
        let hung = try store.startExecution(runID: run, stage: "b", stageType: "t", fingerprint: "f", attempt: 1, reason: nil, startedAt: 3)
        #expect(try store.abandonRunningExecutions(runID: run, error: "interrupted (process died)", at: 9) == 1)
        let b = try #require(try store.execution(hung))
        #expect(b.status == .cancelled && b.error == "interrupted (process died)" && b.finishedAt == 9)
        #expect(try store.execution(done)?.status == .succeeded)
        #expect(try store.abandonRunningExecutions(runID: nil, error: "x", at: 10) == 0)
    }

    @Test func committingAnUnknownExecutionIsATypedError() throws {
        let dir = try TempDir.make("store")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        #expect(throws: StoreError.self) {
            try store.commitExecution(77, outputDirectory: "o", artifacts: [], metrics: [], summary: .null, finishedAt: 1)
        }
    }
}
