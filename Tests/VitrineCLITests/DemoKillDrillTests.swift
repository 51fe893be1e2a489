import Foundation
import Randomness
import Testing
import TestSupport

/// The failure drill on the whole demo pipeline: SIGKILL `vitrine` at 20 seeded random moments spread
/// over the stages, resume each time, and compare the final artifacts with an uninterrupted run.
/// Runs against the release binary (`make test` sets VITRINE_BIN in its second pass; the debug build
/// trains too slowly for 20 rounds) and needs the pretrained weights in .weights/.
@Suite(.serialized) struct DemoKillDrillTests {
    static let weights = CLI.root.appendingPathComponent(".weights")
    static let enabled = CLI.binary.path.contains("/release/")
        && FileManager.default.fileExists(atPath: weights.appendingPathComponent("mobilenet_v2-b0353104.pth").path)

    /// Outputs that carry wall-clock times or timestamps (durations, images/s, created_at) and so differ run to run.
    static let timed: Set<String> = ["summary.json", "metrics.json", "manifest.json", "catalog.sqlite"]

    /// Every deterministic output of every stage's latest execution, by `stage/path`.
    func outputs(_ state: URL) throws -> [String: Data] {
        try CLI.latestOutputs(state, excluding: Self.timed)
    }

    @Test(.enabled(if: enabled)) func demoKilledTwentyTimesResumesToIdenticalArtifacts() throws {
        setenv("VITRINE_WEIGHTS", Self.weights.path, 1)
        let server = LoopbackHTTPServer(folder: CLI.root.appendingPathComponent("data/demo"))
        try server.start()
        defer { server.stop() }
        let dir = try TempDir.make("drill")
        try FileManager.default.copyItem(at: CLI.root.appendingPathComponent("pipelines/demo.yaml"), to: dir.appendingPathComponent("demo.yaml"))
        let set = ["--set", "image_server=\(server.url("/"))", "--set", "catalog=\(CLI.root.path)/data/demo/products.csv",
                   "--log-format", "plain", "--threads", "2"]

        let cleanStart = Date()
        let clean = try CLI.run(["run", "demo.yaml", "--state", "clean"] + set, in: dir)
        // Kill delays scale with this machine's speed, so that 20 kills fit in one pipeline's worth of work.
        let span = max(0.2, Date().timeIntervalSince(cleanStart) / 20)
        #expect(clean.code == 0, "\(clean.err)")
        let reference = try outputs(dir.appendingPathComponent("clean"))
        #expect(reference.keys.contains("embed/embeddings.npy") && reference.keys.contains("train/model/weights.safetensors"))
        let cleanRequests = server.totalRequests
        server.resetCounts()

        var generator = SeededGenerator(seed: 20, stream: "kill-drill")
        var stagesHit = Set<String>()
        var finished = false, kills = 0, downloadKills = 0
        for round in 0..<40 where !finished && kills < 20 {
            let log = dir.appendingPathComponent("round-\(round).log")
            let hasRun = (try? CLI.run(["runs", "--json", "--state", "killed"], in: dir))?.out.contains("\"id\"") ?? false
            let command = hasRun ? "resume" : "run"
            let p = try CLI.start([command, "demo.yaml", "--state", "killed"] + set, in: dir, stdout: log)
            // Kill a random moment into the first stage this attempt starts, or (15 rounds in 100) into the
            // second, so that stages longer than the kill delay still complete and the kills move on (up to 40
            // attempts for 20 kills: an attempt that finishes the run ends the drill).
            let k = generator.nextDouble() < 0.85 ? 1 : 2, delay = 0.02 + span * generator.nextDouble()
            while p.isRunning, (((try? String(contentsOf: log, encoding: .utf8)) ?? "").components(separatedBy: "] started ").count - 1) < k {
                Thread.sleep(forTimeInterval: 0.02)
            }
            Thread.sleep(forTimeInterval: delay)
            if p.isRunning { kill(p.processIdentifier, SIGKILL); kills += 1 } else { finished = true }
            p.waitUntilExit()
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            // The stage that was running when the kill landed: the last one started and not done.
            let started = text.split(separator: "\n").compactMap { line -> String? in
                guard line.contains("] started ") else { return nil }
                return line.split(separator: "[").dropFirst().first?.split(separator: "]").first.map(String.init)
            }
            if let last = started.last, !text.contains("[\(last)] done") {
                stagesHit.insert(last)
                if last == "download" { downloadKills += 1 }
            }
        }
        let last = try CLI.run(["resume", "demo.yaml", "--state", "killed"] + set, in: dir)
        #expect(last.code == 0, "\(last.err)")
        let resumed = try outputs(dir.appendingPathComponent("killed"))
        #expect(Set(resumed.keys) == Set(reference.keys))
        for (key, data) in reference where resumed[key] != data { Issue.record("\(key) differs after the kills") }
        // Stages of a few milliseconds are rarely hit; every stage that takes measurable time should be.
        #expect(stagesHit.count >= 3, "kills landed in: \(stagesHit.sorted())")
        #expect(kills >= 15, "\(kills) kills before the run finished")
        // Every finished download is journaled (spill file, then batch), so no stored image is fetched twice;
        // only transfers in flight when a kill landed in download (at most `concurrency: 8` each) are repeated.
        #expect(server.totalRequests <= cleanRequests + 8 * downloadKills,
                "requests across all rounds: \(server.totalRequests), clean run: \(cleanRequests), kills in download: \(downloadKills)")
        let runs = try CLI.run(["runs", "--json", "--state", "killed"], in: dir)
        let ids = (try JSONSerialization.jsonObject(with: Data(runs.out.utf8)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        #expect(ids == [1], "every resume continued run 1: \(ids)")
        print("drill: \(kills) kills landed in \(stagesHit.sorted()); \(server.totalRequests) image requests for 593 products")
    }
}
