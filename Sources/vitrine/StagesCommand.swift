import ArgumentParser
import Foundation
import Pipeline
import Stages

/// `vitrine stages`: the built-in stage types with their parameters and outputs.
struct StagesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stages", abstract: "List built-in stage types, their parameters (with defaults) and outputs.")

    @Argument(help: "Only this type.") var type: String?

    func run() async throws {
        let names = BuiltinStages.registry.names.filter { type == nil || $0 == type }
        if names.isEmpty { fail(type.map { "no stage type '\($0)' (see vitrine stages)" } ?? "no stage types registered", code: 2) }
        for name in names {
            guard let t = BuiltinStages.registry.type(named: name) else { continue }
            say("\(name) (v\(t.version)) — \(t.summary)")
            for p in t.parameters {
                let d = p.defaultValue.map { " = \($0.canonical)" } ?? (p.required ? " (required)" : "")
                say("    \(p.name): \(p.kind)\(d) — \(p.doc)")
            }
            for o in t.outputs { say("    → \(o.name): \(o.file)\(o.tabular ? " (table)" : "") — \(o.doc)") }
            say()
        }
    }
}
