import ArgumentParser
import Foundation
import Pipeline
import Stages

/// `vitrine report [RUN]`: writes a run's self-contained HTML report (also written after every run).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's HTML report: stage DAG with status, data funnel, per-epoch charts, confusion matrix, sample queries.")

    @Argument(help: "Run id (default: the latest run, of --pipeline when given).") var run: Int64?
    @Option(name: .shortAndLong, help: "Output file (default: <state>/reports/run-N.html).") var output: String?
    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        let (store, layout) = stateOptions.openExisting()
        do {
            guard let record = try run != nil ? store.run(run!) : store.latestRun(of: stateOptions.pipelineURL) else {
                fail(run.map { "no run \($0) in \(layout.root.path) (see vitrine runs)" } ?? "no runs yet in \(layout.root.path)", code: 2)
            }
            let spec = try? PipelineLoader(registry: BuiltinStages.registry).load(URL(fileURLWithPath: record.pipelinePath))
            let url = output.map { URL(fileURLWithPath: $0) } ?? RunReport.defaultURL(runID: record.id, layout: layout)
            try RunReport.write(run: record, store: store, layout: layout, spec: spec, to: url)
            say("Report of run \(record.id): \(PipelineLoader.displayPath(url))")
        } catch { fail("\(error)", code: 1) }
    }
}
