import Foundation

/// Writes a JSON Lines table row by row through a buffer into a temporary file, renamed into place by
/// `finish()`, so a large table never has to be held in memory.
public final class JSONLinesStreamWriter {
    private let url: URL
    private let tmp: URL
    private let handle: FileHandle
    private var buffer = ""
    private var finished = false
    /// Rows written so far.
    public private(set) var rows = 0

    /// Starts writing the table that will appear at `url`.
    public init(url: URL) throws {
        self.url = url
        tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: tmp.path, contents: nil) else {
            throw CatalogError.io(file: tmp.path, reason: "cannot create file")
        }
        handle = try FileHandle(forWritingTo: tmp)
        buffer.reserveCapacity(1 << 20)
    }

    deinit {
        try? handle.close()
        if !finished { try? FileManager.default.removeItem(at: tmp) }
    }

    /// Appends one row (values aligned with `columns`; missing trailing values are written as null).
    public func write(columns: [String], row: [CatalogValue]) throws {
        buffer += "{"
        for (c, name) in columns.enumerated() {
            if c > 0 { buffer += ", " }
            CatalogValue.quote(name, into: &buffer)
            buffer += ": "
            (c < row.count ? row[c] : .null).writeJSON(into: &buffer)
        }
        buffer += "}\n"
        rows += 1
        if buffer.utf8.count >= 1 << 20 { try flush() }
    }

    private func flush() throws {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the file into place.
    public func finish() throws {
        try flush()
        try handle.close()
        if rename(tmp.path, url.path) != 0 {
            throw CatalogError.io(file: url.path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
        finished = true
    }
}
