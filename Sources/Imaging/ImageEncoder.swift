import CImageShim
import CPNG
import Foundation

/// JPEG and PNG encoding of RGB images (contact sheets, fixtures, tests).
public enum ImageEncoder {
    /// JPEG bytes of `image` at `quality` (1...100), baseline or progressive.
    public static func jpeg(_ image: RGBImage, quality: Int = 90, progressive: Bool = false) throws -> Data {
        try jpeg(pixels: image.pixels, width: image.width, height: image.height, components: 3,
                 quality: quality, progressive: progressive)
    }

    /// Progressive JPEG bytes of raw pixels with an explicit scan script (tests of odd but legal progressions).
    static func jpeg(pixels: [UInt8], width: Int, height: Int, components: Int, quality: Int = 90,
                     scans: [vitrine_jpeg_scan]) throws -> Data {
        try jpeg(pixels: pixels, width: width, height: height, components: components, quality: quality,
                 progressive: true, scans: scans)
    }

    /// JPEG bytes of raw 8-bit pixels with 1 (gray) or 3 (RGB) components.
    public static func jpeg(pixels: [UInt8], width: Int, height: Int, components: Int,
                            quality: Int = 90, progressive: Bool = false) throws -> Data {
        try jpeg(pixels: pixels, width: width, height: height, components: components, quality: quality,
                 progressive: progressive, scans: [])
    }

    /// The encoder behind both: libjpeg's default progression unless `scans` gives a script.
    private static func jpeg(pixels: [UInt8], width: Int, height: Int, components: Int, quality: Int,
                             progressive: Bool, scans: [vitrine_jpeg_scan]) throws -> Data {
        guard width > 0, height > 0, components == 1 || components == 3, pixels.count == width * height * components else {
            throw ImagingError.invalidArgument("jpeg encode \(width)x\(height)x\(components) with \(pixels.count) bytes")
        }
        var out: UnsafeMutablePointer<UInt8>?
        var length = 0
        var message = [CChar](repeating: 0, count: 256)
        let status = pixels.withUnsafeBufferPointer { p in
            message.withUnsafeMutableBufferPointer { m in
                scans.withUnsafeBufferPointer { script in
                    vitrine_jpeg_encode(p.baseAddress, Int32(width), Int32(height), Int32(components), Int32(quality),
                                        progressive ? 1 : 0, script.baseAddress, Int32(script.count),
                                        &out, &length, m.baseAddress, m.count)
                }
            }
        }
        guard status == VITRINE_OK, let buffer = out else {
            let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw ImagingError.encodeFailed("jpeg: \(text)")
        }
        defer { vitrine_free(buffer) }
        return Data(bytes: buffer, count: length)
    }

    /// PNG bytes of `image` (8-bit RGB).
    public static func png(_ image: RGBImage) throws -> Data {
        try png(pixels: image.pixels, width: image.width, height: image.height, components: 3)
    }

    /// PNG bytes of raw 8-bit pixels: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA components.
    public static func png(pixels: [UInt8], width: Int, height: Int, components: Int) throws -> Data {
        guard width > 0, height > 0, (1...4).contains(components), pixels.count == width * height * components else {
            throw ImagingError.invalidArgument("png encode \(width)x\(height)x\(components) with \(pixels.count) bytes")
        }
        // libpng format codes: alpha flag 0x01, colour flag 0x02 (GRAY 0, GA 1, RGB 2, RGBA 3).
        let formats: [UInt32] = [0, 1, 2, 3]
        let writer = PNGReader()
        writer.image.pointee.width = UInt32(width)
        writer.image.pointee.height = UInt32(height)
        writer.image.pointee.format = formats[components - 1]
        var size = 0
        let stride = Int32(width * components)
        let ok = pixels.withUnsafeBufferPointer { p in
            png_image_write_to_memory(writer.image, nil, &size, 0, p.baseAddress, stride, nil)
        }
        guard ok != 0, size > 0 else { throw ImagingError.encodeFailed("png: \(writer.message)") }
        var data = Data(count: size)
        let written = data.withUnsafeMutableBytes { out in
            pixels.withUnsafeBufferPointer { p in
                png_image_write_to_memory(writer.image, out.baseAddress, &size, 0, p.baseAddress, stride, nil)
            }
        }
        guard written != 0 else { throw ImagingError.encodeFailed("png: \(writer.message)") }
        data.count = size
        return data
    }
}
