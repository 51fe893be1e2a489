import Foundation

/// Status of a whole run.
public enum RunStatus: String, Sendable, Codable {
    case running, succeeded, failed, interrupted
}

/// Status of one stage execution.
public enum ExecutionStatus: String, Sendable, Codable {
    case running, succeeded, failed, cancelled, skipped
}

/// A run as stored: one invocation of `vitrine run` (a `resume` continues the same run).
public struct RunRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var pipelinePath: String
    public var status: RunStatus
    public var startedAt: Double
    public var finishedAt: Double?
    /// Provenance: vitrine version, git revision, host, OS, CPU, threads, seed, parameters.
    public var provenance: JSONValue
    public var error: String?

    /// A run record.
    public init(id: Int64, pipelinePath: String, status: RunStatus, startedAt: Double, finishedAt: Double? = nil,
                provenance: JSONValue = .object([:]), error: String? = nil) {
        self.id = id; self.pipelinePath = pipelinePath; self.status = status; self.startedAt = startedAt
        self.finishedAt = finishedAt; self.provenance = provenance; self.error = error
    }
}

/// One attempt at running one stage within a run.
public struct ExecutionRecord: Sendable, Hashable, Codable {
    public var id: Int64
    public var runID: Int64
    public var stage: String
    public var stageType: String
    public var fingerprint: String
    public var status: ExecutionStatus
    public var attempt: Int
    public var startedAt: Double
    public var finishedAt: Double?
    public var error: String?
    /// Folder (relative to the state directory) holding the committed outputs.
    public var outputDirectory: String?
    /// The stage's summary (counts, funnel numbers).
    public var summary: JSONValue
    /// Why it ran (the staleness reason), for `show` and the report.
    public var reason: String?
    /// Content hash of each output (as `Fingerprinter.outputHash`), recorded at commit; nil for older executions.
    public var outputHashes: [String: String]?

    /// An execution record.
    public init(id: Int64, runID: Int64, stage: String, stageType: String, fingerprint: String, status: ExecutionStatus,
                attempt: Int = 1, startedAt: Double, finishedAt: Double? = nil, error: String? = nil,
                outputDirectory: String? = nil, summary: JSONValue = .object([:]), reason: String? = nil,
                outputHashes: [String: String]? = nil) {
        self.id = id; self.runID = runID; self.stage = stage; self.stageType = stageType; self.fingerprint = fingerprint
        self.status = status; self.attempt = attempt; self.startedAt = startedAt; self.finishedAt = finishedAt
        self.error = error; self.outputDirectory = outputDirectory; self.summary = summary; self.reason = reason
        self.outputHashes = outputHashes
    }
}

/// File identity used by the stat cache: a file whose size, mtime and inode match is not re-hashed.
public struct FileStat: Sendable, Hashable, Codable {
    public var size: Int64
    public var mtimeNanoseconds: Int64
    public var inode: UInt64

    /// A stat triple.
    public init(size: Int64, mtimeNanoseconds: Int64, inode: UInt64) {
        self.size = size; self.mtimeNanoseconds = mtimeNanoseconds; self.inode = inode
    }

    /// Reads the stat of a path, or nil when it does not exist.
    public static func of(_ path: String) -> FileStat? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        #if canImport(Darwin)
        let ns = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
        return FileStat(size: Int64(st.st_size), mtimeNanoseconds: ns, inode: UInt64(st.st_ino))
    }
}

/// One committed output file of an execution.
public struct ArtifactRecord: Sendable, Hashable, Codable {
    /// Output name (as declared by the stage) this file belongs to.
    public var output: String
    /// Path relative to the state directory.
    public var path: String
    /// Content hash (`ContentHash.file`): `blake3:` and hex, or, for files committed before 2026-11-27, plain
    /// SHA-256 hex (the name is the column's, kept so older state databases read as they are).
    public var sha256: String
    public var bytes: Int64
    /// Row count for tabular (JSON Lines) outputs.
    public var rows: Int?
    /// Stat at commit time, for fast intact checks.
    public var stat: FileStat

