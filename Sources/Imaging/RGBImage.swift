/// An 8-bit RGB image, row-major, three bytes per pixel (`width * height * 3` bytes).
public struct RGBImage: Sendable, Hashable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Interleaved RGB bytes, row after row.
    public var pixels: [UInt8]

    /// An image from its pixels; `pixels.count` must be `width * height * 3`.
    public init(width: Int, height: Int, pixels: [UInt8]) throws {
        guard width > 0, height > 0, pixels.count == width * height * 3 else {
            throw ImagingError.invalidArgument("RGBImage \(width)x\(height) needs \(max(0, width * height * 3)) bytes, got \(pixels.count)")
        }
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// An image filled with one colour (white by default).
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        let w = max(1, width), h = max(1, height)
        self.width = w; self.height = h
        if fill.0 == fill.1 && fill.1 == fill.2 {
            pixels = [UInt8](repeating: fill.0, count: w * h * 3)
        } else {
            var p = [UInt8](repeating: 0, count: w * h * 3)
            p.withUnsafeMutableBufferPointer { b in
                var i = 0
                while i < b.count { b[i] = fill.0; b[i + 1] = fill.1; b[i + 2] = fill.2; i += 3 }
            }
            pixels = p
        }
    }

    /// Internal: wraps pixels already known to have the right size.
    init(unchecked width: Int, _ height: Int, _ pixels: [UInt8]) {
        self.width = width; self.height = height; self.pixels = pixels
    }

    /// The RGB value at (x, y); nil outside the image.
    public func pixel(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8)? {
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}

/// How a thumbnail fits a square of `size`: letterboxed on white, centre-cropped, or stretched.
public enum FitMode: String, Sendable, CaseIterable, Codable {
    /// Keep the aspect ratio; fill the rest with white.
    case pad
    /// Keep the aspect ratio; cut the longer side around the centre.
    case crop
    /// Ignore the aspect ratio.
    case stretch
}
