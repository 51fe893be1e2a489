/// Row kernels of the max and average pools: a vertical reduction of a window's input rows into a padded
/// row buffer, then a horizontal window reduction with the stride, 8 outputs at a time.
enum PoolKernels {
    /// Floats a padded row buffer needs beyond `w + 2·padding`.
    static let slack = 32

    /// Lane-wise maximum, written so that it compiles to `maxps` (`pointwiseMax` compiles to scalar compares).
    @inline(__always)
    static func vmax(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        var r = a
        for i in 0..<8 { r[i] = a[i] > b[i] ? a[i] : b[i] }
        return r
    }

    /// Lanes `j, j+2, …` (j = 0 or 1) of `v`: one stride-2 phase.
    @inline(__always)
    static func phase(_ v: SIMD16<Float>, _ j: Int) -> SIMD8<Float> {
        j == 0 ? SIMD8(v[0], v[2], v[4], v[6], v[8], v[10], v[12], v[14])
               : SIMD8(v[1], v[3], v[5], v[7], v[9], v[11], v[13], v[15])
    }

    /// `out[x] = max` (or sum) over rows `r0..<r1` of `src` (row width `w`) at column x, for x in `0..<w`;
    /// `fill` when the range is empty.
    static func vertical(_ src: UnsafePointer<Float>, w: Int, rows r0: Int, _ r1: Int, isMax: Bool, fill: Float,
                         into out: UnsafeMutablePointer<Float>) {
        if r0 >= r1 { out.update(repeating: fill, count: w); return }
        out.update(from: src + r0 * w, count: w)
        for r in (r0 + 1)..<max(r0 + 1, r1) {
            let row = src + r * w
            var x = 0
            while x + 8 <= w {
                let a = Lanes.load8(out + x), b = Lanes.load8(row + x)
                Lanes.store8(isMax ? vmax(a, b) : a + b, out + x)
                x += 8
            }
            while x < w { out[x] = isMax ? max(out[x], row[x]) : out[x] + row[x]; x += 1 }
        }
    }

    /// `out[ox] = scale · reduce_{j<k} row[ox·s + j]` for ox in `0..<wo` (max ignores `scale`); `row` is padded.
    static func horizontal(_ row: UnsafePointer<Float>, k: Int, s: Int, wo: Int, isMax: Bool, scale: Float,
                           into out: UnsafeMutablePointer<Float>) {
        var ox = 0
        if s == 1 {
            while ox + 8 <= wo {
                var m = Lanes.load8(row + ox)
                for j in 1..<max(k, 1) { m = isMax ? vmax(m, Lanes.load8(row + ox + j)) : m + Lanes.load8(row + ox + j) }
                Lanes.store8(isMax ? m : m * scale, out + ox)
                ox += 8
            }
        } else if s == 2 {
            while ox + 8 <= wo {
                var m = phase(Lanes.load16(row + 2 * ox), 0)
                for j in 1..<max(k, 1) {
                    let v = phase(Lanes.load16(row + 2 * (ox + j / 2)), j & 1)
                    m = isMax ? vmax(m, v) : m + v
                }
                Lanes.store8(isMax ? m : m * scale, out + ox)
                ox += 8
            }
        }
        while ox < wo {
            let base = row + ox * s
            var m = base[0]
            for j in 1..<max(k, 1) { m = isMax ? max(m, base[j]) : m + base[j] }
            out[ox] = isMax ? m : m * scale
            ox += 1
        }
    }

    /// Row index marking a padding column or an empty window in `verticalArgmax`'s row buffer.
    static let noRow: Int32 = 1 << 24

    /// `vertical` for max, also writing `rows[x]`: the first row in `r0..<r1` holding column x's maximum.
    static func verticalArgmax(_ src: UnsafePointer<Float>, w: Int, rows r0: Int, _ r1: Int,
                               into out: UnsafeMutablePointer<Float>, rows index: UnsafeMutablePointer<Int32>) {
        if r0 >= r1 { out.update(repeating: -.infinity, count: w); index.update(repeating: noRow, count: w); return }
        out.update(from: src + r0 * w, count: w)
        index.update(repeating: Int32(r0), count: w)
        for r in (r0 + 1)..<max(r0 + 1, r1) {
            let row = src + r * w, rr = Int32(r)
            var x = 0
            while x + 8 <= w {
                let a = Lanes.load8(out + x), b = Lanes.load8(row + x)
                var ix = UnsafeRawPointer(index + x).loadUnaligned(as: SIMD8<Int32>.self)
                ix.replace(with: SIMD8<Int32>(repeating: rr), where: a .< b)
                Lanes.store8(vmax(b, a), out + x)
                UnsafeMutableRawPointer(index + x).storeBytes(of: ix, as: SIMD8<Int32>.self)
                x += 8
            }
            while x < w { if row[x] > out[x] { out[x] = row[x]; index[x] = rr }; x += 1 }
        }
    }

    /// For each output `ox` of a row whose maxima are `y`: the plane offset of the window's first maximum in
    /// scan order (smallest row, then column), from the padded row buffer and its first-maximum rows.
    static func horizontalArgmax(_ row: UnsafePointer<Float>, rows index: UnsafePointer<Int32>, k: Int, s: Int, p: Int,
                                 w: Int, wo: Int, y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Int32>) {
        for ox in 0..<wo {
            let base = ox &* s, best = y[ox]
            var key = Int.max
            for j in 0..<k {
                let candidate = Int(index[base &+ j]) &* k &+ j
                key = row[base &+ j] == best && candidate < key ? candidate : key
            }
            let r = key / k, c = base &+ key % k &- p
            out[ox] = key == Int.max || r >= Int(noRow) ? 0 : Int32(r &* w &+ c)
        }
    }
}
