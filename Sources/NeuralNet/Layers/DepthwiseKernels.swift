/// Vectorised building blocks of the depthwise convolution: zero padding split into stride phases,
/// flat multi-tap sums and dot products over scratch planes whose rows carry their padding.
enum DepthwiseKernels {
    /// Zeroed floats after every scratch block, so 16-wide loops may run past a block's end.
    static let slack = 64

    /// Columns `lo..<hi` of a phase row whose column t reads input column `s·t + phase − pl`, clipped to `0..<w`.
    @inline(__always)
    static func validColumns(w: Int, s: Int, phase: Int, pl: Int, width: Int) -> (Int, Int) {
        let first = pl - phase, last = w - 1 + pl - phase
        let lo = first <= 0 ? 0 : (first + s - 1) / s
        let hi = last < 0 ? 0 : min(width, last / s + 1)
        return (min(lo, width), max(min(lo, width), hi))
    }

    /// Writes the zero-padded plane `src` (h×w) as s×s phase blocks `q[(rp·s + cp)·block + a·wq + t]` =
    /// `src[s·a + rp − pt][s·t + cp − pl]` (zero outside), a < hq, t < wq.
    static func splitPhases(_ src: UnsafePointer<Float>, h: Int, w: Int, s: Int, pt: Int, pl: Int,
                            hq: Int, wq: Int, block: Int, into q: UnsafeMutablePointer<Float>) {
        for rp in 0..<s {
            for cp in 0..<s {
                let dst = q + (rp * s + cp) * block
                let (lo, hi) = validColumns(w: w, s: s, phase: cp, pl: pl, width: wq)
                for a in 0..<hq {
                    let row = dst + a * wq, iy = s * a + rp - pt
                    if iy < 0 || iy >= h || lo >= hi { row.update(repeating: 0, count: wq); continue }
                    // The row's padding: one 16-lane store each where it is short (the block's slack and the
                    // rows written after it take any overrun), not a `memset` call per row.
                    if lo > 16 { row.update(repeating: 0, count: lo) } else if lo > 0 { Lanes.store16(.zero, row) }
                    let srow = src + iy * w + cp - pl
                    if s == 1 {
                        Lanes.copy(srow + lo, to: row + lo, count: hi - lo)
                    } else if s == 2 {
                        var t = lo
                        while t &+ 8 < hi {
                            let v = Lanes.load16(srow + 2 &* t)
                            Lanes.store8(SIMD8(v[0], v[2], v[4], v[6], v[8], v[10], v[12], v[14]), row + t)
                            t &+= 8
                        }
                        while t < hi { row[t] = srow[2 &* t]; t &+= 1 }
                    } else {
                        for t in lo..<hi { row[t] = srow[s &* t] }
                    }
                    if wq - hi > 16 { (row + hi).update(repeating: 0, count: wq - hi) } else if hi < wq { Lanes.store16(.zero, row + hi) }
                }
            }
        }
    }

    /// `out[f] = Σ_t weights[t] · base[offsets[t] + f]` for f in `0..<count` rounded up to 16
    /// (`out` and `base` need that much slack).
    static func taps(_ out: UnsafeMutablePointer<Float>, count: Int, base: UnsafePointer<Float>,
                     offsets: UnsafePointer<Int>, weights: UnsafePointer<Float>, n: Int) {
        var f = 0
        while f < count {
            var a0 = SIMD8<Float>(), a1 = SIMD8<Float>()
            for t in 0..<n {
                let p = base + offsets[t] + f, wv = SIMD8<Float>(repeating: weights[t])
                a0 += wv * Lanes.load8(p); a1 += wv * Lanes.load8(p + 8)
            }
            Lanes.store8(a0, out + f); Lanes.store8(a1, out + f + 8)
            f += 16
        }
    }

    /// `Σ a[f]·b[f]` for f in `0..<count` rounded up to 16 (`a` must hold zeros past `count`).
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        var f = 0
        while f < count {
            s0 += Lanes.load8(a + f) * Lanes.load8(b + f); s1 += Lanes.load8(a + f + 8) * Lanes.load8(b + f + 8)
            f += 16
        }
        return (s0 + s1).sum()
    }

    /// Adds one phase row of the input gradient (`phases[cp·phaseStride + t]` is padded column `s·t + cp`)
    /// to the input row `dst`, whose column x is padded column `x + pl`; `row` is scratch for the interleave.
    static func addPhaseRow(_ phases: UnsafePointer<Float>, phaseStride: Int, s: Int, wq: Int, pl: Int, w: Int,
                            row: UnsafeMutablePointer<Float>, into dst: UnsafeMutablePointer<Float>) {
        let src: UnsafePointer<Float>
        if s == 1 {
            src = phases
        } else if s == 2 {
            let even = phases, odd = phases + phaseStride
            var t = 0
            while t < wq {
                let e = Lanes.load8(even + t), o = Lanes.load8(odd + t)
                Lanes.store8(SIMD8(e[0], o[0], e[1], o[1], e[2], o[2], e[3], o[3]), row + 2 &* t)
                Lanes.store8(SIMD8(e[4], o[4], e[5], o[5], e[6], o[6], e[7], o[7]), row + 2 &* t + 8)
                t &+= 8
            }
            src = UnsafePointer(row)
        } else {
            for cp in 0..<s { for t in 0..<wq { row[s &* t &+ cp] = phases[cp &* phaseStride &+ t] } }
            src = UnsafePointer(row)
        }
        let from = src + pl, n = max(0, min(w, s * wq - pl))
        var x = 0
        while x &+ 8 <= n { Lanes.store8(Lanes.load8(dst + x) + Lanes.load8(from + x), dst + x); x &+= 8 }
        while x < n { dst[x] += from[x]; x &+= 1 }
    }

    /// `count` rounded up to a multiple of 16.
    @inline(__always)
    static func padded(_ count: Int) -> Int { (count + 15) & ~15 }
}
