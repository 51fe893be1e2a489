import Foundation
import GRDB
import Pipeline

extension SQLiteStore {
    static let executionColumns = """
        SELECT id, run_id, stage, stage_type, fingerprint, status, attempt, started_at, finished_at, error,
               output_directory, summary, reason, output_hashes FROM executions
        """

    /// Inserts a running execution row and returns its id.
    public func startExecution(runID: Int64, stage: String, stageType: String, fingerprint: String, attempt: Int,
                               reason: String?, startedAt: Double) throws -> Int64 {
        try write("start execution of \(stage)") { db in
            try db.execute(sql: """
                INSERT INTO executions(run_id, stage, stage_type, fingerprint, status, attempt, started_at, reason)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [runID, stage, stageType, fingerprint, ExecutionStatus.running.rawValue, attempt, startedAt, reason])
            return db.lastInsertedRowID
        }
    }

    /// Inserts a skipped row that points at (and copies the folder and summary of) the reused execution.
    public func recordSkip(runID: Int64, stage: String, stageType: String, fingerprint: String, reusing: Int64, at: Double) throws {
        try write("record skip of \(stage)") { db in
            try db.execute(sql: """
                INSERT INTO executions(run_id, stage, stage_type, fingerprint, status, attempt, started_at, finished_at,
                                       output_directory, summary, reason, reused_execution_id)
                SELECT ?, ?, ?, ?, ?, 0, ?, ?, r.output_directory, COALESCE(r.summary, '{}'), ?, ?
                FROM (SELECT 1) LEFT JOIN executions r ON r.id = ?
                """, arguments: [runID, stage, stageType, fingerprint, ExecutionStatus.skipped.rawValue, at, at,
                                 "up to date (reuses execution \(reusing))", reusing, reusing])
        }
    }

    /// In one transaction: marks the execution succeeded and stores its artifacts, metrics and summary.
    public func commitExecution(_ id: Int64, outputDirectory: String, artifacts: [ArtifactRecord], metrics: [MetricPoint],
                                summary: JSONValue, finishedAt: Double) throws {
        try write("commit execution \(id)") { db in
            guard let owner = try Row.fetchOne(db, sql: "SELECT run_id, stage FROM executions WHERE id = ?", arguments: [id]) else {
                throw StoreError.invalidRow(path: path, table: "executions", detail: "no execution \(id) to commit")
            }
            let runID: Int64 = owner[0]
            let stage: String = owner[1]
            let hashes = Fingerprinter.outputHashes(artifacts, executionDirectory: outputDirectory)
            try db.execute(sql: """
                UPDATE executions SET status = ?, output_directory = ?, summary = ?, finished_at = ?, error = NULL,
                       output_hashes = ? WHERE id = ?
                """, arguments: [ExecutionStatus.succeeded.rawValue, outputDirectory, summary.canonical, finishedAt,
                                 JSONValue.object(hashes.mapValues { .string($0) }).canonical, id])
            try db.execute(sql: "DELETE FROM artifacts WHERE execution_id = ?", arguments: [id])
            try insertArtifacts(db, executionID: id, artifacts)
            let metricInsert = try db.cachedStatement(sql: """
                INSERT INTO metrics(run_id, execution_id, stage, name, step, value) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for m in metrics {
                metricInsert.setUncheckedArguments([runID, id, stage, m.name, m.step, m.value])
                try metricInsert.execute()
            }
        }
    }

    /// Inserts artifact rows with one prepared statement.
    private func insertArtifacts(_ db: Database, executionID: Int64, _ artifacts: [ArtifactRecord]) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT OR REPLACE INTO artifacts(execution_id, path, output, sha256, bytes, rows, size, mtime_ns, inode)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for a in artifacts {
            insert.setUncheckedArguments([executionID, a.path, a.output, a.sha256, a.bytes, a.rows,
                                          a.stat.size, a.stat.mtimeNanoseconds, Int64(bitPattern: a.stat.inode)])
            try insert.execute()
        }
    }

