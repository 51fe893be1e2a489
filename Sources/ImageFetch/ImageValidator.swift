/// Checks fetched bytes before anything decodes them: sniffs the format, reads pixel dimensions
/// from the header (JPEG SOF, PNG IHDR, GIF screen, WebP VP8/VP8L/VP8X), bounds the pixel count
/// (decompression bombs), and rejects HTML pages, empty and truncated bodies.
public enum ImageValidator {
    /// The image's format and size, or the reason it is not an acceptable image.
    public static func validate(_ bytes: UnsafeRawBufferPointer, maxPixels: Int) -> Result<ImageInfo, FetchFailure> {
        if bytes.isEmpty { return .failure(FetchFailure(.emptyBody, "0 bytes")) }
        guard let format = ImageFormat.sniff(bytes) else {
            if looksLikeHTML(bytes) { return .failure(FetchFailure(.htmlPage, "body is an HTML document")) }
            let head = bytes.prefix(8).map { String($0, radix: 16) }.joined(separator: " ")
            return .failure(FetchFailure(.notAnImage, "unknown signature [\(head)], \(bytes.count) bytes"))
        }
        let header: ImageInfo?
        switch format {
        case .jpeg: header = jpegSize(bytes)
        case .png: header = pngSize(bytes)
        case .gif: header = gifSize(bytes)
        case .webp: header = webpSize(bytes)
        }
        guard let info = header, info.width > 0, info.height > 0 else {
            return .failure(FetchFailure(.badHeader, "\(format.rawValue) header has no readable dimensions"))
        }
        if info.width.multipliedReportingOverflow(by: info.height).overflow || info.pixelCount > maxPixels {
            return .failure(FetchFailure(.tooManyPixels, "\(info.width)×\(info.height) exceeds \(maxPixels) pixels"))
        }
        if let missing = missingEnd(format, bytes) {
            return .failure(FetchFailure(.truncated, "\(format.rawValue) of \(bytes.count) bytes ends without \(missing)"))
        }
        return .success(info)
    }

    /// Whether the first non-blank bytes open an HTML/XML document.
    static func looksLikeHTML(_ b: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0A || b[i] == 0x0D { i += 1 }
        guard i < b.count, b[i] == 0x3C else { return false }
        let head = String(decoding: b[i..<min(b.count, i + 64)], as: UTF8.self).lowercased()
        return head.hasPrefix("<!doctype") || head.hasPrefix("<html") || head.hasPrefix("<?xml")
            || head.hasPrefix("<head") || head.hasPrefix("<body") || head.hasPrefix("<!--")
    }

    @inline(__always) static func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    @inline(__always) static func be32(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { be16(b, i) << 16 | be16(b, i + 2) }
    @inline(__always) static func le16(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    @inline(__always) static func le24(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { le16(b, i) | Int(b[i + 2]) << 16 }

    /// Walks JPEG marker segments up to the first start-of-frame and reads its dimensions.
    static func jpegSize(_ b: UnsafeRawBufferPointer) -> ImageInfo? {
        var i = 2
        while i + 3 < b.count {
            guard b[i] == 0xFF else { return nil }
            var marker = b[i + 1]
            while marker == 0xFF, i + 2 < b.count { i += 1; marker = b[i + 1] }
            i += 2
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { continue }
            if marker == 0xD9 || marker == 0xDA { return nil }
            guard i + 1 < b.count else { return nil }
            let length = be16(b, i)
            guard length >= 2 else { return nil }
            let isSOF = (0xC0...0xCF).contains(marker) && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
            if isSOF {
                guard i + 6 < b.count else { return nil }
                return ImageInfo(format: .jpeg, width: be16(b, i + 5), height: be16(b, i + 3))
            }
            i += length
        }
        return nil
    }

    /// Reads width and height from the PNG IHDR chunk.
    static func pngSize(_ b: UnsafeRawBufferPointer) -> ImageInfo? {
        guard b.count >= 24, b[12] == 0x49, b[13] == 0x48, b[14] == 0x44, b[15] == 0x52 else { return nil }
        return ImageInfo(format: .png, width: be32(b, 16), height: be32(b, 20))
    }

    /// Reads the GIF logical screen size.
    static func gifSize(_ b: UnsafeRawBufferPointer) -> ImageInfo? {
        guard b.count >= 10 else { return nil }
        return ImageInfo(format: .gif, width: le16(b, 6), height: le16(b, 8))
    }

    /// Reads the canvas size of a lossy (VP8), lossless (VP8L) or extended (VP8X) WebP.
    static func webpSize(_ b: UnsafeRawBufferPointer) -> ImageInfo? {
        guard b.count >= 30 else { return nil }
        let tag = String(decoding: b[12..<16], as: UTF8.self)
        switch tag {
        case "VP8X":
            return ImageInfo(format: .webp, width: le24(b, 24) + 1, height: le24(b, 27) + 1)
        case "VP8 ":
            guard b[23] == 0x9D, b[24] == 0x01, b[25] == 0x2A else { return nil }
            return ImageInfo(format: .webp, width: le16(b, 26) & 0x3FFF, height: le16(b, 28) & 0x3FFF)
        case "VP8L":
            guard b[20] == 0x2F else { return nil }
            let bits = UInt32(b[21]) | UInt32(b[22]) << 8 | UInt32(b[23]) << 16 | UInt32(b[24]) << 24
            return ImageInfo(format: .webp, width: Int(bits & 0x3FFF) + 1, height: Int((bits >> 14) & 0x3FFF) + 1)
        default:
            return nil
        }
    }

    /// The end marker a complete file of `format` must carry, when it is missing.
    static func missingEnd(_ format: ImageFormat, _ b: UnsafeRawBufferPointer) -> String? {
        switch format {
        case .jpeg:
            var end = b.count
            while end > 2, b[end - 1] == 0x00 || b[end - 1] == 0x0A || b[end - 1] == 0x0D || b[end - 1] == 0x20 { end -= 1 }
            return end >= 4 && b[end - 2] == 0xFF && b[end - 1] == 0xD9 ? nil : "the EOI marker (FF D9)"
        case .png:
            let iend: [UInt8] = [0x49, 0x45, 0x4E, 0x44]
            let tail = b.suffix(32)
            let found = tail.count >= 4 && (0...(tail.count - 4)).contains { k in
                (0..<4).allSatisfy { tail[tail.startIndex + k + $0] == iend[$0] }
            }
            return found ? nil : "the IEND chunk"
        case .gif:
            var end = b.count
            while end > 10, b[end - 1] == 0x00 { end -= 1 }
            return b[end - 1] == 0x3B ? nil : "the trailer byte (3B)"
        case .webp:
            let riff = Int(b[4]) | Int(b[5]) << 8 | Int(b[6]) << 16 | Int(b[7]) << 24
            return b.count >= riff + 8 ? nil : "the \(riff + 8) bytes its RIFF header declares"
        }
    }
}
