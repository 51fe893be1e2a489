import Foundation
import Testing
@testable import Imaging

/// The quadrant fixture: red top-left, green top-right, blue bottom-left, yellow bottom-right (48x32).
private let quadrantColours: [(Double, Double, Double)] = [(220, 30, 30), (30, 200, 40), (30, 40, 210), (230, 220, 40)]

private func expectQuadrants(_ img: RGBImage, tolerance: Double, _ comment: String) {
    let w = img.width, h = img.height
    let boxes = [(2..<(w / 2 - 2), 2..<(h / 2 - 2)), ((w / 2 + 2)..<(w - 2), 2..<(h / 2 - 2)),
                 (2..<(w / 2 - 2), (h / 2 + 2)..<(h - 2)), ((w / 2 + 2)..<(w - 2), (h / 2 + 2)..<(h - 2))]
    for (k, box) in boxes.enumerated() {
        let m = Fixtures.mean(img, x: box.0, y: box.1), e = quadrantColours[k]
        #expect(abs(m.0 - e.0) <= tolerance && abs(m.1 - e.1) <= tolerance && abs(m.2 - e.2) <= tolerance,
                "\(comment) quadrant \(k): got \(m), expected \(e) ± \(tolerance)")
    }
}

@Suite struct DecodeTests {
    @Test(arguments: ["rgb_baseline.jpg", "rgb_progressive.jpg"])
    func colourJPEG(_ name: String) throws {
        let img = try decodeImage(try Fixtures.data(name))
        #expect(img.width == 48 && img.height == 32)
        expectQuadrants(img, tolerance: 6, name)
    }

    @Test func grayJPEGBecomesRGB() throws {
        let img = try decodeImage(try Fixtures.data("gray.jpg"))
        #expect(img.width == 48 && img.height == 32)
        for i in stride(from: 0, to: img.pixels.count, by: 3) {
            #expect(img.pixels[i] == img.pixels[i + 1] && img.pixels[i] == img.pixels[i + 2])
        }
        // Luma of red (220,30,30) ≈ 0.299*220 + 0.587*30 + 0.114*30 ≈ 87.
        #expect(abs(Fixtures.mean(img, x: 2..<20, y: 2..<14).0 - 87) <= 4)
    }

    @Test func adobeCMYKIsInvertedBack() throws {
        let img = try decodeImage(try Fixtures.data("cmyk_adobe.jpg"))
        expectQuadrants(img, tolerance: 8, "cmyk")
    }

