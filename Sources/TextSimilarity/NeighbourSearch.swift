import Foundation

/// The top-k neighbours of every document: flat row-major arrays of `count × k`.
public struct NeighbourTable: Sendable, Equatable {
    /// Neighbours per document.
    public let k: Int
    /// Number of documents.
    public let count: Int
    /// Neighbour row indices (`-1` where fewer than k exist).
    public var neighbours: [Int32]
    /// Cosine similarity of each neighbour.
    public var cosine: [Double]
    /// Euclidean distance between the two (un-normalised for BoW, unit for TF-IDF) vectors.
    public var distance: [Double]
}

/// Exact top-k cosine neighbours over sparse vectors, via an inverted index (sparse × sparseᵀ, one
/// query row at a time, scores scattered into a dense accumulator), split over threads.
///
/// Order: cosine descending, ties by lower row index; a document is never its own neighbour.
/// Euclidean distance is derived from the cosine and the rows' norms: √(|a|² + |b|² − 2|a||b|cos).
public enum NeighbourSearch {
    private struct Output: @unchecked Sendable {
        let ids: UnsafeMutableBufferPointer<Int32>
        let cos: UnsafeMutableBufferPointer<Double>
    }

    /// Top-`k` neighbours of every row of `vectors` (rows need not be normalised) using `threads` threads.
    public static func allNeighbours(of vectors: SparseMatrix, k: Int, threads: Int = 2) -> NeighbourTable {
        let n = vectors.rowCount
        guard k > 0, n > 0 else { return NeighbourTable(k: max(k, 0), count: n, neighbours: [], cosine: [], distance: []) }
        let unit = vectors.l2Normalized()
        let index = unit.transposed()
        var ids = [Int32](repeating: -1, count: n * k)
        var cos = [Double](repeating: 0, count: n * k)
        ids.withUnsafeMutableBufferPointer { idp in
            cos.withUnsafeMutableBufferPointer { cp in
                let out = Output(ids: idp, cos: cp)
                let chunks = max(1, min(n, threads * 8))
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    let scorer = Scorer(index: index, k: k)
                    let lo = n * chunk / chunks, hi = n * (chunk + 1) / chunks
                    for q in lo..<hi {
                        let terms = unit.rowStart[q]..<unit.rowStart[q + 1]
                        scorer.score(columns: unit.columns[terms], values: unit.values[terms], exclude: q)
                        scorer.write(into: out.ids, out.cos, at: q * k)
                    }
                }
            }
        }
        let norms = vectors.rowNorms()
        var dist = [Double](repeating: 0, count: n * k)
        for q in 0..<n {
            for j in 0..<k {
                let d = Int(ids[q * k + j])
                guard d >= 0 else { continue }
                dist[q * k + j] = euclidean(norms[q], norms[d], cos[q * k + j])
            }
        }
        return NeighbourTable(k: k, count: n, neighbours: ids, cosine: cos, distance: dist)
    }

    /// Top-`k` rows of `vectors` for one query vector given as sorted (column, value) pairs.
    public static func query(_ query: [(Int, Double)], in vectors: SparseMatrix, k: Int,
                             exclude: Int = -1) -> [(row: Int, cosine: Double, distance: Double)] {
        let unit = vectors.l2Normalized()
        let index = unit.transposed()
        let qNorm = query.reduce(0) { $0 + $1.1 * $1.1 }.squareRoot()
        guard qNorm > 0, k > 0, vectors.rowCount > 0 else { return [] }
        let scorer = Scorer(index: index, k: k)
        scorer.score(columns: ArraySlice(query.map { Int32($0.0) }), values: ArraySlice(query.map { $0.1 / qNorm }), exclude: exclude)
        var ids = [Int32](repeating: -1, count: k), cos = [Double](repeating: 0, count: k)
        ids.withUnsafeMutableBufferPointer { i in cos.withUnsafeMutableBufferPointer { c in scorer.write(into: i, c, at: 0) } }
        let norms = vectors.rowNorms()
        return (0..<k).compactMap { j in
            let d = Int(ids[j])
            return d < 0 ? nil : (d, cos[j], euclidean(qNorm, norms[d], cos[j]))
        }
    }

    @inline(__always) static func euclidean(_ a: Double, _ b: Double, _ cos: Double) -> Double {
        max(0, a * a + b * b - 2 * a * b * cos).squareRoot()
    }
}

