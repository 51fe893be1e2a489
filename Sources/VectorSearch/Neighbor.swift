/// One search hit: the row index of a neighbour and its distance to the query (smaller is closer).
public struct Neighbor: Sendable, Hashable, Codable {
    /// Row of the neighbour in the index.
    public let index: Int
    /// Cosine distance (1 − cosine similarity) or euclidean distance, depending on the metric.
    public let distance: Float

    /// A hit.
    public init(index: Int, distance: Float) { self.index = index; self.distance = distance }
}

/// The distance used to rank neighbours.
public enum DistanceMetric: String, Sendable, CaseIterable, Codable {
    /// Inner product on L2-normalised rows, reported as 1 − cosine similarity.
    case cosine
    /// Euclidean (L2) distance.
    case euclidean
}

/// Top-k neighbours of many queries, flat: row `q`'s hits are at `q * k ..< (q + 1) * k`, closest first.
public struct NeighborTable: Sendable, Hashable {
    /// Number of query rows.
    public let rows: Int
    /// Hits per row.
    public let k: Int
    /// Neighbour row indices, `rows * k` long.
    public let indices: [Int32]
    /// Distances aligned with `indices`.
    public let distances: [Float]

    /// A table from flat arrays.
    public init(rows: Int, k: Int, indices: [Int32], distances: [Float]) {
        self.rows = rows; self.k = k; self.indices = indices; self.distances = distances
    }

    /// The hits of query row `q`, closest first.
    public func neighbors(ofRow q: Int) -> [Neighbor] {
        (0..<k).map { Neighbor(index: Int(indices[q * k + $0]), distance: distances[q * k + $0]) }
    }
}
