extension Conv2D {
    /// Dilated depthwise forward: a scalar loop per channel, row and tap (the vector path handles dilation 1).
    func dilatedDepthwiseForward(_ x: Tensor, _ out: inout [Float], n: Int, h: Int, w: Int,
                                 _ g: (ho: Int, wo: Int, pt: Int, pl: Int)) {
        let (ho, wo, s, d, kh, kw) = (g.ho, g.wo, stride, dilation, self.kh, self.kw)
        let ranges = Im2Col.validRanges(wo: wo, w: w, kw: kw, stride: s, dilation: d, pl: g.pl)
        x.data.withUnsafeBufferPointer { xp in
        weight.value.withUnsafeBufferPointer { wp in
        out.withUnsafeMutableBufferPointer { op in
            let xb = xp.baseAddress!, wb = wp.baseAddress!, ob = op.baseAddress!
            Parallel.forEach(inChannels) { c in
                let wc = wb + c * kh * kw
                for b in 0..<n {
                    let src = xb + (c * n + b) * h * w, dst = ob + (c * n + b) * ho * wo
                    for oy in 0..<ho {
                        let row = dst + oy * wo
                        for i in 0..<kh {
                            let iy = oy * s - g.pt + i * d
                            if iy < 0 || iy >= h { continue }
                            let srow = src + iy * w
                            for j in 0..<kw {
                                let wv = wc[i * kw + j], (lo, hi) = ranges[j], off = j * d - g.pl
                                if lo >= hi { continue }
                                if s == 1 {
                                    for ox in lo..<hi { row[ox] += wv * srow[ox + off] }
                                } else {
                                    for ox in lo..<hi { row[ox] += wv * srow[ox * s + off] }
                                }
                            }
                        }
                    }
                }
            }
        }}}
    }

    /// Dilated depthwise backward: input and filter gradients by the scalar loop, channels in parallel.
    func dilatedDepthwiseBackward(_ x: Tensor, _ grad: Tensor, _ dx: inout [Float], n: Int, h: Int, w: Int,
                                  _ g: (ho: Int, wo: Int, pt: Int, pl: Int)) {
        let (ho, wo, s, d, kh, kw) = (g.ho, g.wo, stride, dilation, self.kh, self.kw)
        let ranges = Im2Col.validRanges(wo: wo, w: w, kw: kw, stride: s, dilation: d, pl: g.pl)
        x.data.withUnsafeBufferPointer { xp in
        grad.data.withUnsafeBufferPointer { gp in
        weight.value.withUnsafeBufferPointer { wp in
        weight.grad.withUnsafeMutableBufferPointer { dwp in
        dx.withUnsafeMutableBufferPointer { dxp in
            let xb = xp.baseAddress!, gb = gp.baseAddress!, wb = wp.baseAddress!, dwb = dwp.baseAddress!, dxb = dxp.baseAddress!
            Parallel.forEach(inChannels) { c in
                let wc = wb + c * kh * kw, dwc = dwb + c * kh * kw
                for b in 0..<n {
                    let src = xb + (c * n + b) * h * w, dsrc = dxb + (c * n + b) * h * w
                    let dy = gb + (c * n + b) * ho * wo
                    for oy in 0..<ho {
                        let grow = dy + oy * wo
                        for i in 0..<kh {
                            let iy = oy * s - g.pt + i * d
                            if iy < 0 || iy >= h { continue }
                            let srow = src + iy * w, drow = dsrc + iy * w
                            for j in 0..<kw {
                                let wv = wc[i * kw + j], (lo, hi) = ranges[j], off = j * d - g.pl
                                if lo >= hi { continue }
                                var acc: Float = 0
                                if s == 1 {
                                    for ox in lo..<hi { acc += grow[ox] * srow[ox + off]; drow[ox + off] += wv * grow[ox] }
                                } else {
                                    for ox in lo..<hi { acc += grow[ox] * srow[ox * s + off]; drow[ox * s + off] += wv * grow[ox] }
                                }
                                dwc[i * kw + j] += acc
                            }
                        }
                    }
                }
            }
        }}}}}
    }
}
