import ArgumentParser
import Foundation
import Pipeline

/// `vitrine show [RUN]`: a run's stages, durations, artifacts (readable paths) and metrics.
struct ShowCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show a run: stages, durations, artifacts with their paths, metrics.")

    @Argument(help: "Run id (default: the latest run).") var run: Int64?
    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var format: FormatOptions

    /// A run with its executions, for `--json`.
    struct Shown: Encodable { let run: RunRecord; let stages: [Stage] }
    /// One stage in `--json`.
    struct Stage: Encodable { let execution: ExecutionRecord; let artifacts: [ArtifactRecord]; let metrics: [MetricRecord] }

    func run() async throws {
        let (store, layout) = stateOptions.openExisting()
        do {
            let wanted: RunRecord? = try run != nil ? store.run(run!) : store.runs(limit: 1).first
            guard let record = wanted else {
                fail(run.map { "no run \($0) in \(layout.root.path) (see vitrine runs)" } ?? "no runs yet in \(layout.root.path)", code: 2)
            }
            let metrics = try store.metrics(runID: nil)
            var shown: [Stage] = []
            for e in try store.executions(runID: record.id) {
                var source = e
                if e.status == .skipped, let reused = try store.reusedExecutionID(of: e.id), let r = try store.execution(reused) { source = r }
                shown.append(Stage(execution: e, artifacts: try store.artifacts(executionID: source.id),
                                   metrics: metrics.filter { $0.executionID == source.id }))
            }
            if format.json { printJSON(Shown(run: record, stages: shown)); return }
            say("Run \(record.id) — \(record.status.rawValue), started \(humanTime(record.startedAt))" +
                (record.finishedAt.map { ", took \(humanDuration($0 - record.startedAt))" } ?? ""))
            say("Pipeline: \(record.pipelinePath)")
            if let err = record.error { say("Error: \(err)") }
            say()
            for s in shown {
                let e = s.execution
                let d = e.finishedAt.map { humanDuration($0 - e.startedAt) } ?? "–"
                say("● \(e.stage) (\(e.stageType)) \(e.status.rawValue)\(e.status == .skipped ? " — reused" : " in \(d)")\(e.attempt > 1 ? ", attempt \(e.attempt)" : "")")
                if let r = e.reason, e.status != .skipped { say("    why: \(r)") }
                if let err = e.error { say("    error: \(err.split(separator: "\n").first ?? "")") }
                let visible = s.artifacts.filter { $0.output != CommitFiles.metaOutput }
                for a in visible.prefix(8) {
                    let readable = readablePath(a.path, stage: e.stage, layout: layout)
                    say("    \(readable)  \(ByteCountFormatter.string(fromByteCount: a.bytes, countStyle: .file))\(a.rows.map { ", \($0) rows" } ?? "")")
                }
                if visible.count > 8 { say("    … and \(visible.count - 8) more files") }
                if let summary = e.summary.objectValue, !summary.isEmpty {
                    say("    " + summary.sorted { $0.key < $1.key }.prefix(10).map { "\($0.key)=\($0.value.description.prefix(40))" }.joined(separator: " "))
                }
                let finals = Dictionary(s.metrics.map { ($0.name, $0) }, uniquingKeysWith: { a, b in (b.step ?? 0) >= (a.step ?? 0) ? b : a })
                if !finals.isEmpty {
                    say("    metrics: " + finals.values.sorted { $0.name < $1.name }.prefix(10).map { String(format: "%@=%.4g", $0.name, $0.value) }.joined(separator: " "))
                }
            }
        } catch { fail("\(error)", code: 1) }
    }

    /// `executions/<stage>/<id>/file` shown through the stable `out/<stage>/file` link when that is the latest.
    func readablePath(_ path: String, stage: String, layout: StateLayout) -> String {
        let link = layout.latest.appendingPathComponent(stage)
        if let dest = try? FileManager.default.destinationOfSymbolicLink(atPath: link.path) {
            let target = String(dest.dropFirst(3))  // "../"
            if path.hasPrefix(target + "/") {
                return PipelineLoader.displayPath(link.appendingPathComponent(String(path.dropFirst(target.count + 1))))
            }
        }
        return PipelineLoader.displayPath(layout.absolute(path))
    }
}
