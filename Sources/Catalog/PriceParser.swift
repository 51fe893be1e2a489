import Foundation

/// A price read from catalog text.
public enum ParsedPrice: Sendable, Equatable {
    /// One amount and its currency code (`USD` for `$`, empty when none was written).
    case value(Double, currency: String)
    /// A range such as `"$10.00 - $20.00"`: low, high and currency.
    case range(Double, Double, currency: String)
    /// Not a price; the reason class (`empty`, `not_a_price`, `mixed_currencies`).
    case invalid(String)
}

/// Parses catalog price text: `"$26.26"` → 26.26, `"$1,299.00"` → 1299, `"€12,50"` → 12.5,
/// `"$10 - $20"` → range 10…20 (callers use the low end), `"USD 5"` → 5; anything else is reported.
///
/// Separators: when both `,` and `.` occur, the later one is the decimal point; a lone `,` followed
/// by exactly two digits is a decimal comma, otherwise commas group thousands.
public enum PriceParser {
    private static let symbols: [(String, String)] = [("US$", "USD"), ("$", "USD"), ("€", "EUR"), ("£", "GBP"), ("¥", "JPY"), ("₹", "INR")]
    private static let codes: Set<String> = ["USD", "EUR", "GBP", "JPY", "INR", "CAD", "AUD"]

    /// Parses one price text.
    public static func parse(_ text: String) -> ParsedPrice {
        let t = text.trimmingSpaces
        if t.isEmpty { return .invalid("empty") }
        if let plain = simple(t) { return plain }
        guard t.contains("-") || t.contains("–") || t.contains(" to ") else { return single(t) }
        for sep in [" - ", " – ", "-", " to "] {
            let parts = t.components(separatedBy: sep)
            if parts.count == 2, !parts[0].trimmingSpaces.isEmpty {
                guard case .value(let a, let ca) = single(parts[0]), case .value(let b, let cb) = single(parts[1]) else { continue }
                if !ca.isEmpty, !cb.isEmpty, ca != cb { return .invalid("mixed_currencies") }
                return .range(min(a, b), max(a, b), currency: ca.isEmpty ? cb : ca)
            }
        }
        return single(t)
    }

    /// Fast path for the common forms `26.26` and `$26.26`.
    private static func simple(_ t: String) -> ParsedPrice? {
        var u = Substring(t)
        var currency = ""
        if u.first == "$" { u = u.dropFirst(); currency = "USD" }
        guard !u.isEmpty, u.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2E }), let v = Double(u), v.isFinite else { return nil }
        return .value(v, currency: currency)
    }

    private static func single(_ raw: String) -> ParsedPrice {
        var s = raw.trimmingSpaces
        var currency = ""
        for (sym, code) in symbols where s.hasPrefix(sym) || s.hasSuffix(sym) {
            currency = code
            s = s.hasPrefix(sym) ? String(s.dropFirst(sym.count)) : String(s.dropLast(sym.count))
            break
        }
        if currency.isEmpty {
            let upper = s.uppercased()
            for code in codes where upper.hasPrefix(code) || upper.hasSuffix(code) {
                currency = code
                s = upper.hasPrefix(code) ? String(s.dropFirst(code.count)) : String(s.dropLast(code.count))
                break
            }
        }
        s = s.trimmingSpaces
        guard !s.isEmpty, s.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "," || $0 == ".") }) else { return .invalid("not_a_price") }
        let lastComma = s.lastIndex(of: ","), lastDot = s.lastIndex(of: ".")
        var normal: String
        if let c = lastComma, let d = lastDot {
            normal = c > d ? s.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
                           : s.replacingOccurrences(of: ",", with: "")
        } else if let c = lastComma, s.filter({ $0 == "," }).count == 1, s.distance(from: c, to: s.endIndex) == 3 {
            normal = s.replacingOccurrences(of: ",", with: ".")
        } else {
            normal = s.replacingOccurrences(of: ",", with: "")
        }
        if normal.hasPrefix(".") { normal = "0" + normal }
        guard let v = Double(normal), v.isFinite, v >= 0 else { return .invalid("not_a_price") }
        return .value(v, currency: currency)
    }

    /// The numeric price of a cell (null when missing or unparseable) and the problem class when it did not parse.
    public static func price(of v: CatalogValue) -> (CatalogValue, problem: String?) {
        switch v {
        case .int, .double: return (.double(v.doubleValue ?? 0), nil)
        case .string(let s) where !v.isNullLike:
            switch parse(s) {
            case .value(let p, _), .range(let p, _, _): return (.double(p), nil)
            case .invalid(let reason): return (.null, reason)
            }
        default: return (.null, nil)
        }
    }

    /// Adds (or overwrites) a numeric `price` column parsed from `column`; returns unparseable texts by reason.
    public static func addPriceColumn(to table: inout CatalogTable, from column: String, as name: String = "price") -> [String: Int] {
        let src = table.columnIndex(column)
        let dst = table.ensureColumn(name)
        var problems: [String: Int] = [:]
        for r in 0..<table.rows.count {
            let (out, problem) = price(of: table.value(r, src))
            if let problem { problems[problem, default: 0] += 1 }
            table.set(r, dst, out)
        }
        return problems
    }
}
