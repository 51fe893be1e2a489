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
            // libpng format flags: alpha 0x01, colour 0x02, linear (16-bit) 0x04. 8-bit files are read
            // as 8-bit sRGB; 16-bit files as 16-bit (libpng calls it linear and would otherwise gamma-
            // encode it; the samples are really sRGB-encoded, so we keep them and take the top byte).
            // Alpha is composited on white here, in sRGB space (as Pillow and OpenCV users expect).
            let fileFormat = reader.image.pointee.format
            let hasAlpha = fileFormat & 0x01 != 0, sixteen = fileFormat & 0x04 != 0
            reader.image.pointee.format = (hasAlpha ? 3 : 2) | (sixteen ? 4 : 0)
            let channels = hasAlpha ? 4 : 3
            if sixteen {
                let samples = try [UInt16](unsafeUninitializedCapacity: w * h * channels) { buf, count in
                    count = 0
                    guard png_image_finish_read(reader.image, nil, buf.baseAddress, Int32(w * channels), nil) != 0 else {
                        throw reader.failure("decode")
                    }
                    count = w * h * channels
                }
                return RGBImage(unchecked: w, h, narrow16(samples, count: w * h, alpha: hasAlpha))
            }
            var pixels = try [UInt8](unsafeUninitializedCapacity: w * h * channels) { buf, count in
                count = 0
                guard png_image_finish_read(reader.image, nil, buf.baseAddress, Int32(w * channels), nil) != 0 else {
                    throw reader.failure("decode")
                }
                count = w * h * channels
            }
            if hasAlpha { pixels = compositeOnWhite(rgba: pixels, count: w * h) }
            return RGBImage(unchecked: w, h, pixels)
        }
    }

    /// RGBA → RGB over white: c * a / 255 + 255 - a, rounded.
    static func compositeOnWhite(rgba: [UInt8], count: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count * 3) { out, n in
            rgba.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = out.baseAddress else { return }
                for i in 0..<count {
                    let a = UInt32(s[4 * i + 3]), inv = 255 - a
                    d[3 * i] = UInt8((UInt32(s[4 * i]) * a + 255 * inv + 127) / 255)
                    d[3 * i + 1] = UInt8((UInt32(s[4 * i + 1]) * a + 255 * inv + 127) / 255)
                    d[3 * i + 2] = UInt8((UInt32(s[4 * i + 2]) * a + 255 * inv + 127) / 255)
                }
            }
            n = count * 3
        }
    }

    /// 16-bit RGB(A) → 8-bit RGB; libpng's 16-bit RGBA is premultiplied, so white adds (65535 - a).
    static func narrow16(_ s: [UInt16], count: Int, alpha: Bool) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: count * 3) { out, n in
            s.withUnsafeBufferPointer { src in
                guard let p = src.baseAddress, let d = out.baseAddress else { return }
                let ch = alpha ? 4 : 3
                for i in 0..<count {
                    let white: UInt32 = alpha ? 65535 - UInt32(p[ch * i + 3]) : 0
                    for c in 0..<3 {
                        let v = min(65535, UInt32(p[ch * i + c]) + white)
                        d[3 * i + c] = UInt8((v * 255 + 32767) / 65535)
                    }
                }
            }
            n = count * 3
        }
    }
}
