import Foundation
import GRDB

/// The state database schema: named migrations, appended and never edited.
public enum Schema {
    /// The value of `PRAGMA application_id` in a Vitrine state database ("VTRN").
    public static let applicationID: Int32 = 0x5654_524E
    /// The schema version this binary writes: the number of migrations it knows.
    public static var currentVersion: Int { migrationNames.count }
    /// Names of the migrations in order (version N = the first N applied).
    public static let migrationNames = ["v1-initial", "v2-output-hashes"]

    /// The migrator with every known migration registered.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial") { db in try v1(db) }
        migrator.registerMigration("v2-output-hashes") { db in try v2(db) }
        return migrator
    }

    /// v1: runs, executions, artifacts, metrics, items, stat cache and the schema-info table.
    private static func v1(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE vitrine_schema (
                key TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) WITHOUT ROWID, STRICT;
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                pipeline_path TEXT NOT NULL,
                status TEXT NOT NULL,
                started_at REAL NOT NULL,
                finished_at REAL,
                provenance TEXT NOT NULL DEFAULT '{}',
                error TEXT
            ) STRICT;
            CREATE TABLE executions (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                stage TEXT NOT NULL,
                stage_type TEXT NOT NULL,
                fingerprint TEXT NOT NULL,
                status TEXT NOT NULL,
                attempt INTEGER NOT NULL DEFAULT 1,
                started_at REAL NOT NULL,
                finished_at REAL,
                error TEXT,
                output_directory TEXT,
                summary TEXT NOT NULL DEFAULT '{}',
                reason TEXT,
                reused_execution_id INTEGER
            ) STRICT;
            CREATE INDEX executions_by_stage_status ON executions(stage, status, fingerprint, id);
            CREATE INDEX executions_by_run ON executions(run_id, id);
            CREATE TABLE artifacts (
                execution_id INTEGER NOT NULL REFERENCES executions(id) ON DELETE CASCADE,
                path TEXT NOT NULL,
                output TEXT NOT NULL,
                sha256 TEXT NOT NULL,
                bytes INTEGER NOT NULL,
                rows INTEGER,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                inode INTEGER NOT NULL,
                PRIMARY KEY (execution_id, path)
            ) WITHOUT ROWID, STRICT;
            CREATE TABLE metrics (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                run_id INTEGER NOT NULL,
                execution_id INTEGER NOT NULL,
                stage TEXT NOT NULL,
                name TEXT NOT NULL,
                step INTEGER,
                value REAL NOT NULL
            ) STRICT;
            CREATE INDEX metrics_by_run ON metrics(run_id, id);
            CREATE TABLE items (
                namespace TEXT NOT NULL,
                key TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL,
                error_class TEXT,
                error_detail TEXT,
                output_hash TEXT,
                meta TEXT,
                updated_at REAL NOT NULL,
                PRIMARY KEY (namespace, key)
            ) WITHOUT ROWID, STRICT;
            CREATE INDEX items_by_status ON items(namespace, status);
            CREATE TABLE stat_cache (
                path TEXT PRIMARY KEY NOT NULL,
                size INTEGER NOT NULL,
                mtime_ns INTEGER NOT NULL,
                inode INTEGER NOT NULL,
                sha256 TEXT NOT NULL
            ) WITHOUT ROWID, STRICT;
            """)
        try db.execute(sql: "PRAGMA application_id = \(applicationID)")
        try db.execute(sql: "INSERT INTO vitrine_schema(key, value) VALUES ('application', 'vitrine'), ('created_at', ?)",
                       arguments: [String(Date().timeIntervalSince1970)])
        try setVersion(db, 1)
    }

    /// v2: each committed execution keeps the content hash of each of its outputs (JSON object output → sha256), so
    /// a downstream fingerprint needs one row instead of re-hashing every artifact row; NULL for older executions.
    private static func v2(_ db: Database) throws {
        try db.execute(sql: "ALTER TABLE executions ADD COLUMN output_hashes TEXT")
        try setVersion(db, 2)
    }

    /// Records the schema version reached (each migration ends with this).
    private static func setVersion(_ db: Database, _ version: Int) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO vitrine_schema(key, value) VALUES ('schema_version', ?)",
                       arguments: [String(version)])
    }
}
