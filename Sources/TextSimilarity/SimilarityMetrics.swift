/// Quality figures for one method's neighbour table.
public struct SimilarityMetrics: Sendable, Equatable, Codable {
    /// Mean euclidean distance of the top-k neighbours over all documents (the research's figure, self excluded).
    public var averageDistance: Double
    /// Share of (query, neighbour) pairs with the same product type.
    public var sameTypeRate: Double
    /// Share of (query, neighbour) pairs with the same brand (a missing brand never matches).
    public var sameBrandRate: Double
    /// Mean cosine similarity of the top-k neighbours.
    public var averageCosine: Double

    /// Computes the figures over `table`, given each document's type and brand.
    public static func compute(_ table: NeighbourTable, types: [String?], brands: [String?]) -> SimilarityMetrics {
        var dist = 0.0, cos = 0.0, pairs = 0, sameType = 0, sameBrand = 0
        for q in 0..<table.count {
            for j in 0..<table.k {
                let d = Int(table.neighbours[q * table.k + j])
                guard d >= 0 else { continue }
                pairs += 1
                dist += table.distance[q * table.k + j]
                cos += table.cosine[q * table.k + j]
                if let t = types[q], t == types[d] { sameType += 1 }
                if let b = brands[q], !b.isEmpty, b == brands[d] { sameBrand += 1 }
            }
        }
        let n = Double(max(pairs, 1))
        return SimilarityMetrics(averageDistance: dist / n, sameTypeRate: Double(sameType) / n,
                                 sameBrandRate: Double(sameBrand) / n, averageCosine: cos / n)
    }
}
