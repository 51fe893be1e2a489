import Foundation
import GRDB
import Pipeline

/// The runner's durable state in `<stateDir>/state.sqlite`: a GRDB `DatabasePool` in WAL mode.
public final class SQLiteStore: PipelineStore {
    /// How thoroughly `init` checks an existing database before using it.
    public enum IntegrityCheck: Sendable {
        /// Header, schema and version checks only (fast; corruption found later is still a typed error).
        case schemaOnly
        /// `PRAGMA quick_check` as well (reads every page, O(database size)).
        case quick
        /// `PRAGMA integrity_check` as well (slowest; also checks index contents).
        case full
    }

    /// The database file name inside a state directory.
    public static let fileName = "state.sqlite"

    /// The path of the database file.
    public let path: String
    let pool: DatabasePool

    /// Opens (creating if needed) `<stateDirectory>/state.sqlite`, refusing a foreign, corrupted or newer file.
    public init(stateDirectory: URL, check: IntegrityCheck = .schemaOnly, busyTimeout: TimeInterval = 10) throws {
        let file = stateDirectory.appendingPathComponent(Self.fileName).path
        self.path = file
        do {
            try FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotOpen(path: file, detail: "cannot create \(stateDirectory.path): \(error.localizedDescription)")
        }
        try Self.inspectExisting(file, check: check)
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = NORMAL") }
        do {
            pool = try DatabasePool(path: file, configuration: config)
            try Schema.migrator().migrate(pool)
        } catch {
            throw StoreError.wrap(error, path: file, operation: "open")
        }
    }

    /// Checks an existing file before the pool touches it: header, integrity, application tables and version.
    private static func inspectExisting(_ file: String, check: IntegrityCheck) throws {
        guard let handle = FileHandle(forReadingAtPath: file) else {
            if FileManager.default.fileExists(atPath: file) {
                throw StoreError.cannotOpen(path: file, detail: "the file is not readable")
            }
            return
        }
        let header = (try? handle.read(upToCount: 100)) ?? Data()
        try? handle.close()
        if header.isEmpty { return }
        guard header.count == 100, header.starts(with: Array("SQLite format 3\0".utf8)) else {
            throw StoreError.notADatabase(path: file)
        }
        try checkLength(file, header: [UInt8](header))
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        do {
            let queue = try DatabaseQueue(path: file, configuration: config)
            defer { try? queue.close() }
            try queue.read { db in try validate(db, file: file, check: check) }
        } catch {
            throw StoreError.wrap(error, path: file, operation: "integrity check")
        }
    }

    /// Catches a truncated copy cheaply: the header's page count (when valid) must fit in the file, unless a
    /// non-empty WAL still holds pages.
    private static func checkLength(_ file: String, header: [UInt8]) throws {
        func be32(_ o: Int) -> Int { Int(header[o]) << 24 | Int(header[o + 1]) << 16 | Int(header[o + 2]) << 8 | Int(header[o + 3]) }
        let rawPageSize = Int(header[16]) << 8 | Int(header[17])
        let pageSize = rawPageSize == 1 ? 65_536 : rawPageSize
        let pages = be32(28)
        guard pages > 0, pageSize >= 512, be32(24) == be32(92) else { return }
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? nil
        let walSize = (try? FileManager.default.attributesOfItem(atPath: file + "-wal")[.size] as? Int) ?? nil
        if let size, size < pages * pageSize, (walSize ?? 0) == 0 {
            throw StoreError.corrupted(path: file, detail: "truncated: the header says \(pages) pages of \(pageSize) bytes, "
                                       + "the file has \(size) bytes")
        }
    }

    /// Validates an open connection: runs the requested check and the schema identity/version checks.
    private static func validate(_ db: Database, file: String, check: IntegrityCheck) throws {
        let pragma: String? = switch check {
        case .schemaOnly: nil
        case .quick: "PRAGMA quick_check(20)"
        case .full: "PRAGMA integrity_check(20)"
        }
        if let pragma {
            let lines = try String.fetchAll(db, sql: pragma)
            if lines != ["ok"] { throw StoreError.corrupted(path: file, detail: lines.prefix(3).joined(separator: "; ")) }
        }
        let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        guard tables.contains("vitrine_schema") else {
            if tables.isEmpty { return }
            throw StoreError.foreignDatabase(path: file, tables: tables)
        }
        let app = try String.fetchOne(db, sql: "SELECT value FROM vitrine_schema WHERE key = 'application'")
        guard app == "vitrine" else { throw StoreError.foreignDatabase(path: file, tables: tables) }
        let versionText = try String.fetchOne(db, sql: "SELECT value FROM vitrine_schema WHERE key = 'schema_version'")
        let version = versionText.flatMap { Int($0) } ?? 0
        let migrator = Schema.migrator()
        let unknown = tables.contains("grdb_migrations")
            ? try migrator.appliedIdentifiers(db).subtracting(Schema.migrationNames).sorted() : []
        if version > Schema.currentVersion || !unknown.isEmpty {
            throw StoreError.newerSchema(path: file, found: max(version, Schema.currentVersion + (unknown.isEmpty ? 0 : 1)),
                                         supported: Schema.currentVersion, unknownMigrations: unknown)
        }
    }

