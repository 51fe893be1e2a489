import Foundation
import Testing
@testable import Imaging

/// The resampler's eight-rows-at-a-time passes against the plain per-output tap sum they replace.
@Suite struct ResampleBlockTests {
    /// Every output of `region` of `src` at `dw`×`dh`: the vertical tap sum per source column, then the horizontal
    /// one, each in tap order, rounded half to even: the arithmetic `Resampler.resample` promises, one value at a time.
    static func tapByTap(_ src: RGBImage, region: (x: Double, y: Double, width: Double, height: Double), dw: Int, dh: Int) -> [UInt8] {
        let hx = Resampler.Taps(sourceCount: src.width, regionStart: region.x, regionLength: region.width, outputCount: dw)
        let vy = Resampler.Taps(sourceCount: src.height, regionStart: region.y, regionLength: region.height, outputCount: dh)
        var out = [UInt8](repeating: 0, count: dw * dh * 3)
        for j in 0..<dh { for i in 0..<dw { for c in 0..<3 {
            var acc: Float = 0
            for t in 0..<hx.count[i] {
                let x = hx.start[i] + t
                func pixel(_ k: Int) -> Float { Float(src.pixels[((vy.start[j] + k) * src.width + x) * 3 + c]) }
                var v = vy.weights[j * vy.maxTaps] * pixel(0)
                for k in 1..<max(1, vy.count[j]) { v += vy.weights[j * vy.maxTaps + k] * pixel(k) }
                acc += hx.weights[i * hx.maxTaps + t] * v
            }
            out[(j * dw + i) * 3 + c] = UInt8(min(max(acc, 0), 255).rounded(.toNearestOrEven))
        } } }
        return out
    }

    /// Seeded noise: every byte value, no smooth structure to hide a misplaced weight.
    static func noise(_ w: Int, _ h: Int, seed: UInt64) -> RGBImage {
        var state = seed
        let p = (0..<(w * h * 3)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        return RGBImage(unchecked: w, h, p)
    }

    @Test(arguments: [
        (224, 224, 0.0, 0.0, 224.0, 224.0, 128, 128),   // the catalog's photos decoded at full size
        (140, 140, 0.0, 0.0, 140.0, 140.0, 128, 128),   // … and at 5/8 scale, what images.prepare does
        (1500, 1000, 0.0, 0.0, 1500.0, 1000.0, 128, 85), // wide windows (13 taps)
        (300, 50, 0.0, 0.0, 300.0, 50.0, 32, 32),       // stretch
        (97, 61, 3.3, 1.7, 80.2, 50.9, 41, 29),         // a fractional crop region, sizes not a multiple of 8
        (37, 23, 0.0, 0.0, 37.0, 23.0, 128, 80),         // upscaling (bilinear)
        (7, 5, 0.0, 0.0, 7.0, 5.0, 3, 2),
        (1, 1, 0.0, 0.0, 1.0, 1.0, 9, 9),
    ])
    func blocksGiveTheTapByTapBytes(_ sw: Int, _ sh: Int, _ rx: Double, _ ry: Double, _ rw: Double, _ rh: Double, _ dw: Int, _ dh: Int) {
        let src = Self.noise(sw, sh, seed: UInt64(sw * 7919 + sh))
        var canvas = RGBImage(width: dw, height: dh)
        Resampler.resample(src, region: (rx, ry, rw, rh), into: &canvas, origin: (0, 0), size: (dw, dh))
        let expected = Self.tapByTap(src, region: (rx, ry, rw, rh), dw: dw, dh: dh)
        let differing = zip(canvas.pixels, expected).filter { $0 != $1 }.count
        #expect(differing == 0, "\(sw)x\(sh) → \(dw)x\(dh): \(differing) bytes differ")
    }

    @Test func whiteAndBlackStayWhiteAndBlackAtEveryScale() {
        for (sw, dw) in [(224, 128), (1500, 128), (140, 128), (37, 128), (129, 128)] {
            for value: UInt8 in [255, 0] {
                let src = RGBImage(width: sw, height: sw, fill: (value, value, value))
                let out = Resampler.resize(src, width: dw, height: dw)
                #expect(out.pixels.allSatisfy { $0 == value }, "\(sw) → \(dw), \(value)")
            }
        }
    }

    /// Eight rows at a time and eight samples at a time: a region whose height (7) and row length (39 bytes) are
    /// not multiples of eight writes none of the rows below it or the bytes beside it.
    @Test(arguments: [(13, 8), (13, 7), (5, 1)])
    func aRegionPlacedInsideACanvasLeavesTheRestAlone(_ dw: Int, _ dh: Int) {
        var canvas = RGBImage(width: 20, height: 12, fill: (1, 2, 3))
        Resampler.resample(Self.noise(50, 30, seed: 5), region: (0, 0, 50, 30), into: &canvas, origin: (3, 2), size: (dw, dh))
        for y in 0..<12 { for x in 0..<20 where !(3..<(3 + dw)).contains(x) || !(2..<(2 + dh)).contains(y) {
            let i = (y * 20 + x) * 3
            #expect(Array(canvas.pixels[i..<(i + 3)]) == [1, 2, 3], "\(dw)x\(dh): (\(x), \(y))")
        } }
    }

    /// Fitting straight into a caller's buffer (a thumbnail pack's row) gives the bytes `fit` gives, whatever the
    /// buffer held before (pad paints what the image leaves white), and refuses a buffer of the wrong size.
    @Test(arguments: [FitMode.pad, .crop, .stretch])
    func fittingIntoABufferGivesTheFittedImage(_ mode: FitMode) throws {
        for (w, h) in [(300, 200), (61, 97), (128, 128), (33, 33)] {
            let src = Self.noise(w, h, seed: UInt64(w * 31 + h)), target = FitTarget(size: 40, mode: mode)
            var row = [UInt8](repeating: 7, count: 40 * 40 * 3)
            try row.withUnsafeMutableBytes { try Resampler.fit(src, to: target, into: $0) }
            let differing = zip(row, Resampler.fit(src, to: target).pixels).filter { $0 != $1 }.count
            #expect(differing == 0, "\(w)x\(h) \(mode): \(differing) bytes differ")
        }
        var short = [UInt8](repeating: 0, count: 40 * 40 * 3 - 1)
        #expect(throws: ImagingError.self) {
            try short.withUnsafeMutableBytes { try Resampler.fit(Self.noise(8, 8, seed: 1), to: FitTarget(size: 40, mode: .pad), into: $0) }
        }
    }
}
