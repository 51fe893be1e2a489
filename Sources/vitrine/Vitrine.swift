import ArgumentParser
import Foundation

/// The `vitrine` command: rebuilds a catalog's visual-search index through a resumable pipeline.
@main
struct Vitrine: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "vitrine",
        abstract: "Rebuild a product catalog's visual-search index with a resumable, checkpointed pipeline.",
        discussion: """
        Exit codes: 0 success (also: nothing to do), 1 a stage failed, 2 invalid pipeline or usage,
        70 built for CPU instructions this one lacks (rebuild: see README),
        75 another run holds the state directory's lock, 130 interrupted (resume with `vitrine resume`).
        """,
        version: version,
        subcommands: [RunCommand.self, ResumeCommand.self, StatusCommand.self, RunsCommand.self, ShowCommand.self,
                      DagCommand.self, MetricsCommand.self, SimilarCommand.self, ReportCommand.self, PublishCommand.self,
                      GCCommand.self, VerifyCommand.self, StagesCommand.self]
    )

    /// Parses arguments and runs; usage errors exit 2 (not ArgumentParser's 64), as documented.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var async = command as? AsyncParsableCommand { try await async.run() } else { try command.run() }
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure || code.rawValue == 64 {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Prints a one-line error to standard error and exits with `code`.
func fail(_ message: String, code: Int32) -> Never {
    FileHandle.standardError.write(Data(("vitrine: " + message + "\n").utf8))
    exit(code)
}

/// Writes a line to standard output.
func say(_ line: String = "") { print(line) }
