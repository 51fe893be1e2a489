import Foundation

extension Executor {
    /// Stat-checks the newest committed execution of every stage in `stages` at once, spread over the cores, before
    /// the (sequential) up-to-date walk: on a no-op run those are exactly the executions the walk needs, so their
    /// checks are done when it gets there. Anything not prefetched is checked by the walk itself.
    func prefetch(stages: Set<String>) {
        guard !options.forceAll, let latest = try? store.latestSucceededExecutions(stages: Array(stages)), !latest.isEmpty else { return }
        let ids = latest.values.map(\.id)
        DispatchQueue.concurrentPerform(iterations: ids.count) { i in
            if let changed = try? store.statChangedArtifacts(executionID: ids[i], root: layout.root) { statChecks.set(ids[i], changed) }
        }
    }

    /// The content hash of output `output` of execution `e`: recorded at commit, or computed from its rows
    /// (executions committed before schema v2).
    func outputHash(of e: ExecutionRecord, output: String) throws -> String {
        let directory = e.outputDirectory ?? ""
        if let recorded = e.outputHashes { return recorded[output] ?? Fingerprinter.outputHash([], output: output, executionDirectory: directory) }
        return Fingerprinter.outputHash(try store.artifacts(executionID: e.id), output: output, executionDirectory: directory)
    }

    /// Committed files of `e` that are missing or whose size, mtime or inode differ from the commit.
    func statChanged(of e: ExecutionRecord) throws -> [ArtifactRecord] {
        if let known = statChecks.get(e.id) { return known }
        return try store.statChangedArtifacts(executionID: e.id, root: layout.root)
    }
}
