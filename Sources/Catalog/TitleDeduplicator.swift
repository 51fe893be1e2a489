/// How titles are compared when deduplicating.
public enum DedupeMode: String, Sendable, CaseIterable {
    /// Identical after `TitleNormalizer` normalisation.
    case exact
    /// At most `maxWordDifferences` differing word positions (the research's near-duplicate rule).
    case near
}

/// One dropped row and the kept row it duplicates.
public struct DuplicatePair: Sendable, Hashable {
    /// Index of the dropped row in the input.
    public var dropped: Int
    /// Index of the kept row it duplicates.
    public var kept: Int
    /// Differing word positions between the two normalised titles (0 for an exact duplicate).
    public var differences: Int
}

/// Exact and near-duplicate title dedupe.
///
/// Near rule (the research's): compare normalised titles word by word from the start; position
/// `i` differs when the words differ or only one title has an `i`-th word. Two titles are
/// near-duplicates when they differ in at most `maxWordDifferences` positions (default 2, i.e.
/// "fewer than 3").
///
/// Survivor rule: rows are visited in input order; a row is kept unless it duplicates an
/// already-kept row, in which case it maps to the earliest such kept row. So the first
/// occurrence wins, kept titles are pairwise not duplicates, and every dropped title duplicates a
/// kept one. Rows whose title is missing are always kept.
///
/// Blocking: with D = `maxWordDifferences`, if the longer title has at least D + 2 words then
/// at least two of the first D + 2 positions hold equal words in both titles, so candidates are
/// found through buckets keyed by (position pair, word pair); titles with at most D + 1 words are
/// also compared against every other such short kept title.
public struct TitleDeduplicator: Sendable {
    /// Exact or near.
    public var mode: DedupeMode
    /// Largest number of differing word positions still counted as a duplicate (near mode).
    public var maxWordDifferences: Int

    /// A deduplicator.
    public init(mode: DedupeMode = .near, maxWordDifferences: Int = 2) {
        self.mode = mode; self.maxWordDifferences = max(0, maxWordDifferences)
    }

    /// Indices of kept rows (ascending) and the duplicates found, for `titles` in input order.
    public func run(titles: [String?]) -> (kept: [Int], duplicates: [DuplicatePair]) {
        let words = titles.map { $0.map(TitleNormalizer.words) }
        switch mode {
        case .exact: return exact(words)
        case .near: return near(words)
        }
    }

    private func exact(_ words: [[String]?]) -> (kept: [Int], duplicates: [DuplicatePair]) {
        var first: [[String]: Int] = [:]
        var kept: [Int] = [], dups: [DuplicatePair] = []
        for (r, w) in words.enumerated() {
            guard let w else { kept.append(r); continue }
            if let k = first[w] { dups.append(DuplicatePair(dropped: r, kept: k, differences: 0)) }
            else { first[w] = r; kept.append(r) }
        }
        return (kept, dups)
    }

    private func near(_ words: [[String]?]) -> (kept: [Int], duplicates: [DuplicatePair]) {
        // Intern words and lay titles out flat.
        var ids: [String: Int32] = [:]
        var flat: [Int32] = []
        var start: [Int] = [0]
        flat.reserveCapacity(words.count * 12)
        for w in words {
            for word in w ?? [] {
                if let id = ids[word] { flat.append(id) } else { let id = Int32(ids.count); ids[word] = id; flat.append(id) }
            }
            start.append(flat.count)
        }
        let d = maxWordDifferences
        let positions = d + 2
        var buckets: [UInt64: [Int32]] = [:]
        var shortKept: [Int32] = []
        var stamp = [Int32](repeating: -1, count: words.count)
        var kept: [Int] = [], dups: [DuplicatePair] = []
        kept.reserveCapacity(words.count)
        flat.withUnsafeBufferPointer { f in
            for r in 0..<words.count {
                guard words[r] != nil else { kept.append(r); continue }
                let a = start[r], la = start[r + 1] - a
                var best = -1, bestDiff = 0
                func consider(_ c: Int32) {
                    let ci = Int(c)
                    if stamp[ci] == Int32(r) { return }
                    stamp[ci] = Int32(r)
                    let b = start[ci], lb = start[ci + 1] - b
                    if abs(la - lb) > d { return }
                    let diff = Self.differences(f, a, la, b, lb, limit: d)
                    if diff <= d, best < 0 || ci < best { best = ci; bestDiff = diff }
                }
                let n = min(la, positions)
                var keys: [UInt64] = []
                var pair: UInt64 = 0
                for i in 0..<positions {
                    for j in (i + 1)..<positions {
                        defer { pair += 1 }
                        guard j < n else { continue }
                        keys.append(Self.key(pair, f[a + i], f[a + j]))
                    }
                }
                for k in keys { if let list = buckets[k] { for c in list { consider(c) } } }
                if la <= d + 1 { for c in shortKept { consider(c) } }
                if best >= 0 {
                    dups.append(DuplicatePair(dropped: r, kept: best, differences: bestDiff))
                } else {
                    kept.append(r)
                    for k in keys { buckets[k, default: []].append(Int32(r)) }
                    if la <= d + 1 { shortKept.append(Int32(r)) }
                }
            }
        }
        return (kept, dups)
    }

    @inline(__always) private static func key(_ pair: UInt64, _ wi: Int32, _ wj: Int32) -> UInt64 {
        (pair << 56) ^ (UInt64(UInt32(bitPattern: wi)) << 28) ^ UInt64(UInt32(bitPattern: wj))
    }

    @inline(__always) private static func differences(_ f: UnsafeBufferPointer<Int32>, _ a: Int, _ la: Int, _ b: Int, _ lb: Int,
                                                      limit: Int) -> Int {
        var diff = abs(la - lb)
        let common = min(la, lb)
        var i = 0
        while i < common, diff <= limit {
            if f[a + i] != f[b + i] { diff += 1 }
            i += 1
        }
        return diff
    }

    /// Differing word positions between two titles under the research's rule (after normalisation).
    public static func wordDifferences(_ a: String, _ b: String) -> Int {
        let x = TitleNormalizer.words(a), y = TitleNormalizer.words(b)
        var diff = abs(x.count - y.count)
        for i in 0..<min(x.count, y.count) where x[i] != y[i] { diff += 1 }
        return diff
    }
}
