import Foundation

/// A tiny Sendable mutex wrapper (NSLock) for module-level state.
final class NSLockLike: @unchecked Sendable {
    private let lock = NSLock()
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock(); defer { lock.unlock() }
        return try body()
    }
}
