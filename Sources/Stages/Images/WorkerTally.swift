import Foundation

/// Shared state of threads working through one list: hands out indices, counts finished items, and keeps
/// the first error (after which it hands out no more).
final class WorkerTally: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var finished = 0
    private var firstError: (any Error)?

    /// The next index below `count`, or nil when the list is done or a thread failed.
    func take(below count: Int) -> Int? {
        lock.withLock {
            guard firstError == nil, next < count else { return nil }
            defer { next += 1 }
            return next
        }
    }
    /// Counts one finished item.
    func add() { lock.withLock { finished += 1 } }
    /// Records `e` unless an earlier error was recorded.
    func fail(_ e: any Error) { lock.withLock { if firstError == nil { firstError = e } } }
    /// Items counted by `add`.
    var count: Int { lock.withLock { finished } }
    /// The first error, if any.
    var error: (any Error)? { lock.withLock { firstError } }
    /// Whether a thread failed.
    var failed: Bool { error != nil }
}
