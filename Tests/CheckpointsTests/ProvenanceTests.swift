import Foundation
import Testing
import Checkpoints
import Pipeline
import TestSupport

/// Provenance reads the pipeline repo's revision (loose or packed ref), the machine and the thread settings.
@Suite struct ProvenanceTests {
    /// Runs git in `dir` and returns its trimmed stdout, or nil if git is unavailable or fails.
    @discardableResult
    static func git(_ dir: URL, _ args: [String]) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["git", "-C", dir.path, "-c", "user.name=t", "-c", "user.email=t@example.invalid",
                       "-c", "commit.gpgsign=false"] + args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }

    @Test func gitRevisionFromLooseAndPackedRefs() throws {
        let dir = try TempDir.make("prov")
        defer { try? FileManager.default.removeItem(at: dir) }
        guard Self.git(dir, ["init", "-q"]) != nil else { Issue.record("git is not installed"); return }
        try Data("stages: {}\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        Self.git(dir, ["add", "p.yaml"])
        Self.git(dir, ["commit", "-q", "-m", "init"])
        let head = try #require(Self.git(dir, ["rev-parse", "HEAD"]))
        let sub = dir.appendingPathComponent("pipelines/nested")
        try FileManager.default.createDirectory(at: sub, withIntermediateDirectories: true)
        #expect(Provenance.gitRevision(of: sub) == head)
        Self.git(dir, ["pack-refs", "--all", "--prune"])
        #expect(Provenance.gitRevision(of: dir) == head)
        let value = Provenance.collect(pipelineDirectory: dir, seed: 42, threads: 2, version: "0.1.0")
        #expect(value.objectValue?["git_revision"] == .string(head))
    }

    @Test func collectDescribesTheMachine() throws {
        let dir = try TempDir.make("prov")
        defer { try? FileManager.default.removeItem(at: dir) }
        let value = Provenance.collect(pipelineDirectory: dir, seed: UInt64.max, threads: 3, version: "9.9.9")
        let o = try #require(value.objectValue)
        #expect(o["vitrine_version"] == .string("9.9.9"))
        #expect(o["git_revision"] == .null)
        #expect(o["seed"] == .string("18446744073709551615"))
        #expect(o["host"]?.stringValue?.isEmpty == false)
        #expect(o["os"]?.objectValue?["sysname"] == .string("Linux"))
        #expect(o["cpu_model"]?.stringValue?.isEmpty == false)
        let threads = try #require(o["threads"]?.objectValue)
        #expect(threads["requested"] == .int(3))
        #expect(threads["active_processors"] == .int(ProcessInfo.processInfo.activeProcessorCount))
        #expect(Provenance.collect(pipelineDirectory: dir, seed: 7, threads: 1, version: "x").objectValue?["seed"] == .int(7))
        // It round-trips through the store as stored JSON.
        let store = try SQLiteStore(stateDirectory: dir.appendingPathComponent("state"))
        let run = try store.createRun(pipelinePath: "p.yaml", provenance: value, startedAt: 1)
        #expect(try store.run(run)?.provenance == value)
    }
}
