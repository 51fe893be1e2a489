import Checkpoints
import Foundation
import GRDB
import Testing
import TestSupport
@testable import Pipeline

/// A pipeline in a temp folder with a real SQLite state directory.
struct Workspace {
    let dir: URL
    let store: SQLiteStore
    var layout: StateLayout { StateLayout(root: dir.appendingPathComponent(".vitrine")) }

    init() throws {
        dir = try TempDir.make("exec")
        store = try SQLiteStore(stateDirectory: dir.appendingPathComponent(".vitrine"))
    }

    func write(_ name: String, _ text: String) throws { try Data(text.utf8).write(to: dir.appendingPathComponent(name)) }
    func read(_ name: String) throws -> String { try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8) }
    /// A second connection to the state database, for rewriting it as an older version would have left it.
    func stateDatabase() throws -> DatabaseQueue { try DatabaseQueue(path: dir.appendingPathComponent(".vitrine/state.sqlite").path) }

    /// Loads `yaml` and runs it; returns the outcome.
    func run(_ yaml: String, registry: StageRegistry = testRegistry, overrides: [String] = [], configure: (inout ExecutorOptions) -> Void = { _ in }) async throws -> RunOutcome {
        try write("p.yaml", yaml)
        let spec = try PipelineLoader(registry: registry).load(dir.appendingPathComponent("p.yaml"), overrides: overrides)
        var o = ExecutorOptions(); configure(&o)
        let ex = try Executor(spec: spec, registry: registry, store: store, layout: layout, options: o)
        let id = try store.createRun(pipelinePath: spec.file.path, provenance: .object([:]), startedAt: Date().timeIntervalSince1970)
        return await ex.run(runID: id)
    }

    /// Lines of the run counter file (one per stage execution).
    func counted() throws -> [String] { (try? read("count.txt"))?.split(separator: "\n").map(String.init) ?? [] }
}

@Suite(.serialized) struct ExecutorTests {
    static let chain = """
    params: { t: one }
    stages:
      a: { uses: test.echo, with: { text: "${params.t}", counter: COUNTER } }
      b: { uses: test.echo, with: { text: b, input: a.out, counter: COUNTER } }
      c: { uses: test.echo, with: { text: c, input: b.out, counter: COUNTER } }
      d: { uses: test.echo, with: { text: d, counter: COUNTER } }
    """

    func chain(_ ws: Workspace) throws -> String {
        try ws.write("count.txt", "")
        return Self.chain.replacingOccurrences(of: "COUNTER", with: ws.dir.appendingPathComponent("count.txt").path)
    }

