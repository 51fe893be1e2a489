import Foundation
import Testing
import TestSupport

@Suite(.serialized) struct CLITests {
    @Test func helpListsEveryCommandAndExitCodes() throws {
        let r = try CLI.run(["--help"], in: CLI.root)
        #expect(r.code == 0)
        for cmd in ["run", "resume", "status", "runs", "show", "dag", "metrics", "similar", "report", "publish", "gc", "verify"] {
            #expect(r.out.contains("  \(cmd) "), "help lists \(cmd)")
        }
        #expect(r.out.contains("75 another run holds"))
    }

    @Test func everyShippedPipelineValidates() throws {
        let folder = CLI.root.appendingPathComponent("pipelines")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(files == ["backbones.yaml", "catalog.yaml", "demo.yaml"])
        for f in files {
            let r = try CLI.run(["dag", "pipelines/\(f)"], in: CLI.root)
            #expect(r.code == 0 && r.out.contains("flowchart"), "\(f): \(r.err)")
        }
    }

    /// Started on a CPU without the instructions its engine was built for (checked as if this one were baseline
    /// x86-64), the binary stops before doing anything with exit 70 and says how to rebuild.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VITRINE_TARGET_CPU"] != "x86-64"))
    func aCPUWithoutTheEngineInstructionsGetsExit70AndHowToRebuild() throws {
        let refused = try CLI.run(["--version"], in: CLI.root, environment: ["VITRINE_CPU_CHECK_AS": "x86-64"])
        #expect(refused.code == 70, "\(refused.err)")
        #expect(refused.out.isEmpty)
        #expect(refused.err.contains("neural-network engine was compiled for") && refused.err.contains("VITRINE_TARGET_CPU=x86-64 make"),
                "\(refused.err)")
        // An AVX-512 build (the default on this machine kind) also refuses an AVX2-only CPU; an AVX2 build runs there.
        let avx2 = try CLI.run(["--version"], in: CLI.root, environment: ["VITRINE_CPU_CHECK_AS": "x86-64-v3"])
        #expect(avx2.code == (refused.err.contains("compiled for skylake-avx512 CPUs") ? 70 : 0), "\(avx2.err)")
        let own = try CLI.run(["--version"], in: CLI.root, environment: ["VITRINE_CPU_CHECK_AS": "x86-64-v4"])
        #expect(own.code == 0 && !own.out.isEmpty, "\(own.err)")
    }

    @Test func usageErrorsExit2() throws {
        let r = try CLI.run(["run", "--no-such-flag"], in: CLI.root)
        #expect(r.code == 2, "\(r.err)")
    }

    @Test func invalidPipelineExits2WithFileLineColumn() throws {
        let dir = try TempDir.make("cli")
        try Data("stages:\n  a:\n    run: 'true'\n    needs: [ghost]\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let r = try CLI.run(["run", "p.yaml"], in: dir)
        #expect(r.code == 2)
        #expect(r.err.contains("p.yaml:4:12: error: stage 'a' needs 'ghost'"), "\(r.err)")
    }

    @Test func stageFailureExits1AndNamesTheLog() throws {
        let dir = try TempDir.make("cli")
        try Data("stages:\n  bad: { run: 'echo boom >&2; exit 4' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let r = try CLI.run(["run", "p.yaml", "--log-format", "plain"], in: dir)
        #expect(r.code == 1)
        #expect(r.err.contains("exited with code 4"), "\(r.err)")
        #expect(r.err.contains("boom"), "the stderr tail is shown")
        #expect(r.err.contains("vitrine resume"), "says what to run next")
        let s = try CLI.run(["status", "p.yaml", "--json"], in: dir)
        #expect(s.out.contains("\"state\" : \"failed\""), "\(s.out)")
        let table = try CLI.run(["status", "p.yaml"], in: dir)
        #expect(table.out.contains("failed") && table.out.contains("exited with code 4"), "the table shows the error: \(table.out)")
    }

    @Test func nothingToDoExits0AndDryRunExplains() throws {
        let dir = try TempDir.make("cli")
        try Data("params: { n: 1 }\nstages:\n  a: { run: 'echo ${params.n} > $VITRINE_OUT/a.txt', outputs: [a.txt] }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        #expect(try CLI.run(["run", "p.yaml"], in: dir).code == 0)
        let again = try CLI.run(["run", "p.yaml", "--log-format", "json"], in: dir)
        #expect(again.code == 0)
        #expect(again.err.contains("\"event\":\"stage_skipped\""), "\(again.err)")
        let dry = try CLI.run(["run", "p.yaml", "--dry-run", "--set", "n=2"], in: dir)
        #expect(dry.out.contains("run  a"), "\(dry.out)")
        #expect(dry.out.contains("param 'command' changed"), "\(dry.out)")
    }

    @Test func secondConcurrentRunExits75NamingTheHolderAndAKilledHolderFreesTheLock() throws {
        let dir = try TempDir.make("cli")
        try Data("stages:\n  slow: { run: 'sleep 10' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let log = dir.appendingPathComponent("holder.log")
        let holder = try CLI.start(["run", "p.yaml", "--log-format", "plain"], in: dir, stdout: log)
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        // Wait until the holder has the lock (its stage started) so the second run cannot win the race.
        for _ in 0..<100 where !((try? String(contentsOf: log, encoding: .utf8))?.contains("[slow] started") ?? false) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        var second = CLI.Result(code: -1, out: "", err: "")
        for _ in 0..<50 {
            second = try CLI.run(["run", "p.yaml"], in: dir)
            if second.code == 75 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(second.code == 75, "\(second.err)")
        #expect(second.err.contains("pid \(holder.processIdentifier)"), "\(second.err)")
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        try Data("stages:\n  slow: { run: 'true' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let after = try CLI.run(["run", "p.yaml"], in: dir)
        #expect(after.code == 0, "the kernel released the SIGKILLed holder's lock: \(after.err)")
    }

    @Test func gcKeepsEachPipelinesLatestOutputsInASharedStateDirectory() throws {
        let dir = try TempDir.make("cli-gc")
        func pipeline(_ text: String) -> String { "stages:\n  s: { run: 'echo \(text) > $VITRINE_OUT/s.txt', outputs: [s.txt] }\n" }
        try Data(pipeline("a1").utf8).write(to: dir.appendingPathComponent("a.yaml"))
        try Data(pipeline("b1").utf8).write(to: dir.appendingPathComponent("b.yaml"))
        #expect(try CLI.run(["run", "a.yaml"], in: dir).code == 0)
        #expect(try CLI.run(["run", "b.yaml"], in: dir).code == 0)
        try Data(pipeline("a2").utf8).write(to: dir.appendingPathComponent("a.yaml"))
        #expect(try CLI.run(["run", "a.yaml"], in: dir).code == 0)
        let executions = dir.appendingPathComponent(".vitrine/executions/s")
        #expect(try FileManager.default.contentsOfDirectory(atPath: executions.path).count == 3)

        let dry = try CLI.run(["gc", "--dry-run", "--pipeline", "a.yaml"], in: dir)
        #expect(dry.out.contains("would remove") && dry.out.contains("executions/s/1"), "\(dry.out)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: executions.path).count == 3, "--dry-run removes nothing")
        let gc = try CLI.run(["gc", "--pipeline", "a.yaml"], in: dir)
        #expect(gc.code == 0, "\(gc.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: executions.path).sorted() == ["2", "3"], "\(gc.out)")
        let again = try CLI.run(["run", "b.yaml", "--log-format", "json"], in: dir)
        #expect(again.err.contains("stage_skipped") && !again.err.contains("stage_started"), "b's outputs survived: \(again.err)")
    }

    @Test func gcBlobsRemovesOnlyUnreferencedBlobs() throws {
        let server = LoopbackHTTPServer(folder: CLI.root.appendingPathComponent("data/demo"))
        try server.start()
        defer { server.stop() }
        let dir = try TempDir.make("cli-gc-blobs")
        try Data("id,image\n10000,images/10000.jpg\n10001,images/10001.jpg\n10002,images/10002.jpg\n".utf8)
            .write(to: dir.appendingPathComponent("c.csv"))
        try Data("""
        stages:
          load: { uses: catalog.load, with: { path: c.csv, format: csv, id_column: id } }
          download: { uses: images.download, with: { input: load.products, id_column: id, url_column: image, url_prefix: "\(server.url("/"))", allow_loopback: true } }
        """.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        #expect(try CLI.run(["run", "p.yaml"], in: dir).code == 0)
        let blobs = dir.appendingPathComponent(".vitrine/blobs")
        func stored() -> [String] {
            ((FileManager.default.enumerator(atPath: blobs.path)?.allObjects as? [String]) ?? []).filter { $0.count == 67 }.sorted()
        }
        let images = stored()
        #expect(images.count == 3)
        let orphan = String(repeating: "ab", count: 32)
        try FileManager.default.createDirectory(at: blobs.appendingPathComponent("ab"), withIntermediateDirectories: true)
        try Data("old checkpoint".utf8).write(to: blobs.appendingPathComponent("ab/\(orphan)"))

        let dry = try CLI.run(["gc", "--blobs", "--dry-run", "--pipeline", "p.yaml"], in: dir)
        #expect(dry.out.contains("would remove blob \(orphan)") && dry.out.contains("Would remove 1 unreferenced blobs"), "\(dry.out)")
        #expect(stored().count == 4)
        let gc = try CLI.run(["gc", "--blobs", "--pipeline", "p.yaml"], in: dir)
        #expect(gc.code == 0 && gc.out.contains("Removed 1 unreferenced blobs"), "\(gc.out) \(gc.err)")
        #expect(stored() == images, "every downloaded image is kept")
        server.resetCounts()
        let again = try CLI.run(["run", "p.yaml", "--force", "download"], in: dir)
        #expect(again.code == 0 && server.totalRequests == 0, "a forced download finds every image still stored: \(server.totalRequests) requests")
    }

    @Test func aRunKilledBeforeTheNextOneIsMarkedInterrupted() throws {
        let dir = try TempDir.make("cli-dead")
        try Data("stages:\n  slow: { run: 'sleep 5' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let log = dir.appendingPathComponent("holder.log")
        let holder = try CLI.start(["run", "p.yaml", "--log-format", "plain"], in: dir, stdout: log)
        for _ in 0..<100 where !((try? String(contentsOf: log, encoding: .utf8))?.contains("[slow] started") ?? false) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        try Data("stages:\n  quick: { run: 'true' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        #expect(try CLI.run(["run", "p.yaml"], in: dir).code == 0)
        let runs = try CLI.run(["runs", "--json"], in: dir)
        let list = try JSONSerialization.jsonObject(with: Data(runs.out.utf8)) as? [[String: Any]] ?? []
        #expect(list.first { $0["id"] as? Int == 1 }?["status"] as? String == "interrupted", "\(runs.out)")
        let show = try CLI.run(["show", "1", "--json"], in: dir)
        #expect(show.out.contains("\"cancelled\"") && !show.out.contains("\"running\""), "\(show.out)")
    }

    @Test func resumeReusesTheRunsSetValues() throws {
        let dir = try TempDir.make("cli-set")
        try Data("""
        params: { n: 1 }
        stages:
          a: { run: 'echo ${params.n} > $VITRINE_OUT/a.txt', outputs: [a.txt] }
          b: { run: 'test -f ok.flag && cat $VITRINE_IN_0 > $VITRINE_OUT/b.txt', inputs: [a.a.txt], outputs: [b.txt] }
        """.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let failed = try CLI.run(["run", "p.yaml", "--set", "n=2", "--log-format", "plain"], in: dir)
        #expect(failed.code == 1, "\(failed.err)")
        try Data().write(to: dir.appendingPathComponent("ok.flag"))
        let resumed = try CLI.run(["resume", "p.yaml", "--log-format", "json"], in: dir)
        #expect(resumed.code == 0, "\(resumed.err)")
        #expect(resumed.err.contains("resuming with the run's --set n=2"), "\(resumed.err)")
        #expect(resumed.err.contains("\"stage\":\"a\"") && resumed.err.contains("stage_skipped"), "a is not redone: \(resumed.err)")
        #expect(try String(contentsOf: dir.appendingPathComponent(".vitrine/out/b/b.txt"), encoding: .utf8) == "2\n")
    }

    @Test func metricsDiffOfAnUnknownRunExits2() throws {
        let dir = try TempDir.make("cli-diff")
        try Data("stages:\n  a: { run: 'true' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        #expect(try CLI.run(["run", "p.yaml"], in: dir).code == 0)
        let r = try CLI.run(["metrics", "--diff", "1", "9", "--pipeline", "p.yaml"], in: dir)
        #expect(r.code == 2 && r.err.contains("no run 9"), "\(r.err)")
    }

    @Test func dagPrintsMermaidAndDot() throws {
        let dir = try TempDir.make("cli")
        try Data("stages:\n  a: { run: 'true' }\n  b: { run: 'true', needs: [a] }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        #expect(try CLI.run(["dag", "p.yaml"], in: dir).out.contains("s0 --> s1"))
        #expect(try CLI.run(["dag", "p.yaml", "--format", "dot"], in: dir).out.contains("\"a\" -> \"b\""))
    }

    @Test func prometheusMetricsFile() throws {
        let dir = try TempDir.make("cli")
        try Data("stages:\n  a: { run: 'true' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        #expect(try CLI.run(["run", "p.yaml", "--metrics-file", "m.prom"], in: dir).code == 0)
        let text = try String(contentsOf: dir.appendingPathComponent("m.prom"), encoding: .utf8)
        #expect(text.contains("vitrine_run_success{pipeline=\"p.yaml\"} 1"))
        #expect(text.contains("# TYPE vitrine_stage_duration_seconds gauge"))
    }

    @Test func corruptedStateDatabaseIsReportedWithAnAction() throws {
        let dir = try TempDir.make("cli")
        try Data("stages:\n  a: { run: 'true' }\n".utf8).write(to: dir.appendingPathComponent("p.yaml"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent(".vitrine"), withIntermediateDirectories: true)
        try Data(repeating: 0x42, count: 4096).write(to: dir.appendingPathComponent(".vitrine/state.sqlite"))
        let r = try CLI.run(["run", "p.yaml"], in: dir)
        #expect(r.code == 2)
        #expect(r.err.contains("state.sqlite"), "\(r.err)")
    }
}
