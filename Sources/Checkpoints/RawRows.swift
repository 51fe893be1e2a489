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
    /// Calls `body` with column `i`'s UTF-8 bytes (empty for NULL), valid only during the call.
    func withText<T>(_ i: Int32, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        guard let p = sqlite3_column_text(statement, i) else { return body(UnsafeBufferPointer(start: nil, count: 0)) }
        return body(UnsafeBufferPointer(start: p, count: Int(sqlite3_column_bytes(statement, i))))
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

/// Binds parameters of one prepared statement directly (1-based indexes), for bulk inserts.
struct RawBinder {
    fileprivate let statement: OpaquePointer
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// Binds text, or NULL for nil.
    func bind(_ i: Int32, _ value: String?) {
        guard let value else { sqlite3_bind_null(statement, i); return }
        var copy = value
        copy.withUTF8 { buf in
            if let base = buf.baseAddress {
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    _ = sqlite3_bind_text(statement, i, $0, Int32(buf.count), Self.transient)
                }
            } else {
                _ = sqlite3_bind_text(statement, i, "", 0, Self.transient)
            }
        }
    }
    /// Binds an integer.
    func bind(_ i: Int32, _ value: Int64) { sqlite3_bind_int64(statement, i, value) }
    /// Binds an integer, or NULL for nil.
    func bind(_ i: Int32, _ value: Int?) {
        if let value { sqlite3_bind_int64(statement, i, Int64(value)) } else { sqlite3_bind_null(statement, i) }
    }
    /// Binds a double.
    func bind(_ i: Int32, _ value: Double) { sqlite3_bind_double(statement, i, value) }
}

extension Database {
    /// Prepares `sql` once and executes it `count` times, `bind` filling the parameters for each index.
    func executeRawBatch(_ sql: String, count: Int, _ bind: (RawBinder, Int) -> Void) throws {
        let statement = try makeStatement(sql: sql)
        let handle = statement.sqliteStatement
        for index in 0..<count {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
            bind(RawBinder(statement: handle), index)
            let code = sqlite3_step(handle)
            guard code == SQLITE_DONE || code == SQLITE_ROW else {
                let message = String(cString: sqlite3_errmsg(sqliteConnection))
                sqlite3_reset(handle)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: sql)
            }
        }
        sqlite3_reset(handle)
    }
}