/// Per-thread scratch for scoring one query against all rows and keeping the best k: a dense score
/// accumulator, the list of rows it touched, and a sorted best-k list, all in buffers allocated once.
final class Scorer {
    private let rowStart: UnsafeMutableBufferPointer<Int>
    private let docs: UnsafeMutableBufferPointer<Int32>
    private let weights: UnsafeMutableBufferPointer<Double>
    private let rows: Int
    let k: Int
    private let scores: UnsafeMutablePointer<Double>
    private let hits: UnsafeMutablePointer<Int32>
    private let bestIds: UnsafeMutablePointer<Int32>
    private let bestScores: UnsafeMutablePointer<Double>
    private(set) var found = 0

    /// Scratch over an inverted index (terms × rows).
    init(index: SparseMatrix, k: Int) {
        rowStart = .allocate(capacity: index.rowStart.count)
        _ = rowStart.initialize(from: index.rowStart)
        docs = .allocate(capacity: max(1, index.columns.count))
        _ = docs.initialize(from: index.columns)
        weights = .allocate(capacity: max(1, index.values.count))
        _ = weights.initialize(from: index.values)
        rows = index.columnCount
        self.k = k
        scores = .allocate(capacity: max(1, rows))
        scores.initialize(repeating: 0, count: max(1, rows))
        hits = .allocate(capacity: max(1, rows))
        bestIds = .allocate(capacity: max(1, k))
        bestScores = .allocate(capacity: max(1, k))
    }

    deinit {
        rowStart.deallocate(); docs.deallocate(); weights.deallocate()
        scores.deallocate(); hits.deallocate(); bestIds.deallocate(); bestScores.deallocate()
    }

    /// Accumulates dot products of the query with every row and selects the best k.
    func score(columns: ArraySlice<Int32>, values: ArraySlice<Double>, exclude: Int) {
        var nHits = 0
        let s = scores, h = hits, d32 = docs.baseAddress!, w = weights.baseAddress!
        for (t, wq) in zip(columns, values) {
            let term = Int(t)
            var p = rowStart[term]
            let end = rowStart[term + 1]
            while p < end {
                let d = Int(d32[p])
                let old = s[d]
                h[nHits] = Int32(truncatingIfNeeded: d)  // branch-free: kept only when the row was untouched
                nHits &+= old == 0 ? 1 : 0
                s[d] = old + wq * w[p]
                p += 1
            }
        }
        found = 0
        var threshold = -Double.infinity
        for i in 0..<nHits {
            let d = Int(h[i])
            let v = s[d]
            s[d] = 0
            if v < threshold || d == exclude { continue }
            insert(h[i], v)
            if found == k { threshold = bestScores[k - 1] }
        }
        // Fewer than k rows share a term: pad with zero-similarity rows in index order.
        var d = 0
        while found < k, d < rows {
            if d != exclude, !UnsafeBufferPointer(start: bestIds, count: found).contains(Int32(d)) { insert(Int32(d), 0) }
            d += 1
        }
    }

    @inline(__always) private func insert(_ d: Int32, _ v: Double) {
        if found == k {
            let lastS = bestScores[k - 1], lastI = bestIds[k - 1]
            if v < lastS || (v == lastS && d > lastI) { return }
        } else {
            found += 1
        }
        var j = found - 1
        while j > 0, bestScores[j - 1] < v || (bestScores[j - 1] == v && bestIds[j - 1] > d) {
            bestScores[j] = bestScores[j - 1]; bestIds[j] = bestIds[j - 1]; j -= 1
        }
        bestScores[j] = v; bestIds[j] = d
    }

    /// Copies the best k into the output buffers at `offset`.
    func write(into ids: UnsafeMutableBufferPointer<Int32>, _ cos: UnsafeMutableBufferPointer<Double>, at offset: Int) {
        for j in 0..<found { ids[offset + j] = bestIds[j]; cos[offset + j] = bestScores[j] }
    }
}
