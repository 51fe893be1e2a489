import Foundation
import Pipeline
import Randomness
import Report

/// Picks sample queries (seeded) from neighbour tables and turns them into gallery tiles with
/// thumbnails read from the blob store.
struct QuerySampler {
    /// Where image bytes live (by sha256).
    let blobs: BlobStore?
    /// How many queries to show.
    let samples: Int
    /// Larger images are left out of the page to keep it small.
    static let maxImageBytes = 512 * 1024

    /// Sample rows of a visual_neighbors.jsonl table.
    func imageQueries(from url: URL, generator: inout SeededGenerator) throws -> [ImageQuery] {
        let rows = try JSONLinesRows.read(url)
        return generator.sample(samples, from: rows.count).sorted().map { i in
            let row = rows[i]
            let neighbors = (row["neighbors"]?.arrayValue ?? []).compactMap(\.objectValue).map { tile($0, distance: $0["distance"]?.doubleValue) }
            return ImageQuery(query: tile(row, distance: nil), neighbors: neighbors)
        }
    }

    /// Sample ids present in every method's table, with each method's ranked neighbours.
    func textQueries(from files: [URL], titles: [String: String], generator: inout SeededGenerator) throws -> [Report.TextQuery] {
        var byMethod: [String: [String: [(Int, String, Double)]]] = [:]
        for file in files {
            for n in try NeighborRowsReader.read(file) { byMethod[n.method, default: [:]][n.id, default: []].append((n.rank, n.neighborID, n.distance)) }
        }
        let methods = byMethod.keys.sorted()
        guard let first = methods.first else { return [] }
        let common = (byMethod[first] ?? [:]).keys.filter { id in methods.allSatisfy { byMethod[$0]?[id] != nil } }.sorted()
        return generator.sample(samples, from: common.count).sorted().map { i in
            let id = common[i]
            let lists = methods.map { m in
                (name: m, neighbors: (byMethod[m]?[id] ?? []).sorted { $0.0 < $1.0 }.map {
                    ProductTile(id: $0.1, title: titles[$0.1] ?? $0.1, distance: $0.2.isFinite ? $0.2 : nil)
                })
            }
            return Report.TextQuery(query: ProductTile(id: id, title: titles[id] ?? id), methods: lists)
        }
    }

    /// A tile from a row with id, title, type and sha256.
    func tile(_ row: [String: JSONValue], distance: Double?) -> ProductTile {
        let id = JSONLinesRows.text(row, "id") ?? ""
        return ProductTile(id: id, title: JSONLinesRows.text(row, "title").flatMap { $0.isEmpty ? nil : $0 } ?? id,
                           detail: JSONLinesRows.text(row, "type") ?? "", distance: distance,
                           image: JSONLinesRows.text(row, "sha256").flatMap(image))
    }

    /// The blob's bytes as an inline image, when it is a known image format and not too large.
    func image(_ sha256: String) -> ReportImage? {
        guard let blobs, let data = try? blobs.data(for: sha256), data.count <= Self.maxImageBytes,
              let mime = Self.mimeType(data) else { return nil }
        return ReportImage(mimeType: mime, data: data)
    }

    /// The MIME type from the first bytes (JPEG, PNG, GIF, WebP), nil otherwise.
    static func mimeType(_ data: Data) -> String? {
        let b = [UInt8](data.prefix(12))
        if b.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if b.starts(with: [0x89, 0x50, 0x4E, 0x47]) { return "image/png" }
        if b.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if b.count >= 12, b.starts(with: Array("RIFF".utf8)), Array(b[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }
}
