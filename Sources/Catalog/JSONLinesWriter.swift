import Foundation

/// Writes tables as JSON Lines: one object per row, keys in column order, UTF-8, `\n` line ends.
public enum JSONLinesWriter {
    /// The JSON Lines text of `table`.
    public static func encode(_ table: CatalogTable) -> Data {
        var out = Data()
        var line = ""
        line.reserveCapacity(1024)
        for r in 0..<table.count {
            line.removeAll(keepingCapacity: true)
            encodeRow(table, r, into: &line)
            line += "\n"
            out.append(contentsOf: line.utf8)
        }
        return out
    }

    /// Appends row `r` of `table` as one JSON object (no newline).
    public static func encodeRow(_ table: CatalogTable, _ r: Int, into line: inout String) {
        line += "{"
        for (c, name) in table.columns.enumerated() {
            if c > 0 { line += ", " }
            CatalogValue.quote(name, into: &line)
            line += ": "
            table.value(r, c).writeJSON(into: &line)
        }
        line += "}"
    }

    /// Writes `table` to `url` (through a temporary file and a rename).
    public static func write(_ table: CatalogTable, to url: URL) throws {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try encode(table).write(to: tmp)
        if rename(tmp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw CatalogError.io(file: url.path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads a JSON Lines table written by `write` (or any JSON Lines file) with no declared columns.
    public static func read(_ url: URL) throws -> CatalogTable {
        if let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int, size == 0 {
            return CatalogTable(columns: [])
        }
        return try CatalogLoader(options: LoadOptions(format: .jsonl, errorBudget: 0)).load(path: url.path).table
    }
}
