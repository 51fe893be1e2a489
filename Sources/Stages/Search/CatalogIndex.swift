import Foundation
import GRDB

/// Read-only access to a published catalog index, as a serving application (or `vitrine`) opens it.
public final class CatalogIndex: Sendable {
    private let db: DatabaseQueue

    /// Opens the SQLite file at `url` read-only.
    public init(url: URL) throws {
        var config = Configuration()
        config.readonly = true
        db = try DatabaseQueue(path: url.path, configuration: config)
    }

    /// The manifest as key → value.
    public func manifest() throws -> [String: String] {
        try db.read { db in
            var out: [String: String] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT key, value FROM manifest") { out[row["key"]] = row["value"] }
            return out
        }
    }

    /// Rows in one of the index tables (products, visual_neighbors, text_neighbors, embeddings, manifest).
    public func count(_ table: String) throws -> Int {
        guard ["products", "visual_neighbors", "text_neighbors", "embeddings", "manifest"].contains(table) else { return 0 }
        return try db.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
    }

    /// Visual neighbours of `id`, closest first, as (neighbour id, distance).
    public func visualNeighbors(of id: String) throws -> [(id: String, distance: Double)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT neighbor_id, distance FROM visual_neighbors WHERE id = ? ORDER BY rank", arguments: [id])
                .map { (id: $0["neighbor_id"], distance: $0["distance"]) }
        }
    }

    /// Text neighbours of `id` for `method` (e.g. bow, tfidf), closest first.
    public func textNeighbors(of id: String, method: String) throws -> [(id: String, distance: Double)] {
        try db.read { db in
            try Row.fetchAll(db, sql: "SELECT neighbor_id, distance FROM text_neighbors WHERE method = ? AND id = ? ORDER BY rank",
                             arguments: [method, id])
                .map { (id: $0["neighbor_id"], distance: $0["distance"]) }
        }
    }

    /// The stored embedding of `id` (float32 values), if any.
    public func embedding(of id: String) throws -> [Float]? {
        try db.read { db in
            guard let blob = try Data.fetchOne(db, sql: "SELECT vector FROM embeddings WHERE id = ?", arguments: [id]) else { return nil }
            return blob.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        }
    }

    /// Every product row (id, title, type, brand, price), keyed by id.
    public func products() throws -> [String: ProductInfo] {
        try db.read { db in
            var out: [String: ProductInfo] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, title, product_type, brand, price FROM products") {
                let id: String = row["id"]
                out[id] = ProductInfo(id: id, title: row["title"], type: row["product_type"], brand: row["brand"], price: row["price"])
            }
            return out
        }
    }
}
