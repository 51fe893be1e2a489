import Foundation
@testable import Imaging

/// Fixture access and image comparisons for the Imaging tests.
enum Fixtures {
    /// Tests/Fixtures/images/imaging (made by make_fixtures.py there).
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images/imaging")

    static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appendingPathComponent(name)) }

    /// Peak signal-to-noise ratio in dB between two same-sized images (infinity when equal).
    static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "test images differ in size")
        var sum = 0.0
        for i in 0..<a.pixels.count { let d = Double(a.pixels[i]) - Double(b.pixels[i]); sum += d * d }
        let mse = sum / Double(a.pixels.count)
        return mse == 0 ? .infinity : 10 * log10(255 * 255 / mse)
    }

    /// Largest absolute per-channel difference.
    static func maxDiff(_ a: RGBImage, _ b: RGBImage) -> Int {
        var m = 0
        for i in 0..<min(a.pixels.count, b.pixels.count) { m = max(m, abs(Int(a.pixels[i]) - Int(b.pixels[i]))) }
        return m
    }

    /// Mean colour of a rectangle.
    static func mean(_ img: RGBImage, x: Range<Int>, y: Range<Int>) -> (Double, Double, Double) {
        var r = 0.0, g = 0.0, b = 0.0, n = 0.0
        for yy in y { for xx in x { let i = (yy * img.width + xx) * 3
            r += Double(img.pixels[i]); g += Double(img.pixels[i + 1]); b += Double(img.pixels[i + 2]); n += 1 } }
        return (r / n, g / n, b / n)
    }

    /// Float64 area-average reference resize of a region (the textbook definition, no shortcuts).
    static func areaReference(_ src: RGBImage, region: (x: Double, y: Double, w: Double, h: Double), width: Int, height: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: width * height * 3)
        let sx = region.w / Double(width), sy = region.h / Double(height)
        for oy in 0..<height {
            let y0 = region.y + Double(oy) * sy, y1 = y0 + sy
            for ox in 0..<width {
                let x0 = region.x + Double(ox) * sx, x1 = x0 + sx
                var acc = [0.0, 0.0, 0.0], area = 0.0
                for yy in Int(y0.rounded(.down))..<Int(y1.rounded(.up)) {
                    let wy = min(y1, Double(yy + 1)) - max(y0, Double(yy))
                    if wy <= 0 { continue }
                    for xx in Int(x0.rounded(.down))..<Int(x1.rounded(.up)) {
                        let wx = min(x1, Double(xx + 1)) - max(x0, Double(xx))
                        if wx <= 0 { continue }
                        let i = (min(yy, src.height - 1) * src.width + min(xx, src.width - 1)) * 3
                        for c in 0..<3 { acc[c] += wx * wy * Double(src.pixels[i + c]) }
                        area += wx * wy
                    }
                }
                for c in 0..<3 { out[(oy * width + ox) * 3 + c] = UInt8(max(0, min(255, (acc[c] / area).rounded()))) }
            }
        }
        return RGBImage(unchecked: width, height, out)
    }
}
