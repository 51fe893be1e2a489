import Randomness

/// Turns uint8 NHWC images into normalised CNHW float tensors, with optional seeded augmentation.
public struct ImageBatch: Sendable {
    /// Per-channel mean (on the 0–1 scale); ImageNet's by default.
    public var mean: [Float] = [0.485, 0.456, 0.406]
    /// Per-channel standard deviation; ImageNet's by default.
    public var std: [Float] = [0.229, 0.224, 0.225]
    /// Random horizontal flips and ±`cropPad`-pixel random crops (zero-padded) when training.
    public var augment: Bool = false
    /// Padding for the random crop.
    public var cropPad: Int = 8

    /// Normalisation and augmentation settings.
    public init(mean: [Float] = [0.485, 0.456, 0.406], std: [Float] = [0.229, 0.224, 0.225], augment: Bool = false) {
        self.mean = mean; self.std = std; self.augment = augment
    }

    /// The normalisation `architecture`'s ImageNet weights expect (`Architecture.inputNormalization`).
    public init(for architecture: Architecture, augment: Bool = false) {
        let n = architecture.inputNormalization
        self.init(mean: n.mean, std: n.std, augment: augment)
    }

    /// Packs images `indices` of `pixels` (uint8 [count, height, width, 3]) into a CNHW tensor, images spread over
    /// threads. Augmentation draws only from `generator`, three draws per image in batch order (row shift, column
    /// shift, flip) before any pixel is packed, so a resumed run draws the same crops and flips.
    public func tensor(_ pixels: [UInt8], height: Int, width: Int, indices: [Int],
                       generator: inout SeededGenerator) -> Tensor {
        let n = indices.count, plane = height * width
        if n == 0 || plane == 0 { return Tensor(unchecked: [3, n, height, width], []) }
        var out = Buffers.uninitialized(3 * n * plane)
        let scale = (0..<3).map { 1 / (255 * std[$0]) }, shift = (0..<3).map { -mean[$0] / std[$0] }
        let draws: [(dy: Int, dx: Int, flip: Bool)] = indices.map { _ in
            guard augment else { return (0, 0, false) }
            let dy = generator.nextInt(below: 2 * cropPad + 1) - cropPad
            let dx = generator.nextInt(below: 2 * cropPad + 1) - cropPad
            return (dy, dx, generator.nextInt(below: 2) == 1)
        }
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                let (sb, db) = (src.baseAddress!, dst.baseAddress!)
                Parallel.forEach(n) { b in
                    let (dy, dx, flip) = draws[b], image = sb + indices[b] * plane * 3
                    // Output columns whose source column (x + dx, or mirrored) lies inside the image.
                    let lo = max(0, flip ? dx : -dx), hi = max(lo, min(width, flip ? width + dx : width - dx))
                    for c in 0..<3 {
                        let o = db + (c * n + b) * plane, s = scale[c], z = shift[c]
                        for y in 0..<height {
                            let row = o + y * width, sy = y + dy
                            guard sy >= 0, sy < height, lo < hi else { row.update(repeating: z, count: width); continue }
                            row.update(repeating: z, count: lo)
                            (row + hi).update(repeating: z, count: width - hi)
                            let srow = image + sy * width * 3 + c
                            if flip {
                                for x in lo..<hi { row[x] = Float(srow[(width - 1 - x + dx) * 3]) * s + z }
                            } else {
                                for x in lo..<hi { row[x] = Float(srow[(x + dx) * 3]) * s + z }
                            }
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: [3, n, height, width], out)
    }
}
