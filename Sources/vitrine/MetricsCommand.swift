import ArgumentParser
import Foundation
import Pipeline

/// `vitrine metrics`: metrics side by side across stages (e.g. one column per backbone) and runs.
struct MetricsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "metrics", abstract: "Show metrics across stages and runs; --diff A B compares two runs.")

    @OptionGroup var stateOptions: StateOptions
    @Option(name: .long, help: "Only this run (default: the latest value of each stage's metrics across runs).") var run: Int64?
    @Option(name: .long, parsing: .upToNextOption, help: "Compare two runs: --diff A B.") var diff: [Int64] = []
    @Flag(name: .long, help: "Show every step (epoch), not only the last.") var steps = false
    @Option(name: .long, help: "Only metrics whose name contains this.") var filter: String?
    @Option(name: .long, help: "Only this stage and its expansions (e.g. evaluate → evaluate@mobilenet_v2, evaluate@resnet18).") var stage: String?
    @OptionGroup var format: FormatOptions

    func validate() throws {
        if !diff.isEmpty && diff.count != 2 { throw ValidationError("--diff takes two run ids") }
    }

    func run() async throws {
        let (store, layout) = stateOptions.openExisting()
        do {
            if diff.count == 2 { try printDiff(store: store); return }
            var records = try store.metrics(runID: run)
            if let filter { records = records.filter { $0.name.contains(filter) } }
            if let stage { records = records.filter { $0.stage == stage || $0.stage.hasPrefix(stage + "@") } }
            if let pipeline = stateOptions.pipelineURL {
                // Pipelines in one folder share the state directory: keep what this pipeline's runs produced or
                // reused (a stage another pipeline file or checkout already ran is this pipeline's result too).
                let mine = try ExecutionLookup(store: store, layout: layout).executionIDs(ofRunsOf: pipeline)
                records = records.filter { mine.contains($0.executionID) }
            }
            if format.json { printJSON(records); return }
            guard !records.isEmpty else { say("No metrics recorded\(run.map { " in run \($0)" } ?? "") yet."); return }
            // Latest execution of each stage wins; rows = metric (and step), columns = stage.
            var latestExec: [String: Int64] = [:]
            for r in records { latestExec[r.stage] = max(latestExec[r.stage] ?? 0, r.executionID) }
            let current = records.filter { latestExec[$0.stage] == $0.executionID }
            let stages = Array(Set(current.map(\.stage))).sorted()
            var cells: [String: [String: Double]] = [:]
            var lastStep: [String: Int] = [:]
            for r in current { lastStep[r.stage + "|" + r.name] = max(lastStep[r.stage + "|" + r.name] ?? Int.min, r.step ?? Int.min) }
            for r in current {
                let isLast = (r.step ?? Int.min) == lastStep[r.stage + "|" + r.name]
                guard steps || isLast else { continue }
                let key = steps && r.step != nil ? "\(r.name) @\(r.step!)" : r.name
                cells[key, default: [:]][r.stage] = r.value
            }
            var t = TextTable(header: ["METRIC"] + stages)
            for key in cells.keys.sorted() {
                t.rows.append([key] + stages.map { s in cells[key]?[s].map { String(format: "%.4f", $0) } ?? "" })
            }
            say(t.render())
        } catch { fail("\(error)", code: 1) }
    }

    func printDiff(store: any PipelineStore) throws {
        for id in diff where try store.run(id) == nil { fail("no run \(id) in this state directory (see vitrine runs)", code: 2) }
        let a = try store.metrics(runID: diff[0]), b = try store.metrics(runID: diff[1])
        func finals(_ m: [MetricRecord]) -> [String: Double] {
            var out: [String: (Int, Double)] = [:]
            for r in m { let k = "\(r.stage) \(r.name)"; if (r.step ?? 0) >= (out[k]?.0 ?? Int.min) { out[k] = (r.step ?? 0, r.value) } }
            return out.mapValues(\.1)
        }
        let fa = finals(a), fb = finals(b)
        var t = TextTable(header: ["STAGE METRIC", "RUN \(diff[0])", "RUN \(diff[1])", "CHANGE"])
        for k in Set(fa.keys).union(fb.keys).sorted() where filter.map({ k.contains($0) }) ?? true {
            let va = fa[k], vb = fb[k]
            let change = (va != nil && vb != nil) ? String(format: "%+.4f", vb! - va!) : "–"
            t.rows.append([k, va.map { String(format: "%.4f", $0) } ?? "–", vb.map { String(format: "%.4f", $0) } ?? "–", change])
        }
        say(t.render())
    }
}
