/// Errors from the engine: bad shapes, bad weight files, numeric blow-ups; each names its subject.
public enum NeuralNetError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A tensor or weight had the wrong shape.
    case shapeMismatch(what: String, expected: [Int], got: [Int])
    /// A weight file is malformed or truncated.
    case badWeightFile(path: String, reason: String)
    /// A pickle reached for a global outside the tensor-rebuilding subset.
    case forbiddenGlobal(module: String, name: String)
    /// A required weight is missing from a checkpoint.
    case missingWeight(name: String)
    /// A checkpoint holds a weight the model does not know (strict loading).
    case unexpectedWeight(name: String)
    /// The loss became NaN or infinite.
    case nonFiniteLoss(epoch: Int, batch: Int, value: Float)
    /// An unknown architecture, optimiser or option value.
    case invalidOption(name: String, value: String, allowed: [String])
    /// Training data is unusable (empty class, no rows, mismatched labels).
    case badData(reason: String)

    /// A one-line message naming what went wrong.
    public var description: String {
        switch self {
        case .shapeMismatch(let w, let e, let g): return "\(w): expected shape \(e), got \(g)"
        case .badWeightFile(let p, let r): return "weight file \(p): \(r)"
        case .forbiddenGlobal(let m, let n): return "pickle refers to \(m).\(n), which is not a tensor-rebuilding global; refusing to load"
        case .missingWeight(let n): return "checkpoint has no weight '\(n)'"
        case .unexpectedWeight(let n): return "checkpoint has weight '\(n)' that the model does not have"
        case .nonFiniteLoss(let e, let b, let v): return "loss became \(v) at epoch \(e), batch \(b)"
        case .invalidOption(let n, let v, let a): return "\(n): '\(v)' is not one of \(a.joined(separator: ", "))"
        case .badData(let r): return "bad training data: \(r)"
        }
    }
}
