import Foundation
import GRDB
import Pipeline

extension SQLiteStore {
    /// Metrics, optionally of one run, in insertion order.
    public func metrics(runID: Int64?) throws -> [MetricRecord] {
        try read("read metrics") { db in
            let base = "SELECT run_id, execution_id, stage, name, step, value FROM metrics"
            let rows = if let runID {
                try Row.fetchAll(db, sql: "\(base) WHERE run_id = ? ORDER BY id", arguments: [runID])
            } else {
                try Row.fetchAll(db, sql: "\(base) ORDER BY id")
            }
            return rows.map { MetricRecord(runID: $0[0], executionID: $0[1], stage: $0[2], name: $0[3], step: $0[4], value: $0[5]) }
        }
    }

    /// Metrics of one execution, in insertion order.
    public func metrics(executionID: Int64) throws -> [MetricRecord] {
        try read("read metrics of execution \(executionID)") { db in
            try Row.fetchAll(db, sql: """
                SELECT run_id, execution_id, stage, name, step, value FROM metrics WHERE execution_id = ? ORDER BY id
                """, arguments: [executionID])
            .map { MetricRecord(runID: $0[0], executionID: $0[1], stage: $0[2], name: $0[3], step: $0[4], value: $0[5]) }
        }
    }

    /// The item journal for a namespace.
    public func journal(namespace: String) -> any ItemJournal {
        SQLiteItemJournal(store: self, namespace: namespace)
    }

    /// The item journal for a namespace, with the SQLite-specific queries (`keys(status:)`, `counts()`).
    public func itemJournal(namespace: String) -> SQLiteItemJournal {
        SQLiteItemJournal(store: self, namespace: namespace)
    }

    /// Namespaces that hold journal items, with their item counts.
    public func journalNamespaces() throws -> [String: Int] {
        try read("list journals") { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT namespace, COUNT(*) FROM items GROUP BY namespace") {
                out[row[0]] = row[1]
            }
            return out
        }
    }
}

extension SQLiteStore {
    /// Every blob hash an item journal record points at, across all namespaces (what `gc --blobs` must keep).
    public func journalOutputHashes() throws -> Set<String> {
        try read("read journal output hashes") { db in
            Set(try String.fetchAll(db, sql: "SELECT DISTINCT output_hash FROM items WHERE output_hash IS NOT NULL"))
        }
    }
}
