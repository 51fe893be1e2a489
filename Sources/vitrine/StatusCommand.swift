import ArgumentParser
import Foundation
import Pipeline
import Stages

/// `vitrine status PIPELINE`: each stage up to date, stale (and exactly why), failed, or never run.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Show which stages are up to date, stale (and why), failed or never run.")

    @Argument(help: "The pipeline file.") var pipeline: String
    @Option(name: .customLong("set"), help: "Param overrides, as for run.") var overrides: [String] = []
    @Option(name: .long, help: "State directory.") var state: String?
    @OptionGroup var format: FormatOptions

    /// One stage's state for `--json`.
    struct Row: Encodable { let stage: String; let type: String; let state: String; let reason: String?; let lastRun: Int64?; let lastError: String? }

    func run() async throws {
        let spec = loadPipeline(pipeline, overrides: overrides)
        let dir = state.map { URL(fileURLWithPath: $0) } ?? spec.directory.appendingPathComponent(".vitrine")
        let store = openStore(dir)
        let executor: Executor
        do { executor = try Executor(spec: spec, registry: BuiltinStages.registry, store: store, layout: StateLayout(root: dir)) }
        catch { fail("\(error)", code: 2) }
        var rows: [Row] = []
        do {
            let latestRun = try store.runs(limit: 1).first
            let lastExecs = try latestRun.map { try store.executions(runID: $0.id) } ?? []
            for (stage, plan) in try executor.plan() {
                let lastFailure = lastExecs.last { $0.stage == stage.name && ($0.status == .failed || $0.status == .cancelled) }
                let lastOK = try store.latestSucceeded(stage: stage.name, fingerprint: nil)
                switch plan {
                case .upToDate(let e): rows.append(Row(stage: stage.name, type: stage.typeName, state: "up to date", reason: nil, lastRun: e.runID, lastError: nil))
                case .willRun(let reason):
                    if let f = lastFailure, lastOK.map({ $0.startedAt < f.startedAt }) ?? true {
                        rows.append(Row(stage: stage.name, type: stage.typeName, state: f.status == .cancelled ? "interrupted" : "failed", reason: reason, lastRun: f.runID, lastError: f.error))
                    } else if reason == "never run" {
                        rows.append(Row(stage: stage.name, type: stage.typeName, state: "never run", reason: nil, lastRun: nil, lastError: nil))
                    } else {
                        rows.append(Row(stage: stage.name, type: stage.typeName, state: "stale", reason: reason, lastRun: lastOK?.runID, lastError: nil))
                    }
                case .excluded: break
                }
            }
        } catch { fail("\(error)", code: 1) }
        if format.json { printJSON(rows); return }
        var t = TextTable(header: ["STAGE", "TYPE", "STATE", "WHY"])
        // A failed or interrupted stage shows its error (what on-call needs first); others why they will run.
        for r in rows {
            let failed = r.state == "failed" || r.state == "interrupted"
            let why = failed ? (r.lastError ?? r.reason) : (r.reason ?? r.lastError)
            t.rows.append([r.stage, r.type, r.state, String((why ?? "").split(separator: "\n").first ?? "").prefix(100).description])
        }
        say(t.render())
    }
}
