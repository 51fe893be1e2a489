import Foundation
import GRDB
import VectorSearch

/// Writes the served catalog index: one SQLite file with products, visual and text neighbours,
/// embeddings (float32 little-endian blobs) and a manifest, for an application to open read-only.
struct CatalogIndexWriter {
    /// One text neighbour row (method, rank are 1-based per id).
    struct TextNeighbor: Sendable {
        var method: String, id: String, rank: Int, neighborID: String, distance: Double
    }

    /// Builds the file at `url` (replacing one there) in a single transaction.
    static func write(to url: URL, products: [String: ProductInfo], embeddings: EmbeddingSet, neighbors: NeighborTable,
                      textNeighbors: [TextNeighbor], manifest: [(String, String)]) throws {
        try? FileManager.default.removeItem(at: url)
        let db = try DatabaseQueue(path: url.path)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE products (id TEXT PRIMARY KEY, title TEXT NOT NULL, product_type TEXT NOT NULL, brand TEXT,
                    price REAL, image_sha256 TEXT, row INTEGER);
                CREATE TABLE visual_neighbors (id TEXT NOT NULL, rank INTEGER NOT NULL, neighbor_id TEXT NOT NULL,
                    distance REAL NOT NULL, PRIMARY KEY (id, rank)) WITHOUT ROWID;
                CREATE TABLE text_neighbors (method TEXT NOT NULL, id TEXT NOT NULL, rank INTEGER NOT NULL,
                    neighbor_id TEXT NOT NULL, distance REAL NOT NULL, PRIMARY KEY (method, id, rank)) WITHOUT ROWID;
                CREATE TABLE embeddings (id TEXT PRIMARY KEY, vector BLOB NOT NULL);
                CREATE TABLE manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                """)
            let rowByID = Dictionary(embeddings.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
            let product = try db.makeStatement(sql: "INSERT OR REPLACE INTO products VALUES (?, ?, ?, ?, ?, ?, ?)")
            var ids = Set(products.keys)
            ids.formUnion(embeddings.ids)
            for id in ids.sorted() {
                let info = products[id], row = rowByID[id]
                try product.execute(arguments: [id, info?.title ?? "", info?.type ?? "", info?.brand, info?.price,
                                                row.flatMap { embeddings.sha256[$0] }, row])
            }
            let visual = try db.makeStatement(sql: "INSERT OR REPLACE INTO visual_neighbors VALUES (?, ?, ?, ?)")
            for q in 0..<neighbors.rows {
                for r in 0..<neighbors.k {
                    let j = Int(neighbors.indices[q * neighbors.k + r])
                    guard j >= 0 else { continue }
                    try visual.execute(arguments: [embeddings.ids[q], r + 1, embeddings.ids[j],
                                                   Double(neighbors.distances[q * neighbors.k + r])])
                }
            }
            let text = try db.makeStatement(sql: "INSERT OR REPLACE INTO text_neighbors VALUES (?, ?, ?, ?, ?)")
            for t in textNeighbors { try text.execute(arguments: [t.method, t.id, t.rank, t.neighborID, t.distance]) }
            let vector = try db.makeStatement(sql: "INSERT OR REPLACE INTO embeddings VALUES (?, ?)")
            let d = embeddings.matrix.dimension
            try embeddings.matrix.values.withUnsafeBytes { raw in
                for (row, id) in embeddings.ids.enumerated() {
                    let blob = Data(raw[(row * d * 4)..<((row + 1) * d * 4)])
                    try vector.execute(arguments: [id, blob])
                }
            }
            let meta = try db.makeStatement(sql: "INSERT OR REPLACE INTO manifest VALUES (?, ?)")
            for (key, value) in manifest { try meta.execute(arguments: [key, value]) }
        }
        try db.close()
    }
}
