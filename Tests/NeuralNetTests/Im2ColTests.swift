import Testing
@testable import NeuralNet

/// im2col's packing and its adjoint against element-by-element references, on rows wide enough for the
/// sixteen-at-a-time stride-2 paths and their tails.
@Suite struct Im2ColTests {
    typealias Geometry = (ho: Int, wo: Int, pt: Int, pl: Int)

    /// Output size, padding: what `Conv2D.geometry` gives for explicit padding `p`.
    func geometry(h: Int, w: Int, k: Int, stride: Int, dilation: Int, p: Int) -> Geometry {
        ((h + 2 * p - dilation * (k - 1) - 1) / stride + 1, (w + 2 * p - dilation * (k - 1) - 1) / stride + 1, p, p)
    }

    /// The input element that column (b, oy, ox) of row (c, i, j) reads, or nil in the padding.
    func source(c: Int, i: Int, j: Int, b: Int, oy: Int, ox: Int, n: Int, h: Int, w: Int, stride: Int, dilation: Int,
                _ g: Geometry) -> Int? {
        let (iy, ix) = (oy * stride - g.pt + i * dilation, ox * stride - g.pl + j * dilation)
        return iy >= 0 && iy < h && ix >= 0 && ix < w ? ((c * n + b) * h + iy) * w + ix : nil
    }

    @Test(arguments: [(3, 2, 1, 1), (7, 2, 1, 3), (3, 2, 1, 0), (3, 2, 2, 2), (1, 2, 1, 0), (3, 1, 1, 1), (5, 3, 1, 2)])
    func packAndUnpackMatchTheReference(k: Int, stride: Int, dilation: Int, p: Int) {
        let (channels, n, h, w) = (2, 3, 5, 75)   // 75 columns: 37–38 stride-2 outputs, two vector blocks and a tail
        let images = 1..<3, g = geometry(h: h, w: w, k: k, stride: stride, dilation: dilation, p: p)
        let x = GradientCheck.random([channels, n, h, w], seed: 50).data
        let m = images.count * g.ho * g.wo, rows = channels * k * k
        var col = [Float](repeating: .nan, count: rows * m)
        x.withUnsafeBufferPointer { xp in col.withUnsafeMutableBufferPointer { cp in
            Im2Col.pack(xp.baseAddress!, channels: channels, n: n, images: images, h: h, w: w, kh: k, kw: k,
                        stride: stride, dilation: dilation, geometry: g, into: cp.baseAddress!)
        }}
        let dcol = GradientCheck.random([rows * m], seed: 51).data
        var dx = [Float](repeating: 0.5, count: x.count), expected = dx
        dcol.withUnsafeBufferPointer { cp in dx.withUnsafeMutableBufferPointer { dp in
            Im2Col.unpack(cp.baseAddress!, channels: channels, n: n, images: images, h: h, w: w, kh: k, kw: k,
                          stride: stride, dilation: dilation, geometry: g, into: dp.baseAddress!)
        }}
        var packErrors = 0
        for c in 0..<channels { for i in 0..<k { for j in 0..<k { for b in images { for oy in 0..<g.ho { for ox in 0..<g.wo {
            let index = ((c * k + i) * k + j) * m + ((b - images.lowerBound) * g.ho + oy) * g.wo + ox
            let s = source(c: c, i: i, j: j, b: b, oy: oy, ox: ox, n: n, h: h, w: w, stride: stride, dilation: dilation, g)
            if col[index] != s.map({ x[$0] }) ?? 0 { packErrors += 1 }
            if let s { expected[s] += dcol[index] }
        }}}}}}
        #expect(packErrors == 0, "k \(k) stride \(stride) dilation \(dilation) padding \(p): \(packErrors) columns wrong")
        let worst = GradientCheck.maxDifference(dx, expected)
        #expect(worst < 1e-5, "k \(k) stride \(stride) dilation \(dilation) padding \(p): unpack off by \(worst)")
        #expect(dx[0..<(h * w)].allSatisfy { $0 == 0.5 }, "image 0 is outside the chunk and stays untouched")
    }
}
