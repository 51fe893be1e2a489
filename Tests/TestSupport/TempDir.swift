import Foundation

/// Temporary folders for tests, removed by the caller.
public enum TempDir {
    /// A fresh empty folder under the system temp dir.
    public static func make(_ label: String = "t") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vitrine-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
