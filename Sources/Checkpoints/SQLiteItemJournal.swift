import Foundation
import GRDB
import Pipeline

/// The item journal of one namespace in the state database: batched transactional writes, chunked lookups.
public final class SQLiteItemJournal: ItemJournal {
    /// The namespace (usually the stage name) this journal is bound to.
    public let namespace: String
    private let store: SQLiteStore
    /// Keys per `IN (...)` lookup: well under SQLite's bound-parameter limit.
    static let chunkSize = 500

    /// A journal over `store` for `namespace`.
    public init(store: SQLiteStore, namespace: String) {
        self.store = store
        self.namespace = namespace
    }

    private static let columns = "SELECT key, status, attempts, error_class, error_detail, output_hash, meta, updated_at FROM items"

    public func all() throws -> [String: ItemRecord] {
        try store.read("read journal \(namespace)") { db in
            var out: [String: ItemRecord] = [:]
            let rows = try Row.fetchCursor(db, sql: "\(Self.columns) WHERE namespace = ?", arguments: [namespace])
            while let row = try rows.next() {
                let record = try decode(row)
                out[record.key] = record
            }
            return out
        }
    }

    public func records(for keys: [String]) throws -> [String: ItemRecord] {
        if keys.isEmpty { return [:] }
        return try store.read("read journal \(namespace)") { db in
            var out: [String: ItemRecord] = [:]
            var start = 0
            while start < keys.count {
                let chunk = keys[start..<min(start + Self.chunkSize, keys.count)]
                start += Self.chunkSize
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(db, sql: "\(Self.columns) WHERE namespace = ? AND key IN (\(marks))",
                                               arguments: StatementArguments([namespace] + Array(chunk)))
                while let row = try rows.next() {
                    let record = try decode(row)
                    out[record.key] = record
                }
            }
            return out
        }
    }

    public func write(_ records: [ItemRecord]) throws {
        if records.isEmpty { return }
        try store.write("write journal \(namespace)") { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO items(namespace, key, status, attempts, error_class, error_detail, output_hash, meta, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            for r in records {
                insert.setUncheckedArguments([namespace, r.key, r.status.rawValue, r.attempts, r.errorClass, r.errorDetail,
                                              r.outputHash, r.meta?.canonical, r.updatedAt])
                try insert.execute()
            }
        }
    }

    public func remove(_ keys: [String]) throws {
        if keys.isEmpty { return }
        try store.write("remove from journal \(namespace)") { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM items WHERE namespace = ? AND key = ?")
            for k in keys {
                delete.setUncheckedArguments([namespace, k])
                try delete.execute()
            }
        }
    }

    /// Deletes every record of the namespace.
    public func removeAll() throws {
        try store.write("clear journal \(namespace)") { db in
            try db.execute(sql: "DELETE FROM items WHERE namespace = ?", arguments: [namespace])
        }
    }

    /// Keys with the given status (e.g. what is left: `.pending` and `.failed`), sorted.
    public func keys(status: ItemStatus) throws -> [String] {
        try store.read("query journal \(namespace)") { db in
            try String.fetchAll(db, sql: "SELECT key FROM items WHERE namespace = ? AND status = ? ORDER BY key",
                                arguments: [namespace, status.rawValue])
        }
    }

    /// Number of records per status.
    public func counts() throws -> [ItemStatus: Int] {
        try store.read("count journal \(namespace)") { db in
            var out: [ItemStatus: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM items WHERE namespace = ? GROUP BY status",
                                        arguments: [namespace]) {
                let text: String = row[0]
                if let status = ItemStatus(rawValue: text) { out[status] = row[1] }
            }
            return out
        }
    }

    /// Decodes one row selected with `columns`.
    private func decode(_ row: Row) throws -> ItemRecord {
        let statusText: String = row[1]
        guard let status = ItemStatus(rawValue: statusText) else {
            throw StoreError.invalidRow(path: store.path, table: "items", detail: "unknown status \(statusText) in \(namespace)")
        }
        return ItemRecord(key: row[0], status: status, attempts: row[2], errorClass: row[3], errorDetail: row[4],
                          outputHash: row[5], meta: try store.decodeJSON(row[6], table: "items"), updatedAt: row[7])
    }
}
