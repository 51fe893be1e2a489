import Foundation
import Pipeline
import Report

/// Reads what one stage left in its output folder into report pieces: summary.json (funnel rows
/// `rows_in`/`rows_out`/`rows`, `dropped` and `failures` objects of reason → count), metrics.json
/// (per-epoch points), evaluation.json (per-epoch metrics and the confusion matrix).
struct StageFolderReader {
    /// Stage name used as the chart series label.
    let stage: String
    /// Stage type, when known.
    let type: String
    /// The folder.
    let folder: URL

    func json(_ name: String) -> JSONValue? {
        guard let data = try? Data(contentsOf: folder.appendingPathComponent(name)) else { return nil }
        return try? JSONValue.parse(data)
    }

    /// Adds funnel steps, drops and download failures from summary.json.
    func readSummary(into model: inout ReportModel) {
        guard let s = json("summary.json")?.objectValue else { return }
        if model.funnel.isEmpty, let rowsIn = s["rows_in"]?.intValue { model.funnel.append(FunnelStep(label: "input", rows: rowsIn)) }
        if let rows = (s["rows_out"] ?? s["rows"])?.intValue { model.funnel.append(FunnelStep(label: stage, rows: rows)) }
        for key in ["dropped", "drops"] {
            for (reason, n) in (s[key]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let n = n.intValue { model.drops.append(ReasonCount(stage: stage, reason: reason, count: n)) }
            }
        }
        for key in ["failures", "failures_by_reason"] {
            for (reason, n) in (s[key]?.objectValue ?? [:]).sorted(by: { $0.key < $1.key }) {
                if let n = n.intValue { model.downloadFailures.append(ReasonCount(stage: stage, reason: reason, count: n)) }
            }
        }
    }

    /// Per-epoch series `(metric, points)` from metrics.json and evaluation.json.
    func readSeries() -> [(metric: String, points: [ChartPoint])] {
        var byMetric: [String: [ChartPoint]] = [:]
        for p in json("metrics.json")?.arrayValue ?? [] {
            guard let o = p.objectValue, let name = o["name"]?.stringValue, let step = o["step"]?.doubleValue,
                  let value = o["value"]?.doubleValue else { continue }
            byMetric[name, default: []].append(ChartPoint(x: step, y: value))
        }
        for (i, epoch) in epochs().enumerated() {
            let x = epoch["epoch"]?.doubleValue ?? Double(i + 1)
            var flat: [String: Double] = [:]
            for (key, v) in epoch { if let d = v.doubleValue, key != "epoch" { flat[key] = d } }
            for (key, v) in epoch["macro"]?.objectValue ?? [:] { if let d = v.doubleValue { flat[key] = d } }
            for (key, d) in flat where byMetric[key] == nil || byMetric[key]?.contains(where: { $0.x == x }) == false {
                byMetric[key, default: []].append(ChartPoint(x: x, y: d))
            }
        }
        return byMetric.map { ($0.key, $0.value.sorted { $0.x < $1.x }) }.sorted { $0.metric < $1.metric }
    }

    /// The last epoch's confusion matrix from evaluation.json, if any.
    func readConfusion() -> ConfusionMatrix? {
        guard let eval = json("evaluation.json")?.objectValue else { return nil }
        let last = epochs().last ?? [:]
        guard let rows = (last["confusion"] ?? last["confusion_matrix"] ?? eval["confusion"] ?? eval["confusion_matrix"])?.arrayValue
        else { return nil }
        let counts = rows.flatMap { $0.arrayValue?.map { $0.intValue ?? 0 } ?? [] }
        let classes = (eval["classes"]?.arrayValue ?? last["classes"]?.arrayValue)?.map(\.description)
            ?? (0..<rows.count).map { "class \($0)" }
        guard classes.count * classes.count == counts.count else { return nil }
        let epoch = last["epoch"].map { ", epoch \($0.description)" } ?? ""
        return ConfusionMatrix(title: stage + epoch, classes: classes, counts: counts)
    }

    /// The per-epoch objects of evaluation.json (an `epochs` array, or the top level when it is an array).
    func epochs() -> [[String: JSONValue]] {
        guard let eval = json("evaluation.json") else { return [] }
        let list = eval.arrayValue ?? eval.objectValue?["epochs"]?.arrayValue ?? []
        return list.compactMap(\.objectValue)
    }
}
