extension Conv2D {
    /// Depthwise forward: each channel convolved with its own kh×kw filter, channels in parallel;
    /// per plane, the input is split into padded stride phases and each output is a 16-wide flat tap sum.
    func depthwiseForward(_ x: Tensor, _ out: inout [Float], n: Int, h: Int, w: Int,
                          _ g: (ho: Int, wo: Int, pt: Int, pl: Int)) {
        if dilation != 1 { dilatedDepthwiseForward(x, &out, n: n, h: h, w: w, g); return }
        if g.ho == 0 || g.wo == 0 || n == 0 || h == 0 || w == 0 { return }
        let plan = DepthwisePlan(h: h, w: w, ho: g.ho, wo: g.wo, pt: g.pt, pl: g.pl, s: stride, kh: kh, kw: kw)
        let (ho, wo, wq, taps) = (plan.ho, plan.wo, plan.wq, kh * kw)
        x.data.withUnsafeBufferPointer { xp in
        weight.value.withUnsafeBufferPointer { wp in
        plan.forwardOffsets.withUnsafeBufferPointer { fp in
        out.withUnsafeMutableBufferPointer { op in
            let xb = xp.baseAddress!, wb = wp.baseAddress!, ob = op.baseAddress!, offsets = fp.baseAddress!
            Parallel.forEach(inChannels) { c in
                let floats = plan.phaseFloats + plan.outFloats
                let q = UnsafeMutablePointer<Float>.allocate(capacity: floats)
                q.initialize(repeating: 0, count: floats)
                defer { q.deallocate() }
                let z = q + plan.phaseFloats, wc = wb + c * taps
                for b in 0..<n {
                    let src = xb + (c * n + b) * h * w, dst = ob + (c * n + b) * ho * wo
                    DepthwiseKernels.splitPhases(src, h: h, w: w, s: plan.s, pt: plan.pt, pl: plan.pl,
                                                 hq: plan.hq, wq: wq, block: plan.block, into: q)
                    DepthwiseKernels.taps(z, count: ho * wq, base: q, offsets: offsets, weights: wc, n: taps)
                    for oy in 0..<ho { Lanes.copy(z + oy * wq, to: dst + oy * wo, count: wo) }
                }
            }
        }}}}
    }

    /// Depthwise backward, channels in parallel: filter gradient as dot products of dy with the phase
    /// blocks; input gradient per phase as a flat tap sum over zero-padded dy (the transposed convolution), into
    /// `dx` whatever it held (each channel zeroed on its thread) — dilated layers need it zeroed: their fallback adds.
    func depthwiseBackward(_ x: Tensor, _ grad: Tensor, _ dx: inout [Float], n: Int, h: Int, w: Int,
                           _ g: (ho: Int, wo: Int, pt: Int, pl: Int)) {
        if dilation != 1 { dilatedDepthwiseBackward(x, grad, &dx, n: n, h: h, w: w, g); return }
        if g.ho == 0 || g.wo == 0 || n == 0 || h == 0 || w == 0 {
            dx.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            return
        }
        let plan = DepthwisePlan(h: h, w: w, ho: g.ho, wo: g.wo, pt: g.pt, pl: g.pl, s: stride, kh: kh, kw: kw)
        let (ho, wo, wq, wd, s, taps) = (plan.ho, plan.wo, plan.wq, plan.wd, plan.s, kh * kw)
        x.data.withUnsafeBufferPointer { xp in
        grad.data.withUnsafeBufferPointer { gp in
        weight.value.withUnsafeBufferPointer { wp in
        weight.grad.withUnsafeMutableBufferPointer { dwp in
        dx.withUnsafeMutableBufferPointer { dxp in
        plan.forwardOffsets.withUnsafeBufferPointer { fp in
        plan.phaseOffsets.withUnsafeBufferPointer { pop in
        plan.phaseWeights.withUnsafeBufferPointer { pwp in
        plan.phaseStart.withUnsafeBufferPointer { psp in
            let xb = xp.baseAddress!, gb = gp.baseAddress!, wb = wp.baseAddress!, dwb = dwp.baseAddress!
            let dxb = dxp.baseAddress!, offsets = fp.baseAddress!, phaseOffsets = pop.baseAddress!
            Parallel.forEach(inChannels) { c in
                let floats = plan.phaseFloats + plan.outFloats + plan.paddedGradFloats + s * plan.phaseGradFloats
                    + plan.rowFloats + taps
                let q = UnsafeMutablePointer<Float>.allocate(capacity: floats)
                q.initialize(repeating: 0, count: floats)
                defer { q.deallocate() }
                let dyw = q + plan.phaseFloats, dyp = dyw + plan.outFloats, dq = dyp + plan.paddedGradFloats
                let row = dq + s * plan.phaseGradFloats, phaseW = row + plan.rowFloats
                let wc = wb + c * taps, dwc = dwb + c * taps
                for t in 0..<taps { phaseW[t] = wc[pwp[t]] }
                (dxb + c * n * h * w).update(repeating: 0, count: n * h * w)   // the phase rows add into it
                for b in 0..<n {
                    let src = xb + (c * n + b) * h * w, dsrc = dxb + (c * n + b) * h * w
                    let dy = gb + (c * n + b) * ho * wo
                    DepthwiseKernels.splitPhases(src, h: h, w: w, s: s, pt: plan.pt, pl: plan.pl,
                                                 hq: plan.hq, wq: wq, block: plan.block, into: q)
                    for oy in 0..<ho {
                        Lanes.copy(dy + oy * wo, to: dyw + oy * wq, count: wo)
                        Lanes.copy(dy + oy * wo, to: dyp + (plan.ah + oy) * wd + plan.aw, count: wo)
                    }
                    for t in 0..<taps { dwc[t] += DepthwiseKernels.dot(dyw, q + offsets[t], count: ho * wq) }
                    for rp in 0..<s {
                        for cp in 0..<s {
                            let p = rp * s + cp, first = psp[p], count = psp[p + 1] - first, out = dq + cp * plan.phaseGradFloats
                            if count == 0 { out.update(repeating: 0, count: plan.phaseGradFloats); continue }
                            DepthwiseKernels.taps(out, count: plan.hq * wd, base: dyp, offsets: phaseOffsets + first,
                                                  weights: phaseW + first, n: count)
                        }
                        for a in 0..<plan.hq {
                            let iy = s * a + rp - plan.pt
                            if iy < 0 || iy >= h { continue }
                            DepthwiseKernels.addPhaseRow(dq + a * wd, phaseStride: plan.phaseGradFloats, s: s, wq: wq,
                                                         pl: plan.pl, w: w, row: row, into: dsrc + iy * w)
                        }
                    }
                }
            }
        }}}}}}}}}
    }
}
