/// Where a record starts in its file: 1-based record number and line, and byte offset.
public struct RecordPosition: Sendable, Hashable {
    /// 1-based record number (array element or data row).
    public var record: Int
    /// 1-based line of the record's first byte.
    public var line: Int
    /// Byte offset of the record's first byte.
    public var offset: Int
}

/// Splits JSON arrays and JSON Lines files into one byte range per record, streaming.
enum RecordSplitter {
    /// Calls `body` with each element of a top-level JSON array; `truncated` marks an element cut off by end of file.
    static func jsonArray(_ r: ChunkedFileReader,
                          _ body: (UnsafeBufferPointer<UInt8>, RecordPosition, _ truncated: Bool) throws -> Void) throws {
        try r.skipBOM()
        var line = 1
        func skipWS() throws(CatalogError) -> UInt8? {
            while let c = try r.peek() {
                if c == 0x0A { line += 1 }
                if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { r.pos += 1; r.mark = r.pos } else { return c }
            }
            return nil
        }
        guard let first = try skipWS() else { throw CatalogError.emptyInput(file: r.path) }
        guard first == UInt8(ascii: "[") else {
            throw CatalogError.syntax(file: r.path, line: line, offset: r.offset, reason: "expected a JSON array starting with '['")
        }
        r.pos += 1; r.mark = r.pos
        var record = 0
        if try skipWS() == UInt8(ascii: "]") { r.pos += 1; try trailing(r, line: &line); return }
        while true {
            guard try skipWS() != nil else {
                record += 1
                try body(UnsafeBufferPointer(start: nil, count: 0), RecordPosition(record: record, line: line, offset: r.offset), true)
                return
            }
            record += 1
            r.mark = r.pos
            let position = RecordPosition(record: record, line: line, offset: r.offset)
            var depth = 0, inString = false, escape = false
            var terminator: UInt8 = 0
            while let c = try r.next() {
                if inString {
                    if escape { escape = false } else if c == 0x5C { escape = true } else if c == 0x22 { inString = false }
                    if c == 0x0A { line += 1 }
                    continue
                }
                switch c {
                case 0x22: inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 {
                        if c == UInt8(ascii: "]") { terminator = c }
                        else {
                            throw CatalogError.syntax(file: r.path, line: line, offset: r.base + r.pos - 1,
                                                      reason: "unbalanced '}' in record \(record)")
                        }
                    } else { depth -= 1 }
                case UInt8(ascii: ","): if depth == 0 { terminator = c }
                case 0x0A: line += 1
                default: break
                }
                if terminator != 0 { break }
            }
            if terminator == 0 {
                try body(r.marked(upTo: r.pos), position, true)
                return
            }
            try body(r.marked(upTo: r.pos - 1), position, false)
            r.mark = r.pos
            if terminator == UInt8(ascii: "]") { try trailing(r, line: &line); return }
        }
    }

    private static func trailing(_ r: ChunkedFileReader, line: inout Int) throws(CatalogError) {
        r.mark = r.pos
        while let c = try r.next() {
            if c == 0x0A { line += 1 }
            if !(c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09) {
                throw CatalogError.syntax(file: r.path, line: line, offset: r.base + r.pos - 1, reason: "data after the closing ']'")
            }
            r.mark = r.pos
        }
    }

    /// Calls `body` with each non-blank line (without its CR/LF); record numbers are line numbers.
    static func jsonLines(_ r: ChunkedFileReader, _ body: (UnsafeBufferPointer<UInt8>, RecordPosition) throws -> Void) throws {
        try r.skipBOM()
        var line = 0
        var sawContent = false
        while true {
            r.mark = r.pos
            let start = r.offset
            guard try r.peek() != nil else { break }
            line += 1
            var lineEnd = -1
            while let c = try r.next() { if c == 0x0A { lineEnd = r.pos - 1; break } }
            if lineEnd < 0 { lineEnd = r.pos }
            var bytes = r.marked(upTo: lineEnd)
            if let last = bytes.last, last == 0x0D { bytes = UnsafeBufferPointer(rebasing: bytes.dropLast()) }
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            sawContent = true
            try body(bytes, RecordPosition(record: line, line: line, offset: start))
        }
        if !sawContent { throw CatalogError.emptyInput(file: r.path) }
    }
}
