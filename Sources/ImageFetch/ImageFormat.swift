/// An image container format, recognised from its leading bytes (never from Content-Type).
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case jpeg, png, webp, gif

    /// The format whose signature `bytes` starts with, or nil.
    public static func sniff(_ bytes: UnsafeRawBufferPointer) -> ImageFormat? {
        let n = bytes.count
        if n >= 3, bytes[0] == 0xFF, bytes[1] == 0xD8, bytes[2] == 0xFF { return .jpeg }
        if n >= 8, bytes[0] == 0x89, bytes[1] == 0x50, bytes[2] == 0x4E, bytes[3] == 0x47,
           bytes[4] == 0x0D, bytes[5] == 0x0A, bytes[6] == 0x1A, bytes[7] == 0x0A { return .png }
        if n >= 6, bytes[0] == 0x47, bytes[1] == 0x49, bytes[2] == 0x46, bytes[3] == 0x38,
           bytes[4] == 0x37 || bytes[4] == 0x39, bytes[5] == 0x61 { return .gif }
        if n >= 12, bytes[0] == 0x52, bytes[1] == 0x49, bytes[2] == 0x46, bytes[3] == 0x46,
           bytes[8] == 0x57, bytes[9] == 0x45, bytes[10] == 0x42, bytes[11] == 0x50 { return .webp }
        return nil
    }
}
