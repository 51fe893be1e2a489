import Randomness
import Testing
@testable import NeuralNet

/// ImageBatch's packing against a pixel-by-pixel reference: normalisation, crops, flips and the order of the draws.
@Suite struct ImageBatchTests {
    /// The packing spelled out per pixel, drawing (row shift, column shift, flip) for each image in batch order.
    static func reference(_ batch: ImageBatch, _ pixels: [UInt8], height: Int, width: Int, indices: [Int],
                          generator g: inout SeededGenerator) -> [Float] {
        let n = indices.count
        var out = [Float](repeating: .nan, count: 3 * n * height * width)
        for (b, index) in indices.enumerated() {
            var dy = 0, dx = 0, flip = false
            if batch.augment {
                dy = g.nextInt(below: 2 * batch.cropPad + 1) - batch.cropPad
                dx = g.nextInt(below: 2 * batch.cropPad + 1) - batch.cropPad
                flip = g.nextInt(below: 2) == 1
            }
            for c in 0..<3 {
                let scale = 1 / (255 * batch.std[c]), shift = -batch.mean[c] / batch.std[c]
                for y in 0..<height {
                    for x in 0..<width {
                        let sy = y + dy, sx = (flip ? width - 1 - x : x) + dx
                        let inside = sy >= 0 && sy < height && sx >= 0 && sx < width
                        out[((c * n + b) * height + y) * width + x] =
                            inside ? Float(pixels[((index * height + sy) * width + sx) * 3 + c]) * scale + shift : shift
                    }
                }
            }
        }
        return out
    }

    /// Exact equality (the same arithmetic per pixel), for shifts that leave images partly or wholly outside the
    /// 7×11 frame (crop padding 8), with and without flips, and the same number of draws consumed.
    @Test(arguments: [false, true])
    func packsLikeThePerPixelReference(augment: Bool) {
        let (h, w, images) = (7, 11, 5)
        let pixels = (0..<(images * h * w * 3)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        let batch = ImageBatch(mean: [0.5, 0.4, 0.3], std: [0.2, 0.25, 0.3], augment: augment)
        let indices = [3, 0, 4, 4, 1, 2, 0, 3, 1]
        for seed in 0..<12 {
            var packed = SeededGenerator(seed: UInt64(seed)), spelled = packed
            let t = batch.tensor(pixels, height: h, width: w, indices: indices, generator: &packed)
            let expected = Self.reference(batch, pixels, height: h, width: w, indices: indices, generator: &spelled)
            #expect(t.shape == [3, indices.count, h, w])
            let first = zip(t.data, expected).enumerated().first { $0.element.0 != $0.element.1 }
            #expect(t.count == expected.count && first == nil, "seed \(seed): first difference \(String(describing: first))")
            #expect(packed.next() == spelled.next(), "seed \(seed): draws consumed")
        }
    }

    /// An empty batch packs into an empty tensor and draws nothing.
    @Test func anEmptyBatchIsAnEmptyTensor() {
        var g = SeededGenerator(seed: 3), untouched = g
        let t = ImageBatch(augment: true).tensor([], height: 4, width: 4, indices: [], generator: &g)
        #expect(t.shape == [3, 0, 4, 4] && t.count == 0)
        #expect(g.next() == untouched.next())
    }
}
