import Foundation

/// Everything a running stage may touch: its inputs, its staging outputs, the item journal,
/// the blob store, progress, metrics, logs, seed and thread budget. Tests build one directly.
public final class StageContext: @unchecked Sendable {
    /// The stage's name in the pipeline (e.g. `train@resnet18`).
    public let stageName: String
    /// Resolved parameters.
    public let parameters: StageParameters
    /// Absolute paths of artifact and path parameters, by parameter name (lists in order).
    public let inputs: [String: [URL]]
    /// Folder where outputs are staged before the runner commits them.
    public let stagingDirectory: URL
    /// The stage's declared outputs, by name.
    public let outputSpecs: [String: OutputSpec]
    /// Durable per-item progress for this stage.
    public let journal: any ItemJournal
    /// Content-addressed storage shared by all stages.
    public let blobs: BlobStore
    /// The folder of the latest committed outputs of this stage, if any (for incremental work).
    public let previousOutputs: URL?
    /// Pipeline seed; stages derive named streams from it.
    public let seed: UInt64
    /// Threads the stage may use.
    public let threads: Int
    /// This worker's shard of a data-parallel stage (`index` of `count`).
    public let shard: (index: Int, count: Int)
    /// Folder of the pipeline file (relative paths resolve against it).
    public let pipelineDirectory: URL
    /// Receives log lines and progress.
    public let reporter: any StageReporter
    /// The run this execution belongs to (0 outside the runner).
    public let runID: Int64
    /// Where `announce` sends items, when a downstream stage works ahead on them.
    public let feed: ItemFeed?
    /// Bytes of items an upstream stage announced that this stage's work-ahead did not get to, by item (they are
    /// exactly what the item names: for images, bytes already hashed to their sha256).
    public let handedOver: [String: Data]

    private let lock = NSLock()
    private var _metrics: [MetricPoint] = []
    private var _summary: [String: JSONValue] = [:]
    private var _knownHashes: [String: (hash: String, stat: FileStat)] = [:]

    /// A context; the runner makes one per execution, tests make their own.
    public init(stageName: String, parameters: StageParameters, inputs: [String: [URL]] = [:], stagingDirectory: URL,
                outputSpecs: [OutputSpec] = [], journal: any ItemJournal = InMemoryJournal(), blobs: BlobStore,
                previousOutputs: URL? = nil, seed: UInt64 = 0, threads: Int = 2, shard: (index: Int, count: Int) = (0, 1),
                pipelineDirectory: URL? = nil, reporter: any StageReporter = SilentReporter(), runID: Int64 = 0,
                feed: ItemFeed? = nil, handedOver: [String: Data] = [:]) {
        self.stageName = stageName; self.parameters = parameters; self.inputs = inputs
        self.stagingDirectory = stagingDirectory
        self.outputSpecs = Dictionary(outputSpecs.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.journal = journal; self.blobs = blobs; self.previousOutputs = previousOutputs; self.seed = seed
        self.threads = max(1, threads); self.shard = shard
        self.pipelineDirectory = pipelineDirectory ?? stagingDirectory; self.reporter = reporter
        self.runID = runID
        self.feed = feed
        self.handedOver = handedOver
    }

    /// Records the content hash (`ContentHash.Stream`) of output file `url` (under the staging directory) as it
    /// stands now, computed while writing it, so the commit need not read it again; a file changed since (size,
    /// mtime, inode) is hashed as usual.
    public func recordHash(of url: URL, hash: String) {
        let root = stagingDirectory.standardizedFileURL.path + "/", path = url.standardizedFileURL.path
        guard path.hasPrefix(root), let stat = FileStat.of(path) else { return }
        lock.withLock { _knownHashes[String(path.dropFirst(root.count))] = (hash, stat) }
    }

    /// The hash recorded for the output file at `relativePath`, if the file still has the `stat` it had then.
    public func recordedHash(_ relativePath: String, stat: FileStat) -> String? {
        lock.withLock { _knownHashes[relativePath].flatMap { $0.stat == stat ? $0.hash : nil } }
    }

    /// Tells a downstream stage working ahead that `item` (e.g. a stored image's sha256) is ready, handing it
    /// `bytes` it would otherwise read back from disk (they must be exactly what `item` names).
    public func announce(_ item: String, bytes: Data? = nil) { feed?.send(item, bytes: bytes) }

    /// The path of a single artifact or path parameter; throws when it is missing on disk.
    public func input(_ parameter: String) throws -> URL {
        guard let url = inputs[parameter]?.first else {
            throw StageError.invalidParameter(stage: stageName, parameter: parameter, reason: "no input given")
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StageError.missingInput(stage: stageName, input: parameter, path: url.path)
        }
        return url
    }

    /// The paths of a list-valued artifact parameter (empty when not given).
    public func inputList(_ parameter: String) -> [URL] { inputs[parameter] ?? [] }

    /// The path of an optional input, or nil when the parameter was not given.
    public func optionalInput(_ parameter: String) throws -> URL? {
        inputs[parameter]?.isEmpty == false ? try input(parameter) : nil
    }

    /// The staging path for the declared output `name`; its parent folder exists.
    public func output(_ name: String) -> URL {
        let file = outputSpecs[name]?.file ?? name
        return stagingDirectory.appendingPathComponent(file)
    }

    /// Records a metric (also written to the execution's `metrics.json`).
    public func metric(_ name: String, _ value: Double, step: Int? = nil) {
        lock.withLock { _metrics.append(MetricPoint(name: name, step: step, value: value)) }
    }

    /// Adds a key to the stage's summary (counts, funnel numbers) shown by `show` and the report.
    public func summarize(_ key: String, _ value: JSONValue) {
        lock.withLock { _summary[key] = value }
    }

    /// Metrics recorded so far.
    public var metrics: [MetricPoint] { lock.withLock { _metrics } }
    /// Summary recorded so far.
    public var summary: [String: JSONValue] { lock.withLock { _summary } }

    /// Logs a line for humans (and the stage log file).
    public func log(_ message: String, level: LogLevel = .info) { reporter.log(stage: stageName, level: level, message) }

    /// Reports progress: `done` of `total` units (e.g. images), with an optional note.
    public func progress(_ done: Int, of total: Int, unit: String = "items", note: String? = nil) {
        reporter.progress(stage: stageName, done: done, total: total, unit: unit, note: note)
    }

    /// Throws `StageError.cancelled` when the run is being stopped (SIGINT/SIGTERM).
    public func checkCancellation() throws {
        if Task.isCancelled { throw StageError.cancelled(stage: stageName) }
    }
}

/// One metric value, optionally at a step (epoch).
public struct MetricPoint: Sendable, Hashable, Codable {
    public let name: String
    public let step: Int?
    public let value: Double
    /// A metric point.
    public init(name: String, step: Int?, value: Double) { self.name = name; self.step = step; self.value = value }
}

/// Severity of a log line.
public enum LogLevel: String, Sendable, Codable { case debug, info, warning, error }

/// Where a stage's log lines and progress go (terminal, plain lines for cron, JSON).
public protocol StageReporter: Sendable {
    /// A log line from a stage.
    func log(stage: String, level: LogLevel, _ message: String)
    /// Progress of a stage.
    func progress(stage: String, done: Int, total: Int, unit: String, note: String?)
}

/// Drops everything: for tests.
public struct SilentReporter: StageReporter {
    /// A reporter that prints nothing.
    public init() {}
    public func log(stage: String, level: LogLevel, _ message: String) {}
    public func progress(stage: String, done: Int, total: Int, unit: String, note: String?) {}
}
