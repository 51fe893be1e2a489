import Catalog
import Foundation
import TextSimilarity

/// The files of text.similarity's `index/` output: `vocabulary.json` (mode, terms, idf),
/// `documents.jsonl` (id, title, brand, type per product, in vector-row order), `config.json`.
enum TextIndexFiles {
    struct Config: Codable { let methods: [String]; let k: Int; let mode: String }

    static func write(to folder: URL, vocabulary: TextVocabulary, ids: [String], titles: [String], brands: [String?], types: [String?],
                      methods: [WeightingMethod], k: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(vocabulary).write(to: folder.appendingPathComponent("vocabulary.json"))
        try encoder.encode(Config(methods: methods.map(\.rawValue), k: k, mode: vocabulary.mode.rawValue))
            .write(to: folder.appendingPathComponent("config.json"))
        let docs = CatalogTable(columns: ["id", "title", "brand", "type"], rows: (0..<ids.count).map { r in
            [.string(ids[r]), .string(titles[r]), brands[r].map(CatalogValue.string) ?? .null, types[r].map(CatalogValue.string) ?? .null]
        })
        try JSONLinesWriter.write(docs, to: folder.appendingPathComponent("documents.jsonl"))
    }

    static func readVocabulary(_ folder: URL) throws -> TextVocabulary {
        try JSONDecoder().decode(TextVocabulary.self, from: Data(contentsOf: folder.appendingPathComponent("vocabulary.json")))
    }

    static func readDocuments(_ folder: URL) throws -> CatalogTable {
        try JSONLinesWriter.read(folder.appendingPathComponent("documents.jsonl"))
    }
}
