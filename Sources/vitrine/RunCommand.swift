import ArgumentParser
import Foundation

/// `vitrine run PIPELINE`: run what is stale.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run a pipeline: every stage whose inputs, parameters or code changed.")

    @OptionGroup var options: RunOptions

    func run() async throws {
        await PipelineSession(options: options, command: CommandLine.arguments.joined(separator: " ")).execute(resume: false)
    }
}

/// `vitrine resume PIPELINE`: continue the latest failed or interrupted run under the same run id.
struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Continue the latest failed or interrupted run (same run id); finished work is not redone.")

    @OptionGroup var options: RunOptions

    func run() async throws {
        await PipelineSession(options: options, command: CommandLine.arguments.joined(separator: " ")).execute(resume: true)
    }
}
