import Checkpoints
import Foundation
import NeuralNet
import Pipeline
import Stages

/// One `run` or `resume`: loads the pipeline, takes the lock, runs, writes metrics, and exits
/// with the documented code.
struct PipelineSession {
    let options: RunOptions
    let command: String

    /// Runs (or resumes) and exits.
    func execute(resume: Bool) async -> Never {
        var overrides = options.overrides
        if resume, overrides.isEmpty, let recorded = recordedOverrides(), !recorded.isEmpty {
            // The run being resumed was started with --set values: resuming without them would change fingerprints.
            FileHandle.standardError.write(Data("vitrine: resuming with the run's --set \(recorded.joined(separator: " --set "))\n".utf8))
            overrides = recorded
        }
        let spec = loadPipeline(options.pipeline, overrides: overrides)
        // OpenBLAS loads on first use (its threads would slow every no-op); a pipeline that will use it loads it now,
        // before the executor's threads start, so the kernel family is chosen while nothing else reads the environment.
        if spec.stages.contains(where: { BuiltinStages.usingBLAS.contains($0.typeName) }) { BLAS.load() }
        let stateDir = options.state.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? spec.directory.appendingPathComponent(".vitrine")
        let store = openStore(stateDir)
        let layout = StateLayout(root: stateDir)
        let reporter = options.reporter
        let executor: Executor
        do {
            executor = try Executor(spec: spec, registry: BuiltinStages.registry, store: store, layout: layout,
                                    options: options.executorOptions, reporter: reporter)
        } catch { fail("\(error)", code: 2) }

        if options.dryRun {
            do {
                for (stage, state) in try executor.plan() {
                    let verb: String
                    switch state { case .upToDate: verb = "skip"; case .willRun: verb = "run "; case .excluded: verb = "  – " }
                    say("\(verb) \(stage.name)  (\(stage.typeName)) — \(state.description)")
                }
            } catch { fail("\(error)", code: 1) }
            exit(0)
        }

        let lock: StateLock
        do {
            lock = try await StateLock.acquire(stateDirectory: stateDir, command: command, wait: options.wait) { held in
                FileHandle.standardError.write(Data("vitrine: \(held.description) — waiting…\n".utf8))
            }
        } catch let e as StateLockError {
            fail(e.description, code: 75)
        } catch { fail("\(error)", code: 75) }
        defer { lock.release() }
        // Holding the lock, nothing else runs here: executions still marked running were cut off by a crash or kill,
        // and shell commands they started may still be running (SIGKILL cannot take them along).
        for group in LeftoverProcesses.stop(in: layout.processes) {
            FileHandle.standardError.write(Data("vitrine: stopped \(group.processes) process\(group.processes == 1 ? "" : "es") of stage '\(group.stage)' (process group \(group.pgid)) left running by a run that was killed\n".utf8))
        }
        let now = Date().timeIntervalSince1970
        _ = try? store.abandonRunningExecutions(runID: nil, error: "interrupted: the process stopped before this stage finished", at: now)
        for dead in (try? store.runs(limit: 50))?.filter({ $0.status == .running }) ?? [] {
            try? store.finishRun(dead.id, status: .interrupted, error: "the process stopped (killed or crashed) before the run finished", finishedAt: now)
        }

        let runID: Int64
        var resumed = false
        do {
            if resume {
                // The latest run of this pipeline file (pipelines in one folder share a state directory).
                guard let r = try store.latestRun(of: spec.file), r.status != .succeeded else {
                    say("Nothing to resume: the latest run of \(spec.file.lastPathComponent) finished successfully (or there is none).")
                    exit(0)
                }
                try store.reopenRun(r.id)
                runID = r.id; resumed = true
            } else {
                let provenance = Provenance.collect(pipelineDirectory: spec.directory, seed: spec.seed,
                                                    threads: options.executorOptions.threads, version: Vitrine.version)
                var p = provenance.objectValue ?? [:]
                p["params"] = .object(spec.params)
                p["command"] = .string(command)
                p["overrides"] = .array(options.overrides.map { .string($0) })
                runID = try store.createRun(pipelinePath: spec.file.path, provenance: .object(p), startedAt: Date().timeIntervalSince1970)
            }
        } catch { fail("\(error)", code: 1) }

        let started = Date()
        let task = Task { await executor.run(runID: runID, resumed: resumed) }
        let trap = SignalTrap { task.cancel() }
        let outcome = await task.value
        trap.disarm()
        if let path = options.metricsFile {
            PrometheusFile(outcome: outcome, pipeline: spec.file.lastPathComponent, store: store, started: started).write(to: path)
        }
        // A run where nothing ran or failed changes nothing worth a new report (and a nightly no-op stays fast).
        let changed = !outcome.ran.isEmpty || !outcome.failed.isEmpty || outcome.status == .interrupted
        let report = options.noReport || !changed ? nil : writeReport(runID: runID, spec: spec, store: store, layout: layout)
        lock.release()
        switch outcome.status {
        case .succeeded:
            printWhereResultsAre(spec: spec, layout: layout, outcome: outcome, report: report)
            exit(0)
        case .interrupted: exit(130)
        default:
            if let report { FileHandle.standardError.write(Data("  run report: \(report)\n".utf8)) }
            for (stage, error) in outcome.failed.sorted(by: { $0.key < $1.key }) {
                let text = error.hasPrefix("stage '\(stage)'") ? error : "stage '\(stage)' failed: \(error)"
                FileHandle.standardError.write(Data("vitrine: \(text)\n".utf8))
                FileHandle.standardError.write(Data("  log: \(layout.logs.path)/\(runID)/\(stage).log\n".utf8))
            }
            let stateFlag = options.state.map { " --state \($0)" } ?? ""
            FileHandle.standardError.write(Data("  next: fix the cause, then `vitrine resume \(options.pipeline)\(stateFlag)` (only unfinished work is redone)\n".utf8))
            exit(1)
        }
    }

