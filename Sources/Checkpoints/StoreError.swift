import Foundation
import GRDB

/// Why the state database could not be opened or used; each message says what is wrong and what to do.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The file exists but is not an SQLite database at all.
    case notADatabase(path: String)
    /// The file is an SQLite database of another application (no Vitrine schema table).
    case foreignDatabase(path: String, tables: [String])
    /// The database was written by a newer Vitrine with a schema this binary does not know.
    case newerSchema(path: String, found: Int, supported: Int, unknownMigrations: [String])
    /// The integrity check failed or SQLite reported corruption.
    case corrupted(path: String, detail: String)
    /// The state directory or database file could not be created or opened.
    case cannotOpen(path: String, detail: String)
    /// A statement failed while doing `operation`.
    case sqlite(path: String, operation: String, code: Int32, message: String)
    /// A stored value could not be decoded (a hand-edited or damaged row).
    case invalidRow(path: String, table: String, detail: String)

    /// The human-readable message with the remedy.
    public var description: String {
        switch self {
        case .notADatabase(let path):
            return "\(path) is not an SQLite database (bad header); it is not a Vitrine state file. "
                + "Move it away or pass --state to use another directory."
        case .foreignDatabase(let path, let tables):
            let shown = tables.prefix(5).joined(separator: ", ")
            return "\(path) is not a Vitrine state database (no vitrine_schema table; it holds: \(shown)). "
                + "Move it away or pass --state to use another directory."
        case .newerSchema(let path, let found, let supported, let unknown):
            let names = unknown.isEmpty ? "" : " (unknown migrations: \(unknown.joined(separator: ", ")))"
            return "\(path) has state schema version \(found), newer than this vitrine supports (\(supported))\(names). "
                + "Upgrade vitrine, or pass --state to use another directory."
        case .corrupted(let path, let detail):
            return "\(path) is corrupted (\(detail)). Move it (and its -wal/-shm files) away to start fresh, "
                + "or restore it from a backup; committed artifacts stay on disk."
        case .cannotOpen(let path, let detail):
            return "cannot open state database \(path): \(detail). Check the directory exists and is writable, or pass --state."
        case .sqlite(let path, let operation, let code, let message):
            return "state database \(path): \(operation) failed (SQLite code \(code)): \(message)"
        case .invalidRow(let path, let table, let detail):
            return "state database \(path): unreadable row in \(table): \(detail)"
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }

    /// Maps any error thrown by GRDB during `operation` to a typed store error.
    static func wrap(_ error: any Error, path: String, operation: String) -> StoreError {
        if let e = error as? StoreError { return e }
        guard let db = error as? DatabaseError else {
            return .sqlite(path: path, operation: operation, code: -1, message: "\(error)")
        }
        switch db.resultCode {
        case .SQLITE_NOTADB: return .notADatabase(path: path)
        case .SQLITE_CORRUPT: return .corrupted(path: path, detail: db.message ?? "database disk image is malformed")
        case .SQLITE_CANTOPEN: return .cannotOpen(path: path, detail: db.message ?? "unable to open database file")
        default:
            return .sqlite(path: path, operation: operation, code: db.extendedResultCode.rawValue, message: db.message ?? "\(db)")
        }
    }
}
