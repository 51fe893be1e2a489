/// How `CatalogLoader` reads a file: format, declared columns and types, id column and error budget.
public struct LoadOptions: Sendable {
    /// File formats the loader understands.
    public enum Format: String, Sendable, CaseIterable {
        /// One top-level JSON array of objects (the raw catalog export), streamed.
        case json
        /// One JSON object per line.
        case jsonl
        /// RFC 4180 CSV with a header row.
        case csv
        /// Chosen from the extension, else from the first byte (`[` json, `{` jsonl, else csv).
        case auto
    }

    /// The file format.
    public var format: Format
    /// Columns to keep, in this order; every record must have each of them (null allowed). Nil keeps all, in first-seen order.
    public var columns: [String]?
    /// Declared types by column; a value of another type quarantines its record (null is always allowed).
    public var types: [String: ColumnType]
    /// Column holding the product id; missing or repeated ids are quarantined.
    public var idColumn: String?
    /// Fraction of records that may be quarantined before loading fails (0.01 = 1 %).
    public var errorBudget: Double
    /// Longest string value accepted, in UTF-8 bytes; longer ones quarantine their record.
    public var maxFieldBytes: Int
    /// Column with price text (e.g. `"$26.26"`); when set, a numeric `price` column is added.
    public var priceColumn: String?
    /// CSV field delimiter.
    public var delimiter: UInt8

    /// Options; the defaults read any supported format with no declared columns.
    public init(format: Format = .auto, columns: [String]? = nil, types: [String: ColumnType] = [:], idColumn: String? = nil,
                errorBudget: Double = 0.01, maxFieldBytes: Int = 65_536, priceColumn: String? = nil, delimiter: UInt8 = UInt8(ascii: ",")) {
        self.format = format; self.columns = columns; self.types = types; self.idColumn = idColumn
        self.errorBudget = errorBudget; self.maxFieldBytes = maxFieldBytes; self.priceColumn = priceColumn; self.delimiter = delimiter
    }
}

/// A declared column type.
public enum ColumnType: String, Sendable, CaseIterable {
    /// Text.
    case string
    /// A whole number.
    case int
    /// Any number (stored as written: int or double).
    case number
    /// A number stored as a double.
    case double
    /// true or false (CSV also accepts 1/0, yes/no).
    case bool
    /// Anything (no check).
    case any
}

/// A record the loader set aside, with where it was and why.
public struct QuarantineEntry: Sendable, Hashable {
    /// 1-based record number (array element, JSON Lines line, CSV data row).
    public var record: Int
    /// 1-based line where the record starts.
    public var line: Int
    /// Byte offset where the record starts.
    public var offset: Int
    /// The field concerned, if one.
    public var field: String?
    /// Reason class: `syntax`, `truncated`, `invalid_utf8`, `wrong_type`, `missing_field`, `field_too_long`, `missing_id`, `duplicate_id`, `not_an_object`, `field_count`, `too_deep`.
    public var reason: String
    /// Human-readable detail.
    public var detail: String
    /// The record's first bytes (lossy UTF-8, at most 200 characters), for a human to recognise it.
    public var excerpt: String

    /// The entry as a table row (columns `QuarantineEntry.columns`).
    public var row: [CatalogValue] {
        [.int(record), .int(line), .int(offset), field.map(CatalogValue.string) ?? .null, .string(reason), .string(detail), .string(excerpt)]
    }

    /// Column names of `row`.
    public static let columns = ["record", "line", "offset", "field", "reason", "detail", "excerpt"]
}

/// What a load produced: the table, the quarantined records and counts.
public struct LoadResult: Sendable {
    /// Accepted records.
    public var table: CatalogTable
    /// Records set aside, in file order.
    public var quarantine: [QuarantineEntry]
    /// Records seen (accepted + quarantined).
    public var records: Int
    /// The format actually read.
    public var format: LoadOptions.Format
    /// Non-null price texts that did not parse (their `price` is null), by reason.
    public var priceProblems: [String: Int]

    /// Quarantined records per reason.
    public var quarantineCounts: [String: Int] {
        var out: [String: Int] = [:]
        for q in quarantine { out[q.reason, default: 0] += 1 }
        return out
    }
}
