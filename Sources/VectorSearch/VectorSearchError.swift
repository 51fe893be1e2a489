/// Why a vector search could not run; each case says what was wrong with the input.
public enum VectorSearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The value count does not equal rows × dimension (or a size is not positive).
    case badShape(rows: Int, dimension: Int, count: Int)
    /// A NaN or infinite value at this position.
    case nonFinite(row: Int, column: Int)
    /// A query's length differs from the index dimension.
    case dimensionMismatch(expected: Int, got: Int)
    /// `k` is not positive.
    case invalidK(Int)
    /// A row index outside the index.
    case rowOutOfRange(Int, rows: Int)

    /// A one-line message.
    public var description: String {
        switch self {
        case .badShape(let r, let d, let c): return "embedding matrix shape \(r)×\(d) does not match \(c) values"
        case .nonFinite(let r, let c): return "embedding value at row \(r), column \(c) is NaN or infinite"
        case .dimensionMismatch(let e, let g): return "query has \(g) values but the index has dimension \(e)"
        case .invalidK(let k): return "k must be at least 1 (got \(k))"
        case .rowOutOfRange(let i, let n): return "row \(i) is outside the index (\(n) rows)"
        }
    }
}
