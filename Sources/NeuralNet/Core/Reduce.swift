/// Vectorised reductions over float runs for per-channel statistics: 16-lane float partial sums over blocks of
/// 4,096 elements, blocks added in double, so long channels (N·H·W in the millions) keep their precision.
enum Reduce {
    private static let block = 4096

    /// Σ x[i·stride].
    static func sum(_ x: UnsafePointer<Float>, count: Int, stride: Int) -> Double {
        fold(count, stride: stride) { i in x[i * stride] } vector: { i in Lanes.load16(x + i) }
    }

    /// Σ (x[i·stride] − minus)².
    static func sumOfSquares(_ x: UnsafePointer<Float>, count: Int, stride: Int, minus: Float) -> Double {
        fold(count, stride: stride) { i in let d = x[i * stride] - minus; return d * d } vector: { i in
            let d = Lanes.load16(x + i) - SIMD16(repeating: minus); return d * d
        }
    }

    /// (Σ a[i·stride], Σ a[i·stride] · (b[i·stride] − minus)) in one pass: the sum equal, bit for bit, to `sum(a)`
    /// (the same partial sums in the same order), the products summed the same way beside it.
    static func sumAndDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, stride: Int,
                          minus: Float) -> (sum: Double, dot: Double) {
        var sum = 0.0, dot = 0.0, start = 0
        let m = SIMD16<Float>(repeating: minus)
        while start < count {
            let end = min(count, start + block)
            var i = start
            if stride == 1 {
                var s = SIMD16<Float>(repeating: 0), d = SIMD16<Float>(repeating: 0)
                while i + 16 <= end {
                    let x = Lanes.load16(a + i)
                    s += x; d += x * (Lanes.load16(b + i) - m); i += 16
                }
                sum += Double(s.sum()); dot += Double(d.sum())
            }
            while i < end {
                let x = a[i * stride]
                sum += Double(x); dot += Double(x * (b[i * stride] - minus)); i += 1
            }
            start = end
        }
        return (sum, dot)
    }

    /// Sums `term(i)` for i in 0..<count; with stride 1 sixteen at a time through `vector(i)` (terms i..<i+16).
    @inline(__always)
    private static func fold(_ count: Int, stride: Int, term: (Int) -> Float, vector: (Int) -> SIMD16<Float>) -> Double {
        var total = 0.0, start = 0
        while start < count {
            let end = min(count, start + block)
            var i = start
            if stride == 1 {
                var acc = SIMD16<Float>(repeating: 0)
                while i + 16 <= end { acc += vector(i); i += 16 }
                total += Double(acc.sum())
            }
            while i < end { total += Double(term(i)); i += 1 }   // strided runs and the last < 16 terms
            start = end
        }
        return total
    }
}
