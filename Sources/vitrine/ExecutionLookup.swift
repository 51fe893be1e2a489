import Checkpoints
import Foundation
import Pipeline
import Stages

/// Finds committed stage outputs in a state directory: the latest execution of a stage type, the
/// folder an artifact reference (`stage.output`) pointed at in that run, the parameters it ran with.
struct ExecutionLookup {
    let store: SQLiteStore
    let layout: StateLayout
    /// Only runs of this pipeline file count (pipelines in one folder share a state directory).
    var pipeline: URL? = nil

    /// A committed execution as a run saw it: the run, the stage entry, and the execution that holds the files.
    struct Found {
        let run: RunRecord
        let entry: ExecutionRecord
        let source: ExecutionRecord
        let folder: URL
    }

    /// The execution holding the outputs of `entry` (itself, or the one a skip reused).
    func source(of entry: ExecutionRecord) throws -> ExecutionRecord? {
        if entry.status == .succeeded { return entry }
        guard entry.status == .skipped, let reused = try store.reusedExecutionID(of: entry.id) else { return nil }
        return try store.execution(reused)
    }

    /// Executions holding the outputs the runs of `pipeline` committed: those they ran and those their skips reused.
    func executionIDs(ofRunsOf pipeline: URL) throws -> Set<Int64> {
        var ids = Set<Int64>()
        for run in try store.runs(limit: Int.max / 2) where run.isRun(of: pipeline) {
            for e in try store.executions(runID: run.id) { if let s = try source(of: e) { ids.insert(s.id) } }
        }
        return ids
    }

    /// The stage entries of run `runID` whose outputs exist (succeeded or reused), in run order.
    func committed(runID: Int64) throws -> [Found] {
        guard let run = try store.run(runID) else { return [] }
        var out: [Found] = []
        for e in try store.executions(runID: runID) {
            guard let s = try source(of: e), let dir = s.outputDirectory else { continue }
            out.append(Found(run: run, entry: e, source: s, folder: layout.absolute(dir)))
        }
        return out
    }

    /// The newest committed execution of stage type `type` (and stage `name`, when given), newest run first.
    func latest(type: String, name: String? = nil, runs: Int = 200) throws -> Found? {
        for run in try store.runs(limit: runs) {
            if let pipeline, !run.isRun(of: pipeline) { continue }
            let hits = try committed(runID: run.id).filter { $0.entry.stageType == type && (name == nil || $0.entry.stage == name) }
            if let last = hits.last { return last }
        }
        return nil
    }

    /// The parameters `found` ran with, as recorded in its fingerprint.json (artifact references as `stage.output`).
    func parameters(of found: Found) -> [String: JSONValue] {
        let file = found.folder.appendingPathComponent(CommitFiles.fingerprint)
        guard let data = try? Data(contentsOf: file), let json = try? JSONDecoder().decode(JSONValue.self, from: data) else { return [:] }
        return json.objectValue?["params"]?.objectValue ?? [:]
    }

    /// The file or folder that reference `ref` ("stage.output") named in run `runID`, when it was committed.
    func artifact(_ ref: String, runID: Int64) throws -> URL? {
        guard let dot = ref.lastIndex(of: ".") else { return nil }
        let stage = String(ref[..<dot]), output = String(ref[ref.index(after: dot)...])
        guard let found = try committed(runID: runID).last(where: { $0.entry.stage == stage }) else { return nil }
        let file = BuiltinStages.registry.type(named: found.entry.stageType)?.outputs.first { $0.name == output }?.file ?? output
        let url = found.folder.appendingPathComponent(file)
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }

    /// The artifact parameter `name` of `found` resolved to its file, when it was an artifact reference.
    func input(_ name: String, of found: Found) throws -> URL? {
        guard let ref = parameters(of: found)[name]?.stringValue else { return nil }
        return try artifact(ref, runID: found.run.id)
    }
}

extension RunRecord {
    /// Whether this run was of the pipeline file at `pipeline` (pipelines in one folder share a state directory).
    func isRun(of pipeline: URL) -> Bool {
        URL(fileURLWithPath: pipelinePath).standardizedFileURL.path == pipeline.standardizedFileURL.path
    }
}

extension SQLiteStore {
    /// The latest run of `pipeline` (of any pipeline when nil) among the newest `limit` runs.
    func latestRun(of pipeline: URL?, limit: Int = 1000) throws -> RunRecord? {
        try runs(limit: limit).first { run in pipeline.map(run.isRun(of:)) ?? true }
    }
}
