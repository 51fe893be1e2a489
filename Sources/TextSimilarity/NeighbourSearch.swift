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
        let unit = vectors.l2Normalized()
        let index = unit.transposed()
        var ids = [Int32](repeating: -1, count: n * k)
        var cos = [Double](repeating: 0, count: n * k)
        ids.withUnsafeMutableBufferPointer { idp in
            cos.withUnsafeMutableBufferPointer { cp in
                let out = Output(ids: idp, cos: cp)
                let chunks = max(1, min(n, threads * 8))
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var scorer = Scorer(index: index, k: k)
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
        guard qNorm > 0 else { return [] }
        var scorer = Scorer(index: index, k: k)
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

/// Per-thread scratch for scoring one query against all rows and keeping the best k.
struct Scorer {
    let index: SparseMatrix
    let k: Int
    var scores: [Double]
    var touched: [Int32] = []
    var bestIds: [Int32]
    var bestScores: [Double]
    var found = 0

    init(index: SparseMatrix, k: Int) {
        self.index = index; self.k = k
        scores = [Double](repeating: 0, count: index.columnCount)
        bestIds = [Int32](repeating: -1, count: k)
        bestScores = [Double](repeating: 0, count: k)
        touched.reserveCapacity(index.columnCount)
    }

    /// Accumulates dot products of the query with every row and selects the best k.
    mutating func score(columns: ArraySlice<Int32>, values: ArraySlice<Double>, exclude: Int) {
        var buffer = scores, hits = touched
        scores = []; touched = []
        hits.removeAll(keepingCapacity: true)
        let rowStart = index.rowStart
        buffer.withUnsafeMutableBufferPointer { s in
            index.columns.withUnsafeBufferPointer { docs in
                index.values.withUnsafeBufferPointer { w in
                    for (t, wq) in zip(columns, values) {
                        let term = Int(t)
                        for p in rowStart[term]..<rowStart[term + 1] {
                            let d = Int(docs[p])
                            if s[d] == 0 { hits.append(docs[p]) }
                            s[d] += wq * w[p]
                        }
                    }
                }
            }
        }
        found = 0
        for d32 in hits {
            let d = Int(d32)
            let v = buffer[d]
            buffer[d] = 0
            if d == exclude { continue }
            insert(d32, v)
        }
        scores = buffer; touched = hits
        // Fewer than k rows share a term: pad with zero-similarity rows in index order.
        if found < k {
            var d = 0
            while found < k, d < index.columnCount {
                if d != exclude, !bestIds[0..<found].contains(Int32(d)) { insert(Int32(d), 0) }
                d += 1
            }
        }
    }

    @inline(__always) private mutating func insert(_ d: Int32, _ v: Double) {
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