    @Test func secondRunSkipsEverything() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        let first = try await ws.run(yaml)
        #expect(first.status == .succeeded)
        #expect(Set(first.ran) == ["a", "b", "c", "d"])
        let second = try await ws.run(yaml)
        #expect(second.ran.isEmpty)
        #expect(Set(second.skipped) == ["a", "b", "c", "d"])
        #expect(try ws.counted().count == 4)
        let out = try String(contentsOf: ws.layout.latest.appendingPathComponent("c/out.txt"), encoding: .utf8)
        #expect(out == "c\nb\none\n")
        let meta = try Data(contentsOf: ws.layout.latest.appendingPathComponent("c/summary.json"))
        #expect(try JSONValue.parse(meta).objectValue?["lines"] == .int(3))
    }

    /// A runner killed between a stage's commit and its `out/<stage>` link: the next run skips the stage and
    /// repairs the link (found by the kill-resume drill: `out/parts@1` was missing after the final resume).
    @Test func aSkippedStageRepairsItsMissingOrStaleLink() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        _ = try await ws.run(yaml)
        let links = ws.layout.latest
        let bTarget = try FileManager.default.destinationOfSymbolicLink(atPath: links.appendingPathComponent("b").path)
        try FileManager.default.removeItem(at: links.appendingPathComponent("c"))
        try FileManager.default.removeItem(at: links.appendingPathComponent("b"))
        try FileManager.default.createSymbolicLink(atPath: links.appendingPathComponent("b").path, withDestinationPath: "../nowhere")
        let second = try await ws.run(yaml)
        #expect(second.ran.isEmpty)
        #expect(try String(contentsOf: links.appendingPathComponent("c/out.txt"), encoding: .utf8) == "c\nb\none\n")
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: links.appendingPathComponent("b").path) == bTarget)
    }

    @Test func paramChangeRerunsExactlyTheAffectedStages() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        _ = try await ws.run(yaml)
        let r = try await ws.run(yaml, overrides: ["t=two"])
        #expect(Set(r.ran) == ["a", "b", "c"])
        #expect(r.skipped == ["d"])
    }

    @Test func seedChangeRerunsEveryStageAndSaysWhy() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws).replacingOccurrences(of: "params: { t: one }", with: "params: { t: one, seed: 1 }")
        _ = try await ws.run(yaml)
        try ws.write("p.yaml", yaml)
        let spec = try PipelineLoader(registry: testRegistry).load(ws.dir.appendingPathComponent("p.yaml"), overrides: ["seed=2"])
        let plan = try Executor(spec: spec, registry: testRegistry, store: ws.store, layout: ws.layout, options: ExecutorOptions()).plan()
        for (stage, state) in plan {
            guard case .willRun(let why) = state else { Issue.record("\(stage.name) would be skipped"); continue }
            if ["a", "d"].contains(stage.name) { #expect(why.contains("seed changed (1 → 2)"), "\(stage.name): \(why)") }
        }
        let r = try await ws.run(yaml, overrides: ["seed=2"])
        #expect(Set(r.ran) == ["a", "b", "c", "d"])
    }

    @Test func unchangedUpstreamContentDoesNotRerunDownstream() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        _ = try await ws.run(yaml)
        let r = try await ws.run(yaml) { $0.force = ["a"] }
        #expect(r.ran == ["a"], "a re-ran but wrote the same bytes, so b and c stay up to date")
        #expect(Set(r.skipped) == ["b", "c", "d"])
    }

    @Test func implementationVersionBumpRerunsThatType() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        _ = try await ws.run(yaml)
        let r = try await ws.run(yaml, registry: testRegistryV2)
        #expect(Set(r.ran) == ["a", "b", "c", "d"])
        let why = try ws.store.executions(runID: r.runID).first { $0.stage == "a" }?.reason ?? ""
        #expect(why.contains("implementation version changed (1 → 2)"), "\(why)")
    }

    @Test func pathInputContentChangeIsDetectedAndExplained() async throws {
        let ws = try Workspace()
        try ws.write("data.txt", "v1")
        let yaml = "stages:\n  s:\n    run: cat $VITRINE_IN_0 > $VITRINE_OUT/o.txt\n    inputs: [data.txt]\n    outputs: [o.txt]\n"
        #expect(try await ws.run(yaml).ran == ["s"])
        #expect(try await ws.run(yaml).ran.isEmpty)
        try ws.write("data.txt", "v2 longer")
        let spec = try PipelineLoader(registry: testRegistry).load(ws.dir.appendingPathComponent("p.yaml"))
        let plan = try Executor(spec: spec, registry: testRegistry, store: ws.store, layout: ws.layout).plan()
        guard case .willRun(let why) = plan[0].state else { Issue.record("stale expected"); return }
        #expect(why.contains("input '0' changed"), "\(why)")
        #expect(try await ws.run(yaml).ran == ["s"])
        #expect(try String(contentsOf: ws.layout.latest.appendingPathComponent("s/o.txt"), encoding: .utf8) == "v2 longer")
    }

    @Test func failureCommitsNothingBlocksDownstreamAndResumesOnlyWhatIsLeft() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws).replacingOccurrences(of: "text: b,", with: "text: b, fail: \"${params.fail}\",")
            .replacingOccurrences(of: "params: { t: one }", with: "params: { t: one, fail: true }")
        let r = try await ws.run(yaml)
        #expect(r.status == .failed)
        #expect(r.failed["b"]?.contains("item 'row 3': asked to fail") == true)
        #expect(r.blocked.contains("c"))
        #expect(try ws.store.latestSucceeded(stage: "b", fingerprint: nil) == nil, "a failed stage records no outputs")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: ws.layout.staging.path)
        #expect(leftovers.isEmpty, "staging is cleaned: \(leftovers)")
        let fixed = try await ws.run(yaml, overrides: ["fail=false"])
        #expect(fixed.status == .succeeded)
        #expect(Set(fixed.ran) == ["b", "c", "d"], "d was never scheduled after the failure (no --keep-going)")
        #expect(fixed.skipped == ["a"], "a finished before the failure and is not redone")
    }

    @Test func keepGoingRunsIndependentBranches() async throws {
        let ws = try Workspace()
        let yaml = "stages:\n  bad: { run: exit 3 }\n  after: { run: 'true', needs: [bad] }\n  other: { run: 'true' }\n"
        let stop = try await ws.run(yaml) { $0.jobs = 1 }
        #expect(stop.failed["bad"]?.contains("exited with code 3") == true)
        #expect(!stop.ran.contains("other"))
        let go = try await ws.run(yaml) { $0.keepGoing = true }
        #expect(go.ran == ["other"])
        #expect(go.blocked == ["after"])
    }

    @Test func missingDeclaredOutputFailsTheStage() async throws {
        let ws = try Workspace()
        let r = try await ws.run("stages:\n  f: { uses: test.forgetful }\n")
        #expect(r.failed["f"]?.contains("without writing its output 'out.txt'") == true)
    }

    @Test func tamperedOutputIsRebuilt() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        _ = try await ws.run(yaml)
        let file = ws.layout.latest.appendingPathComponent("d/out.txt")
        try Data("tampered\n".utf8).write(to: file)
        let r = try await ws.run(yaml)
        #expect(r.ran == ["d"])
        #expect(try String(contentsOf: ws.layout.latest.appendingPathComponent("d/out.txt"), encoding: .utf8) == "d\n")
    }

    @Test func theCommitTakesAHashTheStageRecordedForAnUntouchedFileAndRehashesAChangedOne() async throws {
        let ws = try Workspace()
        let claimed = String(repeating: "ab", count: 32)
        let r = try await ws.run("""
        stages:
          kept: { uses: test.echo, with: { text: kept, recorded_hash: \(claimed) } }
          changed: { uses: test.echo, with: { text: changed, recorded_hash: \(claimed), rewrite_after: true } }
          plain: { uses: test.echo, with: { text: plain } }
        """)
        #expect(r.status == .succeeded)
        func recorded(_ stage: String) throws -> (sha256: String, file: URL) {
            let e = try #require(try ws.store.latestSucceeded(stage: stage, fingerprint: nil))
            let a = try #require(try ws.store.artifacts(executionID: e.id).first { $0.path.hasSuffix("/out.txt") })
            return (a.sha256, ws.layout.root.appendingPathComponent(a.path))
        }
        // Taken as recorded: the commit did not read the file again.
        #expect(try recorded("kept").sha256 == claimed)
        // Written to after its hash was recorded (size and mtime differ): hashed from the file.
        let changed = try recorded("changed")
        #expect(try String(contentsOf: changed.file, encoding: .utf8) == "changed\nagain\n")
        #expect(changed.sha256 == (try ContentHash.file(at: changed.file)))
        let plain = try recorded("plain")
        #expect(plain.sha256 == (try ContentHash.file(at: plain.file)))
    }

    @Test func executionsWithoutRecordedOutputHashesAreHashedFromTheirRows() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        let first = try await ws.run(yaml)
        #expect(first.status == .succeeded && !first.ran.isEmpty)
        // Executions committed before schema v2 have no recorded output hashes: the same fingerprints follow from the rows.
        let q = try ws.stateDatabase()
        try await q.write { db in try db.execute(sql: "UPDATE executions SET output_hashes = NULL") }
        try q.close()
        let again = try await ws.run(yaml)
        #expect(again.ran.isEmpty && again.skipped.sorted() == first.ran.sorted())
        let changed = try await ws.run(yaml, overrides: ["t=two"])
        #expect(Set(changed.ran) == ["a", "b", "c"])
    }

    @Test func outputsRecordedWithSHA256BeforeBLAKE3StayIntact() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        let first = try await ws.run(yaml)
        #expect(first.status == .succeeded && !first.ran.isEmpty)
        // A state written before file hashes were BLAKE3: each artifact's recorded hash is its plain SHA-256. The
        // files' mtimes change, so the intact check hashes them again — with SHA-256, as recorded.
        let q = try ws.stateDatabase()
        let paths = try await q.read { db in try String.fetchAll(db, sql: "SELECT path FROM artifacts") }
        #expect(!paths.isEmpty)
        for p in paths {
            let url = ws.layout.absolute(p)
            let old = try ContentHash.sha256(fileAt: url)
            try await q.write { db in try db.execute(sql: "UPDATE artifacts SET sha256 = ? WHERE path = ?", arguments: [old, p]) }
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -60)], ofItemAtPath: url.path)
        }
        try q.close()
        let again = try await ws.run(yaml)
        #expect(again.ran.isEmpty && again.skipped.sorted() == first.ran.sorted(), "nothing re-ran: \(again.ran)")
        // Same size, other bytes: the SHA-256 check sees it and the stage runs again.
        let out = ws.layout.latest.appendingPathComponent("c/out.txt")
        let text = try String(contentsOf: out, encoding: .utf8)
        try Data(text.uppercased().utf8).write(to: out)
        let third = try await ws.run(yaml)
        #expect(third.ran.contains("c"), "\(third.ran)")
    }

    @Test func shellCommandsStartWithNoSignalBlockedOrIgnored() async throws {
        // The shell reads its own status with builtins: a child (`grep /proc/$$/status`) could catch the shell
        // between fork and exec, when dash blocks every signal for a moment.
        let ws = try Workspace()
        let yaml = """
        stages:
          sig:
            run: 'while read -r k v; do case $k in SigBlk:|SigIgn:) printf "%s\\t%s\\n" $k $v;; esac; done < /proc/$$/status > $VITRINE_OUT/sig.txt; sleep 0 & wait; echo waited >> $VITRINE_OUT/sig.txt'
            outputs: [sig.txt]
            timeout: 20
        """
        let r = try await ws.run(yaml)
        #expect(r.status == .succeeded, "\(r.failed)")
        let text = try String(contentsOf: ws.layout.latest.appendingPathComponent("sig/sig.txt"), encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: "\t").last.map(String.init) ?? "" }
        #expect(lines.count == 3 && lines[2] == "waited", "\(text)")
        #expect(lines.first == "0000000000000000", "no signal blocked: \(text)")
        // Signals 32 and 33 are glibc's own (its threads ignore them); none of the standard 1–31 may be ignored.
        #expect(lines.count > 1 && (UInt64(lines[1], radix: 16) ?? .max) & 0x7fff_ffff == 0, "no standard signal ignored: \(text)")
    }

    @Test func parallelSchedulingRespectsNeeds() async throws {
        let ws = try Workspace()
        let log = ws.dir.appendingPathComponent("times.log").path
        func stage(_ n: String, needs: String = "") -> String {
            "  \(n): { run: 'echo \(n) start $(date +%s.%N) >> \(log); sleep 0.4; echo \(n) end $(date +%s.%N) >> \(log)'\(needs.isEmpty ? "" : ", needs: [\(needs)]") }\n"
        }
        let yaml = "stages:\n" + stage("a") + stage("b") + stage("c", needs: "a, b") + stage("d")
        let r = try await ws.run(yaml) { $0.jobs = 3 }
        #expect(r.status == .succeeded)
        var t: [String: Double] = [:]
        for line in try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n") {
            let p = line.split(separator: " ")
            t["\(p[0]).\(p[1])"] = Double(p[2])
        }
        #expect(t["c.start"]! >= t["a.end"]! && t["c.start"]! >= t["b.end"]!, "c waited for a and b")
        #expect(t["b.start"]! < t["a.end"]!, "independent stages overlapped")
    }

    @Test func retriesWithBackoffThenSucceeds() async throws {
        let ws = try Workspace()
        let marker = ws.dir.appendingPathComponent("tried").path
        let yaml = "stages:\n  flaky:\n    run: 'if [ -e \(marker) ]; then exit 0; else touch \(marker); exit 1; fi'\n    retries: 2\n    retry_delay: 0.05\n"
        let r = try await ws.run(yaml)
        #expect(r.status == .succeeded)
        let execs = try ws.store.executions(runID: r.runID)
        #expect(execs.map(\.attempt) == [1, 2])
        #expect(execs.map(\.status) == [.failed, .succeeded])
    }

    @Test func timeoutStopsTheStage() async throws {
        let ws = try Workspace()
        let started = Date()
        let r = try await ws.run("stages:\n  slow: { run: sleep 20, timeout: 0.5 }\n")
        #expect(r.failed["slow"]?.contains("timed out after") == true, "\(r.failed)")
        #expect(Date().timeIntervalSince(started) < 10)
    }

    @Test func cancellationInterruptsAndRecordsNothingAsDone() async throws {
        let ws = try Workspace()
        try ws.write("p.yaml", "stages:\n  slow: { run: 'sleep 30', outputs: [] }\n  next: { run: 'true', needs: [slow] }\n")
        let spec = try PipelineLoader(registry: testRegistry).load(ws.dir.appendingPathComponent("p.yaml"))
        let ex = try Executor(spec: spec, registry: testRegistry, store: ws.store, layout: ws.layout)
        let id = try ws.store.createRun(pipelinePath: spec.file.path, provenance: .object([:]), startedAt: Date().timeIntervalSince1970)
        let task = Task { await ex.run(runID: id) }
        try await Task.sleep(nanoseconds: 300_000_000)
        task.cancel()
        let r = await task.value
        #expect(r.status == .interrupted)
        #expect(try ws.store.run(id)?.status == .interrupted)
        #expect(try ws.store.executions(runID: id).first?.status == .cancelled)
        #expect(try ws.store.latestSucceeded(stage: "slow", fingerprint: nil) == nil)
    }

    @Test func untilAndOnlySelectStages() async throws {
        let ws = try Workspace()
        let yaml = try chain(ws)
        let u = try await ws.run(yaml) { $0.until = "b" }
        #expect(Set(u.ran) == ["a", "b"])
        let o = try await ws.run(yaml, overrides: ["t=x"]) { $0.only = "c" }
        #expect(o.ran == ["c"], "--only reads b's last outputs and runs c alone")
    }
}
