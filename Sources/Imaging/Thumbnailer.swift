import Foundation

/// Square thumbnails from encoded image bytes: decode (JPEG with DCT-domain downscaling),
/// orient, then resample with area averaging into the target square.
public struct Thumbnailer: Sendable, Hashable {
    /// Output square and fit mode.
    public var target: FitTarget
    /// Decode bounds (pixel limits, smallest accepted side).
    public var options: DecodeOptions

    /// A thumbnailer for `size`×`size` by `mode`; images with a side under `minSide` fail as too small.
    public init(size: Int = 128, mode: FitMode = .pad, minSide: Int = 2,
                maxPixels: Int = 64_000_000, maxSide: Int = 20_000, simdScalesOnly: Bool = true) {
        target = FitTarget(size: size, mode: mode)
        options = DecodeOptions(maxPixels: maxPixels, maxSide: maxSide, minSide: minSide, target: target)
        options.simdScalesOnly = simdScalesOnly
    }

    /// The thumbnail of encoded image bytes.
    public func thumbnail(_ data: Data) throws -> RGBImage { Resampler.fit(try decoded(data), to: target) }

    /// The thumbnail of encoded image bytes, written into `square` (exactly `target.size`² RGB pixels).
    public func thumbnail(_ data: Data, into square: UnsafeMutableRawBufferPointer) throws {
        try Resampler.fit(try decoded(data), to: target, into: square)
    }

    /// `data` decoded for this thumbnailer's target (checked first).
    private func decoded(_ data: Data) throws -> RGBImage {
        guard target.size > 0, target.size <= 8192 else { throw ImagingError.invalidArgument("thumbnail size \(target.size)") }
        return try decodeImage(data, options: options)
    }
}

/// A `size`×`size` RGB thumbnail of encoded JPEG or PNG bytes, fitted by `mode`.
public func makeThumbnail(_ data: Data, size: Int, mode: FitMode) throws -> RGBImage {
    try Thumbnailer(size: size, mode: mode).thumbnail(data)
}
