import ArgumentParser
import Foundation
import Pipeline

/// `vitrine dag PIPELINE`: the stage graph as Mermaid or Graphviz DOT.
struct DagCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dag", abstract: "Print the stage graph (Mermaid or Graphviz DOT).")

    @Argument(help: "The pipeline file.") var pipeline: String
    @Option(name: .long, help: "mermaid or dot.") var format = "mermaid"
    @Option(name: .customLong("set"), help: "Param overrides.") var overrides: [String] = []

    func validate() throws {
        guard ["mermaid", "dot"].contains(format) else { throw ValidationError("--format must be mermaid or dot") }
    }

    func run() async throws {
        let spec = loadPipeline(pipeline, overrides: overrides)
        let dag = DAG(stages: spec.stages)
        print(format == "dot" ? dag.dot() : dag.mermaid(), terminator: "")
    }
}
