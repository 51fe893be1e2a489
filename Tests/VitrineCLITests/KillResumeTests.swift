import Foundation
import Testing
import TestSupport

/// SIGKILL `vitrine run` at several points of a multi-stage pipeline, resume each time, and compare
/// the final artifacts with an uninterrupted run; no committed stage may run twice.
@Suite(.serialized) struct KillResumeTests {
    static let pipeline = """
    params: { rows: 400 }
    stages:
      generate:
        run: 'sleep 0.3; seq 1 ${params.rows} > $VITRINE_OUT/numbers.txt'
        outputs: [numbers.txt]
      squares:
        run: 'sleep 0.3; while read n; do echo $((n*n)); done < $VITRINE_IN_0 > $VITRINE_OUT/squares.txt'
        inputs: [generate.numbers.txt]
        outputs: [squares.txt]
      cubes:
        run: 'sleep 0.3; while read n; do echo $((n*n*n)); done < $VITRINE_IN_0 > $VITRINE_OUT/cubes.txt'
        inputs: [generate.numbers.txt]
        outputs: [cubes.txt]
      parts:
        foreach: [1, 2, 3]
        run: 'sleep 0.2; mkdir -p $VITRINE_OUT/part; awk "NR % 3 == (${item} % 3)" $VITRINE_IN_0 > $VITRINE_OUT/part/rows.txt'
        inputs: [squares.squares.txt]
        outputs: [part]
      total:
        run: 'sleep 0.3; cat $VITRINE_IN_A $VITRINE_IN_B | sort -n | sha256sum > $VITRINE_OUT/total.txt'
        inputs: { a: cubes.cubes.txt, b: squares.squares.txt }
        outputs: [total.txt]
        needs: [parts]
    """

    /// Output files of every stage's latest execution, by `stage/relative path` (timings left out).
    func outputs(_ state: URL) throws -> [String: Data] {
        try CLI.latestOutputs(state, excluding: ["summary.json", "metrics.json"])
    }

    /// Ids of the runs recorded in the `killed` state directory (none before the first run row exists).
    func runIDs(_ dir: URL) throws -> [Int] {
        let runs = try CLI.run(["runs", "--json", "--state", "killed", "--limit", "100"], in: dir)
        guard runs.code == 0, let data = runs.out.data(using: .utf8), !data.isEmpty else { return [] }
        return (try? JSONSerialization.jsonObject(with: data) as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
    }

    @Test func killedRunsResumeToByteIdenticalOutputs() throws {
        let dir = try TempDir.make("kill")
        try Data(Self.pipeline.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        #expect(try CLI.run(["run", "p.yaml", "--state", "clean"], in: dir).code == 0)
        let reference = try outputs(dir.appendingPathComponent("clean"))
        #expect(reference.count == 14, "7 outputs and 7 fingerprint files: \(reference.keys.sorted())")

        // Start with `run`; once a run exists, every later attempt is `resume` (a fast machine may
        // finish the whole run before a kill lands; then `resume` must say so and change nothing).
        for delay in [0.15, 0.5, 0.9, 0.45, 1.3] {
            let started = try runIDs(dir).isEmpty == false
            let p = try CLI.start([started ? "resume" : "run", "p.yaml", "--state", "killed"], in: dir)
            Thread.sleep(forTimeInterval: delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
        }
        let last = try CLI.run([try runIDs(dir).isEmpty ? "run" : "resume", "p.yaml", "--state", "killed"], in: dir)
        #expect(last.code == 0, "\(last.err)")
        let resumed = try outputs(dir.appendingPathComponent("killed"))
        #expect(resumed == reference, "final artifacts are byte-identical to the uninterrupted run")

        // Every stage committed exactly once across all the killed and resumed runs.
        let ids = try runIDs(dir)
        var committed: [String: Int] = [:]
        for id in ids {
            let show = try CLI.run(["show", String(id), "--json", "--state", "killed"], in: dir)
            let obj = try JSONSerialization.jsonObject(with: Data(show.out.utf8)) as? [String: Any]
            for s in obj?["stages"] as? [[String: Any]] ?? [] {
                let e = s["execution"] as? [String: Any]
                if e?["status"] as? String == "succeeded", let name = e?["stage"] as? String { committed[name, default: 0] += 1 }
            }
        }
        #expect(committed.count == 7, "\(committed)")
        #expect(committed.values.allSatisfy { $0 == 1 }, "no completed stage ran twice: \(committed)")
        #expect(ids.count == 1, "resume continues the same run id: \(ids)")
    }
}

/// A shell stage's processes outlive a SIGKILLed runner; the next run of the state directory stops them.
@Suite struct LeftoverProcessTests {
    @Test func theNextRunStopsWhatAKilledRunLeftRunning() throws {
        let dir = try TempDir.make("leftover")
        let pidFile = dir.appendingPathComponent("worker.pid")
        let yaml = """
        stages:
          slow:
            run: 'sleep 600 & echo $! > \(pidFile.path); wait'
            outputs: [never]
        """
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let runner = try CLI.start(["run", "p.yaml"], in: dir)
        var worker: Int32 = 0
        for _ in 0..<200 where worker == 0 {
            Thread.sleep(forTimeInterval: 0.05)
            worker = Int32((try? String(contentsOf: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0
        }
        try #require(worker > 0, "the stage never started")
        // Killed only once the runner has recorded the stage's process group: a group started in the instant
        // before its record is missed (a documented gap), and on a loaded machine the kill could land there.
        let records = dir.appendingPathComponent(".vitrine/processes")
        func recorded() -> Bool {
            ((try? FileManager.default.contentsOfDirectory(atPath: records.path)) ?? []).contains { name in
                !((try? Data(contentsOf: records.appendingPathComponent(name))) ?? Data()).isEmpty
            }
        }
        for _ in 0..<200 where !recorded() { Thread.sleep(forTimeInterval: 0.05) }
        try #require(recorded(), "the runner never recorded the stage's process group")
        kill(runner.processIdentifier, SIGKILL)
        // Reaped here: Foundation's `waitUntilExit` can miss the exit of a SIGKILLed child while its grandchildren live.
        var status: Int32 = 0
        for _ in 0..<200 {
            let r = waitpid(runner.processIdentifier, &status, WNOHANG)
            if r == runner.processIdentifier || (r < 0 && errno == ECHILD) { break }
            Thread.sleep(forTimeInterval: 0.05)
        }
        #expect(kill(worker, 0) == 0, "the stage's process survives its runner's SIGKILL")

        // An unrelated process with the same kind of record (but not our VITRINE_OUT) is left alone.
        let bystander = Process()
        bystander.executableURL = URL(fileURLWithPath: "/bin/sleep")
        bystander.arguments = ["30"]
        try bystander.run()
        defer { bystander.terminate() }
        try Data("/elsewhere".utf8).write(to: dir.appendingPathComponent(".vitrine/processes/\(getpgid(bystander.processIdentifier))"))

        try Data(yaml.replacingOccurrences(of: "sleep 600 &", with: "sleep 0 &").utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let next = try CLI.run(["run", "p.yaml"], in: dir)
        #expect(next.err.contains("stopped 2 processes of stage 'slow'"), "\(next.err)")
        var gone = false
        for _ in 0..<100 where !gone { gone = kill(worker, 0) != 0; if !gone { Thread.sleep(forTimeInterval: 0.05) } }
        #expect(gone, "the leftover worker was stopped")
        #expect(bystander.isRunning, "a process group that is not ours is never signalled")
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent(".vitrine/processes").path))?.isEmpty ?? true)
    }
}
