import Foundation

/// An image container recognised from its leading bytes.
public enum ImageFormat: String, Sendable, CaseIterable, Codable {
    /// JPEG (FF D8 FF), PNG (89 PNG), WebP (RIFF…WEBP), GIF (GIF87a/GIF89a).
    case jpeg, png, webp, gif

    /// The format whose signature `data` starts with, or nil (HTML, text, unknown binary).
    public static func sniff(_ data: Data) -> ImageFormat? {
        data.withUnsafeBytes { sniff(UnsafeRawBufferPointer($0)) }
    }

    /// The format whose signature the bytes start with, or nil.
    public static func sniff(_ b: UnsafeRawBufferPointer) -> ImageFormat? {
        let n = b.count
        if n >= 3, b[0] == 0xFF, b[1] == 0xD8, b[2] == 0xFF { return .jpeg }
        if n >= 8, b[0] == 0x89, b[1] == 0x50, b[2] == 0x4E, b[3] == 0x47,
           b[4] == 0x0D, b[5] == 0x0A, b[6] == 0x1A, b[7] == 0x0A { return .png }
        if n >= 6, b[0] == 0x47, b[1] == 0x49, b[2] == 0x46, b[3] == 0x38, (b[4] == 0x37 || b[4] == 0x39), b[5] == 0x61 { return .gif }
        if n >= 12, b[0] == 0x52, b[1] == 0x49, b[2] == 0x46, b[3] == 0x46,
           b[8] == 0x57, b[9] == 0x45, b[10] == 0x42, b[11] == 0x50 { return .webp }
        return nil
    }

    /// A short printable hint of the first bytes, for error messages.
    static func hint(_ data: Data) -> String {
        let head = data.prefix(16)
        let printable = head.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if printable, let s = String(data: head, encoding: .ascii) {
            return "\"" + s.replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\r", with: "\\r") + "\""
        }
        return head.map { String(format: "%02x", $0) }.joined()
    }
}