    /// Runs `PRAGMA quick_check` (or `integrity_check` when `full`) now; throws `StoreError.corrupted` on failure.
    public func checkIntegrity(full: Bool = false) throws {
        let lines = try read("integrity check") { db in
            try String.fetchAll(db, sql: full ? "PRAGMA integrity_check(20)" : "PRAGMA quick_check(20)")
        }
        if lines != ["ok"] { throw StoreError.corrupted(path: path, detail: lines.prefix(3).joined(separator: "; ")) }
    }

    /// The schema version recorded in the database.
    public func schemaVersion() throws -> Int {
        try read("read schema version") { db in
            try String.fetchOne(db, sql: "SELECT value FROM vitrine_schema WHERE key = 'schema_version'").flatMap { Int($0) } ?? 0
        }
    }

    /// Closes the pool (later calls fail); deinit also closes it.
    public func close() throws {
        do { try pool.close() } catch { throw StoreError.wrap(error, path: path, operation: "close") }
    }

    // MARK: - Helpers

    /// A read with errors mapped to `StoreError`.
    func read<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do { return try pool.read(body) } catch { throw StoreError.wrap(error, path: path, operation: operation) }
    }

    /// A write transaction with errors mapped to `StoreError`.
    func write<T>(_ operation: String, _ body: (Database) throws -> T) throws -> T {
        do { return try pool.write(body) } catch { throw StoreError.wrap(error, path: path, operation: operation) }
    }

    /// Parses stored JSON text.
    func decodeJSON(_ text: String?, table: String) throws -> JSONValue? {
        guard let text else { return nil }
        if let fast = FastJSON.parse(text) { return fast }
        do { return try JSONValue.parse(Data(text.utf8)) } catch {
            throw StoreError.invalidRow(path: path, table: table, detail: "bad JSON: \(text.prefix(80))")
        }
    }

    // MARK: - Runs

    /// Inserts a running run with its provenance and returns its id.
    public func createRun(pipelinePath: String, provenance: JSONValue, startedAt: Double) throws -> Int64 {
        try write("create run") { db in
            try db.execute(sql: "INSERT INTO runs(pipeline_path, status, started_at, provenance) VALUES (?, ?, ?, ?)",
                           arguments: [pipelinePath, RunStatus.running.rawValue, startedAt, provenance.canonical])
            return db.lastInsertedRowID
        }
    }

    /// Marks a run running again (resume keeps the run id).
    public func reopenRun(_ id: Int64) throws {
        try write("reopen run \(id)") { db in
            try db.execute(sql: "UPDATE runs SET status = ?, finished_at = NULL, error = NULL WHERE id = ?",
                           arguments: [RunStatus.running.rawValue, id])
        }
    }

    /// Ends a run with its status and error.
    public func finishRun(_ id: Int64, status: RunStatus, error: String?, finishedAt: Double) throws {
        try write("finish run \(id)") { db in
            try db.execute(sql: "UPDATE runs SET status = ?, error = ?, finished_at = ? WHERE id = ?",
                           arguments: [status.rawValue, error, finishedAt, id])
        }
    }

    /// A run by id.
    public func run(_ id: Int64) throws -> RunRecord? {
        let row = try read("read run \(id)") { db in try Row.fetchOne(db, sql: "\(Self.runColumns) WHERE id = ?", arguments: [id]) }
        return try row.map(runRecord)
    }

    /// The most recent runs, newest first.
    public func runs(limit: Int) throws -> [RunRecord] {
        let rows = try read("list runs") { db in
            try Row.fetchAll(db, sql: "\(Self.runColumns) ORDER BY id DESC LIMIT ?", arguments: [limit])
        }
        return try rows.map(runRecord)
    }

    /// The newest run that ended failed or interrupted, or is still marked running (for `resume`).
    public func latestResumableRun() throws -> RunRecord? {
        let row = try read("find resumable run") { db in
            try Row.fetchOne(db, sql: "\(Self.runColumns) WHERE status IN ('failed', 'interrupted', 'running') ORDER BY id DESC LIMIT 1")
        }
        return try row.map(runRecord)
    }

    private static let runColumns = "SELECT id, pipeline_path, status, started_at, finished_at, provenance, error FROM runs"

    private func runRecord(_ row: Row) throws -> RunRecord {
        let statusText: String = row[2]
        guard let status = RunStatus(rawValue: statusText) else {
            throw StoreError.invalidRow(path: path, table: "runs", detail: "unknown status \(statusText)")
        }
        return RunRecord(id: row[0], pipelinePath: row[1], status: status, startedAt: row[3], finishedAt: row[4],
                         provenance: try decodeJSON(row[5], table: "runs") ?? .object([:]), error: row[6])
    }
}
