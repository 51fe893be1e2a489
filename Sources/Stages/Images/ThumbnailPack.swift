import Foundation
import Pipeline

/// Where one thumbnail is stored: row `row` of a pack blob holding `rows` thumbnails back to back.
/// (Journal records from before packs name one blob per thumbnail: row 0 of 1.)
struct ThumbnailRef: Sendable, Hashable {
    let blob: String
    let row: Int
    let rows: Int

    /// The reference a done journal record holds.
    init?(record r: ItemRecord) {
        guard r.status == .done, let blob = r.outputHash else { return nil }
        let meta = r.meta?.objectValue
        self.init(blob: blob, row: meta?["row"]?.intValue ?? 0, rows: meta?["rows"]?.intValue ?? 1)
    }

    init(blob: String, row: Int, rows: Int) { self.blob = blob; self.row = row; self.rows = rows }

    /// The thumbnail's bytes (`rowBytes` of them), read from its pack.
    func pixels(_ blobs: BlobStore, rowBytes: Int) throws -> Data {
        try blobs.read(blob, offset: row * rowBytes, count: rowBytes)
    }
}

/// Collects one worker's thumbnails and stores them together as one blob (far fewer files than one
/// blob per thumbnail: creating files was a fifth of the prepare stage's CPU), then hands back the
/// journal records that point into it. Not thread-safe: one pack per worker.
final class ThumbnailPack {
    private let blobs: BlobStore
    private let rowBytes: Int
    private let capacity: Int
    private let meta: [String: JSONValue]
    private let bytes: UnsafeMutableRawBufferPointer
    private var entries: [(sha: String, key: String)] = []

    /// A pack of up to 64 thumbnails of `rowBytes` (fewer for big ones: at most 8 MiB), whose records carry `meta`.
    init(blobs: BlobStore, rowBytes: Int, meta: [String: JSONValue] = [:]) {
        self.blobs = blobs; self.rowBytes = rowBytes; self.meta = meta
        capacity = max(1, min(64, (8 << 20) / max(1, rowBytes)))
        bytes = .allocate(byteCount: capacity * rowBytes, alignment: 64)
    }

    deinit { bytes.deallocate() }

    /// One stored thumbnail: the source image's sha256, its journal record and where it lies.
    typealias Stored = (sha: String, record: ItemRecord, ref: ThumbnailRef)

    /// Lets `fill` write the next thumbnail's `rowBytes` in place (a thumbnail is not copied into the pack);
    /// `add` then keeps them. What `fill` throws is rethrown, and the next fill overwrites the row.
    func fillNextRow(_ fill: (UnsafeMutableRawBufferPointer) throws -> Void) rethrows {
        let at = entries.count * rowBytes
        try fill(UnsafeMutableRawBufferPointer(rebasing: bytes[at..<(at + rowBytes)]))
    }

    /// Adds the thumbnail just filled as image `sha`'s, journaled under `key`; when the pack is full, stores it and
    /// returns its records.
    func add(sha: String, key: String) throws -> [Stored] {
        entries.append((sha, key))
        return entries.count >= capacity ? try flush() : []
    }

    /// Stores what is collected as one blob (under a random name: `BlobStore.putUnique`) and returns a record and
    /// reference per thumbnail.
    func flush() throws -> [Stored] {
        guard !entries.isEmpty, let base = bytes.baseAddress else { return [] }
        let hash = try blobs.putUnique(Data(bytesNoCopy: base, count: entries.count * rowBytes, deallocator: .none))
        let n = entries.count
        let out: [Stored] = entries.enumerated().map { row, e in
            var m = meta
            m["row"] = .int(row); m["rows"] = .int(n)
            return (e.sha, ItemRecord(key: e.key, status: .done, outputHash: hash, meta: .object(m)), ThumbnailRef(blob: hash, row: row, rows: n))
        }
        entries.removeAll(keepingCapacity: true)
        return out
    }
}

/// Reads thumbnails out of their packs into memory the caller owns, keeping each pack open while rows of it
/// are read (a tensor's rows come from a few hundred packs, mostly in the order they were written). At most
/// `maxOpen` packs are held open. One thread at a time.
final class PackReader {
    static let maxOpen = 128
    private let blobs: BlobStore
    private let rowBytes: Int
    private var files: [String: Int32] = [:]

    /// A reader of `rowBytes`-long thumbnails in `blobs`.
    init(blobs: BlobStore, rowBytes: Int) { self.blobs = blobs; self.rowBytes = rowBytes }

    deinit { for fd in files.values { close(fd) } }

    /// Reads the thumbnail `ref` names to `destination` (`rowBytes` of room); throws when its pack is
    /// missing or shorter than the row's end.
    func read(_ ref: ThumbnailRef, into destination: UnsafeMutableRawPointer) throws {
        let path = blobs.path(for: ref.blob)
        let fd: Int32
        if let open = files[ref.blob] { fd = open } else {
            if files.count >= Self.maxOpen { for fd in files.values { close(fd) }; files.removeAll() }
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw FileIO.Failure(code: errno, what: "open \(path)") }
            files[ref.blob] = fd
        }
        try FileIO.read(fd, into: destination, count: rowBytes, at: ref.row * rowBytes, path: path)
    }
}
