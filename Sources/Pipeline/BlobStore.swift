import Foundation

/// Content-addressed files under the state directory (`blobs/ab/abcdef…`): images, per-item
/// outputs and checkpoints are stored once by sha256 and survive crashes (written, then renamed).
public final class BlobStore: Sendable {
    /// Root folder of the store.
    public let root: URL

    /// A store rooted at `root` (created when missing).
    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Where the blob with `hash` lives (it may not exist).
    public func url(for hash: String) -> URL {
        let prefix = String(hash.prefix(2))
        return root.appendingPathComponent(prefix, isDirectory: true).appendingPathComponent(hash)
    }

    /// Whether a blob with `hash` is stored.
    public func contains(_ hash: String) -> Bool {
        FileManager.default.fileExists(atPath: url(for: hash).path)
    }

    /// Stores bytes and returns their sha256; a blob already stored is not written again.
    @discardableResult
    public func put(_ data: Data) throws -> String {
        let hash = ContentHash.sha256(data)
        let dest = url(for: hash)
        if FileManager.default.fileExists(atPath: dest.path) { return hash }
        try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = dest.deletingLastPathComponent().appendingPathComponent(".\(hash).\(UUID().uuidString).tmp")
        try data.write(to: tmp)
        try FileIO.renameReplacing(tmp, to: dest)
        return hash
    }

    /// Moves a finished file into the store and returns its sha256.
    @discardableResult
    public func adopt(fileAt url: URL) throws -> String {
        let hash = try ContentHash.sha256(fileAt: url)
        let dest = self.url(for: hash)
        if FileManager.default.fileExists(atPath: dest.path) {
            try? FileManager.default.removeItem(at: url)
            return hash
        }
        try FileManager.default.createDirectory(at: dest.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileIO.renameReplacing(url, to: dest)
        return hash
    }

    /// The bytes of a stored blob.
    public func data(for hash: String) throws -> Data { try Data(contentsOf: url(for: hash)) }
}

/// Small file-system helpers shared by the runner and the stores.
public enum FileIO {
    /// Atomically renames `src` over `dst` (POSIX rename).
    public static func renameReplacing(_ src: URL, to dst: URL) throws {
        if rename(src.path, dst.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: dst.path,
                NSLocalizedDescriptionKey: "rename \(src.path) → \(dst.path): \(String(cString: strerror(errno)))"])
        }
    }

    /// Writes data to `url` through a temporary file and a rename, so readers never see half a file.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try data.write(to: tmp)
        try renameReplacing(tmp, to: url)
    }
}
