import Foundation
import VectorSearch

/// One answer to "what looks like this?": rank, product fields and euclidean distance.
public struct SimilarProduct: Sendable, Hashable, Codable {
    /// 1-based rank.
    public var rank: Int
    /// Product id.
    public var id: String
    /// Title ("" when the product table does not have the id).
    public var title: String
    /// Product type.
    public var productType: String
    /// Brand, when known.
    public var brand: String?
    /// Euclidean distance between L2-normalised embeddings (0 … 2), smaller is closer.
    public var distance: Double
    /// Image sha256 (for thumbnails), when known.
    public var sha256: String?
}

/// The query functions behind `vitrine similar --id` and `--image`: an exact index over one
/// run's embeddings, joined with the product table for titles and types.
public final class VisualQuery: Sendable {
    /// Embeddings the index was built from.
    public let embeddings: EmbeddingSet
    /// Products by id (may be empty when no table was given).
    public let products: [String: ProductInfo]
    private let index: ExactSearchIndex
    private let rowByID: [String: Int]

    /// An index over a model.embed output folder, with product fields from a products table (optional).
    public convenience init(embeddingsFolder: URL, products: URL?, columns: ProductColumns = .amazon) throws {
        let set = try EmbeddingSet.load(from: embeddingsFolder)
        try self.init(embeddings: set, products: try products.map { try ProductInfo.load($0, columns: columns) } ?? [:])
    }

    /// An index over already-loaded embeddings and products.
    public init(embeddings: EmbeddingSet, products: [String: ProductInfo]) throws {
        self.embeddings = embeddings
        self.products = products
        // Euclidean on L2-normalised rows ranks exactly like cosine and reports the research's distance.
        self.index = ExactSearchIndex(embeddings.matrix.l2Normalized(), metric: .euclidean)
        self.rowByID = Dictionary(embeddings.ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// The embedding dimension a query vector must have.
    public var dimension: Int { embeddings.matrix.dimension }

    /// The `k` products most similar to product `id` (itself excluded).
    public func similar(id: String, k: Int = 10) throws -> [SimilarProduct] {
        guard let row = rowByID[id] else { throw SearchError.unknownID(id) }
        return describe(try index.search(row: row, k: k))
    }

    /// The `k` products closest to an embedding computed elsewhere (e.g. from a photo); it is L2-normalised here.
    public func similar(embedding: [Float], k: Int = 10) throws -> [SimilarProduct] {
        guard embedding.count == dimension else { throw SearchError.dimensionMismatch(expected: dimension, got: embedding.count) }
        var unit = embedding
        let norm = unit.reduce(Float(0)) { $0 + $1 * $1 }.squareRoot()
        if norm > 0 { for i in unit.indices { unit[i] /= norm } }
        do { return describe(try index.search(unit, k: k)) } catch VectorSearchError.nonFinite {
            throw SearchError.badEmbeddings(path: "(query)", reason: "the query embedding has NaN or infinite values")
        }
    }

    /// The `k` products closest to a photo: `embed` turns the image bytes into a vector with the run's model.
    public func similar(imageData: Data, k: Int = 10, embed: (Data) throws -> [Float]) throws -> [SimilarProduct] {
        try similar(embedding: try embed(imageData), k: k)
    }

    /// Adds product fields to raw hits.
    func describe(_ hits: [Neighbor]) -> [SimilarProduct] {
        hits.enumerated().map { rank, hit in
            let id = embeddings.ids[hit.index]
            let info = products[id]
            return SimilarProduct(rank: rank + 1, id: id, title: info?.title ?? "", productType: info?.type ?? "",
                                  brand: info?.brand, distance: Double(hit.distance), sha256: embeddings.sha256[hit.index])
        }
    }
}
