import Foundation
import Imaging
import Pipeline
import Testing
import TestSupport
@testable import Stages

/// A small catalog: 3 product types × 5 products whose embeddings cluster by type (a shared
/// direction plus a small per-product offset), so every product's 4 nearest share its type.
struct SearchFixture {
    let dir: URL
    let products: URL
    let embeddings: URL
    let blobs: BlobStore
    static let types = ["SHIRT", "DRESS", "SHOES"]
    static let dim = 8

    init() throws {
        dir = try TempDir.make("search")
        blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
        products = dir.appendingPathComponent("products.jsonl")
        embeddings = dir.appendingPathComponent("embed")
        try FileManager.default.createDirectory(at: embeddings, withIntermediateDirectories: true)
        var lines = "", ids = "", values: [Float] = []
        let sha = try blobs.put(SampleImages.tinyJPEG)
        for (t, type) in Self.types.enumerated() {
            for i in 0..<5 {
                let id = "B\(t)\(i)"
                lines += "{\"asin\":\"\(id)\",\"title\":\"\(type.lowercased()) number \(i)\",\"product_type_name\":\"\(type)\",\"brand\":\"Acme\",\"price\":\(10 + i)}\n"
                ids += "{\"id\":\"\(id)\",\"sha256\":\"\(sha)\"}\n"
                var v = [Float](repeating: 0, count: Self.dim)
                v[t] = 3
                v[3 + i] = 0.1 * Float(i + 1)
                values += v
            }
        }
        try Data(lines.utf8).write(to: products)
        try Data(ids.utf8).write(to: embeddings.appendingPathComponent("ids.jsonl"))
        try NpyFile.write(values, shape: [15, Self.dim], to: embeddings.appendingPathComponent("embeddings.npy"))
    }

    /// Runs index.publish into a fresh staging folder and returns the context.
    func publish(with extra: [String: JSONValue] = [:], inputs extraInputs: [String: [URL]] = [:]) async throws -> StageContext {
        var values: [String: JSONValue] = ["k": .int(4), "path": .string("live/catalog.sqlite"), "id_column": .string("asin"),
                                           "title_column": .string("title"), "type_column": .string("product_type_name"),
                                           "brand_column": .string("brand"), "price_column": .string("price")]
        values.merge(extra) { _, b in b }
        let params = StageParameters(values, stageName: "publish")
        let staging = dir.appendingPathComponent("staging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let ctx = StageContext(stageName: "publish", parameters: params,
                               inputs: ["products": [products], "embeddings": [embeddings]].merging(extraInputs) { _, b in b },
                               stagingDirectory: staging, outputSpecs: IndexPublishStage.outputs, blobs: blobs, pipelineDirectory: dir)
        try await IndexPublishStage(parameters: params).run(in: ctx)
        return ctx
    }
}

