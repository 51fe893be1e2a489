import Foundation

/// A small HTML well-formedness checker for generated pages (Foundation's XMLDocument is not
/// available on Linux): balanced tags, void elements, comments, raw-text style/script blocks.
public enum HTMLTagChecker {
    /// Elements that never have a closing tag.
    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                                            "source", "track", "wbr"]

    /// Problems found (empty when the document is balanced).
    public static func problems(in html: String) -> [String] {
        let b = Array(html.utf8)
        var stack: [String] = []
        var problems: [String] = []
        var i = 0
        func find(_ s: String, from: Int) -> Int? {
            let p = Array(s.utf8)
            guard let first = p.first else { return nil }
            var j = from
            while j + p.count <= b.count {
                if b[j] == first {
                    var k = 1
                    while k < p.count && b[j + k] == p[k] { k += 1 }
                    if k == p.count { return j }
                }
                j += 1
            }
            return nil
        }
        while i < b.count {
            guard b[i] == UInt8(ascii: "<") else { i += 1; continue }
            if i + 3 < b.count, b[i + 1] == UInt8(ascii: "!"), b[i + 2] == UInt8(ascii: "-"), b[i + 3] == UInt8(ascii: "-") {
                i = (find("-->", from: i + 4) ?? b.count) + 3; continue
            }
            guard i + 1 < b.count else { problems.append("stray < at end"); break }
            let next = b[i + 1]
            if next == UInt8(ascii: "!") || next == UInt8(ascii: "?") {
                i = (find(">", from: i) ?? b.count) + 1; continue
            }
            let closing = next == UInt8(ascii: "/")
            var j = i + (closing ? 2 : 1)
            let nameStart = j
            while j < b.count, isNameByte(b[j]) { j += 1 }
            let name = String(decoding: b[nameStart..<j], as: UTF8.self).lowercased()
            if name.isEmpty { problems.append("stray < at byte \(i)"); i += 1; continue }
            // Scan to the end of the tag, honouring quoted attribute values.
            var quote: UInt8? = nil
            while j < b.count {
                if let q = quote { if b[j] == q { quote = nil } } else if b[j] == UInt8(ascii: "\"") || b[j] == UInt8(ascii: "'") {
                    quote = b[j]
                } else if b[j] == UInt8(ascii: ">") { break }
                j += 1
            }
            if j >= b.count { problems.append("unterminated <\(name) tag"); break }
            let selfClosing = b[j - 1] == UInt8(ascii: "/")
            i = j + 1
            if closing {
                if let top = stack.last, top == name { stack.removeLast() } else {
                    problems.append("</\(name)> closes <\(stack.last ?? "nothing")>")
                    if let k = stack.lastIndex(of: name) { stack.removeSubrange(k...) }
                }
            } else if !selfClosing && !voidElements.contains(name) {
                if name == "style" || name == "script" {
                    guard let end = find("</\(name)", from: i) else { problems.append("unclosed <\(name)>"); break }
                    i = end
                }
                stack.append(name)
            }
        }
        if !stack.isEmpty { problems.append("unclosed: " + stack.joined(separator: " > ")) }
        return problems
    }

    /// Values of every `src` and `href` attribute on img, image, link and a elements.
    public static func references(in html: String) -> [String] {
        var out: [String] = []
        let pattern = #"<(?:img|image|link|a)\b[^>]*?\s(?:src|href|xlink:href)="([^"]*)""#
        guard let re = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]) else { return out }
        let ns = html as NSString
        for m in re.matches(in: html, range: NSRange(location: 0, length: ns.length)) {
            out.append(ns.substring(with: m.range(at: 1)))
        }
        return out
    }

    /// Whether a reference resolves: a decodable base64 data URI, or a relative file under `base` that exists.
    public static func resolves(_ reference: String, base: URL?) -> Bool {
        if reference.hasPrefix("data:") {
            guard let comma = reference.firstIndex(of: ","), reference[..<comma].hasSuffix(";base64") else { return false }
            return Data(base64Encoded: String(reference[reference.index(after: comma)...])).map { !$0.isEmpty } ?? false
        }
        if reference.hasPrefix("#") { return true }
        guard let base, !reference.contains("://") else { return false }
        return FileManager.default.fileExists(atPath: base.appendingPathComponent(reference).path)
    }

    private static func isNameByte(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c == 0x2d || c == 0x3a
    }
}