    /// Marks an execution failed or cancelled with its error.
    public func failExecution(_ id: Int64, status: ExecutionStatus, error: String, finishedAt: Double) throws {
        try write("fail execution \(id)") { db in
            try db.execute(sql: "UPDATE executions SET status = ?, error = ?, finished_at = ? WHERE id = ?",
                           arguments: [status.rawValue, error, finishedAt, id])
        }
    }

    /// The newest succeeded execution of `stage` (with `fingerprint`, when given).
    public func latestSucceeded(stage: String, fingerprint: String?) throws -> ExecutionRecord? {
        let row = try read("find latest execution of \(stage)") { db in
            if let fingerprint {
                return try Row.fetchOne(db, sql: """
                    \(Self.executionColumns) WHERE stage = ? AND status = 'succeeded' AND fingerprint = ? ORDER BY id DESC LIMIT 1
                    """, arguments: [stage, fingerprint])
            }
            return try Row.fetchOne(db, sql: """
                \(Self.executionColumns) WHERE stage = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1
                """, arguments: [stage])
        }
        return try row.map(executionRecord)
    }

    /// The newest succeeded execution of every stage (or of `stages`), in one query: the no-op check's first read.
    public func latestSucceededExecutions(stages: [String]? = nil) throws -> [String: ExecutionRecord] {
        let rows = try read("find latest executions") { db in
            try Row.fetchAll(db, sql: """
                \(Self.executionColumns) WHERE id IN (
                    SELECT MAX(id) FROM executions WHERE status = 'succeeded' GROUP BY stage)
                """)
        }
        let wanted = stages.map(Set.init)
        var out: [String: ExecutionRecord] = [:]
        for row in rows {
            let record = try executionRecord(row)
            if wanted?.contains(record.stage) ?? true { out[record.stage] = record }
        }
        return out
    }

    /// Executions of a run (skips included), in start order.
    public func executions(runID: Int64) throws -> [ExecutionRecord] {
        let rows = try read("list executions of run \(runID)") { db in
            try Row.fetchAll(db, sql: "\(Self.executionColumns) WHERE run_id = ? ORDER BY id", arguments: [runID])
        }
        return try rows.map(executionRecord)
    }

    /// An execution by id.
    public func execution(_ id: Int64) throws -> ExecutionRecord? {
        let row = try read("read execution \(id)") { db in
            try Row.fetchOne(db, sql: "\(Self.executionColumns) WHERE id = ?", arguments: [id])
        }
        return try row.map(executionRecord)
    }

    /// The execution a skip row reused, or nil when `id` is not a skip.
    public func reusedExecutionID(of id: Int64) throws -> Int64? {
        try read("read execution \(id)") { db in
            try Int64.fetchOne(db, sql: "SELECT reused_execution_id FROM executions WHERE id = ?", arguments: [id])
        }
    }

    /// The committed files of an execution, sorted by path.
    public func artifacts(executionID: Int64) throws -> [ArtifactRecord] {
        try artifactsForExecutions([executionID])[executionID] ?? []
    }

    /// Committed files of an execution whose file under `root` is missing or whose size, mtime or inode changed since
    /// the commit: each row is checked as SQLite steps over it (no record built for an intact file).
    public func statChangedArtifacts(executionID: Int64, root: URL) throws -> [ArtifactRecord] {
        try read("check artifacts of execution \(executionID)") { db in
            var probe = StatProbe(root: root)
            var changed: [ArtifactRecord] = []
            try db.forEachRawRow("""
                SELECT path, size, mtime_ns, inode, output, sha256, bytes, rows FROM artifacts WHERE execution_id = ? ORDER BY path
                """, arguments: [executionID]) { row in
                let stat = FileStat(size: row.int64(1), mtimeNanoseconds: row.int64(2), inode: UInt64(bitPattern: row.int64(3)))
                guard row.withText(0, { probe.differs(path: $0, from: stat) }) else { return }
                changed.append(ArtifactRecord(output: row.text(4), path: row.text(0), sha256: row.text(5), bytes: row.int64(6),
                                              rows: row.optionalInt(7), stat: stat))
            }
            return changed
        }
    }