    @Test func cmykWithoutAdobeMarkerIsRejected() throws {
        #expect { try decodeImage(try Fixtures.data("cmyk_no_adobe.jpg")) } throws: {
            ($0 as? ImagingError)?.reason == "unsupported_colorspace"
        }
    }

    /// Pillow's ImageOps.exif_transpose made the expected images: an independent reference.
    @Test(arguments: 1...8)
    func exifOrientationMatchesPillow(_ o: Int) throws {
        let got = try decodeImage(try Fixtures.data("orient_\(o).jpg"))
        let want = try decodeImage(try Fixtures.data("orient_expected_\(o).png"))
        #expect(got.width == want.width && got.height == want.height, "orientation \(o)")
        #expect(o < 5 ? got.width == 48 : got.width == 32)
        if got.width == want.width && got.height == want.height {
            #expect(Fixtures.psnr(got, want) > 40, "orientation \(o): PSNR \(Fixtures.psnr(got, want))")
        }
    }

    @Test(arguments: ["rgb8.png", "rgb16.png", "rgb8_interlaced.png"])
    func colourPNG(_ name: String) throws {
        let img = try decodeImage(try Fixtures.data(name))
        #expect(img.width == 48 && img.height == 32)
        expectQuadrants(img, tolerance: 0.5, name)
    }

    @Test func interlacedEqualsProgressiveOrder() throws {
        let a = try decodeImage(try Fixtures.data("rgb8.png")), b = try decodeImage(try Fixtures.data("rgb8_interlaced.png"))
        #expect(a == b)
    }

    @Test func grayPNGs() throws {
        let g8 = try decodeImage(try Fixtures.data("gray8.png"))
        #expect(g8.pixel(x: 0, y: 0)! == (220, 220, 220))
        let g16 = try decodeImage(try Fixtures.data("gray16.png"))
        #expect(g16.pixel(x: 47, y: 0)! == (200, 200, 200))
    }

    @Test func alphaIsCompositedOnWhite() throws {
        // Alpha ramps 0 → 255 from left to right: column 0 is white, the last column the pure colour.
        let rgba = try decodeImage(try Fixtures.data("rgba8.png"))
        #expect(rgba.pixel(x: 0, y: 0)! == (255, 255, 255))
        #expect(rgba.pixel(x: 47, y: 31)! == (230, 220, 40))
        // Column 24 has alpha round(24*255/47) = 130: 30*130/255 + 125 ≈ 140 for green's red channel.
        let mid = rgba.pixel(x: 24, y: 0)!
        #expect(abs(Int(mid.r) - 140) <= 1)
        let ga = try decodeImage(try Fixtures.data("gray_alpha8.png"))
        #expect(ga.pixel(x: 0, y: 20)! == (255, 255, 255))
        #expect(ga.pixel(x: 47, y: 31)! == (40, 40, 40))
    }

    @Test func paletteWithTransparency() throws {
        let img = try decodeImage(try Fixtures.data("palette.png"))
        #expect(img.pixel(x: 0, y: 0)! == (220, 30, 30))      // opaque entry
        #expect(img.pixel(x: 47, y: 31)! == (255, 255, 255))  // alpha 0 entry → white
        let blue = img.pixel(x: 0, y: 31)!                      // alpha 128 over white
        #expect(abs(Int(blue.b) - 232) <= 1 && abs(Int(blue.r) - 142) <= 1)
    }

    @Test func dctScalingDecodesSmallerButCoversTarget() throws {
        let data = try Fixtures.data("myntra_10000.jpg")
        let full = try JPEGDecoder.decode(data)
        #expect(full.width == 224 && full.height == 224 || full.width > 0)
        var opts = DecodeOptions(target: FitTarget(size: 64, mode: .pad))
        let small = try JPEGDecoder.decode(data, options: opts)
        #expect(small.width >= 64 && small.height >= 64 && small.width < full.width, "\(small.width)x\(small.height)")
        opts.target = FitTarget(size: 28, mode: .crop)
        let tiny = try JPEGDecoder.decode(data, options: opts)
        #expect(tiny.width == 28 && tiny.height == 28)  // 224 * 1/8 = 28
        #expect(JPEGDecoder.scaleNumerator(width: 500, height: 500, needWidth: 128, needHeight: 128) == 3)
        #expect(JPEGDecoder.scaleNumerator(width: 500, height: 500, needWidth: 128, needHeight: 128, simdOnly: true) == 4)
        #expect(JPEGDecoder.scaleNumerator(width: 224, height: 224, needWidth: 128, needHeight: 128, simdOnly: true) == 8)
        #expect(JPEGDecoder.scaleNumerator(width: 1500, height: 1000, needWidth: 128, needHeight: 86) == 1)
    }

    @Test func sniffer() {
        #expect(ImageFormat.sniff(Data([0xFF, 0xD8, 0xFF, 0xE0])) == .jpeg)
        #expect(ImageFormat.sniff(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) == .png)
        #expect(ImageFormat.sniff(Data("GIF89a".utf8)) == .gif)
        #expect(ImageFormat.sniff(Data("RIFF\u{0}\u{0}\u{0}\u{0}WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat.sniff(Data("<html>".utf8)) == nil)
        #expect(ImageFormat.sniff(Data([0xFF, 0xD8])) == nil)
    }
}
