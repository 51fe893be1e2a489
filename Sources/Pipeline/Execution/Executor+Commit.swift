import Foundation

extension Executor {
    /// Checks declared outputs, adds summary/metrics/fingerprint files, renames the staging folder
    /// into place, and records everything in one store transaction; then repoints `out/<stage>`.
    func commit(_ stage: StageSpec, executionID: Int64, runID: Int64, ctx: StageContext, material: FingerprintMaterial, started: Date) throws -> ExecutionRecord {
        let staging = ctx.stagingDirectory
        var specs = Array(ctx.outputSpecs.values)
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

        specs.sort { $0.file.count > $1.file.count }
        var artifacts: [ArtifactRecord] = []
        for rel in try Fingerprinter.files(under: finalDir) {
            let url = finalDir.appendingPathComponent(rel)
            guard let st = FileStat.of(url.path) else { continue }
            let owner = specs.first { rel == $0.file || rel.hasPrefix($0.file + "/") }
            let rows = owner?.tabular == true ? try Self.countLines(url) : nil
            artifacts.append(ArtifactRecord(output: owner?.name ?? CommitFiles.metaOutput, path: layout.relative(url),
                                            sha256: try ContentHash.sha256(fileAt: url), bytes: st.size, rows: rows, stat: st))
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
