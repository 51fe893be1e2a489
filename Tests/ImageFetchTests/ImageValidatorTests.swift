import Foundation
import Testing
@testable import ImageFetch
import TestSupport

@Suite struct ImageValidatorTests {
    func check(_ d: Data, maxPixels: Int = 40_000_000) -> Result<ImageInfo, FetchFailure> {
        d.withUnsafeBytes { ImageValidator.validate($0, maxPixels: maxPixels) }
    }

    @Test func realJPEGHeaderGivesDimensions() throws {
        let info = try check(LoopbackHTTPFixtures.jpeg()).get()
        #expect(info == ImageInfo(format: .jpeg, width: 224, height: 224))
    }

    @Test func realPNGHeaderGivesDimensions() throws {
        let info = try check(LoopbackHTTPFixtures.png()).get()
        #expect(info == ImageInfo(format: .png, width: 16, height: 12))
    }
}

@Suite struct SniffingTests {
    func check(_ bytes: [UInt8], maxPixels: Int = 1_000_000) -> Result<ImageInfo, FetchFailure> {
        bytes.withUnsafeBytes { ImageValidator.validate($0, maxPixels: maxPixels) }
    }

    @Test func gifHeader() throws {
        let gif: [UInt8] = Array("GIF89a".utf8) + [0x40, 0x01, 0xF0, 0x00] + [0, 0, 0] + [0x3B]
        #expect(try check(gif).get() == ImageInfo(format: .gif, width: 320, height: 240))
    }

    @Test func webpHeaders() throws {
        func riff(_ tag: String, _ payload: [UInt8]) -> [UInt8] {
            let size = 4 + 8 + payload.count
            return Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), 0, 0] + Array("WEBP".utf8)
                + Array(tag.utf8) + [UInt8(payload.count), 0, 0, 0] + payload
        }
        // VP8X canvas 640×480 (stored minus one, 24-bit little-endian).
        let vp8x = riff("VP8X", [0, 0, 0, 0, 0x7F, 0x02, 0x00, 0xDF, 0x01, 0x00])
        #expect(try check(vp8x).get() == ImageInfo(format: .webp, width: 640, height: 480))
        // Lossy: frame tag, start code 9D 01 2A, width 100, height 50.
        let vp8 = riff("VP8 ", [0, 0, 0, 0x9D, 0x01, 0x2A, 100, 0, 50, 0])
        #expect(try check(vp8).get() == ImageInfo(format: .webp, width: 100, height: 50))
        // Lossless: signature 2F, then 14 bits width-1 (=9) and 14 bits height-1 (=19).
        let bits: UInt32 = 9 | 19 << 14
        let vp8l = riff("VP8L", [0x2F, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)] + [UInt8](repeating: 0, count: 15))
        #expect(try check(vp8l).get() == ImageInfo(format: .webp, width: 10, height: 20))
        #expect(check(Array(vp8l.dropLast(4))).failureReason == .truncated)
    }

    @Test func rejections() throws {
        #expect(check([]).failureReason == .emptyBody)
        #expect(check(Array("  <!DOCTYPE html><p>no".utf8)).failureReason == .htmlPage)
        #expect(check(Array("just text".utf8)).failureReason == .notAnImage)
        #expect(check([0xFF, 0xD8, 0xFF, 0xDA, 0, 2]).failureReason == .badHeader)
        let jpeg = try [UInt8](LoopbackHTTPFixtures.jpeg())
        #expect(check(Array(jpeg.prefix(1500)), maxPixels: 100_000).failureReason == .truncated)
        #expect(check(jpeg, maxPixels: 224 * 224 - 1).failureReason == .tooManyPixels)
        let huge = try [UInt8](LoopbackHTTPFixtures.pngClaiming(width: 50_000, height: 50_000))
        #expect(check(huge, maxPixels: 40_000_000).failureReason == .tooManyPixels)
    }
}

@Suite struct AddressPolicyTests {
    @Test func ipv4Ranges() {
        #expect(AddressPolicy.classify(ipv4: 127, 0, 0, 1) == .loopback)
        #expect(AddressPolicy.classify(ipv4: 10, 1, 2, 3) == .privateNetwork)
        #expect(AddressPolicy.classify(ipv4: 172, 20, 0, 1) == .privateNetwork)
        #expect(AddressPolicy.classify(ipv4: 172, 32, 0, 1) == .publicAddress)
        #expect(AddressPolicy.classify(ipv4: 192, 168, 1, 1) == .privateNetwork)
        #expect(AddressPolicy.classify(ipv4: 169, 254, 169, 254) == .linkLocal)
        #expect(AddressPolicy.classify(ipv4: 100, 100, 0, 1) == .privateNetwork)
        #expect(AddressPolicy.classify(ipv4: 0, 0, 0, 0) == .unspecified)
        #expect(AddressPolicy.classify(ipv4: 93, 184, 216, 34) == .publicAddress)
    }

    @Test func ipv6Ranges() {
        var v6 = [UInt8](repeating: 0, count: 16)
        v6[15] = 1
        #expect(AddressPolicy.classify(ipv6: v6) == .loopback)
        let mapped: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 169, 254, 169, 254]
        #expect(AddressPolicy.classify(ipv6: mapped) == .linkLocal)
        #expect(AddressPolicy.classify(ipv6: [0xFE, 0x80] + [UInt8](repeating: 0, count: 14)) == .linkLocal)
        #expect(AddressPolicy.classify(ipv6: [0xFD, 0x00] + [UInt8](repeating: 1, count: 14)) == .privateNetwork)
        #expect(AddressPolicy.classify(ipv6: [0x26, 0x06, 0x28, 0x00] + [UInt8](repeating: 1, count: 12)) == .publicAddress)
    }

    @Test func policyDefaults() {
        let strict = AddressPolicy()
        #expect(!strict.allows(.loopback) && !strict.allows(.linkLocal) && strict.allows(.publicAddress))
        let loop = AddressPolicy(allowLoopback: true)
        #expect(loop.allows(.loopback) && !loop.allows(.privateNetwork) && !loop.allows(.linkLocal))
    }

    @Test func retryAfterParsing() {
        #expect(ImageFetcher.retryAfterSeconds("3") == 3)
        let future = LoopbackHTTPServer.httpDate(Date().addingTimeInterval(10))
        let s = ImageFetcher.retryAfterSeconds(future) ?? -1
        #expect(s > 8 && s <= 10.5)
        #expect(ImageFetcher.retryAfterSeconds("soon") == nil)
    }
}

extension Result where Failure == FetchFailure {
    var failureReason: FailureReason? { if case .failure(let f) = self { return f.reason }; return nil }
}
