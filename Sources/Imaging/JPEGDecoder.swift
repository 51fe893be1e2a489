import CImageShim
import CJPEG
import Foundation

/// Owns one libjpeg decompressor from the C shim and frees it in `deinit`.
final class JPEGReader {
    private let handle: OpaquePointer

    init() throws {
        guard let h = vitrine_jpeg_create() else { throw ImagingError.outOfMemory }
        handle = h
    }

    deinit { vitrine_jpeg_destroy(handle) }

    private var message: String { String(cString: vitrine_jpeg_message(handle)) }

    private func check(_ status: Int32, _ step: String) throws {
        switch Int(status) {
        case Int(VITRINE_OK): return
        case Int(VITRINE_ERR_TRUNCATED): throw ImagingError.truncated("jpeg \(step): \(message)")
        case Int(VITRINE_ERR_COLORSPACE): throw ImagingError.unsupportedColorSpace("jpeg: \(message)")
        case Int(VITRINE_ERR_BUFFER): throw ImagingError.invalidArgument("jpeg \(step): \(message)")
        case Int(VITRINE_ERR_STATE): throw ImagingError.invalidArgument("jpeg \(step): calls out of order")
        default: throw ImagingError.corrupt("jpeg \(step): \(message)")
        }
    }

    func setEarlyStop(_ on: Bool) { vitrine_jpeg_set_early_stop(handle, on ? 1 : 0) }

    /// How many scans the decode skipped unread.
    var scansSkipped: Int { Int(vitrine_jpeg_scans_skipped(handle)) }

    func readHeader(_ bytes: UnsafeRawBufferPointer) throws -> vitrine_jpeg_info {
        var info = vitrine_jpeg_info()
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        try check(vitrine_jpeg_read_header(handle, base, bytes.count, &info), "header")
        return info
    }

    func start(scaleNumerator: Int, info: inout vitrine_jpeg_info) throws {
        try check(vitrine_jpeg_start(handle, Int32(scaleNumerator), &info), "start")
    }

    func readRGB(into buffer: UnsafeMutableBufferPointer<UInt8>) throws {
        try check(vitrine_jpeg_read_rgb(handle, buffer.baseAddress, buffer.count), "decode")
    }
}

/// JPEG decoding through libjpeg-turbo with DCT-domain downscaling and EXIF orientation.
public enum JPEGDecoder {
    /// Decodes a JPEG to RGB; with `options.target` set it decodes at the smallest
    /// scale n/8 whose output still covers the thumbnail, then applies EXIF orientation.
    public static func decode(_ data: Data, options: DecodeOptions = DecodeOptions()) throws -> RGBImage {
        try decodeCountingSkips(data, options: options).image
    }

    /// `decode`, also saying how many progressive scans it skipped unread.
    static func decodeCountingSkips(_ data: Data, options: DecodeOptions) throws -> (image: RGBImage, scansSkipped: Int) {
        if data.isEmpty { throw ImagingError.empty }
        let reader = try JPEGReader()
        reader.setEarlyStop(options.progressiveEarlyStop)
        let (image, orientation) = try data.withUnsafeBytes { bytes -> (RGBImage, Int) in
            var info = try reader.readHeader(bytes)
            let w = Int(info.width), h = Int(info.height)
            try options.check(width: w, height: h)
            let swapped = info.orientation >= 5
            var scale = 8
            if let target = options.target {
                let need = swapped ? target.decodeSize(width: h, height: w) : target.decodeSize(width: w, height: h)
                let needW = swapped ? need.height : need.width, needH = swapped ? need.width : need.height
                scale = scaleNumerator(width: w, height: h, needWidth: needW, needHeight: needH, simdOnly: options.simdScalesOnly)
            }
            try reader.start(scaleNumerator: scale, info: &info)
            let ow = Int(info.out_width), oh = Int(info.out_height)
            guard ow > 0, oh > 0 else { throw ImagingError.corrupt("jpeg: scaled output \(ow)x\(oh)") }
            let pixels = try [UInt8](unsafeUninitializedCapacity: ow * oh * 3) { buf, count in
                count = 0
                try reader.readRGB(into: buf)
                count = ow * oh * 3
            }
            return (RGBImage(unchecked: ow, oh, pixels), Int(info.orientation))
        }
        return (Orientation.apply(orientation, to: image), reader.scansSkipped)
    }

    /// Reads only the header: stored size, components and EXIF orientation.
    public static func header(_ data: Data) throws -> (width: Int, height: Int, components: Int, progressive: Bool, orientation: Int) {
        if data.isEmpty { throw ImagingError.empty }
        let reader = try JPEGReader()
        let info = try data.withUnsafeBytes { try reader.readHeader($0) }
        return (Int(info.width), Int(info.height), Int(info.components), info.progressive != 0, Int(info.orientation))
    }

    /// The smallest n in 1...8 such that ceil(side * n / 8) covers the needed size on both axes.
    static func scaleNumerator(width: Int, height: Int, needWidth: Int, needHeight: Int, simdOnly: Bool = false) -> Int {
        for n in simdOnly ? [1, 2, 4, 8] : Array(1...8) {
            let sw = (width * n + 7) / 8, sh = (height * n + 7) / 8
            if sw >= needWidth && sh >= needHeight { return n }
        }
        return 8
    }
}
