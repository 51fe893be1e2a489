import ArgumentParser
import Foundation
import Pipeline

/// Options shared by `run` and `resume`.
struct RunOptions: ParsableArguments {
    @Argument(help: "The pipeline file (YAML).")
    var pipeline: String

    @Option(name: .customLong("set"), help: "Override a pipeline param: --set key=value (repeatable).")
    var overrides: [String] = []

    @Option(name: .shortAndLong, help: "Stages to run at once.")
    var jobs: Int = 1

    @Flag(name: .long, help: "After a failure, keep running stages that do not depend on it.")
    var keepGoing = false

    @Option(name: .long, help: "Run only this stage and the stages it needs.")
    var until: String?

    @Option(name: .long, help: "Run only this stage, reading its inputs from earlier runs.")
    var only: String?

    @Option(name: .long, help: "Run this stage even when it is up to date (repeatable).")
    var force: [String] = []

    @Flag(name: .long, help: "Run every selected stage even when up to date.")
    var forceAll = false

    @Flag(name: .long, help: "Print what would run and why, then exit.")
    var dryRun = false

    @Flag(name: .long, help: "If another run holds the state lock, wait for it instead of exiting 75.")
    var wait = false

    @Option(name: .long, help: "Threads each stage may use (default: all cores).")
    var threads: Int?

    @Option(name: .long, help: "Data-parallel shard of this worker, i/N (e.g. 0/4).")
    var shard: String?

    @Option(name: .long, help: "State directory (default: .vitrine/ beside the pipeline file).")
    var state: String?

    @Option(name: .long, help: "Log format: plain (default when not on a terminal), json, or tty (progress bars; default on a terminal).")
    var logFormat: String?

    @Option(name: .long, help: "Write Prometheus text-format metrics here (node_exporter textfile collector).")
    var metricsFile: String?

    @Flag(name: .long, help: "Do not write the run report (<state>/reports/run-N.html) after the run.")
    var noReport = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        if let f = logFormat, !["plain", "json", "tty"].contains(f) { throw ValidationError("--log-format must be plain, json or tty") }
        if let s = shard, parseShard(s) == nil { throw ValidationError("--shard must look like i/N with 0 ≤ i < N, e.g. 0/4") }
        if until != nil, only != nil { throw ValidationError("--until and --only cannot be combined") }
    }

    /// `i/N` as a pair.
    func parseShard(_ s: String) -> (Int, Int)? {
        let parts = s.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] > 0, (0..<parts[1]).contains(parts[0]) else { return nil }
        return (parts[0], parts[1])
    }

    /// Executor options from the flags.
    var executorOptions: ExecutorOptions {
        var o = ExecutorOptions()
        o.jobs = jobs; o.keepGoing = keepGoing; o.until = until; o.only = only
        o.force = Set(force); o.forceAll = forceAll
        if let threads { o.threads = max(1, threads) }
        if let s = shard, let p = parseShard(s) { o.shard = p }
        return o
    }

    /// The reporter: a live view on a terminal, plain or JSON lines otherwise.
    var reporter: any RunReporter {
        switch logFormat {
        case "json": return LineReporter(format: .json)
        case "plain": return LineReporter(format: .plain)
        case "tty": return TerminalReporter()
        default: return isatty(STDERR_FILENO) == 1 ? TerminalReporter() : LineReporter(format: .plain)
        }
    }
}
