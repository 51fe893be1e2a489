import Foundation

/// Bounds and size hints for decoding one image.
public struct DecodeOptions: Sendable, Hashable {
    /// Largest accepted pixel count declared by a header (default 64 megapixels).
    public var maxPixels: Int
    /// Largest accepted width or height (default 20,000).
    public var maxSide: Int
    /// Smallest accepted width or height; smaller images fail as `tooSmall` (default 1: accept all).
    public var minSide: Int
    /// When set, JPEGs are decoded with DCT scaling to the smallest size that still covers this
    /// thumbnail's content (in displayed orientation); nil decodes at full size.
    public var target: FitTarget?
    /// Restrict DCT scaling to 1/8, 1/4, 1/2 and 1/1, the factors libjpeg-turbo has SIMD code for (default):
    /// with the resampler's block pass, decoding bigger with SIMD was never slower than the scalar n/8 IDCTs
    /// and up to twice as fast (bench-imaging, 180–800 px), and it is full decode + area average exactly
    /// where it decodes at full size.
    public var simdScalesOnly: Bool = true
    /// For progressive JPEGs decoded at reduced scale, skip the scans that hold only coefficients the scaled
    /// IDCT never reads and stop once every coefficient it reads is final (the output is identical; at 1/8 no AC
    /// scan of the luma is decoded).
    public var progressiveEarlyStop: Bool = true

    /// Options with the given bounds.
    public init(maxPixels: Int = 64_000_000, maxSide: Int = 20_000, minSide: Int = 1, target: FitTarget? = nil) {
        self.maxPixels = maxPixels; self.maxSide = maxSide; self.minSide = minSide; self.target = target
    }

    /// Throws when a header's size is out of bounds.
    func check(width: Int, height: Int) throws {
        if width <= 0 || height <= 0 { throw ImagingError.corrupt("header declares \(width)x\(height) pixels") }
        if width > maxSide || height > maxSide || width.multipliedReportingOverflow(by: height).partialValue > maxPixels {
            throw ImagingError.tooLarge(width: width, height: height)
        }
        if width < minSide || height < minSide { throw ImagingError.tooSmall(width: width, height: height) }
    }
}

/// Reads a whole file with POSIX calls (cheaper than Foundation's reader for many small files).
public func readImageFile(_ path: String) throws -> Data {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
    defer { close(fd) }
    var st = stat()
    guard fstat(fd, &st) == 0 else { throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
    let size = Int(st.st_size)
    var data = Data(count: size)
    var got = 0
    try data.withUnsafeMutableBytes { buf in
        guard let base = buf.baseAddress else { return }
        while got < size {
            let n = read(fd, base + got, size - got)
            if n < 0 { if errno == EINTR { continue }; throw CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path]) }
            if n == 0 { break }
            got += n
        }
    }
    if got < size { data.count = got }
    return data
}

/// Decodes any supported image (JPEG, PNG) to 8-bit RGB, EXIF orientation applied, alpha on white.
public func decodeImage(_ data: Data, options: DecodeOptions = DecodeOptions()) throws -> RGBImage {
    if data.isEmpty { throw ImagingError.empty }
    switch ImageFormat.sniff(data) {
    case .jpeg: return try JPEGDecoder.decode(data, options: options)
    case .png: return try PNGDecoder.decode(data, options: options)
    case .webp: throw ImagingError.unsupportedFormat(.webp)
    case .gif: throw ImagingError.unsupportedFormat(.gif)
    case nil: throw ImagingError.notAnImage(ImageFormat.hint(data))
    }
}
