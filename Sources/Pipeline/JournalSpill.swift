import Foundation

/// An append-only side file of journal records not yet in the database: `JournalBatcher` appends each
/// record before buffering it, so a SIGKILL between batch commits loses nothing (the kernel holds
/// what `write` returned); the journal replays the file into the database the next time it opens.
/// The file stays open between appends until `clear`.
public struct JournalSpill: Sendable {
    public let file: URL
    private let handle = SpillHandle()

    /// A spill at `file`.
    public init(file: URL) { self.file = file }

    /// Appends one record as a JSON line (the file is created on first use).
    public func append(_ record: ItemRecord) throws {
        let line = Data(record.spillLine.utf8)
        try handle.withDescriptor(file) { fd in
            let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard written == line.count else { throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: file.path]) }
        }
    }

    /// Empties the spill once its records are committed to the database.
    public func clear() { handle.close { try? FileManager.default.removeItem(at: file) } }

    /// The records in the spill, in order; a torn or unreadable line is skipped.
    public func records() -> [ItemRecord] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(ItemRecord.self, from: Data($0)) }
    }
}

extension ItemRecord {
    /// The record as one line of JSON that `JSONDecoder` reads back as this record (the synthesized coding
    /// keys; nil fields left out), written by hand: `JSONEncoder` was most of the spill's cost.
    public var spillLine: String {
        var out = "{\"key\":"
        JSONValue.quote(key, into: &out)
        out += ",\"status\":\"\(status.rawValue)\",\"attempts\":\(attempts)"
        for (name, value) in [("errorClass", errorClass), ("errorDetail", errorDetail), ("outputHash", outputHash)] {
            if let value { out += ",\"\(name)\":"; JSONValue.quote(value, into: &out) }
        }
        if let meta { out += ",\"meta\":" + meta.canonical }
        out += ",\"updatedAt\":" + (updatedAt.isFinite ? "\(updatedAt)" : "0") + "}\n"
        return out
    }
}

/// The spill file's descriptor, opened on first append and closed by `clear`.
private final class SpillHandle: @unchecked Sendable {
    private let lock = NSLock()
    private var fd: Int32 = -1

    /// Runs `body` with the open descriptor of `file` (opened for appending, its folder created when missing).
    func withDescriptor(_ file: URL, _ body: (Int32) throws -> Void) throws {
        try lock.withLock {
            if fd < 0 {
                fd = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                if fd < 0, errno == ENOENT {
                    try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                    fd = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
                }
                guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
            }
            try body(fd)
        }
    }

    /// Closes the descriptor, then runs `after` (still under the lock, so no append lands in between).
    func close(after: () -> Void) {
        lock.withLock {
            if fd >= 0 { Foundation.close(fd); fd = -1 }
            after()
        }
    }

    deinit { if fd >= 0 { Foundation.close(fd) } }
}
