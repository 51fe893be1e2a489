import Foundation
import Testing
@testable import Imaging

@Suite struct ResampleTests {
    /// A deterministic textured test image (gradients plus a checker), so resampling errors show.
    static func texture(_ w: Int, _ h: Int) -> RGBImage {
        var p = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h { for x in 0..<w {
            let i = (y * w + x) * 3
            p[i] = UInt8((x * 255) / max(1, w - 1))
            p[i + 1] = UInt8((y * 255) / max(1, h - 1))
            p[i + 2] = ((x / 7 + y / 5) % 2 == 0) ? 230 : 20
        } }
        return RGBImage(unchecked: w, h, p)
    }

    @Test(arguments: [(224, 224, 128, 128), (300, 200, 128, 85), (97, 61, 40, 33), (1000, 700, 128, 90)])
    func areaAverageMatchesFloat64Reference(_ sw: Int, _ sh: Int, _ dw: Int, _ dh: Int) {
        let src = Self.texture(sw, sh)
        let ours = Resampler.resize(src, width: dw, height: dh)
        let ref = Fixtures.areaReference(src, region: (0, 0, Double(sw), Double(sh)), width: dw, height: dh)
        // Float32 weights vs float64: off by at most one level from rounding.
        #expect(Fixtures.maxDiff(ours, ref) <= 1, "\(sw)x\(sh)→\(dw)x\(dh)")
        #expect(Fixtures.psnr(ours, ref) > 50)
    }

    @Test func cropRegionMatchesReference() {
        let src = Self.texture(300, 200)
        let thumb = Resampler.fit(src, to: FitTarget(size: 64, mode: .crop))
        let ref = Fixtures.areaReference(src, region: (50, 0, 200, 200), width: 64, height: 64)
        #expect(Fixtures.maxDiff(thumb, ref) <= 1)
    }

    @Test func padKeepsAspectOnWhite() {
        let src = RGBImage(width: 200, height: 100, fill: (10, 20, 30))
        let t = Resampler.fit(src, to: FitTarget(size: 128, mode: .pad))
        #expect(t.width == 128 && t.height == 128)
        #expect(t.pixel(x: 64, y: 10)! == (255, 255, 255))   // band above
        #expect(t.pixel(x: 64, y: 120)! == (255, 255, 255))  // band below
        #expect(t.pixel(x: 0, y: 32)! == (10, 20, 30))       // content rows 32..<96
        #expect(t.pixel(x: 127, y: 95)! == (10, 20, 30))
        #expect(t.pixel(x: 64, y: 31)! == (255, 255, 255) && t.pixel(x: 64, y: 96)! == (255, 255, 255))
    }

    @Test func padOfATallImageLeavesTheSideBandsWhiteInEveryRow() {
        // The resampler stores four bytes per pixel except at a row's last one: the band right of it stays white.
        let t = Resampler.fit(Self.texture(100, 200), to: FitTarget(size: 128, mode: .pad))
        for y in 0..<128 {
            #expect(t.pixel(x: 31, y: y)! == (255, 255, 255) && t.pixel(x: 96, y: y)! == (255, 255, 255), "row \(y)")
            #expect(t.pixel(x: 32, y: y)! != (255, 255, 255) && t.pixel(x: 95, y: y)! != (255, 255, 255), "row \(y)")
        }
    }

    @Test func stretchFillsTheSquare() {
        let t = Resampler.fit(RGBImage(width: 300, height: 50, fill: (1, 2, 3)), to: FitTarget(size: 32, mode: .stretch))
        #expect(t.pixels.count == 32 * 32 * 3 && t.pixel(x: 0, y: 0)! == (1, 2, 3) && t.pixel(x: 31, y: 31)! == (1, 2, 3))
    }

    @Test func upscalingIsBilinearAndBounded() {
        let src = Self.texture(10, 8)
        let up = Resampler.resize(src, width: 40, height: 32)
        #expect(up.width == 40)
        // Bilinear of a horizontal linear gradient stays linear in the interior.
        let a = Int(up.pixel(x: 10, y: 16)!.r), b = Int(up.pixel(x: 12, y: 16)!.r), c = Int(up.pixel(x: 14, y: 16)!.r)
        #expect(abs((c - b) - (b - a)) <= 1)
    }

    /// The whole fast path (DCT-scaled decode + area resize) against full decode + float64 reference,
    /// on real product photos, so speed tricks cannot quietly cost quality.
    @Test(arguments: ["myntra_10000.jpg", "myntra_10615.jpg"], [FitMode.pad, .crop, .stretch])
    func thumbnailOfRealPhotoMatchesReference(_ name: String, _ mode: FitMode) throws {
        let data = try Fixtures.data(name)
        let thumb = try makeThumbnail(data, size: 128, mode: mode)
        #expect(thumb.width == 128 && thumb.height == 128)
        let full = try decodeImage(data)
        let target = FitTarget(size: 128, mode: mode)
        let l = target.layout(width: full.width, height: full.height)
        var ref = RGBImage(width: 128, height: 128)
        let inner = Fixtures.areaReference(full, region: (l.source.x, l.source.y, l.source.width, l.source.height),
                                           width: l.dest.width, height: l.dest.height)
        for y in 0..<inner.height { for x in 0..<inner.width { for c in 0..<3 {
            ref.pixels[((y + l.dest.y) * 128 + x + l.dest.x) * 3 + c] = inner.pixels[(y * inner.width + x) * 3 + c]
        } } }
        let psnr = Fixtures.psnr(thumb, ref)
        #expect(psnr > 32, "\(name) \(mode): PSNR \(psnr) dB")
    }

    @Test func thumbnailSizes() throws {
        let data = try Fixtures.data("rgb_baseline.jpg")
        for size in [1, 7, 48, 128, 300] {
            let t = try makeThumbnail(data, size: size, mode: .pad)
            #expect(t.width == size && t.height == size && t.pixels.count == size * size * 3)
        }
        #expect(throws: ImagingError.self) { try makeThumbnail(data, size: 0, mode: .pad) }
    }
}

@Suite struct ScaledDecodeQualityTests {
    /// Every DCT scale (sizes chosen to hit n = 1...8 for a 224 px photo; the default SIMD scales and, with
    /// `simdScalesOnly: false`, all eight) stays close to full decode + area average.
    @Test(arguments: [16, 28, 40, 64, 80, 100, 128, 150, 200])
    func everyScaleMatchesReference(_ size: Int) throws {
        for name in ["myntra_10000.jpg", "myntra_10615.jpg"] {
            let data = try Fixtures.data(name)
            let full = try decodeImage(data)
            let ref = Fixtures.areaReference(full, region: (0, 0, Double(full.width), Double(full.height)), width: size, height: size)
            for simdOnly in [true, false] {
                let thumb = try Thumbnailer(size: size, mode: .stretch, simdScalesOnly: simdOnly).thumbnail(data)
                let psnr = Fixtures.psnr(thumb, ref)
                #expect(psnr > 30, "\(name) at \(size), SIMD scales only \(simdOnly): PSNR \(psnr) dB")
            }
        }
    }
}
