/// Parses one complete JSON value (a record) from bytes into catalog values, without Foundation.
///
/// Objects at the top level become ordered `(key, value)` fields; nested arrays and objects are
/// kept as compact raw JSON text. Invalid UTF-8, bad escapes and syntax errors become a
/// `RecordIssue` naming the field being read.
public struct JSONRecordParser {
    private let p: UnsafeBufferPointer<UInt8>
    private var i = 0
    private var field: String?
    private var depth = 0
    /// Deepest nesting of arrays/objects accepted inside a record (deeper input is quarantined, not recursed into).
    static let maxDepth = 256

    private init(_ p: UnsafeBufferPointer<UInt8>) { self.p = p }

    /// Parses `bytes` as one JSON object and returns its members in order.
    public static func parseObject(_ bytes: UnsafeBufferPointer<UInt8>) throws(RecordIssue) -> [(String, CatalogValue)] {
        var parser = JSONRecordParser(bytes)
        parser.skipWS()
        guard parser.i < bytes.count, bytes[parser.i] == UInt8(ascii: "{") else {
            throw RecordIssue(field: nil, reason: "not_an_object", detail: "record is not a JSON object")
        }
        let fields = try parser.parseTopObject()
        parser.skipWS()
        if parser.i != bytes.count { throw parser.issue("syntax", "unexpected bytes after the record") }
        return fields
    }

    private func issue(_ reason: String, _ detail: String) -> RecordIssue {
        RecordIssue(field: field, reason: reason, detail: detail + " at byte \(i) of the record")
    }

    private mutating func skipWS() {
        while i < p.count {
            let c = p[i]
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { i += 1 } else { break }
        }
    }

    private mutating func expect(_ c: UInt8) throws(RecordIssue) {
        skipWS()
        guard i < p.count else { throw issue("truncated", "record ends early, expected '\(Character(UnicodeScalar(c)))'") }
        guard p[i] == c else { throw issue("syntax", "expected '\(Character(UnicodeScalar(c)))'") }
        i += 1
    }

    private mutating func parseTopObject() throws(RecordIssue) -> [(String, CatalogValue)] {
        i += 1
        var out: [(String, CatalogValue)] = []
        out.reserveCapacity(8)
        skipWS()
        if i < p.count, p[i] == UInt8(ascii: "}") { i += 1; return out }
        while true {
            skipWS()
            guard i < p.count else { throw issue("truncated", "record ends inside an object") }
            guard p[i] == UInt8(ascii: "\"") else { throw issue("syntax", "expected a quoted key") }
            field = nil
            let key = try parseString()
            field = key
            try expect(UInt8(ascii: ":"))
            skipWS()
            let v = try parseValue()
            out.append((key, v))
            skipWS()
            guard i < p.count else { throw issue("truncated", "record ends inside an object") }
            if p[i] == UInt8(ascii: ",") { i += 1; continue }
            if p[i] == UInt8(ascii: "}") { i += 1; field = nil; return out }
            throw issue("syntax", "expected ',' or '}'")
        }
    }

