/// Per-row bounded top-k state (scores sorted high to low, ties keep the smaller index first)
/// and the fused scan that folds a block of scores into it without sorting the block.
struct TopKScan {
    /// Hits kept per row.
    let k: Int

    /// Folds `count` scores (columns `firstColumn ..< firstColumn + count`) into one row's top-k.
    ///
    /// `bias`, when given, is subtracted from each score (euclidean: ‖x‖²). `skip` is a column
    /// never admitted (the query itself in all-pairs search). Columns arrive in increasing order,
    /// so admitting only strictly better scores makes the smaller index win every tie.
    @inline(__always)
    func fold(scores: UnsafePointer<Float>, count: Int, firstColumn: Int, bias: UnsafePointer<Float>?, skip: Int,
              topScores: UnsafeMutablePointer<Float>, topIndices: UnsafeMutablePointer<Int32>) {
        var threshold = topScores[k - 1]
        var j = 0
        if let bias {
            while j + 16 <= count {
                let v = UnsafeRawPointer(scores + j).loadUnaligned(as: SIMD16<Float>.self)
                    - UnsafeRawPointer(bias + j).loadUnaligned(as: SIMD16<Float>.self)
                if any(v .> SIMD16<Float>(repeating: threshold)) {
                    for l in 0..<16 where v[l] > threshold && firstColumn + j + l != skip {
                        threshold = insert(v[l], Int32(firstColumn + j + l), topScores, topIndices)
                    }
                }
                j += 16
            }
            while j < count {
                let s = scores[j] - bias[j]
                if s > threshold && firstColumn + j != skip { threshold = insert(s, Int32(firstColumn + j), topScores, topIndices) }
                j += 1
            }
        } else {
            while j + 16 <= count {
                let v = UnsafeRawPointer(scores + j).loadUnaligned(as: SIMD16<Float>.self)
                if any(v .> SIMD16<Float>(repeating: threshold)) {
                    for l in 0..<16 where v[l] > threshold && firstColumn + j + l != skip {
                        threshold = insert(v[l], Int32(firstColumn + j + l), topScores, topIndices)
                    }
                }
                j += 16
            }
            while j < count {
                let s = scores[j]
                if s > threshold && firstColumn + j != skip { threshold = insert(s, Int32(firstColumn + j), topScores, topIndices) }
                j += 1
            }
        }
    }

    /// Inserts a score known to beat the current k-th, keeping order; returns the new k-th score.
    @inline(__always)
    private func insert(_ s: Float, _ index: Int32, _ scores: UnsafeMutablePointer<Float>,
                        _ indices: UnsafeMutablePointer<Int32>) -> Float {
        var p = k - 1
        while p > 0 && scores[p - 1] < s {
            scores[p] = scores[p - 1]
            indices[p] = indices[p - 1]
            p -= 1
        }
        scores[p] = s
        indices[p] = index
        return scores[k - 1]
    }
}
