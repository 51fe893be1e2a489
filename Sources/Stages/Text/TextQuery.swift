import Catalog
import Foundation
import TextSimilarity

/// Answers `vitrine similar --id ID | --text "..." --method bow|tfidf` from a text.similarity output folder.
public enum TextQuery {
    /// One similar product.
    public struct Hit: Sendable, Equatable, Codable {
        /// Product id.
        public let id: String
        /// Product title.
        public let title: String
        /// Brand, when known.
        public let brand: String?
        /// Product type, when known.
        public let type: String?
        /// Euclidean distance (the research's figure; raw counts for bow, unit vectors for tfidf).
        public let distance: Double
        /// Cosine similarity (the ranking).
        public let cosine: Double
    }

    /// Why a query could not be answered.
    public enum QueryError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The id is not in the index.
        case unknownId(String)
        /// The method was not computed by the stage (or is not bow/tfidf).
        case unknownMethod(String)
        /// The output folder lacks a file or holds a malformed one.
        case badIndex(path: String, reason: String)

        /// A one-line message.
        public var description: String {
            switch self {
            case .unknownId(let id): return "no product with id '\(id)' in the text index"
            case .unknownMethod(let m): return "method '\(m)' was not computed (use bow or tfidf as listed in the stage's methods)"
            case .badIndex(let p, let r): return "\(p): \(r)"
            }
        }
    }

    /// The stored top neighbours of product `id` (at most the stage's k).
    public static func similar(id: String, method: String, k: Int = 10, output: URL) throws -> [Hit] {
        let docs = try documents(output)
        let file = output.appendingPathComponent("neighbours.jsonl")
        guard let data = try? Data(contentsOf: file, options: .mappedIfSafe) else {
            throw QueryError.badIndex(path: file.path, reason: "missing neighbours table")
        }
        var prefix = "{\"id\": "; CatalogValue.quote(id, into: &prefix); prefix += ", \"method\": "
        CatalogValue.quote(method, into: &prefix)
        let needle = Data(prefix.utf8)
        var start = data.startIndex
        var sawMethod = false
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: 0x0A) ?? data.endIndex
            let line = data[start..<end]
            if !sawMethod, line.range(of: Data("\"method\": \"\(method)\"".utf8)) != nil { sawMethod = true }
            if line.starts(with: needle) {
                guard let row = try? JSONDecoder().decode(StoredRow.self, from: Data(line)) else {
                    throw QueryError.badIndex(path: file.path, reason: "malformed row for '\(id)'")
                }
                return (0..<min(k, row.neighbours.count)).compactMap { j in
                    docs.hit(row.neighbours[j], distance: row.distance[j], cosine: row.cosine[j])
                }
            }
            start = end < data.endIndex ? data.index(after: end) : end
        }
        if !sawMethod { throw QueryError.unknownMethod(method) }
        throw QueryError.unknownId(id)
    }

    /// The `k` products whose titles are most similar to free `text`, scored against every indexed product.
    public static func similar(text: String, method: String, k: Int = 10, output: URL) throws -> [Hit] {
        guard let weighting = WeightingMethod(rawValue: method) else { throw QueryError.unknownMethod(method) }
        let folder = output.appendingPathComponent("index")
        let vocabulary: TextVocabulary
        do { vocabulary = try TextIndexFiles.readVocabulary(folder) } catch {
            throw QueryError.badIndex(path: folder.appendingPathComponent("vocabulary.json").path, reason: "\(error)")
        }
        let docs = try documents(output)
        let tokenizer = TextTokenizer(mode: vocabulary.mode)
        let tokens = docs.titles.map(tokenizer.tokens)
        let index = vocabulary.termIndex()
        let matrix = vocabulary.transform(tokens, method: weighting, index: index)
        let query = vocabulary.transform([tokenizer.tokens(text)], method: weighting, index: index).row(0)
        return NeighbourSearch.query(query, in: matrix, k: k).compactMap { docs.hit(at: $0.row, distance: $0.distance, cosine: $0.cosine) }
    }

    private struct StoredRow: Decodable {
        let neighbours: [String]
        let cosine: [Double]
        let distance: [Double]
    }

    private struct Documents {
        let ids: [String], titles: [String], brands: [String?], types: [String?]
        let position: [String: Int]

        func hit(at r: Int, distance: Double, cosine: Double) -> Hit? {
            guard r >= 0, r < ids.count else { return nil }
            return Hit(id: ids[r], title: titles[r], brand: brands[r], type: types[r], distance: distance, cosine: cosine)
        }

        func hit(_ id: String, distance: Double, cosine: Double) -> Hit? {
            position[id].flatMap { hit(at: $0, distance: distance, cosine: cosine) }
        }
    }

    private static func documents(_ output: URL) throws -> Documents {
        let folder = output.appendingPathComponent("index")
        let table: CatalogTable
        do { table = try TextIndexFiles.readDocuments(folder) } catch {
            throw QueryError.badIndex(path: folder.appendingPathComponent("documents.jsonl").path, reason: "\(error)")
        }
        let ids = table.strings("id").map { $0 ?? "" }
        var position: [String: Int] = [:]
        for (r, id) in ids.enumerated() where position[id] == nil { position[id] = r }
        return Documents(ids: ids, titles: table.strings("title").map { $0 ?? "" }, brands: table.strings("brand"),
                         types: table.strings("type"), position: position)
    }
}
