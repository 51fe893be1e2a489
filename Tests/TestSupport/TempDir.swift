import Foundation

/// Temporary folders for tests: callers may remove theirs; whatever is left goes when the test process exits.
public enum TempDir {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var made: [URL] = []
    /// Registers the removal at exit once, with the first folder.
    private static let removeAtExit: Void = { atexit { TempDir.removeAll() } }()

    /// A fresh empty folder under the system temp dir.
    public static func make(_ label: String = "t") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        _ = removeAtExit
        lock.withLock { made.append(url) }
        return url
    }

    /// Removes every folder made so far that still exists.
    static func removeAll() {
        for url in lock.withLock({ made }) { try? FileManager.default.removeItem(at: url) }
    }
}
