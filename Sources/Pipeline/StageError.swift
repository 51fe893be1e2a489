/// Errors a stage or the runner raises; each names the stage and what went wrong.
public enum StageError: Error, Sendable, CustomStringConvertible {
    case invalidParameter(stage: String, parameter: String, reason: String)
    case missingInput(stage: String, input: String, path: String)
    case missingOutput(stage: String, output: String)
    /// The stage's own failure, with the item it failed on when there is one.
    case failed(stage: String, item: String?, reason: String)
    /// Too many items failed (failure-rate threshold exceeded).
    case tooManyFailures(stage: String, failed: Int, total: Int, threshold: Double)
    case cancelled(stage: String)
    case timedOut(stage: String, seconds: Double)

    /// A one-line message for logs and terminals.
    public var description: String {
        switch self {
        case .invalidParameter(let s, let p, let r): return "stage '\(s)': parameter '\(p)': \(r)"
        case .missingInput(let s, let i, let p): return "stage '\(s)': input '\(i)' not found at \(p)"
        case .missingOutput(let s, let o): return "stage '\(s)': finished without writing its output '\(o)'"
        case .failed(let s, let item?, let r): return "stage '\(s)': item '\(item)': \(r)"
        case .failed(let s, nil, let r): return "stage '\(s)': \(r)"
        case .tooManyFailures(let s, let f, let t, let th):
            return "stage '\(s)': \(f) of \(t) items failed, above the allowed failure rate \(th)"
        case .cancelled(let s): return "stage '\(s)': cancelled"
        case .timedOut(let s, let sec): return "stage '\(s)': timed out after \(String(format: "%g", sec)) s"
        }
    }
}
