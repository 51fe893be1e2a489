import Foundation
import Testing
import Checkpoints
import Pipeline
import TestSupport

/// The stat cache answers only while size, mtime and inode match; the no-op path loads everything in a few queries.
@Suite struct StatCacheTests {
    @Test func hashIsReturnedOnlyWhileTheStatMatches() throws {
        let dir = try TempDir.make("stat")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir.appendingPathComponent("state"))
        let file = dir.appendingPathComponent("input.jsonl")
        try Data("{\"id\":1}\n".utf8).write(to: file)
        let stat = try #require(FileStat.of(file.path))
        #expect(try store.cachedHash(path: file.path, stat: stat) == nil)
        try store.cacheHashes([(path: file.path, stat: stat, sha256: "h1")])
        #expect(try store.cachedHash(path: file.path, stat: stat) == "h1")
        // Rewriting the file (same size, new mtime and usually a new inode) misses the cache.
        Thread.sleep(forTimeInterval: 0.01)
        try Data("{\"id\":2}\n".utf8).write(to: file)
        let changed = try #require(FileStat.of(file.path))
        #expect(changed != stat)
        #expect(try store.cachedHash(path: file.path, stat: changed) == nil)
        try store.cacheHashes([(path: file.path, stat: changed, sha256: "h2")])
        #expect(try store.cachedHash(path: file.path, stat: changed) == "h2")
        #expect(try store.cachedHash(path: file.path, stat: stat) == nil)
        let snapshot = try store.loadStatCache()
        #expect(snapshot.hash(path: file.path, stat: changed) == "h2" && snapshot.entries.count == 1)
        #expect(try store.loadStatCache(prefix: dir.path + "/other").entries.isEmpty)
        try store.removeCachedHashes([file.path])
        #expect(try store.loadStatCache().entries.isEmpty)
    }

    @Test func changedArtifactsFindsEditedAndMissingFiles() throws {
        let dir = try TempDir.make("stat")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir.appendingPathComponent("state"))
        let run = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
        /// Commits `artifacts` as a new execution; returns what the store finds changed under `dir`.
        func committed(_ artifacts: [ArtifactRecord]) throws -> (id: Int64, changed: () throws -> [ArtifactRecord]) {
            let e = try store.startExecution(runID: run, stage: "s", stageType: "t", fingerprint: "f", attempt: 1, reason: nil, startedAt: 1)
            try store.commitExecution(e, outputDirectory: "out", artifacts: artifacts, metrics: [], summary: .object([:]), finishedAt: 2)
            return (e, { try store.statChangedArtifacts(executionID: e, root: dir) })
        }
        var records: [ArtifactRecord] = []
        for name in ["a.bin", "b.bin", "c.bin"] {
            try Data(name.utf8).write(to: dir.appendingPathComponent(name))
            let st = try #require(FileStat.of(dir.appendingPathComponent(name).path))
            records.append(ArtifactRecord(output: "o", path: name, sha256: "x", bytes: st.size, stat: st))
        }
        let flat = try committed(records)
        #expect(try flat.changed().isEmpty)
        Thread.sleep(forTimeInterval: 0.01)
        try Data("edited!".utf8).write(to: dir.appendingPathComponent("b.bin"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent("c.bin"))
        // Only the damaged ones come back, with their recorded fields.
        let damaged = try flat.changed()
        #expect(damaged.map(\.path) == ["b.bin", "c.bin"])
        #expect(damaged.first == records[1])
        #expect(try store.statChangedArtifacts(executionID: flat.id + 100, root: dir).isEmpty)

        // Nested folders (5,000 files in one, then others), absolute paths and a missing folder.
        let sub = dir.appendingPathComponent("out/s/1")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        var many: [ArtifactRecord] = []
        for i in 0..<5_000 {
            let file = sub.appendingPathComponent("n\(i).bin")
            guard Self.writeSmallFile(file.path, "n") else { Issue.record("cannot create \(file.path)"); return }
            many.append(ArtifactRecord(output: "o", path: "out/s/1/n\(i).bin", sha256: "x", bytes: 1, stat: try #require(FileStat.of(file.path))))
        }
        let absolute = ArtifactRecord(output: "o", path: sub.appendingPathComponent("n0.bin").path, sha256: "x", bytes: 1, stat: many[0].stat)
        let gone = ArtifactRecord(output: "o", path: "out/missing/n.bin", sha256: "x", bytes: 1, stat: many[0].stat)
        let nested = try committed(many + [gone, absolute, records[0]])
        #expect(try nested.changed().map(\.path) == ["out/missing/n.bin"])
    }

    /// CPU time of this process, all threads (excludes time other builds on this shared machine take from us).
    static func processCPUNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Size of a file in bytes (0 when unreadable).
    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    /// A temp folder on tmpfs when available: creating 20,000 files on this machine's disk takes ~17 s.
    static func fastTempDir() throws -> URL {
        if access("/dev/shm", W_OK) == 0 {
            let url = URL(fileURLWithPath: "/dev/shm/vitrine-noop-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            return url
        }
        return try TempDir.make("noop")
    }

    /// Writes `text` to `path` with plain POSIX calls (no atomic-rename or fsync).
    static func writeSmallFile(_ path: String, _ text: String) -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count
    }

    /// Store side of a no-op `vitrine run`: 10 stages x 2,000 real files. Prints timings; asserts only correctness.
    @Test func noOpCheckOverTwentyThousandArtifacts() throws {
        let dir = try Self.fastTempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let stateDir = dir.appendingPathComponent(".vitrine")
        let root = stateDir.path + "/"
        let stages = (0..<10).map { "stage\($0)" }
        do {
            let store = try SQLiteStore(stateDirectory: stateDir)
            let run = try store.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
            var cache: [(path: String, stat: FileStat, sha256: String)] = []
            for stage in stages {
                let folder = "out/\(stage)/1"
                try FileManager.default.createDirectory(at: stateDir.appendingPathComponent(folder), withIntermediateDirectories: true)
                var arts: [ArtifactRecord] = []
                for i in 0..<2_000 {
                    let rel = "\(folder)/f\(i).bin"
                    let full = root + rel
                    guard Self.writeSmallFile(full, "\(stage)-\(i)") else { Issue.record("cannot create \(full)"); return }
                    let st = try #require(FileStat.of(full))
                    let sha = String(repeating: "0", count: 58) + String(format: "%06d", i)
                    arts.append(ArtifactRecord(output: "files", path: rel, sha256: sha, bytes: st.size, stat: st))
                    cache.append((path: full, stat: st, sha256: sha))
                }
                let e = try store.startExecution(runID: run, stage: stage, stageType: "shell", fingerprint: "fp-\(stage)",
                                                 attempt: 1, reason: nil, startedAt: 1)
                try store.commitExecution(e, outputDirectory: folder, artifacts: arts, metrics: [], summary: .object([:]), finishedAt: 2)
            }
            try store.cacheHashes(cache)
            try store.close()
        }
        // Best of three cold opens (a fresh store instance each time, as a new process would do).
        var best = [Double](repeating: .infinity, count: 6)
        var bestCPU = [Double](repeating: .infinity, count: 6)
        for _ in 0..<3 {
            var t = DispatchTime.now().uptimeNanoseconds
            var c = Self.processCPUNanoseconds()
            func lap(_ i: Int) {
                let now = DispatchTime.now().uptimeNanoseconds, cpu = Self.processCPUNanoseconds()
                best[i] = min(best[i], Double(now - t) / 1e6); t = now
                bestCPU[i] = min(bestCPU[i], Double(cpu - c) / 1e6); c = cpu
            }
            let store = try SQLiteStore(stateDirectory: stateDir)
            lap(0)
            let latest = try store.latestSucceededExecutions(stages: stages)
            let artifacts = try store.artifactsForExecutions(latest.values.map(\.id))
            lap(1)
            // The runner's check: each execution's rows stepped over with one fstatat each (it spreads the
            // executions over the cores; here one after the other).
            var changed = 0
            for e in latest.values { changed += try store.statChangedArtifacts(executionID: e.id, root: stateDir).count }
            lap(2)
            let snapshot = try store.loadStatCache()
            lap(3)
            var hits = 0
            for list in artifacts.values {
                for a in list {
                    let full = root + a.path
                    if let st = FileStat.of(full), snapshot.hash(path: full, stat: st) == a.sha256 { hits += 1 }
                }
            }
            lap(4)
            try store.checkIntegrity()
            lap(5)
            #expect(latest.count == 10)
            #expect(artifacts.values.reduce(0) { $0 + $1.count } == 20_000)
            #expect(changed == 0)
            #expect(hits == 20_000)
            try store.close()
        }
        let f = { (i: Int) in String(format: "%.1f (cpu %.1f)", best[i], bestCPU[i]) }
        #if DEBUG
        let config = "debug"
        #else
        let config = "release"
        #endif
        print("no-op store side, 10 stages x 2,000 files (\(config) build, best of 3, wall ms with process-CPU ms): open \(f(0)); "
              + "latest executions + 20k artifact rows \(f(1)); runner check (rows + fstatat) of 20k files \(f(2)); "
              + "load 20k stat-cache rows \(f(3)); stat+cache lookup 20k \(f(4)); "
              + "PRAGMA quick_check \(f(5)) on a \(Self.fileSize(stateDir.appendingPathComponent("state.sqlite").path) / 1024) KiB file")
    }
}
