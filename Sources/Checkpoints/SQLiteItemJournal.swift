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

    /// Records a killed process had appended but not committed; see `JournalSpill`.
    public let spill: JournalSpill?

    /// A journal over `store` for `namespace`; replays a spill left by a killed process first.
    public init(store: SQLiteStore, namespace: String) {
        self.store = store
        self.namespace = namespace
        let name = String(namespace.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }.prefix(60))
        let file = URL(fileURLWithPath: store.path).deletingLastPathComponent()
            .appendingPathComponent("journal-spill", isDirectory: true)
            .appendingPathComponent("\(name)-\(ContentHash.sha256(namespace).prefix(12)).jsonl")
        spill = JournalSpill(file: file)
        let left = spill?.records() ?? []
        if !left.isEmpty, (try? write(left)) != nil { spill?.clear() }
    }

    private static let columns = "SELECT key, status, attempts, error_class, error_detail, output_hash, meta, updated_at FROM items"

    /// Every record in the namespace, by key (one query).
    public func all() throws -> [String: ItemRecord] {
        try store.read("read journal \(namespace)") { db in
            var out: [String: ItemRecord] = [:]
            try db.forEachRawRow("\(Self.columns) WHERE namespace = ?", arguments: [namespace]) { row in
                let record = try decode(row)
                out[record.key] = record
            }
            return out
        }
    }

    /// Records for the keys that exist, looked up in chunks of `chunkSize` keys.
    public func records(for keys: [String]) throws -> [String: ItemRecord] {
        if keys.isEmpty { return [:] }
        return try store.read("read journal \(namespace)") { db in
            var out: [String: ItemRecord] = [:]
            var start = 0
            while start < keys.count {
                let chunk = keys[start..<min(start + Self.chunkSize, keys.count)]
                start += Self.chunkSize
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                try db.forEachRawRow("\(Self.columns) WHERE namespace = ? AND key IN (\(marks))",
                                     arguments: StatementArguments([namespace] + Array(chunk))) { row in
                    let record = try decode(row)
                    out[record.key] = record
                }
            }
            return out
        }
    }

    /// Inserts or replaces records in one transaction.
    public func write(_ records: [ItemRecord]) throws {
        if records.isEmpty { return }
        try store.write("write journal \(namespace)") { db in
            try db.executeRawBatch("""
                INSERT OR REPLACE INTO items(namespace, key, status, attempts, error_class, error_detail, output_hash, meta, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, count: records.count) { b, i in
                let r = records[i]
                b.bind(1, namespace); b.bind(2, r.key); b.bind(3, r.status.rawValue); b.bind(4, Int64(r.attempts))
                b.bind(5, r.errorClass); b.bind(6, r.errorDetail); b.bind(7, r.outputHash); b.bind(8, r.meta?.canonical)
                b.bind(9, r.updatedAt)
            }
        }
    }

    /// Deletes records for keys, in one transaction.
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
    private func decode(_ row: RawRow) throws -> ItemRecord {
        let statusText = row.text(1)
        guard let status = ItemStatus(rawValue: statusText) else {
            throw StoreError.invalidRow(path: store.path, table: "items", detail: "unknown status \(statusText) in \(namespace)")
        }
        return ItemRecord(key: row.text(0), status: status, attempts: Int(row.int64(2)), errorClass: row.optionalText(3),
                          errorDetail: row.optionalText(4), outputHash: row.optionalText(5),
                          meta: try store.decodeJSON(row.optionalText(6), table: "items"), updatedAt: row.double(7))
    }
}
