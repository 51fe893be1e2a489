import Foundation
import Randomness
import Testing
import CBLASLoader
@testable import VectorSearch

/// Brute-force Float64 reference: every distance, sorted by (distance, index).
private func reference(_ x: [Float], rows: Int, dim: Int, query: [Float], metric: DistanceMetric, skip: Int?, k: Int) -> [(Int, Double)] {
    func norm(_ v: ArraySlice<Float>) -> Double { v.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot() }
    let qn = norm(query[...])
    var all: [(Int, Double)] = []
    for r in 0..<rows where r != skip {
        let row = x[(r * dim)..<((r + 1) * dim)]
        var dot = 0.0, d2 = 0.0
        for (a, b) in zip(row, query) { dot += Double(a) * Double(b); d2 += (Double(a) - Double(b)) * (Double(a) - Double(b)) }
        let dist = metric == .cosine ? 1 - dot / max(norm(row) * qn, 1e-300) : d2.squareRoot()
        all.append((r, dist))
    }
    all.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
    return Array(all.prefix(k))
}

private func randomMatrix(rows: Int, dim: Int, seed: UInt64) -> [Float] {
    var g = SeededGenerator(seed: seed, stream: "vectors")
    return (0..<(rows * dim)).map { _ in Float(g.nextGaussian()) }
}

/// Checks hits against the reference: distances within 1e-4 at every rank, and the same index
/// unless the reference itself has a near-tie (within 1e-5) at that rank.
private func expectMatches(_ got: [Neighbor], _ want: [(Int, Double)], tolerance: Double = 1e-4) {
    #expect(got.count == want.count)
    for (r, (g, w)) in zip(got, want).enumerated() {
        #expect(abs(Double(g.distance) - w.1) < tolerance, "rank \(r): distance \(g.distance) vs \(w.1)")
        let nearTie = (r > 0 && abs(want[r - 1].1 - w.1) < 1e-5) || (r + 1 < want.count && abs(want[r + 1].1 - w.1) < 1e-5)
        if !nearTie { #expect(g.index == w.0, "rank \(r): index \(g.index) vs \(w.0)") }
    }
}

@Test(arguments: [DistanceMetric.cosine, .euclidean])
func allPairsMatchesFloat64Reference(metric: DistanceMetric) throws {
    let rows = 301, dim = 37, k = 10
    let x = randomMatrix(rows: rows, dim: dim, seed: 7)
    // Small blocks so the test crosses many block boundaries (including ragged ones).
    let index = ExactSearchIndex(try EmbeddingMatrix(rows: rows, dimension: dim, values: x), metric: metric,
                                 queryBlock: 64, indexBlock: 80)
    let table = try index.allPairs(k: k, threads: 2)
    #expect(table.rows == rows && table.k == k)
    for q in 0..<rows {
        let want = reference(x, rows: rows, dim: dim, query: Array(x[(q * dim)..<((q + 1) * dim)]), metric: metric, skip: q, k: k)
        let got = table.neighbors(ofRow: q)
        #expect(!got.contains { $0.index == q }, "row \(q) is its own neighbour")
        expectMatches(got, want, tolerance: metric == .cosine ? 1e-5 : 1e-3)
    }
}

@Test(arguments: [DistanceMetric.cosine, .euclidean])
func singleQueryMatchesReference(metric: DistanceMetric) throws {
    let rows = 500, dim = 64
    let x = randomMatrix(rows: rows, dim: dim, seed: 11)
    let query = randomMatrix(rows: 1, dim: dim, seed: 12)
    let index = ExactSearchIndex(try EmbeddingMatrix(rows: rows, dimension: dim, values: x), metric: metric, indexBlock: 96)
    let got = try index.search(query, k: 10)
    expectMatches(got, reference(x, rows: rows, dim: dim, query: query, metric: metric, skip: nil, k: 10), tolerance: 1e-3)
}

@Test func batchQueriesMatchSingleQueries() throws {
    let rows = 200, dim = 16
    let x = randomMatrix(rows: rows, dim: dim, seed: 3)
    let qs = randomMatrix(rows: 25, dim: dim, seed: 4)
    let index = ExactSearchIndex(try EmbeddingMatrix(rows: rows, dimension: dim, values: x), queryBlock: 7, indexBlock: 33)
    let table = try index.search(queries: try EmbeddingMatrix(rows: 25, dimension: dim, values: qs), k: 5, threads: 2)
    for q in 0..<25 {
        let single = try index.search(Array(qs[(q * dim)..<((q + 1) * dim)]), k: 5)
        #expect(single.map(\.index) == table.neighbors(ofRow: q).map(\.index))
    }
}

@Test(arguments: [DistanceMetric.cosine, .euclidean])
func tiesGoToTheSmallerIndex(metric: DistanceMetric) throws {
    // Integer-valued vectors give exact float products: rows 2, 5, 9, 14 and 40 are identical,
    // so a query equal to them sees four exact ties after itself, across block boundaries.
    let dim = 4, rows = 48
    var x = [Float](repeating: 0, count: rows * dim)
    for r in 0..<rows { for c in 0..<dim { x[r * dim + c] = Float((r * 7 + c * 3) % 5) - 2 } }
    let dup: [Float] = [3, 1, 0, 2]
    for r in [2, 5, 9, 14, 40] { x.replaceSubrange((r * dim)..<((r + 1) * dim), with: dup) }
    let index = ExactSearchIndex(try EmbeddingMatrix(rows: rows, dimension: dim, values: x), metric: metric,
                                 queryBlock: 3, indexBlock: 16)
    let table = try index.allPairs(k: 4, threads: 2)
    #expect(table.neighbors(ofRow: 9).map(\.index) == [2, 5, 14, 40])
    #expect(table.neighbors(ofRow: 40).map(\.index) == [2, 5, 9, 14])
    #expect(try index.search(dup, k: 3).map(\.index) == [2, 5, 9])
    for n in table.neighbors(ofRow: 9) { #expect(abs(n.distance) < 1e-6) }
}

@Test func kIsCappedAndResultsAreRepeatable() throws {
    let x = randomMatrix(rows: 6, dim: 3, seed: 5)
    let index = ExactSearchIndex(try EmbeddingMatrix(rows: 6, dimension: 3, values: x))
    let a = try index.allPairs(k: 10, threads: 2)
    #expect(a.k == 5)
    #expect(try index.allPairs(k: 10, threads: 1) == a)
    #expect(try index.search(row: 0, k: 10).count == 5)
}

@Test func badInputThrowsTypedErrors() throws {
    #expect(throws: VectorSearchError.badShape(rows: 2, dimension: 3, count: 5)) {
        try EmbeddingMatrix(rows: 2, dimension: 3, values: [1, 2, 3, 4, 5])
    }
    #expect(throws: VectorSearchError.nonFinite(row: 1, column: 0)) {
        try EmbeddingMatrix(rows: 2, dimension: 2, values: [1, 2, .nan, 4])
    }
    let index = ExactSearchIndex(try EmbeddingMatrix(rows: 2, dimension: 2, values: [1, 0, 0, 1]))
    #expect(throws: VectorSearchError.dimensionMismatch(expected: 2, got: 3)) { try index.search([1, 2, 3], k: 1) }
    #expect(throws: VectorSearchError.invalidK(0)) { try index.allPairs(k: 0) }
    #expect(throws: VectorSearchError.rowOutOfRange(5, rows: 2)) { try index.search(row: 5, k: 1) }
}

