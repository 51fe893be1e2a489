import Foundation
import Pipeline

/// Why the state directory's run lock could not be taken.
public enum StateLockError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// Another process holds the lock; its self-reported details, when it wrote them.
    case held(pid: Int32?, host: String?, since: Date?, command: String?)
    /// The lock file could not be opened or created.
    case cannotOpen(path: String, errno: Int32)
    /// `flock` failed for a reason other than contention.
    case cannotLock(path: String, errno: Int32)

    /// The human-readable message.
    public var description: String {
        switch self {
        case .held(let pid, let host, let since, let command):
            var who = "another vitrine run holds the state lock"
            if let pid { who += " (pid \(pid)" + (host.map { " on \($0)" } ?? "") + ")" }
            if let since { who += ", since \(UTCTimestamp.string(from: since))" }
            if let command, !command.isEmpty { who += ", running: \(command)" }
            return who + "; wait for it to finish or pass --wait"
        case .cannotOpen(let path, let code):
            return "cannot open lock file \(path): \(String(cString: strerror(code)))"
        case .cannotLock(let path, let code):
            return "cannot lock \(path): \(String(cString: strerror(code)))"
        }
    }

    /// Same as `description`.
    public var errorDescription: String? { description }
}
