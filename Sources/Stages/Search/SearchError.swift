/// What is missing or wrong for a visual query or an index publish; each message says which command fixes it.
public enum SearchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No embeddings at the path (no model.embed stage has run).
    case missingEmbeddings(path: String)
    /// The embeddings and their id list disagree, or the array is not float32 [N, D].
    case badEmbeddings(path: String, reason: String)
    /// The id is not in the embeddings.
    case unknownID(String)
    /// A query vector whose length is not the embedding dimension.
    case dimensionMismatch(expected: Int, got: Int)
    /// A malformed table line.
    case badTable(path: String, line: Int, reason: String)
    /// No previous index to roll back to.
    case nothingToRollBack(path: String)

    /// A one-line message for the terminal.
    public var description: String {
        switch self {
        case .missingEmbeddings(let p):
            return "no embeddings at \(p): run a pipeline with a model.embed stage first (vitrine run PIPELINE)"
        case .badEmbeddings(let p, let r): return "embeddings at \(p) are unusable: \(r); re-run the model.embed stage"
        case .unknownID(let id): return "product id '\(id)' has no embedding in this run (was its image downloaded? see images.download failures)"
        case .dimensionMismatch(let e, let g):
            return "query embedding has \(g) values but the run's embeddings have \(e): embed with the same model as model.embed"
        case .badTable(let p, let l, let r): return "\(p), line \(l): \(r)"
        case .nothingToRollBack(let p): return "no previous index at \(p).prev to roll back to (publish at least twice first)"
        }
    }
}
