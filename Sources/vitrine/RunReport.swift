import Checkpoints
import Foundation
import Pipeline
import Stages

/// The HTML report of one run — every stage's status and duration, the DAG, the data funnel, charts and
/// sample queries — written after every run to `<state>/reports/run-N.html` and by `vitrine report`.
enum RunReport {
    /// Where the report of run `runID` goes by default.
    static func defaultURL(runID: Int64, layout: StateLayout) -> URL {
        layout.root.appendingPathComponent("reports", isDirectory: true).appendingPathComponent("run-\(runID).html")
    }

    /// The run's stages in pipeline order (last attempt each), with stages of `spec` that never started as pending.
    static func stages(of run: RunRecord, lookup: ExecutionLookup, spec: PipelineSpec?) throws -> [RunStageInfo] {
        var last: [String: ExecutionRecord] = [:]
        var order: [String] = []
        for e in try lookup.store.executions(runID: run.id) {
            if last[e.stage] == nil { order.append(e.stage) }
            last[e.stage] = e
        }
        for s in spec?.stages ?? [] where last[s.name] == nil { order.append(s.name) }
        let position = Dictionary((spec?.stages ?? []).enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        order.sort { (position[$0] ?? Int.max, $0) < (position[$1] ?? Int.max, $1) }
        return try order.map { name in
            let needs = spec?.stage(name)?.needs ?? []
            guard let e = last[name] else {
                return RunStageInfo(name: name, type: spec?.stage(name)?.typeName ?? "", status: "pending", needs: needs)
            }
            let source = try lookup.source(of: e)
            let folder = source?.outputDirectory.map { lookup.layout.absolute($0) }
            let seconds = e.status == .skipped ? nil : e.finishedAt.map { $0 - e.startedAt }
            return RunStageInfo(name: name, type: e.stageType, status: e.status.rawValue, durationSeconds: seconds,
                                cached: e.status == .skipped, needs: needs, outputFolder: folder)
        }
    }

    /// Writes the report of `run` to `url`; `spec` (when the pipeline file still loads) gives the DAG edges.
    static func write(run: RunRecord, store: SQLiteStore, layout: StateLayout, spec: PipelineSpec?, to url: URL) throws {
        let lookup = ExecutionLookup(store: store, layout: layout)
        let stages = try stages(of: run, lookup: lookup, spec: spec)
        let name = URL(fileURLWithPath: run.pipelinePath).lastPathComponent
        let took = run.finishedAt.map { ", took " + humanDuration($0 - run.startedAt) } ?? ""
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try ReportAssembler.write(to: url, title: "Vitrine run \(run.id) — \(name)",
                                  subtitle: "\(run.status.rawValue), started \(humanTime(run.startedAt))\(took)",
                                  stages: stages, blobs: try? BlobStore(root: layout.blobs), seed: spec?.seed ?? 0)
    }
}