    /// Committed files of many executions in one query, keyed by execution id (paths sorted within each).
    public func artifactsForExecutions(_ ids: [Int64]) throws -> [Int64: [ArtifactRecord]] {
        if ids.isEmpty { return [:] }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        return try read("read artifacts") { db in
            var out: [Int64: [ArtifactRecord]] = [:]
            var currentID: Int64 = -1
            var current: [ArtifactRecord] = []
            let filter = ids.count == 1 ? "execution_id = ?" : "execution_id IN (SELECT value FROM json_each(?))"
            let arguments: StatementArguments = ids.count == 1 ? [ids[0]] : [list]
            try db.forEachRawRow("""
                SELECT execution_id, output, path, sha256, bytes, rows, size, mtime_ns, inode FROM artifacts
                WHERE \(filter) ORDER BY execution_id, path
                """, arguments: arguments) { row in
                let id = row.int64(0)
                if id != currentID {
                    if currentID >= 0 { out[currentID] = current }
                    currentID = id
                    current = []
                }
                let stat = FileStat(size: row.int64(6), mtimeNanoseconds: row.int64(7), inode: UInt64(bitPattern: row.int64(8)))
                current.append(ArtifactRecord(output: row.text(1), path: row.text(2), sha256: row.text(3), bytes: row.int64(4),
                                              rows: row.optionalInt(5), stat: stat))
            }
            if currentID >= 0 { out[currentID] = current }
            return out
        }
    }

    /// Output folders of every succeeded execution, oldest first (for gc).
    public func allOutputDirectories() throws -> [(executionID: Int64, runID: Int64, stage: String, directory: String)] {
        try read("list output directories") { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, run_id, stage, output_directory FROM executions
                WHERE status = 'succeeded' AND output_directory IS NOT NULL ORDER BY id
                """)
            return rows.map { (executionID: $0[0], runID: $0[1], stage: $0[2], directory: $0[3]) }
        }
    }

    /// Marks executions still `running` (of one run, or of all runs) as cancelled with `error`, after a crash or
    /// SIGKILL left them so; returns how many changed.
    @discardableResult
    public func abandonRunningExecutions(runID: Int64?, error: String, at: Double) throws -> Int {
        try write("abandon running executions") { db in
            if let runID {
                try db.execute(sql: "UPDATE executions SET status = 'cancelled', error = ?, finished_at = ? WHERE status = 'running' AND run_id = ?",
                               arguments: [error, at, runID])
            } else {
                try db.execute(sql: "UPDATE executions SET status = 'cancelled', error = ?, finished_at = ? WHERE status = 'running'",
                               arguments: [error, at])
            }
            return db.changesCount
        }
    }

    /// Forgets executions and their artifact rows (metrics are kept for history).
    public func deleteExecutions(_ ids: [Int64]) throws {
        if ids.isEmpty { return }
        let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
        try write("delete executions") { db in
            try db.execute(sql: "DELETE FROM executions WHERE id IN (SELECT value FROM json_each(?))", arguments: [list])
        }
    }

    /// Decodes a row selected with `executionColumns`.
    func executionRecord(_ row: Row) throws -> ExecutionRecord {
        let statusText: String = row[5]
        guard let status = ExecutionStatus(rawValue: statusText) else {
            throw StoreError.invalidRow(path: path, table: "executions", detail: "unknown status \(statusText)")
        }
        return ExecutionRecord(id: row[0], runID: row[1], stage: row[2], stageType: row[3], fingerprint: row[4], status: status,
                               attempt: row[6], startedAt: row[7], finishedAt: row[8], error: row[9], outputDirectory: row[10],
                               summary: try decodeJSON(row[11], table: "executions") ?? .object([:]), reason: row[12],
                               outputHashes: try decodeJSON(row[13], table: "executions")?.objectValue?.compactMapValues(\.stringValue))
    }
}
