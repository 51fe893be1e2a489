import Foundation
import Pipeline

/// Reads JSON Lines tables (one object per line) into rows of `JSONValue`, for the search and report stages.
enum JSONLinesRows {
    /// Every object row of the file; blank lines are skipped, a malformed line throws with its line number.
    static func read(_ url: URL) throws -> [[String: JSONValue]] {
        let data = try Data(contentsOf: url)
        var rows: [[String: JSONValue]] = []
        var lineNumber = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            lineNumber += 1
            let line = data[start..<end]
            start = end < data.endIndex ? data.index(after: end) : end
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
            guard let object = (try? JSONValue.parse(Data(line)))?.objectValue else {
                throw SearchError.badTable(path: url.path, line: lineNumber, reason: "not a JSON object")
            }
            rows.append(object)
        }
        return rows
    }

    /// Writes rows as JSON Lines with keys in the given order (absent keys are skipped), atomically.
    static func write(_ rows: [[(String, JSONValue)]], to url: URL) throws {
        var out = ""
        for row in rows {
            out += "{"
            for (i, (key, value)) in row.enumerated() {
                if i > 0 { out += "," }
                JSONValue.quote(key, into: &out)
                out += ":" + value.canonical
            }
            out += "}\n"
        }
        try FileIO.writeAtomically(Data(out.utf8), to: url)
    }

    /// A cell as display text (numbers and booleans in their JSON form, null as nil).
    static func text(_ row: [String: JSONValue], _ key: String) -> String? {
        guard let v = row[key], v != .null else { return nil }
        return v.description
    }
}
