import Foundation

/// An append-only side file of journal records not yet in the database: `JournalBatcher` appends each
/// record before buffering it, so a SIGKILL between batch commits loses nothing (the kernel holds
/// what `write` returned); the journal replays the file into the database the next time it opens.
public struct JournalSpill: Sendable {
    public let file: URL

    /// A spill at `file`.
    public init(file: URL) { self.file = file }

    /// Appends one record as a JSON line (the file is created on first use).
    public func append(_ record: ItemRecord) throws {
        var line = try JSONEncoder().encode(record)
        line.append(0x0A)
        let fd = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT {
            try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            return try append(record)
        }
        guard fd >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: file.path]) }
        defer { close(fd) }
        let written = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard written == line.count else { throw CocoaError(.fileWriteOutOfSpace, userInfo: [NSFilePathErrorKey: file.path]) }
    }

    /// Empties the spill once its records are committed to the database.
    public func clear() { try? FileManager.default.removeItem(at: file) }

    /// The records in the spill, in order; a torn or unreadable line is skipped.
    public func records() -> [ItemRecord] {
        guard let data = try? Data(contentsOf: file) else { return [] }
        let decoder = JSONDecoder()
        return data.split(separator: 0x0A).compactMap { try? decoder.decode(ItemRecord.self, from: Data($0)) }
    }
}
