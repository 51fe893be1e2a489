import Foundation
import GRDB
import Testing
import Checkpoints
import Pipeline
import TestSupport

/// A state.sqlite that is not ours, damaged or from a newer vitrine is refused with a message saying what to do.
@Suite struct OpenValidationTests {
    /// A temp state dir holding `bytes` as state.sqlite.
    static func stateDir(with bytes: Data) throws -> URL {
        let dir = try TempDir.make("open")
        try bytes.write(to: dir.appendingPathComponent("state.sqlite"))
        return dir
    }

    /// A state dir with a real Vitrine database holding `artifacts` artifact rows, closed (WAL checkpointed).
    static func populatedStateDir(artifacts: Int) throws -> URL {
        let dir = try TempDir.make("open")
        let store = try SQLiteStore(stateDirectory: dir)
        let run = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
        let e = try store.startExecution(runID: run, stage: "s", stageType: "t", fingerprint: "f", attempt: 1, reason: nil, startedAt: 1)
        let arts = (0..<artifacts).map { i in
            ArtifactRecord(output: "o", path: "out/s/\(i).bin", sha256: String(repeating: "b", count: 64), bytes: Int64(i),
                           stat: FileStat(size: Int64(i), mtimeNanoseconds: Int64(i), inode: UInt64(i)))
        }
        try store.commitExecution(e, outputDirectory: "out/s", artifacts: arts, metrics: [], summary: .null, finishedAt: 2)
        try store.close()
        return dir
    }

    @Test func randomBytesAreNotADatabase() throws {
        let bytes = junkBytes(count: 8192, seed: 42)
        let dir = try Self.stateDir(with: bytes)
        defer { try? FileManager.default.removeItem(at: dir) }
        let error = #expect(throws: StoreError.self) { try SQLiteStore(stateDirectory: dir) }
        #expect(error == .notADatabase(path: dir.appendingPathComponent("state.sqlite").path))
        #expect(error?.description.contains("--state") == true)
        #expect(try Data(contentsOf: dir.appendingPathComponent("state.sqlite")) == bytes, "the foreign file is left untouched")
    }

    @Test func aShortTextFileIsNotADatabase() throws {
        let dir = try Self.stateDir(with: Data("hello, not sqlite\n".utf8))
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: StoreError.notADatabase(path: dir.appendingPathComponent("state.sqlite").path)) {
            try SQLiteStore(stateDirectory: dir)
        }
    }

    @Test func anEmptyFileBecomesAFreshDatabase() throws {
        let dir = try Self.stateDir(with: Data())
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir, check: .quick)
        #expect(try store.schemaVersion() == Schema.currentVersion)
    }

    @Test func anotherApplicationsDatabaseIsForeign() throws {
        let dir = try TempDir.make("open")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("state.sqlite").path
        do {
            let other = try DatabaseQueue(path: file)
            try other.write { db in
                try db.execute(sql: "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers(name) VALUES ('x')")
            }
            try other.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let error = #expect(throws: StoreError.self) { try SQLiteStore(stateDirectory: dir, check: .quick) }
        #expect(error == .foreignDatabase(path: file, tables: ["customers"]))
        #expect(error?.description.contains("not a Vitrine state database (no vitrine_schema table") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "the foreign database is not modified")
        #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
    }

    @Test func aNewerSchemaIsRefused() throws {
        let dir = try Self.populatedStateDir(artifacts: 1)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("state.sqlite").path
        do {
            let q = try DatabaseQueue(path: file)
            try q.write { db in
                try db.execute(sql: "INSERT INTO grdb_migrations(identifier) VALUES ('v9-from-the-future')")
                try db.execute(sql: "UPDATE vitrine_schema SET value = '9' WHERE key = 'schema_version'")
            }
            try q.close()
        }
        let error = #expect(throws: StoreError.self) { try SQLiteStore(stateDirectory: dir) }
        #expect(error == .newerSchema(path: file, found: 9, supported: Schema.currentVersion, unknownMigrations: ["v9-from-the-future"]))
        #expect(error?.description.contains("Upgrade vitrine") == true)
    }

    @Test func aVersion1DatabaseIsMigratedInPlace() throws {
        let dir = try Self.populatedStateDir(artifacts: 3)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("state.sqlite").path
        do {   // what a state directory written before schema v2 looks like
            let q = try DatabaseQueue(path: file)
            try q.write { db in
                try db.execute(sql: "ALTER TABLE executions DROP COLUMN output_hashes")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v2-output-hashes'")
                try db.execute(sql: "UPDATE vitrine_schema SET value = '1' WHERE key = 'schema_version'")
            }
            try q.close()
        }
        let store = try SQLiteStore(stateDirectory: dir)
        #expect(try store.schemaVersion() == 2 && Schema.currentVersion == 2)
        let executions = try store.latestSucceededExecutions(stages: nil)
        #expect(!executions.isEmpty && executions.values.allSatisfy { $0.outputHashes == nil })
        #expect(try store.artifacts(executionID: try #require(executions.values.first).id).count == 3)
    }

    @Test func aTruncatedCopyIsCorrupted() throws {
        let dir = try Self.populatedStateDir(artifacts: 3000)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("state.sqlite")
        let whole = try Data(contentsOf: file)
        #expect(whole.count > 64 * 1024, "the fixture spans many pages")
        let copyDir = try Self.stateDir(with: whole.prefix(whole.count / 2))
        defer { try? FileManager.default.removeItem(at: copyDir) }
        let error = #expect(throws: StoreError.self) { try SQLiteStore(stateDirectory: copyDir, check: .quick) }
        guard case .corrupted(let path, let detail) = error else {
            Issue.record("expected .corrupted, got \(String(describing: error))"); return
        }
        #expect(path == copyDir.appendingPathComponent("state.sqlite").path)
        #expect(!detail.isEmpty)
        #expect(error?.description.contains("Move it") == true)
    }

    @Test func aTruncatedCopyIsCaughtByTheDefaultOpenToo() throws {
        let dir = try Self.populatedStateDir(artifacts: 3000)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("state.sqlite")
        let whole = try Data(contentsOf: file)
        try whole.prefix(whole.count - 4096).write(to: file)
        let error = #expect(throws: StoreError.self) { try SQLiteStore(stateDirectory: dir) }
        guard case .corrupted(_, let detail) = error else { Issue.record("expected .corrupted, got \(String(describing: error))"); return }
        #expect(detail.contains("truncated"))
    }

    @Test func damagedPagesFailTheQuickCheck() throws {
        let dir = try Self.populatedStateDir(artifacts: 3000)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("state.sqlite")
        var bytes = try Data(contentsOf: file)
        // Overwrite the middle pages (not the header page) with a repeating junk pattern.
        let start = bytes.count / 3, end = start + 16 * 1024
        for i in start..<end { bytes[i] = UInt8(truncatingIfNeeded: i &* 31) }
        try bytes.write(to: file)
        #expect(throws: StoreError.self) {
            let store = try SQLiteStore(stateDirectory: dir, check: .quick)
            _ = try store.artifacts(executionID: 1)
        }
    }
}

/// Deterministic junk bytes (a splitmix64 stream): a stand-in for "random bytes" without any RNG.
func junkBytes(count: Int, seed: UInt64) -> Data {
    var state = seed
    var out = Data(capacity: count)
    for _ in 0..<count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        out.append(UInt8(truncatingIfNeeded: z ^ (z >> 31)))
    }
    return out
}
