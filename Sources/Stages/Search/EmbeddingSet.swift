import Foundation
import Imaging
import VectorSearch

/// The output of model.embed as plain values: float32 [N, D] rows, aligned ids and image hashes.
public struct EmbeddingSet: Sendable {
    /// Product id per row.
    public let ids: [String]
    /// Image sha256 per row (nil when ids.jsonl does not give one).
    public let sha256: [String?]
    /// The vectors.
    public let matrix: EmbeddingMatrix

    /// An embedding set from values; throws when counts disagree.
    public init(ids: [String], sha256: [String?], matrix: EmbeddingMatrix) throws {
        guard ids.count == matrix.rows, sha256.count == ids.count else {
            throw SearchError.badEmbeddings(path: "(memory)", reason: "\(ids.count) ids for \(matrix.rows) rows")
        }
        self.ids = ids; self.sha256 = sha256; self.matrix = matrix
    }

    /// Loads `embeddings.npy` + `ids.jsonl` from a model.embed output folder (or the .npy path itself).
    public static func load(from location: URL) throws -> EmbeddingSet {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: location.path, isDirectory: &isDir) else {
            throw SearchError.missingEmbeddings(path: location.path)
        }
        let folder = isDir.boolValue ? location : location.deletingLastPathComponent()
        let npy = folder.appendingPathComponent("embeddings.npy"), idsURL = folder.appendingPathComponent("ids.jsonl")
        for file in [npy, idsURL] where !FileManager.default.fileExists(atPath: file.path) {
            throw SearchError.missingEmbeddings(path: file.path)
        }
        let array: (shape: [Int], values: [Float])
        do { array = try NpyFile.readFloat32(from: npy) } catch {
            throw SearchError.badEmbeddings(path: npy.path, reason: "\(error)")
        }
        guard array.shape.count == 2, array.shape[1] > 0 else {
            throw SearchError.badEmbeddings(path: npy.path, reason: "shape \(array.shape) is not [N, D]")
        }
        let rows = try JSONLinesRows.read(idsURL)
        guard rows.count == array.shape[0] else {
            throw SearchError.badEmbeddings(path: idsURL.path, reason: "\(rows.count) ids for \(array.shape[0]) embedding rows")
        }
        var ids: [String] = [], hashes: [String?] = []
        ids.reserveCapacity(rows.count); hashes.reserveCapacity(rows.count)
        for (i, row) in rows.enumerated() {
            guard let id = JSONLinesRows.text(row, "id") else {
                throw SearchError.badTable(path: idsURL.path, line: i + 1, reason: "no \"id\"")
            }
            ids.append(id)
            hashes.append(JSONLinesRows.text(row, "sha256"))
        }
        let matrix: EmbeddingMatrix
        do { matrix = try EmbeddingMatrix(rows: array.shape[0], dimension: array.shape[1], values: array.values) } catch {
            throw SearchError.badEmbeddings(path: npy.path, reason: "\(error)")
        }
        return try EmbeddingSet(ids: ids, sha256: hashes, matrix: matrix)
    }
}
