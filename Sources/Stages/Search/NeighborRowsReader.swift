import Foundation
import Pipeline

/// Reads neighbour tables written by text.similarity or index.publish, in either shape:
/// nested (`{"id", "neighbors": [{"id", "distance"}…], "method"?}`), parallel lists as text.similarity
/// writes them (`{"id", "method", "neighbours": [ids], "distance": [numbers]}`), or flat
/// (`{"id", "neighbor_id", "rank"?, "distance", "method"?}`). A folder contributes every
/// `.jsonl` whose name mentions neighbours, bow or tfidf; the method defaults to the file name.
enum NeighborRowsReader {
    /// Rows of neighbours, ranks 1-based and in file order per (method, id).
    static func read(_ location: URL) throws -> [CatalogIndexWriter.TextNeighbor] {
        var out: [CatalogIndexWriter.TextNeighbor] = []
        for file in try files(location) {
            let stem = file.deletingPathExtension().lastPathComponent
            var nextRank: [String: Int] = [:]
            for row in try JSONLinesRows.read(file) {
                guard let id = JSONLinesRows.text(row, "id") else { continue }
                let method = JSONLinesRows.text(row, "method") ?? stem
                if let list = row["neighbors"]?.arrayValue ?? row["neighbours"]?.arrayValue {
                    // text.similarity writes parallel lists: "neighbours": [ids], "distance": [numbers].
                    let distances = row["distance"]?.arrayValue
                    for (r, item) in list.enumerated() {
                        if let n = item.stringValue {
                            let d = distances.flatMap { r < $0.count ? $0[r].doubleValue : nil } ?? .nan
                            out.append(.init(method: method, id: id, rank: r + 1, neighborID: n, distance: d))
                            continue
                        }
                        guard let o = item.objectValue, let n = (o["id"] ?? o["neighbor_id"])?.description else { continue }
                        out.append(.init(method: method, id: id, rank: r + 1, neighborID: n, distance: distance(o)))
                    }
                } else if let n = JSONLinesRows.text(row, "neighbor_id") ?? JSONLinesRows.text(row, "neighbor") {
                    let key = method + "\u{1}" + id
                    let rank = row["rank"]?.intValue ?? ((nextRank[key] ?? 0) + 1)
                    nextRank[key] = rank
                    out.append(.init(method: method, id: id, rank: rank, neighborID: n, distance: distance(row)))
                }
            }
        }
        return out
    }

    private static func distance(_ o: [String: JSONValue]) -> Double {
        (o["distance"] ?? o["euclidean"] ?? o["euclidean_distance"] ?? o["cosine_distance"])?.doubleValue ?? .nan
    }

    /// The tables at a location: the file itself, or the neighbour tables inside a folder (sorted by name).
    static func files(_ location: URL) throws -> [URL] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [location] }
        return try FileManager.default.contentsOfDirectory(at: location, includingPropertiesForKeys: nil)
            .filter { url in
                let name = url.lastPathComponent.lowercased()
                return name.hasSuffix(".jsonl") && ["neighbo", "bow", "tfidf", "tf-idf"].contains { name.contains($0) }
            }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }
}