    /// An artifact record.
    public init(output: String, path: String, sha256: String, bytes: Int64, rows: Int? = nil, stat: FileStat) {
        self.output = output; self.path = path; self.sha256 = sha256; self.bytes = bytes; self.rows = rows; self.stat = stat
    }
}

/// A stored metric value with where it came from.
public struct MetricRecord: Sendable, Hashable, Codable {
    public var runID: Int64
    public var executionID: Int64
    public var stage: String
    public var name: String
    public var step: Int?
    public var value: Double

    /// A metric record.
    public init(runID: Int64, executionID: Int64, stage: String, name: String, step: Int?, value: Double) {
        self.runID = runID; self.executionID = executionID; self.stage = stage; self.name = name; self.step = step; self.value = value
    }
}

/// Durable state of the runner: runs, executions, artifacts, metrics, item journals and the stat
/// cache. The SQLite implementation lives in `Checkpoints`; another backend (PostgreSQL) can follow.
public protocol PipelineStore: Sendable {
    /// Starts a run and returns its id.
    func createRun(pipelinePath: String, provenance: JSONValue, startedAt: Double) throws -> Int64
    /// Marks a run as running again (resume).
    func reopenRun(_ id: Int64) throws
    /// Ends a run.
    func finishRun(_ id: Int64, status: RunStatus, error: String?, finishedAt: Double) throws
    /// A run by id.
    func run(_ id: Int64) throws -> RunRecord?
    /// The most recent runs, newest first.
    func runs(limit: Int) throws -> [RunRecord]

    /// Records that a stage started; returns the execution id.
    func startExecution(runID: Int64, stage: String, stageType: String, fingerprint: String, attempt: Int,
                        reason: String?, startedAt: Double) throws -> Int64
    /// Records a skipped (up-to-date) stage in a run, pointing at the execution it reused.
    func recordSkip(runID: Int64, stage: String, stageType: String, fingerprint: String, reusing: Int64, at: Double) throws
    /// In one transaction: marks the execution succeeded with its output folder, artifacts, metrics and summary.
    func commitExecution(_ id: Int64, outputDirectory: String, artifacts: [ArtifactRecord], metrics: [MetricPoint],
                         summary: JSONValue, finishedAt: Double) throws
    /// Marks an execution failed or cancelled with the error.
    func failExecution(_ id: Int64, status: ExecutionStatus, error: String, finishedAt: Double) throws
    /// The newest succeeded execution of `stage` (with `fingerprint`, when given).
    func latestSucceeded(stage: String, fingerprint: String?) throws -> ExecutionRecord?
    /// The newest succeeded execution of each of `stages` (of every stage when nil), keyed by stage.
    func latestSucceededExecutions(stages: [String]?) throws -> [String: ExecutionRecord]
    /// All executions recorded in a run (skips included), in start order.
    func executions(runID: Int64) throws -> [ExecutionRecord]
    /// An execution by id.
    func execution(_ id: Int64) throws -> ExecutionRecord?
    /// The committed files of an execution.
    func artifacts(executionID: Int64) throws -> [ArtifactRecord]
    /// The committed files of an execution that are missing under `root` or whose size, mtime or inode changed.
    func statChangedArtifacts(executionID: Int64, root: URL) throws -> [ArtifactRecord]
    /// Output folders of every succeeded execution (for gc), with their run id.
    func allOutputDirectories() throws -> [(executionID: Int64, runID: Int64, stage: String, directory: String)]
    /// Forgets executions (after gc removed their folders).
    func deleteExecutions(_ ids: [Int64]) throws

    /// Metrics, optionally of one run, in insertion order.
    func metrics(runID: Int64?) throws -> [MetricRecord]

    /// The item journal for a namespace.
    func journal(namespace: String) -> any ItemJournal

    /// Cached hashes for paths whose stat still matches.
    func cachedHash(path: String, stat: FileStat) throws -> String?
    /// Remembers hashes with their stats (batched).
    func cacheHashes(_ entries: [(path: String, stat: FileStat, sha256: String)]) throws
}
