/// Drops rows with missing values in listed columns (null, empty or whitespace-only strings) and,
/// optionally, rows whose title has fewer than `minTitleWords` whitespace-separated words.
public struct NullFilter: Sendable {
    /// Columns that must be present.
    public var columns: [String]
    /// Minimum number of words a kept title has (nil: no title filter). The research's "more than 4 words" is 5.
    public var minTitleWords: Int?
    /// The title column for `minTitleWords`.
    public var titleColumn: String

    /// A filter.
    public init(columns: [String], minTitleWords: Int? = nil, titleColumn: String = "title") {
        self.columns = columns; self.minTitleWords = minTitleWords; self.titleColumn = titleColumn
    }

    /// The kept rows and, per reason (`null:<column>` for the first missing column, `short_title`), how many were dropped.
    public func apply(_ table: CatalogTable) throws -> (table: CatalogTable, dropped: [String: Int]) {
        let idx = try columns.map { c -> Int in
            guard let i = table.columnIndex(c) else { throw CatalogError.missingColumn(c) }
            return i
        }
        var titleIdx: Int?
        if minTitleWords != nil {
            guard let t = table.columnIndex(titleColumn) else { throw CatalogError.missingColumn(titleColumn) }
            titleIdx = t
        }
        var kept: [[CatalogValue]] = []
        kept.reserveCapacity(table.count)
        var dropped: [String: Int] = [:]
        rows: for r in 0..<table.count {
            for (k, c) in idx.enumerated() where table.value(r, c).isNullLike {
                dropped["null:" + columns[k], default: 0] += 1
                continue rows
            }
            if let minWords = minTitleWords, let t = titleIdx {
                let title = table.value(r, t)
                if title.isNullLike || TitleNormalizer.rawWordCount(title.text) < minWords {
                    dropped["short_title", default: 0] += 1
                    continue rows
                }
            }
            kept.append(table.rows[r])
        }
        return (CatalogTable(columns: table.columns, rows: kept), dropped)
    }
}
