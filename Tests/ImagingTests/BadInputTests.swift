import Foundation
import Testing
@testable import Imaging

/// Every kind of bad input becomes a typed error with a stable reason, never a crash.
@Suite struct BadInputTests {
    @Test(arguments: [
        ("empty.jpg", "empty"),
        ("html.jpg", "not_an_image"),
        ("truncated.jpg", "truncated"),
        ("corrupt.jpg", "corrupt"),
        ("huge_header.jpg", "too_large"),
        ("huge_header.png", "too_large"),
        ("cmyk_no_adobe.jpg", "unsupported_colorspace"),
        ("bad_crc.png", "bad_crc"),
        ("truncated.png", "truncated"),
        ("one_pixel.jpg", "too_small"),
        ("one_pixel.png", "too_small"),
    ])
    func thumbnailFailsWithReason(_ name: String, _ reason: String) throws {
        let data = try Fixtures.data(name)
        #expect { try makeThumbnail(data, size: 128, mode: .pad) } throws: { error in
            guard let e = error as? ImagingError else { return false }
            return e.reason == reason && !e.description.isEmpty
        }
    }

    @Test func unsupportedFormatsAreNamed() {
        #expect(throws: ImagingError.unsupportedFormat(.gif)) { try decodeImage(Data("GIF89a\u{1}\u{0}\u{1}\u{0}".utf8)) }
    }

    @Test func everyTruncationOfARealJPEGFailsOrDecodes() throws {
        // Cut a real product photo at many points: each either decodes or throws an ImagingError.
        let data = try Fixtures.data("myntra_10615.jpg")
        var failures = 0
        for cut in stride(from: 0, to: data.count, by: max(1, data.count / 97)) {
            do { _ = try makeThumbnail(data.prefix(cut), size: 32, mode: .pad) } catch is ImagingError { failures += 1 }
        }
        #expect(failures >= 90)
    }

    @Test func corruptedBytesNeverCrash() throws {
        var rng = SplitMix(seed: 7)
        for name in ["myntra_10000.jpg", "rgb_progressive.jpg", "rgba8.png", "palette.png", "rgb8_interlaced.png"] {
            let original = [UInt8](try Fixtures.data(name))
            for _ in 0..<40 {
                var bytes = original
                for _ in 0..<4 { bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next()) }
                _ = try? makeThumbnail(Data(bytes), size: 32, mode: .crop)
            }
        }
    }
}

/// A tiny deterministic generator for byte flipping (tests only).
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
