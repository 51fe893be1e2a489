import Catalog
import Foundation
import Pipeline

/// Table reading/writing and error mapping shared by the catalog, text and dataset stages.
enum CatalogStageIO {
    /// Reads a JSON Lines products table; loader errors become `StageError.failed` naming the file.
    static func read(_ url: URL, stage: String) throws -> CatalogTable {
        do { return try JSONLinesWriter.read(url) } catch let e as CatalogError {
            throw StageError.failed(stage: stage, item: nil, reason: e.description)
        }
    }

    /// Writes a table as JSON Lines at `url`.
    static func write(_ table: CatalogTable, to url: URL) throws {
        try JSONLinesWriter.write(table, to: url)
    }

    /// The column's index, or a stage error naming the parameter that asked for it.
    static func column(_ table: CatalogTable, _ name: String, parameter: String, stage: String) throws -> Int {
        guard let i = table.columnIndex(name) else {
            throw StageError.invalidParameter(stage: stage, parameter: parameter,
                                              reason: "the table has no column '\(name)' (columns: \(table.columns.joined(separator: ", ")))")
        }
        return i
    }

    /// Counts as a JSON object.
    static func json(_ counts: [String: Int]) -> JSONValue {
        .object(counts.mapValues { .int($0) })
    }

    /// Maps an image table (`images.jsonl` of images.download) to id → (ok, sha256).
    static func imageHashes(_ url: URL, stage: String) throws -> [String: (ok: Bool, sha256: String?)] {
        let t = try read(url, stage: stage)
        let id = try column(t, "id", parameter: "images", stage: stage)
        let status = t.columnIndex("status"), sha = t.columnIndex("sha256")
        var out: [String: (ok: Bool, sha256: String?)] = [:]
        for r in 0..<t.count {
            let key = t.value(r, id).text
            out[key] = (t.value(r, status).stringValue == "ok", t.value(r, sha).stringValue)
        }
        return out
    }
}

extension CatalogError {
    /// This error as a stage failure.
    func stageError(_ stage: String) -> StageError { .failed(stage: stage, item: nil, reason: description) }
}
