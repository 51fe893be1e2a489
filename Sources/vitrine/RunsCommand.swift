import ArgumentParser
import Foundation
import Pipeline

/// `vitrine runs`: recent runs, newest first.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "runs", abstract: "List recent runs, newest first.")

    @OptionGroup var stateOptions: StateOptions
    @Option(name: .long, help: "How many runs.") var limit = 20
    @OptionGroup var format: FormatOptions

    func run() async throws {
        let (store, _) = stateOptions.openExisting()
        let runs: [RunRecord]
        do { runs = try store.runs(limit: limit) } catch { fail("\(error)", code: 1) }
        if format.json { printJSON(runs); return }
        var t = TextTable(header: ["RUN", "STATUS", "STARTED", "DURATION", "PIPELINE", "ERROR"])
        for r in runs {
            let d = r.finishedAt.map { humanDuration($0 - r.startedAt) } ?? "–"
            t.rows.append([String(r.id), r.status.rawValue, humanTime(r.startedAt), d, PipelineLoader.displayPath(URL(fileURLWithPath: r.pipelinePath)),
                           r.error.map { String($0.split(separator: "\n").first ?? "").prefix(80).description } ?? ""])
        }
        say(t.render())
    }
}