    /// The `--set` values of the latest run of this pipeline file, as recorded when it started.
    func recordedOverrides() -> [String]? {
        let file = URL(fileURLWithPath: options.pipeline).standardizedFileURL
        let dir = options.state.map { URL(fileURLWithPath: $0).standardizedFileURL } ?? file.deletingLastPathComponent().appendingPathComponent(".vitrine")
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("state.sqlite").path),
              let store = try? SQLiteStore(stateDirectory: dir),
              let run = try? store.latestRun(of: file)
        else { return nil }
        return run.provenance.objectValue?["overrides"]?.arrayValue?.compactMap(\.stringValue)
    }

    /// Tells the user where the outputs are.
    func printWhereResultsAre(spec: PipelineSpec, layout: StateLayout, outcome: RunOutcome, report: String?) {
        let rel = PipelineLoader.displayPath(layout.latest)
        say("Run \(outcome.runID) succeeded: \(outcome.ran.count) ran, \(outcome.skipped.count) up to date.")
        say("Latest outputs: \(rel)/<stage>/   (vitrine show --state \(PipelineLoader.displayPath(layout.root)))")
        for stage in spec.stages where stage.typeName == "report.html" && (outcome.ran + outcome.skipped).contains(stage.name) {
            say("Report: \(rel)/\(stage.name)/report.html")
        }
        if let report { say("Run report: \(report)") }
    }

    /// Writes `<state>/reports/run-N.html` and returns its display path; a failure here never fails the run.
    func writeReport(runID: Int64, spec: PipelineSpec, store: SQLiteStore, layout: StateLayout) -> String? {
        do {
            guard let run = try store.run(runID) else { return nil }
            let url = RunReport.defaultURL(runID: runID, layout: layout)
            try RunReport.write(run: run, store: store, layout: layout, spec: spec, to: url)
            return PipelineLoader.displayPath(url)
        } catch {
            FileHandle.standardError.write(Data("vitrine: warning: could not write the run report: \(error)\n".utf8))
            return nil
        }
    }
}
