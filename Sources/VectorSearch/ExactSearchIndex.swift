import CBLAS
import Dispatch

/// Exact nearest-neighbour search over an embedding matrix: blocked `cblas_sgemm` with the
/// top-k selection fused into each block, so memory stays bounded (never rows × rows scores).
/// Ranking is deterministic: by distance, then by the smaller row index.
public final class ExactSearchIndex: Sendable {
    /// The metric the index ranks by.
    public let metric: DistanceMetric
    /// The indexed rows (L2-normalised for cosine).
    public let matrix: EmbeddingMatrix
    /// ‖x‖² per row (used by euclidean).
    let norms: [Float]
    /// Query rows per sgemm block.
    let queryBlock: Int
    /// Index rows per sgemm block.
    let indexBlock: Int

    /// Number of indexed rows.
    public var count: Int { matrix.rows }
    /// Length of each vector.
    public var dimension: Int { matrix.dimension }

    /// An index over `matrix`; cosine normalises a copy of the rows. Block sizes bound the scratch
    /// memory to `queryBlock × indexBlock` floats per thread.
    public init(_ matrix: EmbeddingMatrix, metric: DistanceMetric = .cosine, queryBlock: Int = 512, indexBlock: Int = 4096) {
        self.metric = metric
        self.matrix = metric == .cosine ? matrix.l2Normalized() : matrix
        self.norms = metric == .euclidean ? matrix.squaredNorms() : []
        self.queryBlock = max(1, queryBlock)
        self.indexBlock = max(16, indexBlock)
    }

    /// The `k` rows closest to `query` (fewer when the index is smaller), skipping row `excluding`.
    public func search(_ query: [Float], k: Int, excluding: Int? = nil) throws -> [Neighbor] {
        guard k > 0 else { throw VectorSearchError.invalidK(k) }
        guard query.count == dimension else { throw VectorSearchError.dimensionMismatch(expected: dimension, got: query.count) }
        let q = try EmbeddingMatrix(rows: 1, dimension: dimension, values: query)
        let table = run(queries: q, k: k, threads: 1, selfExclusion: false, skipSingle: excluding ?? -1)
        return table.neighbors(ofRow: 0).filter { $0.index >= 0 }
    }

    /// The `k` rows closest to indexed row `row`, itself excluded.
    public func search(row: Int, k: Int) throws -> [Neighbor] {
        guard row >= 0, row < count else { throw VectorSearchError.rowOutOfRange(row, rows: count) }
        return try search(matrix.row(row), k: k, excluding: row)
    }

    /// Top-k for every row of `queries` (closest first); `threads` workers each run single-threaded sgemm.
    public func search(queries: EmbeddingMatrix, k: Int, threads: Int = 2) throws -> NeighborTable {
        guard k > 0 else { throw VectorSearchError.invalidK(k) }
        guard queries.dimension == dimension else {
            throw VectorSearchError.dimensionMismatch(expected: dimension, got: queries.dimension)
        }
        return run(queries: queries, k: min(k, count), threads: threads, selfExclusion: false, skipSingle: -1)
    }

    /// Top-k for every indexed row against all others (itself excluded): `k` is capped at count − 1.
    public func allPairs(k: Int, threads: Int = 2) throws -> NeighborTable {
        guard k > 0 else { throw VectorSearchError.invalidK(k) }
        return run(queries: matrix, k: min(k, max(count - 1, 0)), threads: threads, selfExclusion: true, skipSingle: -1)
    }

    /// The blocked engine: query blocks are shared out to workers; each multiplies its block with
    /// successive index blocks and folds the scores into per-row top-k before the next block.
    private func run(queries: EmbeddingMatrix, k: Int, threads: Int, selfExclusion: Bool, skipSingle: Int) -> NeighborTable {
        let nq = queries.rows
        guard k > 0, nq > 0, count > 0 else { return NeighborTable(rows: nq, k: max(k, 0), indices: [], distances: []) }
        let q = metric == .cosine ? queries.l2Normalized() : queries
        let qNorms = metric == .euclidean ? q.squaredNorms() : []
        var topScores = [Float](repeating: -.infinity, count: nq * k)
        var topIndices = [Int32](repeating: -1, count: nq * k)
        let blocks = (nq + queryBlock - 1) / queryBlock
        let workers = max(1, min(threads, blocks))
        let alpha: Float = metric == .euclidean ? 2 : 1
        let scan = TopKScan(k: k)
        let d = dimension, n = count, qb = queryBlock, ib = indexBlock

        topScores.withUnsafeMutableBufferPointer { tsBuf in
            topIndices.withUnsafeMutableBufferPointer { tiBuf in
                q.values.withUnsafeBufferPointer { qBuf in
                    matrix.values.withUnsafeBufferPointer { xBuf in
                        norms.withUnsafeBufferPointer { nBuf in
                            let shared = SharedPointers(ts: tsBuf.baseAddress!, ti: tiBuf.baseAddress!, q: qBuf.baseAddress!,
                                                        x: xBuf.baseAddress!,
                                                        norms: self.metric == .euclidean ? nBuf.baseAddress : nil)
                            let body: @Sendable (Int) -> Void = { worker in
                                let scratch = UnsafeMutablePointer<Float>.allocate(capacity: qb * ib)
                                defer { scratch.deallocate() }
                                var block = worker
                                while block < blocks {
                                    let q0 = block * qb, mq = min(qb, nq - q0)
                                    var c0 = 0
                                    while c0 < n {
                                        let nc = min(ib, n - c0)
                                        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(mq), Int32(nc), Int32(d), alpha,
                                                    shared.q + q0 * d, Int32(d), shared.x + c0 * d, Int32(d), 0, scratch, Int32(nc))
                                        for r in 0..<mq {
                                            let row = q0 + r
                                            scan.fold(scores: scratch + r * nc, count: nc, firstColumn: c0,
                                                      bias: shared.norms.map { $0 + c0 }, skip: selfExclusion ? row : skipSingle,
                                                      topScores: shared.ts + row * k, topIndices: shared.ti + row * k)
                                        }
                                        c0 += nc
                                    }
                                    block += workers
                                }
                            }
                            if workers == 1 {
                                body(0)
                            } else {
                                BLASThreads.with(1) { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
                            }
                        }
                    }
                }
            }
        }
        var distances = [Float](repeating: .infinity, count: nq * k)
        for row in 0..<nq {
            for r in 0..<k where topIndices[row * k + r] >= 0 {
                let s = topScores[row * k + r]
                distances[row * k + r] = metric == .cosine ? 1 - s : max(0, qNorms[row] - s).squareRoot()
            }
        }
        return NeighborTable(rows: nq, k: k, indices: topIndices, distances: distances)
    }
}

/// Raw pointers into buffers that outlive the parallel section; each worker writes only its own rows.
private struct SharedPointers: @unchecked Sendable {
    let ts: UnsafeMutablePointer<Float>
    let ti: UnsafeMutablePointer<Int32>
    let q: UnsafePointer<Float>
    let x: UnsafePointer<Float>
    let norms: UnsafePointer<Float>?
}
