import Foundation
import GRDB
import GRDBSQLite

/// One result row read straight from the SQLite statement (the no-op path reads tens of thousands of rows, where
/// per-column decoding through `Row` dominates). Valid only inside the `forEachRawRow` callback.
struct RawRow {
    fileprivate let statement: OpaquePointer

    /// Whether column `i` is NULL.
    func isNull(_ i: Int32) -> Bool { sqlite3_column_type(statement, i) == SQLITE_NULL }
    /// Column `i` as a 64-bit integer (0 for NULL).
    func int64(_ i: Int32) -> Int64 { sqlite3_column_int64(statement, i) }
    /// Column `i` as a double (0 for NULL).
    func double(_ i: Int32) -> Double { sqlite3_column_double(statement, i) }
    /// Column `i` as text ("" for NULL).
    func text(_ i: Int32) -> String {
        guard let p = sqlite3_column_text(statement, i) else { return "" }
        let n = Int(sqlite3_column_bytes(statement, i))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }
    /// Column `i` as text, nil for NULL.
    func optionalText(_ i: Int32) -> String? { isNull(i) ? nil : text(i) }
    /// Column `i` as an integer, nil for NULL.
    func optionalInt(_ i: Int32) -> Int? { isNull(i) ? nil : Int(int64(i)) }
}

extension Database {
    /// Runs `sql` with `arguments` and calls `body` for each row, stepping the statement directly.
    func forEachRawRow(_ sql: String, arguments: StatementArguments = StatementArguments(),
                       _ body: (RawRow) throws -> Void) throws {
        let statement = try makeStatement(sql: sql)
        try statement.setArguments(arguments)
        let handle = statement.sqliteStatement
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            if code == SQLITE_DONE { return }
            guard code == SQLITE_ROW else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqliteConnection)),
                                    sql: sql)
            }
            try body(RawRow(statement: handle))
        }
    }
}