/// A setting of the test's own for the override logic (OpenBLAS's real count is changed concurrently by other
/// suites); read and written only under the override's lock or while it is held.
nonisolated(unsafe) private var overriddenSetting = (value: 2, writes: [Int]())

/// OpenBLAS's thread count is process-wide and other suites change it concurrently, so the override logic is
/// checked on a setting of its own; the real one only for its kernels.
@Test func overlappingOverridesRestoreTheOriginalValue() {
    nonisolated(unsafe) let override = UnsafeMutablePointer<vitrine_override>.allocate(capacity: 1)
    defer { override.deallocate() }
    vitrine_override_init(override, { Int32(overriddenSetting.value) }, {
        overriddenSetting.value = Int($0); overriddenSetting.writes.append(Int($0))
    })
    let seenInside = NSLock()
    nonisolated(unsafe) var inside: [Int] = []
    DispatchQueue.concurrentPerform(iterations: 16) { _ in
        vitrine_override_enter(override, 1)
        Thread.sleep(forTimeInterval: 0.002)
        let v = overriddenSetting.value
        seenInside.withLock { inside.append(v) }
        vitrine_override_leave(override)
    }
    let setting = overriddenSetting
    #expect(inside.count == 16 && inside.allSatisfy { $0 == 1 })
    #expect(setting.value == 2, "the value before the first override is back after the last")
    #expect(setting.writes.first == 1 && setting.writes.last == 2 && setting.writes.count.isMultiple(of: 2))
    #expect(!BLASThreads.coreName.isEmpty && BLASThreads.coreName != "unknown")
}
