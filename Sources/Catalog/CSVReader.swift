/// Streams an RFC 4180 CSV file: quoted fields (with `""` escapes and embedded newlines), LF or CRLF records.
enum CSVReader {
    /// One parsed record: its fields (nil where a field is not valid UTF-8) or the reason it is malformed.
    enum Row {
        case fields([String?])
        case malformed(reason: String, detail: String)
    }

    private enum State { case fieldStart, unquoted, quoted, quoteInQuoted }

    /// Calls `body` for every record, header included (record 0 is the header).
    static func read(_ r: ChunkedFileReader, delimiter: UInt8,
                     _ body: (Row, RecordPosition, UnsafeBufferPointer<UInt8>) throws -> Void) throws {
        try r.skipBOM()
        var line = 1
        var record = 0
        while true {
            r.mark = r.pos
            guard try r.peek() != nil else { return }
            let position = RecordPosition(record: record, line: line, offset: r.offset)
            var fields: [String?] = []
            var field: [UInt8] = []
            var state = State.fieldStart
            var bad: (String, String)?
            var ended = false
            func finish() { fields.append(String(validating: field, as: UTF8.self)); field.removeAll(keepingCapacity: true) }
            while !ended {
                guard let c = try r.next() else {
                    if state == .quoted { bad = bad ?? ("truncated", "end of file inside a quoted field") }
                    finish(); ended = true; break
                }
                if c == 0x0A { line += 1 }
                switch state {
                case .fieldStart, .unquoted:
                    if c == 0x22 && state == .fieldStart { state = .quoted }
                    else if c == delimiter { finish(); state = .fieldStart }
                    else if c == 0x0A { finish(); ended = true }
                    else if c == 0x0D, try r.peek() == 0x0A { continue }
                    else {
                        if c == 0x22 { bad = bad ?? ("syntax", "quote inside an unquoted field \(fields.count + 1)") }
                        field.append(c); state = .unquoted
                    }
                case .quoted:
                    if c == 0x22 { state = .quoteInQuoted } else { field.append(c) }
                case .quoteInQuoted:
                    if c == 0x22 { field.append(c); state = .quoted }
                    else if c == delimiter { finish(); state = .fieldStart }
                    else if c == 0x0A { finish(); ended = true }
                    else if c == 0x0D, try r.peek() == 0x0A { continue }
                    else { bad = bad ?? ("syntax", "characters after a closing quote in field \(fields.count + 1)"); field.append(c); state = .unquoted }
                }
            }
            var raw = r.marked(upTo: r.pos)
            while let last = raw.last, last == 0x0A || last == 0x0D { raw = UnsafeBufferPointer(rebasing: raw.dropLast()) }
            if fields.count == 1, fields[0] == "", bad == nil { continue }  // blank line
            if let (reason, detail) = bad { try body(.malformed(reason: reason, detail: detail), position, raw) }
            else { try body(.fields(fields), position, raw) }
            record += 1
        }
    }
}
