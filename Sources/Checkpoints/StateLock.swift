import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Who holds a state lock, as written into the lock file after acquiring it.
public struct LockHolder: Sendable, Hashable, Codable {
    /// Process id of the holder.
    public var pid: Int32
    /// Host name of the holder.
    public var host: String
    /// When the lock was taken (seconds since 1970).
    public var since: Double
    /// The holder's command line.
    public var command: String

    /// Holder details.
    public init(pid: Int32, host: String, since: Double, command: String) {
        self.pid = pid; self.host = host; self.since = since; self.command = command
    }

    /// Details of the current process.
    public static func current(command: String) -> LockHolder {
        LockHolder(pid: getpid(), host: hostName(), since: Date().timeIntervalSince1970, command: command)
    }
}

/// One run per state directory: an exclusive `flock` on `<stateDir>/lock`, released on `release()`, deinit or
/// process death (the kernel drops it), so there is never a stale lock to remove by hand.
public final class StateLock: @unchecked Sendable {
    /// The lock file.
    public let path: String
    /// What this process wrote into the lock file.
    public let holder: LockHolder
    private var fd: Int32
    private let mutex = NSLock()

    /// Takes the lock without waiting; throws `StateLockError.held` naming the holder when another process has it.
    public init(stateDirectory: URL, command: String) throws {
        try? FileManager.default.createDirectory(at: stateDirectory, withIntermediateDirectories: true)
        path = stateDirectory.appendingPathComponent("lock").path
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 { throw StateLockError.cannotOpen(path: path, errno: errno) }
        holder = LockHolder.current(command: command)
        var rc: Int32
        repeat { rc = flock(fd, LOCK_EX | LOCK_NB) } while rc != 0 && errno == EINTR
        if rc != 0 {
            let code = errno
            let other = Self.readHolder(fd: fd)
            close(fd)
            fd = -1
            if code == EWOULDBLOCK || code == EAGAIN {
                throw StateLockError.held(pid: other?.pid, host: other?.host, since: other.map { Date(timeIntervalSince1970: $0.since) },
                                          command: other?.command)
            }
            throw StateLockError.cannotLock(path: path, errno: code)
        }
        writeHolder()
    }

    /// Takes the lock; with `wait`, polls every `pollInterval` until it is free (cancellable), calling `onWait` once
    /// with the holder's error when it first finds the lock held.
    public static func acquire(stateDirectory: URL, command: String, wait: Bool, pollInterval: Duration = .milliseconds(100),
                               onWait: (@Sendable (StateLockError) -> Void)? = nil) async throws -> StateLock {
        var told = false
        while true {
            do {
                return try StateLock(stateDirectory: stateDirectory, command: command)
            } catch let error as StateLockError {
                guard wait, case .held = error else { throw error }
                if !told { onWait?(error); told = true }
                try await Task.sleep(for: pollInterval)
            }
        }
    }

    /// Whether this object still holds the lock.
    public var isHeld: Bool { mutex.withLock { fd >= 0 } }

    /// Clears the holder details and releases the lock; safe to call twice.
    public func release() {
        mutex.withLock {
            guard fd >= 0 else { return }
            _ = ftruncate(fd, 0)
            _ = flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }

    /// Replaces the lock file's contents with this holder's JSON.
    private func writeHolder() {
        guard let data = try? JSONEncoder().encode(holder) else { return }
        _ = ftruncate(fd, 0)
        _ = data.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    /// Reads the holder JSON from the lock file; retries briefly when the holder has not written it yet.
    static func readHolder(fd: Int32) -> LockHolder? {
        for attempt in 0..<3 {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            if n > 0, let holder = try? JSONDecoder().decode(LockHolder.self, from: Data(buffer[0..<n])) { return holder }
            if attempt < 2 { usleep(20_000) }
        }
        return nil
    }
}

/// The machine's host name from `gethostname` (no DNS lookup).
func hostName() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
}
