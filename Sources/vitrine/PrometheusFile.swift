import Foundation
import Pipeline

/// Run metrics in Prometheus text format, for node_exporter's textfile collector.
struct PrometheusFile {
    let outcome: RunOutcome
    let pipeline: String
    let store: any PipelineStore
    let started: Date

    /// The exposition text.
    var text: String {
        let p = pipeline.replacingOccurrences(of: "\"", with: "'")
        var lines: [String] = [
            "# HELP vitrine_run_success Whether the last run succeeded (1) or not (0).",
            "# TYPE vitrine_run_success gauge",
            "vitrine_run_success{pipeline=\"\(p)\"} \(outcome.status == .succeeded ? 1 : 0)",
            "# HELP vitrine_run_timestamp_seconds When the last run finished.",
            "# TYPE vitrine_run_timestamp_seconds gauge",
            "vitrine_run_timestamp_seconds{pipeline=\"\(p)\"} \(Int(Date().timeIntervalSince1970))",
            "# HELP vitrine_run_duration_seconds Duration of the last run.",
            "# TYPE vitrine_run_duration_seconds gauge",
            String(format: "vitrine_run_duration_seconds{pipeline=\"%@\"} %.3f", p, Date().timeIntervalSince(started)),
            "# HELP vitrine_run_id Id of the last run.",
            "# TYPE vitrine_run_id gauge",
            "vitrine_run_id{pipeline=\"\(p)\"} \(outcome.runID)",
            "# HELP vitrine_stage_duration_seconds Duration of each stage that ran in the last run.",
            "# TYPE vitrine_stage_duration_seconds gauge",
        ]
        let executions = (try? store.executions(runID: outcome.runID)) ?? []
        for e in executions where e.status == .succeeded || e.status == .failed {
            let d = (e.finishedAt ?? e.startedAt) - e.startedAt
            lines.append(String(format: "vitrine_stage_duration_seconds{pipeline=\"%@\",stage=\"%@\",status=\"%@\"} %.3f", p, e.stage, e.status.rawValue, d))
        }
        lines += ["# HELP vitrine_stage_items Item counts reported by stages (summary numbers).", "# TYPE vitrine_stage_items gauge"]
        for e in executions where e.status == .succeeded {
            for (k, v) in (e.summary.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let n = v.doubleValue { lines.append("vitrine_stage_items{pipeline=\"\(p)\",stage=\"\(e.stage)\",item=\"\(k)\"} \(n)") }
            }
        }
        lines += ["# HELP vitrine_stages Stages of the last run by outcome.", "# TYPE vitrine_stages gauge"]
        for (label, n) in [("ran", outcome.ran.count), ("skipped", outcome.skipped.count), ("failed", outcome.failed.count), ("blocked", outcome.blocked.count)] {
            lines.append("vitrine_stages{pipeline=\"\(p)\",outcome=\"\(label)\"} \(n)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes atomically (the collector must never read half a file).
    func write(to path: String) {
        do { try FileIO.writeAtomically(Data(text.utf8), to: URL(fileURLWithPath: path)) } catch {
            FileHandle.standardError.write(Data("vitrine: cannot write metrics file \(path): \(error)\n".utf8))
        }
    }
}
