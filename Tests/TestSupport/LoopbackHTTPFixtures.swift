import Foundation

/// Real image bytes committed under `Tests/Fixtures/images/` (sources in SOURCE-fetch.md).
public enum LoopbackHTTPFixtures {
    /// The fixtures folder, found relative to this source file.
    public static let folder: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images", isDirectory: true)

    /// The bytes of fixture `name`, e.g. `fetch-10000.jpg`.
    public static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }

    /// A real 224×224 product JPEG (2,184 bytes).
    public static func jpeg() throws -> Data { try data("fetch-10000.jpg") }
    /// A second, different real 224×224 product JPEG.
    public static func jpeg2() throws -> Data { try data("fetch-10001.jpg") }
    /// A real 16×12 RGB PNG.
    public static func png() throws -> Data { try data("fetch-gradient-16x12.png") }
    /// gzip of 10 MiB of zeros (a decompression bomb when sent with Content-Encoding: gzip).
    public static func gzipBomb() throws -> Data { try data("fetch-bomb-10MiB-zeros.gz") }

    /// `png` with its IHDR rewritten to claim `width`×`height` (CRC fixed up), so only a header check catches it.
    public static func pngClaiming(width: UInt32, height: UInt32) throws -> Data {
        var d = try png()
        func put(_ v: UInt32, at i: Int) { for k in 0..<4 { d[i + k] = UInt8((v >> (24 - 8 * UInt32(k))) & 0xFF) } }
        put(width, at: 16); put(height, at: 20)
        put(crc32(d[12..<29]), at: 29)
        return d
    }

    /// CRC-32 (IEEE) of `bytes`, bitwise; only for small fixture edits.
    static func crc32(_ bytes: Data) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = (c & 1) != 0 ? (c >> 1) ^ 0xEDB8_8320 : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }
}
