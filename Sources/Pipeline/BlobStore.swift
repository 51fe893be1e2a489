import Foundation

/// Content-addressed files under the state directory (`blobs/ab/abcdef…`): images, per-item
/// outputs and checkpoints are stored once by sha256 and survive crashes (written, then renamed).
public final class BlobStore: Sendable {
    /// Root folder of the store.
    public let root: URL
    /// `root.path`, for building paths as strings (`URL.appendingPathComponent` cost a twentieth of the download thread).
    private let rootPath: String

    /// A store rooted at `root` (created when missing).
    public init(root: URL) throws {
        self.root = root
        rootPath = root.path
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// Where the blob with `hash` lives (it may not exist).
    public func url(for hash: String) -> URL { URL(fileURLWithPath: path(for: hash)) }

    /// The file path of the blob with `hash` (it may not exist).
    public func path(for hash: String) -> String { "\(rootPath)/\(hash.prefix(2))/\(hash)" }

    /// Whether a blob with `hash` is stored (and, when `size` is given, has exactly that many bytes:
    /// blobs are written without fsync, so after a power loss one may exist but be short or empty).
    public func contains(_ hash: String, size: Int? = nil) -> Bool {
        var st = stat()
        guard stat(path(for: hash), &st) == 0 else { return false }
        return size.map { Int(st.st_size) == $0 } ?? true
    }

    /// Stores bytes and returns their sha256; a blob already stored whole is not written again (one
    /// of the wrong size, left by a power loss, is replaced). `durable` fsyncs it before the rename
    /// (for the few blobs worth hours, like training checkpoints; per-item blobs skip it).
    @discardableResult
    public func put(_ data: Data, durable: Bool = false) throws -> String {
        let hash = ContentHash.sha256(data)
        if contains(hash, size: data.count) { return hash }
        try write(data, as: hash, durable: durable)
        return hash
    }

    /// Stores bytes under a fresh random name — 64 hex digits like a sha256, so paths and `vitrine gc` treat it
    /// alike — and returns the name. For blobs no other can equal, written by the hundred megabytes (thumbnail
    /// packs), where hashing to name them cost a tenth of a download-and-prepare run. The name does not vouch
    /// for the bytes: readers check sizes.
    public func putUnique(_ data: Data) throws -> String {
        var random = SystemRandomNumberGenerator()
        let name = (0..<4).map { _ in
            let hex = String(random.next() as UInt64, radix: 16)
            return String(repeating: "0", count: 16 - hex.count) + hex
        }.joined()
        try write(data, as: name, durable: false)
        return name
    }

    /// Writes `data` to a temporary file beside where blob `name` goes, then renames it there.
    private func write(_ data: Data, as name: String, durable: Bool) throws {
        let folder = "\(rootPath)/\(name.prefix(2))"
        let tmp = "\(folder)/.\(name).\(UInt64.random(in: 0...UInt64.max)).tmp", dest = "\(folder)/\(name)"
        do {
            try FileIO.writeNew(data, toPath: tmp, durable: durable)
        } catch let e as FileIO.Failure where e.code == ENOENT {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try FileIO.writeNew(data, toPath: tmp, durable: durable)
        }
        if rename(tmp, dest) != 0 {
            let e = FileIO.Failure(code: errno, what: "rename \(tmp) → \(dest)")
            unlink(tmp)
            throw e
        }
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
    public func data(for hash: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path(for: hash))) }

    /// `count` bytes of a stored blob from `offset` (a row of a packed blob); throws when the blob is shorter.
    public func read(_ hash: String, offset: Int, count: Int) throws -> Data {
        let p = path(for: hash)
        let fd = open(p, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileIO.Failure(code: errno, what: "open \(p)") }
        defer { close(fd) }
        guard count > 0 else { return Data() }
        var out = Data(count: count)
        try out.withUnsafeMutableBytes { try FileIO.read(fd, into: $0.baseAddress!, count: count, at: offset, path: p) }
        return out
    }

    /// The bytes of a stored blob, checked against its name; nil when it is missing or its bytes
    /// no longer hash to `hash` (damaged on disk, or cut short by a power loss).
    public func verifiedData(for hash: String) -> Data? {
        guard let bytes = try? data(for: hash), ContentHash.sha256(bytes) == hash else { return nil }
        return bytes
    }
}

/// Small file-system helpers shared by the runner and the stores.
public enum FileIO {
    /// Reads exactly `count` bytes of `fd` (the file at `path`, for messages) from `offset` to `destination`;
    /// throws when the file ends first.
    public static func read(_ fd: Int32, into destination: UnsafeMutableRawPointer, count: Int, at offset: Int, path: String) throws {
        var done = 0
        while done < count {
            let n = pread(fd, destination + done, count - done, off_t(offset + done))
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Failure(code: n < 0 ? errno : EIO, what: "read \(count) bytes at \(offset) of \(path) (got \(done))") }
            done += n
        }
    }

    /// Atomically renames `src` over `dst` (POSIX rename).
    public static func renameReplacing(_ src: URL, to dst: URL) throws {
        if rename(src.path, dst.path) != 0 {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: dst.path,
                NSLocalizedDescriptionKey: "rename \(src.path) → \(dst.path): \(String(cString: strerror(errno)))"])
        }
    }

    /// A failed system call on a path, with its errno.
    public struct Failure: Error, CustomStringConvertible {
        /// The errno value.
        public let code: Int32
        /// What was being done, and to which path.
        public let what: String
        public var description: String { "\(what): \(String(cString: strerror(code)))" }
        /// The failure of `what`, with `code`.
        public init(code: Int32, what: String) { self.code = code; self.what = what }
    }

    /// Creates the file at `path` (which must not exist) and writes `data` to it with plain `write` calls. Without
    /// `durable` there is no fsync: a process kill loses nothing written, a power loss may (as with the
    /// journal's spill file).
    public static func writeNew(_ data: Data, toPath path: String, durable: Bool = false) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(code: errno, what: "create \(path)") }
        var failure: Failure?
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < raw.count {
                let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 { if errno == EINTR { continue }; failure = Failure(code: errno, what: "write \(path)"); return }
                offset += n
            }
        }
        if durable, failure == nil, fsync(fd) != 0 { failure = Failure(code: errno, what: "fsync \(path)") }
        if close(fd) != 0, failure == nil { failure = Failure(code: errno, what: "close \(path)") }
        if let failure { unlink(path); throw failure }
    }

    /// Writes data to `url` through a temporary file and a rename, so readers never see half a file.
    public static func writeAtomically(_ data: Data, to url: URL) throws {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try data.write(to: tmp)
        try renameReplacing(tmp, to: url)
    }
}
