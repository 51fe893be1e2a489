import Foundation

/// Escaping and number formatting for the generated HTML and SVG.
enum HTMLText {
    /// Escapes text for element content and quoted attribute values.
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case _ where c.value < 0x20 && c != "\n" && c != "\t": out += " "
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// A number with `digits` decimals.
    static func fixed(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

    /// An integer with thousands separators (12,345).
    static func count(_ n: Int) -> String {
        let s = String(abs(n))
        var out = ""
        for (i, ch) in s.enumerated() {
            if i > 0 && (s.count - i) % 3 == 0 { out += "," }
            out.append(ch)
        }
        return n < 0 ? "-" + out : out
    }

    /// A duration such as `850 ms`, `12.3 s` or `4 min 05 s`.
    static func duration(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return fixed(seconds, 1) + " s" }
        let total = Int(seconds.rounded())
        return "\(total / 60) min " + String(format: "%02d s", total % 60)
    }
}
