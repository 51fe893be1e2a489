import CPNG
import Foundation

/// Owns one libpng simplified-API image and frees it in `deinit`. libpng's simplified API keeps
/// its setjmp/longjmp inside libpng and reports failure as a return value plus `message`.
final class PNGReader {
    let image: UnsafeMutablePointer<png_image>

    init() {
        image = .allocate(capacity: 1)
        image.initialize(to: png_image())
        image.pointee.version = UInt32(PNG_IMAGE_VERSION)
    }

    deinit {
        png_image_free(image)
        image.deallocate()
    }

    var message: String {
        withUnsafeBytes(of: image.pointee.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    func failure(_ step: String) -> ImagingError {
        let m = message
        let lower = m.lowercased()
        if lower.contains("crc") { return .badChecksum("png \(step): \(m)") }
        if lower.contains("end of") || lower.contains("not enough") || lower.contains("truncat") || lower.contains("eof") {
            return .truncated("png \(step): \(m)")
        }
        return .corrupt("png \(step): \(m)")
    }
}

/// PNG decoding through libpng: any bit depth, palette, gray, alpha, interlaced → 8-bit RGB on white.
public enum PNGDecoder {
    /// Decodes a PNG to 8-bit sRGB, compositing any alpha on white.
    public static func decode(_ data: Data, options: DecodeOptions = DecodeOptions()) throws -> RGBImage {
        if data.isEmpty { throw ImagingError.empty }
        let reader = PNGReader()
        return try data.withUnsafeBytes { bytes -> RGBImage in
            guard png_image_begin_read_from_memory(reader.image, bytes.baseAddress, bytes.count) != 0 else {
                throw reader.failure("header")
            }
            let w = Int(reader.image.pointee.width), h = Int(reader.image.pointee.height)
            try options.check(width: w, height: h)
            reader.image.pointee.format = UInt32(PNG_FORMAT_RGB)
            var white = png_color(red: 255, green: 255, blue: 255)
            let pixels = try [UInt8](unsafeUninitializedCapacity: w * h * 3) { buf, count in
                count = 0
                guard png_image_finish_read(reader.image, &white, buf.baseAddress, Int32(w * 3), nil) != 0 else {
                    throw reader.failure("decode")
                }
                count = w * h * 3
            }
            return RGBImage(unchecked: w, h, pixels)
        }
    }
}
