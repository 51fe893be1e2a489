import Foundation

/// Runs a pipeline: decides what is stale, runs ready stages concurrently, commits outputs, and
/// records everything in the store so that a later run (or `resume`) continues where this stopped.
public final class Executor: @unchecked Sendable {
    public let spec: PipelineSpec
    public let registry: StageRegistry
    public let store: any PipelineStore
    public let layout: StateLayout
    public let options: ExecutorOptions
    public let reporter: any RunReporter
    let blobs: BlobStore
    let dag: DAG
    let fingerprinter: Fingerprinter
    /// Results of `prefetch`: the stat-changed files of each checked execution.
    let statChecks = LockedCache<Int64, [ArtifactRecord]>()
    /// Open item feeds, by the stage that announces into them (see `WorksAhead`).
    let feeds = LockedCache<String, ItemFeed>()
    /// Bytes a producer's feed still held when it finished, by the consumer stage that was working ahead on it.
    let handovers = LockedCache<String, [String: Data]>()

    /// An executor over `spec`, with state in `layout` recorded in `store`.
    public init(spec: PipelineSpec, registry: StageRegistry, store: any PipelineStore, layout: StateLayout,
                options: ExecutorOptions = ExecutorOptions(), reporter: any RunReporter = SilentReporter()) throws {
        self.spec = spec; self.registry = registry; self.store = store; self.layout = layout
        self.options = options; self.reporter = reporter
        try layout.create()
        self.blobs = try BlobStore(root: layout.blobs)
        self.dag = DAG(stages: spec.stages)
        self.fingerprinter = Fingerprinter(store: store, pipelineDirectory: spec.directory)
        for name in [options.until, options.only].compactMap({ $0 }) + Array(options.force) where spec.stage(name) == nil {
            throw PipelineError("no stage named '\(name)' in \(spec.file.lastPathComponent) (stages: \(spec.stages.map(\.name).joined(separator: ", ")))")
        }
    }

    /// Names of the stages this run covers.
    var selected: Set<String> {
        if let only = options.only { return [only] }
        if let until = options.until { return dag.ancestors(of: until) }
        return Set(spec.stages.map(\.name))
    }

    /// What would happen to each stage, in topological order, without running anything.
    public func plan() throws -> [(stage: StageSpec, state: PlanState)] {
        var resolved: [String: ExecutionRecord] = [:]
        var out: [(StageSpec, PlanState)] = []
        let sel = selected
        prefetch(stages: sel)
        for stage in dag.topologicalOrder() {
            guard sel.contains(stage.name) else {
                if let prev = try store.latestSucceeded(stage: stage.name, fingerprint: nil) { resolved[stage.name] = prev }
                out.append((stage, .excluded)); continue
            }
            if let blocked = stage.needs.first(where: { resolved[$0] == nil }) {
                let ranBefore = try store.latestSucceeded(stage: stage.name, fingerprint: nil) != nil
                out.append((stage, .willRun(!ranBefore ? "never run"
                    : sel.contains(blocked) ? "upstream '\(blocked)' will run" : "upstream '\(blocked)' has no outputs yet")))
                continue
            }
            let state = try check(stage, upstream: resolved)
            if case .upToDate(let e) = state { resolved[stage.name] = e }
            out.append((stage, state))
        }
        return out
    }

    /// Whether `stage` is up to date given its upstream executions, and if not, exactly why.
    func check(_ stage: StageSpec, upstream: [String: ExecutionRecord]) throws -> PlanState {
        let material = try self.material(for: stage, upstream: upstream)
        if options.forceAll || options.force.contains(stage.name) { return .willRun("forced") }
        if let e = try store.latestSucceeded(stage: stage.name, fingerprint: material.fingerprint) {
            if let damage = try damage(of: e) { return .willRun(damage) }
            return .upToDate(e)
        }
        guard let last = try store.latestSucceeded(stage: stage.name, fingerprint: nil) else { return .willRun("never run") }
        let previous = last.outputDirectory.flatMap { try? Data(contentsOf: layout.absolute($0).appendingPathComponent(CommitFiles.fingerprint)) }
            .flatMap { try? JSONDecoder().decode(FingerprintMaterial.self, from: $0) }
        guard let previous else { return .willRun("fingerprint changed") }
        let diffs = material.differences(from: previous)
        return .willRun(diffs.isEmpty ? "fingerprint changed" : diffs.joined(separator: "; "))
    }

    /// Why a committed execution's outputs are no longer intact, or nil when they are: a stat of every file
    /// (spread over the cores), and a re-hash only of files whose size, mtime or inode changed.
    func damage(of e: ExecutionRecord) throws -> String? {
        for a in try statChanged(of: e) {
            let url = layout.absolute(a.path)
            guard let st = FileStat.of(url.path) else { return "output \(a.path) is missing" }
            if st.size != a.stat.size || (try? ContentHash.file(at: url, like: a.sha256)) != a.sha256 { return "output \(a.path) was modified" }
        }
        return nil
    }

    /// The fingerprint material of `stage` given its upstream executions.
    func material(for stage: StageSpec, upstream: [String: ExecutionRecord]) throws -> FingerprintMaterial {
        var inputs: [String: String] = [:]
        for (param, refs) in stage.inputs {
            var hashes: [String] = []
            for ref in refs {
                switch ref {
                case .path(let p): hashes.append(try fingerprinter.hash(path: p, stage: stage.name, parameter: param))
                case .artifact(let s, let o):
                    guard let e = upstream[s] else { throw StageError.failed(stage: stage.name, item: nil, reason: "upstream '\(s)' has no committed outputs") }
                    hashes.append(try outputHash(of: e, output: o))
                }
            }
            inputs[param] = hashes.count == 1 ? hashes[0] : ContentHash.sha256(hashes.joined(separator: ","))
        }
        // The seed reaches every stage (ctx.seed, VITRINE_SEED); a shard's outputs cover only its share.
        var context = ["seed": String(spec.seed)]
        if options.shard.count > 1 { context["shard"] = "\(options.shard.index)/\(options.shard.count)" }
        switch stage.body {
        case .builtin(let t, let params):
            let version = registry.type(named: t)?.version ?? 0
            return FingerprintMaterial(type: t, version: version, runner: FingerprintMaterial.runnerFormat, params: params, inputs: inputs,
                                       context: context)
        case .shell(let sh):
            let params: [String: JSONValue] = ["command": .string(sh.command), "outputs": .array(sh.outputs.map { .string($0) }),
                                               "env": .object(sh.env.mapValues { .string($0) })]
            return FingerprintMaterial(type: "shell", version: 1, runner: FingerprintMaterial.runnerFormat, params: params, inputs: inputs,
                                       context: context)
        }
    }
}

/// A small thread-safe dictionary.
final class LockedCache<Key: Hashable, Value>: @unchecked Sendable {
    private var values: [Key: Value] = [:]
    private let lock = NSLock()

    /// The value for `key`, if cached.
    func get(_ key: Key) -> Value? { lock.withLock { values[key] } }
    /// Caches `value` for `key`.
    func set(_ key: Key, _ value: Value) { lock.withLock { values[key] = value } }
    /// Forgets `key`.
    func remove(_ key: Key) { lock.withLock { values[key] = nil } }
}
