/// Why loading or processing a catalog failed; every case names the file and, where known, the position.
public enum CatalogError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file has no records at all (zero bytes, only whitespace or a byte-order mark).
    case emptyInput(file: String)
    /// The file's framing is broken beyond recovery (e.g. a JSON array that does not start with `[`).
    case syntax(file: String, line: Int, offset: Int, reason: String)
    /// The file could not be opened or read.
    case io(file: String, reason: String)
    /// More records were quarantined than the error budget allows.
    case errorBudgetExceeded(file: String, quarantined: Int, records: Int, budget: Double)
    /// A declared option is unusable (unknown column type, unknown format...).
    case invalidOption(String)
    /// A named column is missing from the table.
    case missingColumn(String)
    /// A class has fewer rows than requested and the shortfall policy is `error`.
    case classShortfall(label: String, available: Int, required: Int)

    /// A one-line message for logs.
    public var description: String {
        switch self {
        case .emptyInput(let f): return "\(f): empty file, no records"
        case .syntax(let f, let l, let o, let r): return "\(f):\(l) (byte \(o)): \(r)"
        case .io(let f, let r): return "\(f): \(r)"
        case .errorBudgetExceeded(let f, let q, let n, let b):
            return "\(f): \(q) of \(n) records quarantined, above the error budget \(b)"
        case .invalidOption(let s): return s
        case .missingColumn(let c): return "no column named '\(c)'"
        case .classShortfall(let l, let a, let r): return "class '\(l)' has \(a) rows, fewer than the \(r) required (shortfall: error)"
        }
    }
}

/// A problem with one record, found while parsing it: which field (if any), why, and where.
public struct RecordIssue: Error, Sendable, Equatable {
    /// The field concerned, when the problem is in one field.
    public let field: String?
    /// A short reason class, e.g. `invalid_utf8`, `wrong_type`, `missing_field`, `syntax`.
    public let reason: String
    /// Human-readable detail.
    public let detail: String
    /// An issue.
    public init(field: String?, reason: String, detail: String) { self.field = field; self.reason = reason; self.detail = detail }
}
