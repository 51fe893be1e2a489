import VectorSearch

/// Search quality of a neighbour table: precision@k by product type (share of a product's
/// neighbours with its type) and recall of near-duplicate pairs among the top k.
struct RetrievalQuality: Sendable {
    /// Mean precision@k over products with a type.
    var precision: Double
    /// Mean precision@k per product type.
    var precisionByType: [String: Double]
    /// Share of near-duplicate pairs (both embedded) where one is among the other's top k; nil without pairs.
    var nearDuplicateRecall: Double?
    /// Near-duplicate pairs evaluated.
    var nearDuplicatePairs: Int

    /// Measures `table` whose rows are `ids`; `types` gives each id's product type ("" = unknown, skipped).
    init(table: NeighborTable, ids: [String], types: [String: String], duplicatePairs: [(String, String)]) {
        var sum = 0.0, counted = 0
        var byType: [String: (Double, Int)] = [:]
        for q in 0..<table.rows {
            guard let t = types[ids[q]], !t.isEmpty else { continue }
            var hits = 0, total = 0
            for r in 0..<table.k {
                let j = Int(table.indices[q * table.k + r])
                guard j >= 0 else { continue }
                total += 1
                if types[ids[j]] == t { hits += 1 }
            }
            guard total > 0 else { continue }
            let p = Double(hits) / Double(total)
            sum += p; counted += 1
            byType[t, default: (0, 0)].0 += p
            byType[t, default: (0, 0)].1 += 1
        }
        precision = counted > 0 ? sum / Double(counted) : 0
        precisionByType = byType.mapValues { $0.0 / Double($0.1) }
        let rowByID = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        var found = 0, pairs = 0
        for (a, b) in duplicatePairs {
            guard let ra = rowByID[a], let rb = rowByID[b], ra != rb else { continue }
            pairs += 1
            let aHas = (0..<table.k).contains { Int(table.indices[ra * table.k + $0]) == rb }
            let bHas = (0..<table.k).contains { Int(table.indices[rb * table.k + $0]) == ra }
            if aHas || bHas { found += 1 }
        }
        nearDuplicatePairs = pairs
        nearDuplicateRecall = pairs > 0 ? Double(found) / Double(pairs) : nil
    }
}
