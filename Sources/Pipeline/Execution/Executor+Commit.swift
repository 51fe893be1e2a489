import Foundation

extension Executor {
    /// Checks declared outputs, adds summary/metrics/fingerprint files, renames the staging folder
    /// into place, and records everything in one store transaction; then repoints `out/<stage>`.
    func commit(_ stage: StageSpec, executionID: Int64, runID: Int64, ctx: StageContext, material: FingerprintMaterial, started: Date) throws -> ExecutionRecord {
        let staging = ctx.stagingDirectory
        let specs = Array(ctx.outputSpecs.values)
        for o in specs where !o.optional && !FileManager.default.fileExists(atPath: staging.appendingPathComponent(o.file).path) {
            throw StageError.missingOutput(stage: stage.name, output: o.file)
        }
        let summary = JSONValue.object(ctx.summary)
        let metrics = ctx.metrics
        let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try Data((summary.canonical + "\n").utf8).write(to: staging.appendingPathComponent(CommitFiles.summary))
        try enc.encode(metrics).write(to: staging.appendingPathComponent(CommitFiles.metrics))
        try enc.encode(material).write(to: staging.appendingPathComponent(CommitFiles.fingerprint))

        let finalDir = layout.executions.appendingPathComponent(stage.name, isDirectory: true).appendingPathComponent(String(executionID), isDirectory: true)
        try FileManager.default.createDirectory(at: finalDir.deletingLastPathComponent(), withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: finalDir.path) { try FileManager.default.removeItem(at: finalDir) }
        try FileIO.renameReplacing(staging, to: finalDir)

        let owners = specs.sorted { $0.file.count > $1.file.count }
        // Files are hashed over the cores, biggest first (a prepare stage's train and test tensors at once), except
        // those the stage hashed while writing them (`StageContext.recordHash`) and left untouched since.
        let files = try Fingerprinter.files(under: finalDir).compactMap { rel -> (rel: String, url: URL, stat: FileStat)? in
            let url = finalDir.appendingPathComponent(rel)
            return FileStat.of(url.path).map { (rel, url, $0) }
        }
        let order = files.indices.sorted { files[$0].stat.size > files[$1].stat.size }
        let records = LockedCache<Int, Result<ArtifactRecord, any Error>>()
        DispatchQueue.concurrentPerform(iterations: order.count) { k in
            let f = files[order[k]]
            let owner = owners.first { f.rel == $0.file || f.rel.hasPrefix($0.file + "/") }
            records.set(order[k], Result {
                let rows = owner?.tabular == true ? try Self.countLines(f.url) : nil
                return ArtifactRecord(output: owner?.name ?? CommitFiles.metaOutput, path: layout.relative(f.url),
                                      sha256: try ctx.recordedHash(f.rel, stat: f.stat) ?? ContentHash.file(at: f.url), bytes: f.stat.size, rows: rows, stat: f.stat)
            })
        }
        let artifacts = try files.indices.map { i -> ArtifactRecord in
            guard let r = records.get(i) else { throw StageError.failed(stage: stage.name, item: files[i].rel, reason: "output not hashed") }
            return try r.get()
        }
        let outDir = layout.relative(finalDir)
        try store.commitExecution(executionID, outputDirectory: outDir, artifacts: artifacts, metrics: metrics,
                                  summary: summary, finishedAt: Date().timeIntervalSince1970)
        try? layout.linkLatest(stage: stage.name, to: finalDir)
        return ExecutionRecord(id: executionID, runID: runID, stage: stage.name, stageType: stage.typeName, fingerprint: material.fingerprint,
                               status: .succeeded, startedAt: started.timeIntervalSince1970, finishedAt: Date().timeIntervalSince1970,
                               outputDirectory: outDir, summary: summary)
    }

    /// Number of lines in a file (rows of a JSON Lines table).
    static func countLines(_ url: URL) throws -> Int {
        let h = try FileHandle(forReadingFrom: url)
        defer { try? h.close() }
        var n = 0
        while let chunk = try h.read(upToCount: 1 << 20), !chunk.isEmpty {
            n += chunk.withUnsafeBytes { raw in raw.reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }
        }
        return n
    }
}