@Test func indexPublishWritesTheServedIndexAndQuality() async throws {
    let f = try SearchFixture()
    defer { try? FileManager.default.removeItem(at: f.dir) }
    // Text neighbours in the flat shape, BoW and TF-IDF in one file.
    let text = f.dir.appendingPathComponent("text_neighbors.jsonl")
    try Data("""
        {"method":"bow","id":"B00","neighbor_id":"B01","rank":1,"distance":2.1}
        {"method":"tfidf","id":"B00","neighbor_id":"B02","rank":1,"distance":1.05}
        {"method":"tfidf","id":"B00","neighbor_id":"B03","rank":2,"distance":1.2}

        """.utf8).write(to: text)
    let dups = f.dir.appendingPathComponent("duplicates.jsonl")
    try Data("{\"id\":\"B00\",\"duplicate_of\":\"B01\"}\n{\"id\":\"B10\",\"duplicate_of\":\"B20\"}\n".utf8).write(to: dups)
    let ctx = try await f.publish(inputs: ["text_neighbors": [text], "duplicates": [dups]])

    let live = f.dir.appendingPathComponent("live/catalog.sqlite")
    let index = try CatalogIndex(url: live)
    #expect(try index.count("products") == 15)
    #expect(try index.count("visual_neighbors") == 15 * 4)
    #expect(try index.count("text_neighbors") == 3)
    #expect(try index.count("embeddings") == 15)
    let manifest = try index.manifest()
    #expect(manifest["embeddings"] == "15" && manifest["dimension"] == "8" && manifest["text_methods"] == "bow,tfidf")
    // Nearest of B00: the other shirts, closest offset first (B01 differs least).
    let hits = try index.visualNeighbors(of: "B00")
    #expect(hits.map(\.id) == ["B01", "B02", "B03", "B04"])
    #expect(try index.textNeighbors(of: "B00", method: "tfidf").map(\.id) == ["B02", "B03"])
    #expect(try index.embedding(of: "B12")?.count == 8)
    // Every neighbour shares the type: precision 1; one duplicate pair of two found.
    let metrics = Dictionary(ctx.metrics.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    #expect(abs((metrics["precision_at_4"] ?? 0) - 1) < 1e-9)
    #expect(abs((metrics["precision_at_4/DRESS"] ?? 0) - 1) < 1e-9)
    #expect(abs((metrics["near_duplicate_recall_at_4"] ?? 0) - 0.5) < 1e-9)
    // The staging copy and tables exist.
    for name in ["catalog.sqlite", "manifest.json", "visual_neighbors.jsonl", "quality.json"] {
        #expect(FileManager.default.fileExists(atPath: ctx.stagingDirectory.appendingPathComponent(name).path), "missing \(name)")
    }
}

@Test func republishKeepsPreviousAndRollbackSwaps() async throws {
    let f = try SearchFixture()
    defer { try? FileManager.default.removeItem(at: f.dir) }
    let live = f.dir.appendingPathComponent("live/catalog.sqlite")
    _ = try await f.publish(with: ["run_id": .string("run-1")])
    #expect(throws: SearchError.self) { try CatalogIndexPublisher.rollback(live) }
    _ = try await f.publish(with: ["run_id": .string("run-2")])
    #expect(try CatalogIndex(url: live).manifest()["run_id"] == "run-2")
    #expect(try CatalogIndex(url: CatalogIndexPublisher.previous(of: live)).manifest()["run_id"] == "run-1")
    try CatalogIndexPublisher.rollback(live)
    #expect(try CatalogIndex(url: live).manifest()["run_id"] == "run-1")
    #expect(try CatalogIndex(url: CatalogIndexPublisher.previous(of: live)).manifest()["run_id"] == "run-2")
    // No temporary files are left beside the live index.
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: live.deletingLastPathComponent().path).filter { $0.hasPrefix(".") }
    #expect(leftovers.isEmpty)
}

@Test func visualQueryAnswersByIdAndByVector() throws {
    let f = try SearchFixture()
    defer { try? FileManager.default.removeItem(at: f.dir) }
    let query = try VisualQuery(embeddingsFolder: f.embeddings, products: f.products)
    let hits = try query.similar(id: "B20", k: 3)
    #expect(hits.map(\.id) == ["B21", "B22", "B23"])
    #expect(hits.allSatisfy { $0.productType == "SHOES" && $0.title.hasPrefix("shoes") })
    #expect(hits.map(\.rank) == [1, 2, 3])
    #expect(hits[0].distance > 0 && hits[0].distance < hits[2].distance)
    // A photo's embedding computed elsewhere (here: a closure standing in for the model).
    var vector = [Float](repeating: 0, count: 8); vector[1] = 1
    let byImage = try query.similar(imageData: SampleImages.tinyJPEG, k: 2) { _ in vector }
    #expect(byImage.allSatisfy { $0.productType == "DRESS" })
    #expect(throws: SearchError.unknownID("nope")) { try query.similar(id: "nope") }
    #expect(throws: SearchError.dimensionMismatch(expected: 8, got: 3)) { try query.similar(embedding: [1, 2, 3]) }
}

