import Foundation

/// How a run is carried out: parallelism, stage selection, forcing and thread budget.
public struct ExecutorOptions: Sendable {
    /// Stages run at once (`-j N`).
    public var jobs: Int = 1
    /// Keep running independent branches after a failure.
    public var keepGoing = false
    /// Run only this stage and what it needs.
    public var until: String?
    /// Run only this stage, taking its inputs from earlier runs.
    public var only: String?
    /// Stages to run even when up to date.
    public var force: Set<String> = []
    /// Run every selected stage even when up to date.
    public var forceAll = false
    /// Threads each stage may use.
    public var threads: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// This worker's shard (`--shard i/N`) for data-parallel stages.
    public var shard: (index: Int, count: Int) = (0, 1)
    /// Most bytes a running stage hands a stage working ahead and not yet taken (`ItemFeed.byteBudget`).
    public var feedByteBudget = 64 << 20

    /// Default options.
    public init() {}
}

/// What a plan says about one stage.
public enum PlanState: Sendable {
    /// Same fingerprint and intact outputs: will be skipped.
    case upToDate(ExecutionRecord)
    /// Will run, with the reason.
    case willRun(String)
    /// Not selected (`--until`, `--only`).
    case excluded

    /// One short phrase for `status` and `--dry-run`.
    public var description: String {
        switch self {
        case .upToDate: return "up to date"
        case .willRun(let r): return "stale: \(r)"
        case .excluded: return "not selected"
        }
    }
}
