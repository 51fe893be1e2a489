import Foundation

/// A reference-counted temporary override of one process-wide integer setting (OpenBLAS's thread count): callers
/// that overlap share one override, the value in effect is the first caller's, and the previous value comes back
/// when the last of them leaves — two overlapping save/set/restore pairs would otherwise restore each other's value.
final class SharedOverride: @unchecked Sendable {
    private let lock = NSLock()
    private var holders = 0
    private var saved = 0
    private let read: @Sendable () -> Int
    private let write: @Sendable (Int) -> Void

    /// An override of the setting read by `read` and written by `write`.
    init(read: @escaping @Sendable () -> Int, write: @escaping @Sendable (Int) -> Void) {
        self.read = read; self.write = write
    }

    /// Runs `body` with the setting at `value` (unless another caller already overrides it).
    func with<T>(_ value: Int, _ body: () throws -> T) rethrows -> T {
        lock.withLock {
            if holders == 0 { saved = read(); write(value) }
            holders += 1
        }
        defer {
            lock.withLock {
                holders -= 1
                if holders == 0 { write(saved) }
            }
        }
        return try body()
    }
}
