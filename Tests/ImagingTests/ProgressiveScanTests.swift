import CImageShim
import Foundation
import Testing
@testable import Imaging

/// Progressive JPEGs decoded at reduced scale read only the scans the scaled output needs; not a pixel may change.
@Suite struct ProgressiveScanTests {
    /// A 640x512 progressive JPEG of a real product photo: colour (4:2:0) or grayscale.
    static func progressive(gray: Bool) throws -> Data {
        let big = Resampler.resize(try decodeImage(try Fixtures.data("myntra_10615.jpg")), width: 640, height: 512)
        if !gray { return try ImageEncoder.jpeg(big, quality: 92, progressive: true) }
        let luma = stride(from: 0, to: big.pixels.count, by: 3).map { big.pixels[$0] }
        return try ImageEncoder.jpeg(pixels: luma, width: 640, height: 512, components: 1, quality: 92, progressive: true)
    }

    /// Decodes `data` for a `size` px thumbnail with and without skipping: (fast, slow, scans skipped).
    static func both(_ data: Data, size: Int) throws -> (RGBImage, RGBImage, Int) {
        var fast = DecodeOptions(target: FitTarget(size: size, mode: .pad))
        var slow = fast
        fast.progressiveEarlyStop = true
        slow.progressiveEarlyStop = false
        let (a, skipped) = try JPEGDecoder.decodeCountingSkips(data, options: fast)
        return (a, try JPEGDecoder.decode(data, options: slow), skipped)
    }

    /// Positions of the SOS markers (FF DA) in a JPEG stream; entropy data never holds that pair.
    static func scanStarts(_ data: Data) -> [Int] {
        let b = [UInt8](data)
        return (0..<(b.count - 1)).filter { b[$0] == 0xFF && b[$0 + 1] == 0xDA }
    }

    /// Skipping scans and stopping early are exact at every reduced scale (1/8, 1/4, 1/2 and in between).
    @Test(arguments: [(16, false), (40, false), (80, false), (150, false), (40, true), (80, true)])
    func skippingIsExact(_ size: Int, _ gray: Bool) throws {
        let (a, b, skipped) = try Self.both(try Self.progressive(gray: gray), size: size)
        let same = a == b
        #expect(a.width == b.width && a.height == b.height && a.width < 640)
        #expect(same, "size \(size) gray \(gray): max diff \(Fixtures.maxDiff(a, b))")
        if size <= 40 { #expect(skipped > 0, "at 1/8 the luma's AC scans are never read") }
    }

    /// A scan of `components` (0 = Y, 1 = Cb, 2 = Cr) over zigzag band `band`, successive approximation ah/al.
    static func scan(_ components: [Int], _ band: ClosedRange<Int>, ah: Int = 0, al: Int = 0) -> vitrine_jpeg_scan {
        let c = (components + [0, 0, 0, 0]).map { Int32($0) }
        return vitrine_jpeg_scan(count: Int32(components.count), component: (c[0], c[1], c[2], c[3]),
                                 ss: Int32(band.lowerBound), se: Int32(band.upperBound), ah: Int32(ah), al: Int32(al))
    }

    /// Legal progressions that libjpeg's default never makes: luma bands split where libjpeg-turbo's 2x2 IDCT
    /// reads some coefficients and not others, and a late refinement of coefficients only that IDCT reads.
    static let oddScripts: [[vitrine_jpeg_scan]] = [
        [scan([0, 1, 2], 0...0), scan([0], 1...2), scan([0], 3...3), scan([0], 4...4), scan([0], 5...63),
         scan([1], 1...63), scan([2], 1...63)],
        [scan([0, 1, 2], 0...0), scan([0], 1...63, al: 1), scan([1], 1...63), scan([2], 1...63),
         scan([0], 1...9, ah: 1), scan([0], 10...63, ah: 1)],
    ]

    /// Any legal script decodes exactly at 1/8, 1/4 and 1/2: what is skipped or left unrefined is never read.
    @Test(arguments: [0, 1], [40, 150, 300])
    func oddProgressionsAreExact(_ script: Int, _ size: Int) throws {
        let big = Resampler.resize(try decodeImage(try Fixtures.data("myntra_10615.jpg")), width: 640, height: 512)
        let data = try ImageEncoder.jpeg(pixels: big.pixels, width: 640, height: 512, components: 3, quality: 92,
                                         scans: Self.oddScripts[script])
        #expect(Self.scanStarts(data).count == Self.oddScripts[script].count)
        let (a, b, skipped) = try Self.both(data, size: size)
        let same = a == b
        #expect(a.width < 640 && a.width == b.width)
        #expect(same, "script \(script) size \(size): max diff \(Fixtures.maxDiff(a, b))")
        if size == 40 { #expect(skipped >= 2) }
    }

    /// At 1/8 of a colour photo every luma AC scan is skipped; at full size nothing is.
    @Test func skipsTheLumaACScansAtOneEighth() throws {
        let data = try Self.progressive(gray: false)
        let scans = Self.scanStarts(data).count
        #expect(scans >= 8, "libjpeg's default progression has 10 scans")
        #expect(try Self.both(data, size: 40).2 >= 3)
        #expect(try JPEGDecoder.decodeCountingSkips(data, options: DecodeOptions()).scansSkipped == 0)
    }

    /// Markers between scans (comments, fill bytes) are kept and do not stop the skipping.
    @Test func markersBetweenScansSurvive() throws {
        var bytes = [UInt8](try Self.progressive(gray: false))
        for at in Self.scanStarts(Data(bytes)).dropFirst().reversed() {
            bytes.insert(contentsOf: [0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x07] + Array("note".utf8) + [0xFF], at: at)
        }
        let (a, b, skipped) = try Self.both(Data(bytes), size: 40)
        let same = a == b
        #expect(skipped >= 3)
        #expect(same, "max diff \(Fixtures.maxDiff(a, b))")
    }

    /// Stray bytes between markers (which libjpeg skips with a warning) leave the stream to libjpeg unfiltered.
    @Test func strayBytesBetweenMarkersTurnSkippingOff() throws {
        var bytes = [UInt8](try Self.progressive(gray: false))
        bytes.insert(contentsOf: [0x12, 0x34, 0x56], at: Self.scanStarts(Data(bytes))[3])
        let (a, b, skipped) = try Self.both(Data(bytes), size: 40)
        let same = a == b
        #expect(skipped == 0)
        #expect(same, "max diff \(Fixtures.maxDiff(a, b))")
    }

    /// A file cut inside a skipped scan, before the DC refinement, is still reported truncated.
    @Test func truncationInsideASkippedScanIsStillReported() throws {
        let data = try Self.progressive(gray: false)
        let starts = Self.scanStarts(data)
        let cut = data.prefix(starts[1] + (starts[2] - starts[1]) / 2)
        var fast = DecodeOptions(target: FitTarget(size: 40, mode: .pad))
        fast.progressiveEarlyStop = true
        #expect(throws: ImagingError.self) { try JPEGDecoder.decode(cut, options: fast) }
        do { _ = try JPEGDecoder.decode(cut, options: fast) } catch let e as ImagingError {
            guard case .truncated = e else { Issue.record("expected truncated, got \(e)"); return }
        }
    }
}