    private mutating func parseValue() throws(RecordIssue) -> CatalogValue {
        guard i < p.count else { throw issue("truncated", "record ends before a value") }
        switch p[i] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var raw: [UInt8] = []
            try copyNested(into: &raw)
            return .json(String(decoding: raw, as: UTF8.self))
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw issue("syntax", "unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(RecordIssue) {
        let n = word.utf8CodeUnitCount
        guard i + n <= p.count else { throw issue("truncated", "record ends inside a literal") }
        let w = word.utf8Start
        for k in 0..<n where p[i + k] != w[k] { throw issue("syntax", "invalid literal") }
        i += n
    }

    private mutating func parseNumber() throws(RecordIssue) -> CatalogValue {
        let start = i
        var isInt = true
        if p[i] == UInt8(ascii: "-") { i += 1 }
        let digitsStart = i
        while i < p.count, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
        if i == digitsStart { throw issue("syntax", "invalid number") }
        if p[digitsStart] == 0x30, i - digitsStart > 1 { throw issue("syntax", "number with a leading zero") }
        if i < p.count, p[i] == UInt8(ascii: ".") {
            isInt = false; i += 1
            let f = i
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
            if i == f { throw issue("syntax", "invalid number") }
        }
        if i < p.count, p[i] == UInt8(ascii: "e") || p[i] == UInt8(ascii: "E") {
            isInt = false; i += 1
            if i < p.count, p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-") { i += 1 }
            let e = i
            while i < p.count, p[i] >= 0x30, p[i] <= 0x39 { i += 1 }
            if i == e { throw issue("syntax", "invalid number") }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
        if isInt, let v = Int(text) { return .int(v) }
        guard let d = Double(text) else { throw issue("syntax", "invalid number") }
        return .double(d)
    }

    /// Parses a string at `p[i] == '"'`, validating UTF-8 and decoding escapes.
    private mutating func parseString() throws(RecordIssue) -> String {
        i += 1
        let start = i
        while i < p.count, p[i] != 0x22, p[i] != 0x5C {
            if p[i] < 0x20 { throw issue("syntax", "control character inside a string") }
            i += 1
        }
        guard i < p.count else { throw issue("truncated", "record ends inside a string") }
        if p[i] == 0x22 {
            let s = String(validating: UnsafeBufferPointer(rebasing: p[start..<i]), as: UTF8.self)
            i += 1
            guard let s else { throw issue("invalid_utf8", "invalid UTF-8 bytes in a string") }
            return s
        }
        var bytes = Array(UnsafeBufferPointer(rebasing: p[start..<i]))
        while true {
            guard i < p.count else { throw issue("truncated", "record ends inside a string") }
            let c = p[i]
            if c == 0x22 { i += 1; break }
            if c < 0x20 { throw issue("syntax", "control character inside a string") }
            if c != 0x5C { bytes.append(c); i += 1; continue }
            i += 1
            guard i < p.count else { throw issue("truncated", "record ends inside an escape") }
            let e = p[i]; i += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard i + 1 < p.count, p[i] == 0x5C, p[i + 1] == UInt8(ascii: "u") else {
                        throw issue("invalid_utf8", "unpaired surrogate escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw issue("invalid_utf8", "unpaired surrogate escape") }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    throw issue("invalid_utf8", "unpaired surrogate escape")
                }
                guard let scalar = Unicode.Scalar(code) else { throw issue("invalid_utf8", "invalid \\u escape") }
                bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: throw issue("syntax", "invalid escape")
            }
        }
        guard let s = String(validating: bytes, as: UTF8.self) else { throw issue("invalid_utf8", "invalid UTF-8 bytes in a string") }
        return s
    }

    private mutating func hex4() throws(RecordIssue) -> UInt32 {
        guard i + 4 <= p.count else { throw issue("truncated", "record ends inside a \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = p[i]; i += 1
            let d: UInt32
            switch c {
            case 0x30...0x39: d = UInt32(c - 0x30)
            case 0x61...0x66: d = UInt32(c - 0x61 + 10)
            case 0x41...0x46: d = UInt32(c - 0x41 + 10)
            default: throw issue("syntax", "invalid \\u escape")
            }
            v = v << 4 | d
        }
        return v
    }

    /// Copies a nested array/object compactly (whitespace outside strings removed), checking its syntax.
    private mutating func copyNested(into raw: inout [UInt8]) throws(RecordIssue) {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw issue("too_deep", "nesting deeper than \(Self.maxDepth) levels") }
        let open = p[i]
        let close: UInt8 = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]")
        raw.append(open); i += 1
        skipWS()
        if i < p.count, p[i] == close { raw.append(close); i += 1; return }
        while true {
            skipWS()
            if open == UInt8(ascii: "{") {
                guard i < p.count, p[i] == 0x22 else { throw issue(i < p.count ? "syntax" : "truncated", "expected a quoted key") }
                try copyScalar(into: &raw)
                try expect(UInt8(ascii: ":"))
                raw.append(UInt8(ascii: ":"))
                skipWS()
            }
            guard i < p.count else { throw issue("truncated", "record ends inside a nested value") }
            if p[i] == UInt8(ascii: "{") || p[i] == UInt8(ascii: "[") { try copyNested(into: &raw) } else { try copyScalar(into: &raw) }
            skipWS()
            guard i < p.count else { throw issue("truncated", "record ends inside a nested value") }
            if p[i] == UInt8(ascii: ",") { raw.append(p[i]); i += 1; continue }
            if p[i] == close { raw.append(close); i += 1; return }
            throw issue("syntax", "expected ',' or a closing bracket")
        }
    }

    private mutating func copyScalar(into raw: inout [UInt8]) throws(RecordIssue) {
        let start = i
        _ = try parseValue()
        raw.append(contentsOf: UnsafeBufferPointer(rebasing: p[start..<i]))
    }
}
