/// One cell of a catalog table: a JSON scalar, or a nested array/object kept as its raw JSON text.
public enum CatalogValue: Sendable, Hashable {
    /// Missing value.
    case null
    /// true or false.
    case bool(Bool)
    /// A whole number.
    case int(Int)
    /// A number with a fraction or exponent.
    case double(Double)
    /// Text.
    case string(String)
    /// A nested JSON array or object, kept verbatim (compact JSON text) and written back as is.
    case json(String)

    /// The string, if this is one.
    public var stringValue: String? { if case .string(let s) = self { return s }; return nil }

    /// The value as a number, if it is one.
    public var doubleValue: Double? {
        switch self { case .int(let i): return Double(i); case .double(let d): return d; default: return nil }
    }

    /// Whether the value counts as missing: null, or a string that is empty or only whitespace.
    public var isNullLike: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
        default: return false
        }
    }

    /// The kind of value, as named in quarantine reasons and declared column types.
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .json(let raw): return raw.first == "[" ? "array" : "object"
        }
    }

    /// A short human form: strings unquoted, numbers as written, nested values as JSON.
    public var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s
        case .json(let raw): return raw
        }
    }

    /// Appends the value as JSON to `out`.
    public func writeJSON(into out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d):
            if d.isFinite { out += String(d) } else { out += "null" }
        case .string(let s): CatalogValue.quote(s, into: &out)
        case .json(let raw): out += raw
        }
    }

    /// Appends `s` as a JSON string literal (control characters escaped, everything else as UTF-8).
    public static func quote(_ s: String, into out: inout String) {
        out += "\""
        var plain = true
        for u in s.utf8 where u == 0x22 || u == 0x5C || u < 0x20 { plain = false; break }
        if plain { out += s; out += "\""; return }
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where u.value < 0x20:
                let hex = String(u.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
