/// EXIF orientation (tag 0x0112, values 1...8): how a stored image must be turned for display.
public enum Orientation {
    /// The image as displayed: mirrored and/or rotated per `orientation`; values outside 2...8 return it as is.
    public static func apply(_ orientation: Int, to image: RGBImage) -> RGBImage {
        guard (2...8).contains(orientation) else { return image }
        let w = image.width, h = image.height
        let swapped = orientation >= 5
        let ow = swapped ? h : w, oh = swapped ? w : h
        // Source pixel index = origin + x' * stepX + y' * stepY for output pixel (x', y').
        let (origin, stepX, stepY): (Int, Int, Int)
        switch orientation {
        case 2: (origin, stepX, stepY) = (w - 1, -1, w)
        case 3: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -1, -w)
        case 4: (origin, stepX, stepY) = ((h - 1) * w, 1, -w)
        case 5: (origin, stepX, stepY) = (0, w, 1)
        case 6: (origin, stepX, stepY) = ((h - 1) * w, -w, 1)
        case 7: (origin, stepX, stepY) = ((h - 1) * w + w - 1, -w, -1)
        default: (origin, stepX, stepY) = (w - 1, w, -1)
        }
        let out = [UInt8](unsafeUninitializedCapacity: ow * oh * 3) { dst, count in
            image.pixels.withUnsafeBufferPointer { src in
                guard let s = src.baseAddress, let d = dst.baseAddress else { return }
                var o = 0
                for y in 0..<oh {
                    var p = origin + y * stepY
                    for _ in 0..<ow {
                        let q = p * 3
                        d[o] = s[q]; d[o + 1] = s[q + 1]; d[o + 2] = s[q + 2]
                        o += 3; p += stepX
                    }
                }
            }
            count = ow * oh * 3
        }
        return RGBImage(unchecked: ow, oh, out)
    }
}
