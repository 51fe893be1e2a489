/// A dense row-major float32 matrix of embeddings: `rows` vectors of `dimension` values each.
public struct EmbeddingMatrix: Sendable, Hashable {
    /// Number of vectors.
    public let rows: Int
    /// Length of each vector.
    public let dimension: Int
    /// Row-major values, `rows * dimension` long.
    public private(set) var values: [Float]

    /// Wraps row-major values; throws when the shape does not match or a value is NaN or infinite.
    public init(rows: Int, dimension: Int, values: [Float]) throws {
        guard rows >= 0, dimension > 0, values.count == rows * dimension else {
            throw VectorSearchError.badShape(rows: rows, dimension: dimension, count: values.count)
        }
        if let bad = EmbeddingMatrix.firstNonFinite(values) {
            throw VectorSearchError.nonFinite(row: bad / dimension, column: bad % dimension)
        }
        self.rows = rows
        self.dimension = dimension
        self.values = values
    }

    /// The values of row `i` as a new array.
    public func row(_ i: Int) -> [Float] {
        Array(values[(i * dimension)..<((i + 1) * dimension)])
    }

    /// A copy whose rows have unit L2 norm (all-zero rows stay zero).
    public func l2Normalized() -> EmbeddingMatrix {
        var copy = self
        copy.values.withUnsafeMutableBufferPointer { buf in
            for r in 0..<rows {
                let row = UnsafeMutableBufferPointer(rebasing: buf[(r * dimension)..<((r + 1) * dimension)])
                VectorMath.normalize(row)
            }
        }
        return copy
    }

    /// Squared L2 norm of every row.
    public func squaredNorms() -> [Float] {
        var out = [Float](repeating: 0, count: rows)
        values.withUnsafeBufferPointer { buf in
            for r in 0..<rows {
                out[r] = VectorMath.dot(UnsafeBufferPointer(rebasing: buf[(r * dimension)..<((r + 1) * dimension)]),
                                        UnsafeBufferPointer(rebasing: buf[(r * dimension)..<((r + 1) * dimension)]))
            }
        }
        return out
    }

    /// Index of the first NaN or infinite value, if any.
    static func firstNonFinite(_ values: [Float]) -> Int? {
        values.withUnsafeBufferPointer { buf -> Int? in
            // Fast check: the sum of |x| * 0 is NaN exactly when some value is NaN or infinite.
            var acc = SIMD8<Float>()
            var i = 0
            while i + 8 <= buf.count {
                acc += SIMD8<Float>(buf[i..<(i + 8)]) * 0
                i += 8
            }
            var tail: Float = 0
            while i < buf.count { tail += buf[i] * 0; i += 1 }
            if acc.sum().isFinite && tail.isFinite { return nil }
            return buf.firstIndex { !$0.isFinite }
        }
    }
}

/// Small vector kernels over contiguous buffers.
enum VectorMath {
    /// Dot product of two equally long buffers, 8 lanes at a time.
    static func dot(_ a: UnsafeBufferPointer<Float>, _ b: UnsafeBufferPointer<Float>) -> Float {
        let n = min(a.count, b.count)
        var acc = SIMD8<Float>()
        var i = 0
        guard let pa = a.baseAddress, let pb = b.baseAddress else { return 0 }
        while i + 8 <= n {
            let va = UnsafeRawPointer(pa + i).loadUnaligned(as: SIMD8<Float>.self)
            let vb = UnsafeRawPointer(pb + i).loadUnaligned(as: SIMD8<Float>.self)
            acc.addProduct(va, vb)
            i += 8
        }
        var s = acc.sum()
        while i < n { s += pa[i] * pb[i]; i += 1 }
        return s
    }

    /// Scales a buffer to unit L2 norm in place (a zero buffer is left as is).
    static func normalize(_ v: UnsafeMutableBufferPointer<Float>) {
        let norm = dot(UnsafeBufferPointer(v), UnsafeBufferPointer(v)).squareRoot()
        guard norm > 0 else { return }
        let inv = 1 / norm
        for i in v.indices { v[i] *= inv }
    }
}
