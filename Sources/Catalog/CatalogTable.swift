/// An in-memory table of catalog records: named columns and rows of values aligned with them.
///
/// Rows are stored column-aligned (`rows[r][c]` is column `columns[c]`); a row shorter than
/// `columns` reads as null in the missing cells, so columns can be appended cheaply.
public struct CatalogTable: Sendable, Equatable {
    /// Column names in output order.
    public private(set) var columns: [String]
    /// Rows of values aligned with `columns`.
    public var rows: [[CatalogValue]]
    private var index: [String: Int]

    /// A table with the given columns and rows.
    public init(columns: [String], rows: [[CatalogValue]] = []) {
        self.columns = columns
        self.rows = rows
        var idx: [String: Int] = [:]
        for (i, c) in columns.enumerated() where idx[c] == nil { idx[c] = i }
        self.index = idx
    }

    /// Number of rows.
    public var count: Int { rows.count }

    /// The position of `column`, or nil when the table has no such column.
    public func columnIndex(_ column: String) -> Int? { index[column] }

    /// The position of `column`, appending an empty column when it is new.
    @discardableResult
    public mutating func ensureColumn(_ column: String) -> Int {
        if let i = index[column] { return i }
        columns.append(column)
        index[column] = columns.count - 1
        return columns.count - 1
    }

    /// The value of `column` in row `row` (null when the column or cell is missing).
    public func value(_ row: Int, _ column: Int?) -> CatalogValue {
        guard let c = column, c < rows[row].count else { return .null }
        return rows[row][c]
    }

    /// The value of the named column in row `row` (null when missing).
    public func value(_ row: Int, _ column: String) -> CatalogValue { value(row, index[column]) }

    /// Sets a cell, growing the row with nulls when needed.
    public mutating func set(_ row: Int, _ column: Int, _ value: CatalogValue) {
        if rows[row].count <= column { rows[row].append(contentsOf: repeatElement(.null, count: column + 1 - rows[row].count)) }
        rows[row][column] = value
    }

    /// The column's values as strings (nil for null or non-string cells; numbers are written out).
    public func strings(_ column: String) -> [String?] {
        let c = index[column]
        return (0..<rows.count).map { r -> String? in
            switch value(r, c) { case .null: return nil; case .string(let s): return s; case let v: return v.text }
        }
    }

    /// A new table holding the rows at `indices`, in that order (repeats allowed).
    public func selecting(_ indices: [Int]) -> CatalogTable {
        CatalogTable(columns: columns, rows: indices.map { rows[$0] })
    }

    /// Two tables are equal when columns and every cell (missing = null) are equal.
    public static func == (a: CatalogTable, b: CatalogTable) -> Bool {
        guard a.columns == b.columns, a.rows.count == b.rows.count else { return false }
        for r in 0..<a.rows.count {
            for c in 0..<a.columns.count where a.value(r, c) != b.value(r, c) { return false }
        }
        return true
    }
}
