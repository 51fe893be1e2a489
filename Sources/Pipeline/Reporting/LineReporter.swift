import Foundation

/// Plain timestamped lines (cron, pipes) or one JSON object per line (`--log-format json`).
public final class LineReporter: RunReporter, @unchecked Sendable {
    /// Output format.
    public enum Format: String, Sendable { case plain, json }

    private let format: Format
    private let lock = NSLock()
    private var lastProgress: [String: (Date, Int)] = [:]
    private let write: @Sendable (String) -> Void

    /// A reporter writing lines through `write` (default: standard error).
    public init(format: Format, write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.format = format; self.write = write
    }

    static func timestamp() -> String { UTCTimestamp.string() }

    private func emit(_ level: LogLevel, _ stage: String?, _ message: String, _ extra: [String: JSONValue] = [:]) {
        switch format {
        case .plain:
            let tag = level == .info ? "" : level.rawValue.uppercased() + " "
            write("\(Self.timestamp()) \(tag)\(stage.map { "[\($0)] " } ?? "")\(message)")
        case .json:
            var o: [String: JSONValue] = ["time": .string(Self.timestamp()), "level": .string(level.rawValue), "message": .string(message)]
            if let stage { o["stage"] = .string(stage) }
            for (k, v) in extra { o[k] = v }
            write(JSONValue.object(o).canonical)
        }
    }

    public func log(stage: String, level: LogLevel, _ message: String) { emit(level, stage, message) }

    /// Progress lines at most every 5 s per stage (and at the end), so cron logs stay short.
    public func progress(stage: String, done: Int, total: Int, unit: String, note: String?) {
        let now = Date()
        let show: Bool = lock.withLock {
            if let (t, _) = lastProgress[stage], now.timeIntervalSince(t) < 5, done < total { return false }
            lastProgress[stage] = (now, done); return true
        }
        guard show else { return }
        let pct = total > 0 ? String(format: "%.0f%%", 100.0 * Double(done) / Double(total)) : "?"
        emit(.info, stage, "\(done)/\(total) \(unit) (\(pct))\(note.map { ", " + $0 } ?? "")",
             ["done": .int(done), "total": .int(total), "unit": .string(unit)])
    }

    public func event(_ e: RunEvent) {
        switch e {
        case .runStarted(let id, let p, let n, let resumed):
            emit(.info, nil, "\(resumed ? "resuming" : "run") \(id): \(p), \(n) stages", ["run": .int(Int(id)), "event": .string("run_started")])
        case .stageSkipped(let s, let r): emit(.info, s, "up to date (\(r))", ["event": .string("stage_skipped")])
        case .stageStarted(let s, let t, let r, let a):
            emit(.info, s, "started \(t)\(a > 1 ? " (attempt \(a))" : "") — \(r)", ["event": .string("stage_started"), "attempt": .int(a)])
        case .stageSucceeded(let s, let sec, let dir):
            emit(.info, s, String(format: "done in %.2f s → %@", sec, dir), ["event": .string("stage_succeeded"), "seconds": .double(sec)])
        case .stageFailed(let s, let err, let retry, let log):
            emit(.error, s, "FAILED: \(err)\(retry ? " — retrying" : "")\(log.map { " (log: \($0))" } ?? "")", ["event": .string("stage_failed")])
        case .stageBlocked(let s, let by): emit(.warning, s, "not run: upstream '\(by)' failed", ["event": .string("stage_blocked")])
        case .runFinished(let id, let st, let sec, let hint):
            emit(st == .succeeded ? .info : .error, nil, String(format: "run %lld %@ in %.1f s", id, st.rawValue, sec) + (hint.map { " — \($0)" } ?? ""),
                 ["event": .string("run_finished"), "status": .string(st.rawValue)])
        }
    }
}