@Test func missingEmbeddingsSayWhichStageProducesThem() async throws {
    let f = try SearchFixture()
    defer { try? FileManager.default.removeItem(at: f.dir) }
    try FileManager.default.removeItem(at: f.embeddings.appendingPathComponent("embeddings.npy"))
    #expect(throws: SearchError.missingEmbeddings(path: f.embeddings.appendingPathComponent("embeddings.npy").path)) {
        try VisualQuery(embeddingsFolder: f.embeddings, products: nil)
    }
    do {
        _ = try await f.publish()
        Issue.record("publish without embeddings succeeded")
    } catch let error as StageError {
        #expect(error.description.contains("model.embed"))
    }
}

/// Prints `similar(id:)` load and query times on the real Amazon catalog (17,593 products) with seeded random
/// 1,280-d embeddings; runs only when VITRINE_SIMILAR_TIMING is set (a measurement, not a timed assertion).
@Test(.enabled(if: ProcessInfo.processInfo.environment["VITRINE_SIMILAR_TIMING"] != nil))
func similarByIdOnTheRealCatalogSize() throws {
    let catalog = SharedData.url("amazon-apparel-17k.jsonl")
    let dir = try TempDir.make("similar-timing")
    defer { try? FileManager.default.removeItem(at: dir) }
    let rows = try JSONLinesRows.read(catalog)
    let ids = rows.compactMap { JSONLinesRows.text($0, "asin") }
    let dim = 1280
    var values = [Float](repeating: 0, count: ids.count * dim)
    var state: UInt64 = 42
    for i in values.indices { state = state &* 6364136223846793005 &+ 1442695040888963407; values[i] = Float(Int64(bitPattern: state >> 11)) / 1e15 }
    let embed = dir.appendingPathComponent("embed")
    try FileManager.default.createDirectory(at: embed, withIntermediateDirectories: true)
    try NpyFile.write(values, shape: [ids.count, dim], to: embed.appendingPathComponent("embeddings.npy"))
    try Data(ids.map { "{\"id\":\"\($0)\"}\n" }.joined().utf8).write(to: embed.appendingPathComponent("ids.jsonl"))
    let tl = Date()
    let set = try EmbeddingSet.load(from: embed)
    let te = Date()
    let products = try ProductInfo.load(catalog, columns: .amazon)
    print("similar-timing: embeddings \(te.timeIntervalSince(tl)) s, products \(Date().timeIntervalSince(te)) s")
    let t0 = Date()
    let query = try VisualQuery(embeddings: set, products: products)
    let t1 = Date()
    var hits: [SimilarProduct] = []
    for id in ids.prefix(20) { hits = try query.similar(id: id) }
    let t2 = Date()
    print("similar-timing: \(ids.count) x \(dim): load \(t1.timeIntervalSince(t0)) s, per query \(t2.timeIntervalSince(t1) / 20) s")
    #expect(hits.count == 10)
}

@Test func textSimilarityTablesAndDedupePairsAreReadInTheirOwnShapes() throws {
    let dir = try TempDir.make("neighbour-shapes")
    let text = dir.appendingPathComponent("neighbours.jsonl")
    try Data("""
    {"id": "a", "method": "bow", "neighbours": ["b", "c"], "cosine": [0.9, 0.5], "distance": [1.0, 2.5]}
    {"id": "a", "method": "tfidf", "neighbours": ["c"], "cosine": [0.7], "distance": [0.77]}

    """.utf8).write(to: text)
    let rows = try NeighborRowsReader.read(text)
    #expect(rows.map { "\($0.method) \($0.id) \($0.rank) \($0.neighborID) \($0.distance)" } == ["bow a 1 b 1.0", "bow a 2 c 2.5", "tfidf a 1 c 0.77"])
    let dupes = dir.appendingPathComponent("duplicates.jsonl")
    try Data(#"{"dropped_id": "x", "kept_id": "y", "differences": 1}"#.utf8 + Data("\n".utf8)).write(to: dupes)
    #expect(try IndexPublishStage.duplicatePairs(dupes).map { "\($0.0)>\($0.1)" } == ["x>y"])
}
