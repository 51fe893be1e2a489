import Foundation

/// A live view for terminals: one line per running stage with a progress bar, rate and ETA;
/// finished stages scroll above it.
public final class TerminalReporter: RunReporter, @unchecked Sendable {
    private struct Bar { var done: Int; var total: Int; var unit: String; var note: String?; var started: Date }
    private let lock = NSLock()
    private var bars: [String: Bar] = [:]
    private var order: [String] = []
    private var drawnLines = 0
    private var lastDraw = Date.distantPast
    private let plain = LineReporter(format: .plain, write: { _ in })

    /// A reporter drawing on standard error.
    public init() {}

    private func out(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }

    /// Clears the live area, prints `line` permanently, redraws the bars.
    private func printAbove(_ line: String) {
        lock.withLock {
            clear()
            out(line + "\n")
            draw()
        }
    }

    private func clear() {
        if drawnLines > 0 { out("\u{1B}[\(drawnLines)A\u{1B}[J") }
        drawnLines = 0
    }

    private func draw() {
        for name in order {
            guard let b = bars[name] else { continue }
            let frac = b.total > 0 ? min(1, Double(b.done) / Double(b.total)) : 0
            let width = 24
            let filled = Int(frac * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
            let elapsed = Date().timeIntervalSince(b.started)
            let rate = elapsed > 0 ? Double(b.done) / elapsed : 0
            let eta = rate > 0 && b.total > b.done ? Self.duration(Double(b.total - b.done) / rate) : "–"
            out(String(format: "  %@ %@ %d/%d %@ %.1f/s ETA %@%@\n", name, bar, b.done, b.total, b.unit, rate, eta, b.note.map { " " + $0 } ?? ""))
            drawnLines += 1
        }
        lastDraw = Date()
    }

    static func duration(_ s: Double) -> String {
        s < 60 ? String(format: "%.0fs", s) : s < 3600 ? String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) : String(format: "%dh%02dm", Int(s) / 3600, Int(s) % 3600 / 60)
    }

    public func log(stage: String, level: LogLevel, _ message: String) {
        guard level != .debug else { return }
        printAbove("  [\(stage)] \(level == .info ? "" : level.rawValue + ": ")\(message)")
    }

    public func progress(stage: String, done: Int, total: Int, unit: String, note: String?) {
        lock.withLock {
            if bars[stage] == nil { bars[stage] = Bar(done: 0, total: total, unit: unit, note: note, started: Date()); order.append(stage) }
            bars[stage]?.done = done; bars[stage]?.total = total; bars[stage]?.note = note
            if Date().timeIntervalSince(lastDraw) > 0.1 || done >= total { clear(); draw() }
        }
    }

    public func event(_ e: RunEvent) {
        switch e {
        case .runStarted(let id, let p, let n, let resumed): printAbove("\(resumed ? "Resuming" : "Run") \(id) — \(p), \(n) stages")
        case .stageSkipped(let s, _): printAbove("  ✓ \(s) up to date")
        case .stageStarted(let s, let t, let r, let a):
            lock.withLock { if bars[s] == nil { bars[s] = Bar(done: 0, total: 0, unit: "", note: nil, started: Date()); order.append(s) } }
            printAbove("  ▶ \(s) (\(t))\(a > 1 ? " attempt \(a)" : "") — \(r)")
        case .stageSucceeded(let s, let sec, _):
            lock.withLock { bars[s] = nil; order.removeAll { $0 == s } }
            printAbove(String(format: "  ✓ %@ done in %@", s, Self.duration(sec)))
        case .stageFailed(let s, let err, let retry, let log):
            lock.withLock { bars[s] = nil; order.removeAll { $0 == s } }
            printAbove("  ✗ \(s) failed: \(err)\(retry ? " — retrying" : "")\(log.map { "\n    log: \($0)" } ?? "")")
        case .stageBlocked(let s, let by): printAbove("  – \(s) not run (upstream \(by) failed)")
        case .runFinished(let id, let st, let sec, let hint):
            printAbove("Run \(id) \(st.rawValue) in \(Self.duration(sec))\(hint.map { " — \($0)" } ?? "")")
        }
    }
}
