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

    /// Packs images `indices` of `pixels` (uint8 [count, height, width, 3]) into a CNHW tensor.
    /// Augmentation draws only from `generator`, so a resumed run draws the same crops and flips.
    public func tensor(_ pixels: [UInt8], height: Int, width: Int, indices: [Int],
                       generator: inout SeededGenerator) -> Tensor {
        let n = indices.count, plane = height * width
        var out = [Float](repeating: 0, count: 3 * n * plane)
        let scale = (0..<3).map { 1 / (255 * std[$0]) }, shift = (0..<3).map { -mean[$0] / std[$0] }
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (b, index) in indices.enumerated() {
                    var dy = 0, dx = 0, flip = false
                    if augment {
                        dy = generator.nextInt(below: 2 * cropPad + 1) - cropPad
                        dx = generator.nextInt(below: 2 * cropPad + 1) - cropPad
                        flip = generator.nextInt(below: 2) == 1
                    }
                    let image = src.baseAddress! + index * plane * 3
                    for c in 0..<3 {
                        let o = dst.baseAddress! + (c * n + b) * plane
                        let zero = shift[c]
                        for y in 0..<height {
                            let sy = y + dy
                            for x in 0..<width {
                                let sx0 = flip ? width - 1 - x : x
                                let sx = sx0 + dx
                                if sy < 0 || sy >= height || sx < 0 || sx >= width { o[y * width + x] = zero; continue }
                                o[y * width + x] = Float(image[(sy * width + sx) * 3 + c]) * scale[c] + shift[c]
                            }
                        }
                    }
                }
            }
        }
        return Tensor(unchecked: [3, n, height, width], out)
    }
}
