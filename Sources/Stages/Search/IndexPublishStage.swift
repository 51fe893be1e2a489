import Foundation
import Pipeline
import VectorSearch

/// `index.publish`: builds the served catalog index (one SQLite file: products, visual and text
/// neighbours, embeddings, manifest), publishes it atomically at a stable path (previous kept as
/// `.prev`), and records retrieval quality (precision@k by product type, near-duplicate recall).
public struct IndexPublishStage: Stage {
    public static let typeName = "index.publish"
    public static let version = 2
    public static let summary = "Publish the catalog index (SQLite: products, visual/text neighbours, embeddings, manifest)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("products", .artifact, doc: "products table (products.jsonl) for titles, types, brands, prices"),
        ParameterSpec("embeddings", .artifact, doc: "model.embed output folder (embeddings.npy + ids.jsonl)"),
        ParameterSpec("text_neighbors", .artifact, optional: true, doc: "text.similarity neighbour table(s)"),
        ParameterSpec("model", .artifact, optional: true, doc: "model.train output folder (model.json gives the fingerprint)"),
        ParameterSpec("duplicates", .artifact, optional: true, doc: "dedupe duplicates table: rows {dropped_id, kept_id}, {id, duplicate_of} or {id, group}; pairs with both ids indexed count"),
        ParameterSpec("path", .outputPath, default: .string("index/catalog.sqlite"), doc: "live index path, relative to the pipeline file"),
        ParameterSpec("k", .int, default: .int(10), doc: "neighbours kept per product"),
        ParameterSpec("run_id", .string, optional: true, doc: "run id written into the manifest (default: the runner's run id)"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "product id column"),
        ParameterSpec("title_column", .string, default: .string("title"), doc: "title column"),
        ParameterSpec("type_column", .string, default: .string("product_type_name"), doc: "product type column"),
        ParameterSpec("brand_column", .string, default: .string("brand"), doc: "brand column"),
        ParameterSpec("price_column", .string, default: .string("price"), doc: "price column (parsed number)"),
    ]
    public static let outputs: [OutputSpec] = [
        OutputSpec("index", file: "catalog.sqlite", doc: "the index as published (copy)"),
        OutputSpec("manifest", file: "manifest.json", doc: "run id, model fingerprint, created at, row counts, live path"),
        OutputSpec("neighbors", file: "visual_neighbors.jsonl", tabular: true,
                   doc: "top-k visual neighbours per product: {id, title, type, sha256, neighbors: [{id, title, type, sha256, distance}]}"),
        OutputSpec("quality", file: "quality.json", doc: "precision@k overall and by product type, near-duplicate recall"),
    ]

    let k: Int
    let livePath: String
    let runID: String?
    let columns: ProductColumns

    public init(parameters p: StageParameters) throws {
        k = try p.int("k")
        guard k >= 1 else { throw StageError.invalidParameter(stage: p.stageName, parameter: "k", reason: "must be at least 1") }
        livePath = try p.string("path")
        guard !livePath.isEmpty else { throw StageError.invalidParameter(stage: p.stageName, parameter: "path", reason: "empty") }
        runID = try p.optionalString("run_id")
        columns = ProductColumns(id: try p.string("id_column"), title: try p.string("title_column"), type: try p.string("type_column"),
                                 brand: try p.string("brand_column"), price: try p.string("price_column"))
    }

    public func run(in ctx: StageContext) async throws {
        let embeddings: EmbeddingSet
        do { embeddings = try EmbeddingSet.load(from: try ctx.input("embeddings")) } catch let e as SearchError {
            throw StageError.failed(stage: ctx.stageName, item: nil, reason: e.description)
        }
        let products = try ProductInfo.load(try ctx.input("products"), columns: columns)
        let textNeighbors = try ctx.optionalInput("text_neighbors").map(NeighborRowsReader.read) ?? []
        ctx.log("indexing \(embeddings.ids.count) embeddings of dimension \(embeddings.matrix.dimension), \(products.count) products")

        let index = ExactSearchIndex(embeddings.matrix.l2Normalized(), metric: .euclidean)
        if BLASThreads.usesSlowKernels {
            ctx.log("OpenBLAS chose \(BLASThreads.coreName) kernels (slow); set OPENBLAS_CORETYPE=Haswell or SkylakeX", level: .warning)
        }
        let table = try BLASThreads.with(1) { try index.allPairs(k: k, threads: ctx.threads) }
        try ctx.checkCancellation()

        let quality = RetrievalQuality(table: table, ids: embeddings.ids, types: products.mapValues(\.type),
                                       duplicatePairs: try ctx.optionalInput("duplicates").map(Self.duplicatePairs) ?? [])
        ctx.metric("precision_at_\(k)", quality.precision)
        for (type, p) in quality.precisionByType.sorted(by: { $0.key < $1.key }) { ctx.metric("precision_at_\(k)/\(type)", p) }
        if let recall = quality.nearDuplicateRecall { ctx.metric("near_duplicate_recall_at_\(k)", recall) }

        let fingerprint = try ctx.optionalInput("model").flatMap(Self.modelFingerprint) ?? ""
        let createdAt = UTCTimestamp.string()
        let textMethods = Set(textNeighbors.map(\.method)).sorted()
        let manifest: [(String, String)] = [
            ("run_id", runID ?? (ctx.runID > 0 ? String(ctx.runID) : "")), ("model_fingerprint", fingerprint), ("created_at", createdAt),
            ("products", String(Set(products.keys).union(embeddings.ids).count)), ("embeddings", String(embeddings.ids.count)),
            ("dimension", String(embeddings.matrix.dimension)), ("k", String(table.k)),
            ("visual_neighbors", String(table.indices.filter { $0 >= 0 }.count)),
            ("text_neighbors", String(textNeighbors.count)), ("text_methods", textMethods.joined(separator: ",")),
            ("metric", "euclidean on L2-normalised embeddings"), ("embedding_format", "float32 little-endian"),
        ]
        let built = ctx.output("index")
        try CatalogIndexWriter.write(to: built, products: products, embeddings: embeddings, neighbors: table,
                                     textNeighbors: textNeighbors, manifest: manifest)
        try writeNeighbors(table, embeddings: embeddings, products: products, to: ctx.output("neighbors"))
        try Self.writeJSON(.object(["precision_at_k": .double(quality.precision), "k": .int(table.k),
                                    "precision_by_type": .object(quality.precisionByType.mapValues { .double($0) }),
                                    "near_duplicate_pairs": .int(quality.nearDuplicatePairs),
                                    "near_duplicate_recall": quality.nearDuplicateRecall.map { .double($0) } ?? .null]),
                           to: ctx.output("quality"))

        let live = (livePath.hasPrefix("/") ? URL(fileURLWithPath: livePath)
                    : ctx.pipelineDirectory.appendingPathComponent(livePath)).standardizedFileURL
        try CatalogIndexPublisher.publish(built, to: live)
        var fields = Dictionary(manifest.map { ($0.0, JSONValue.string($0.1)) }, uniquingKeysWith: { a, _ in a })
        fields["live_path"] = .string(live.path)
        try Self.writeJSON(.object(fields), to: ctx.output("manifest"))
        ctx.summarize("products", .int(products.count))
        ctx.summarize("embedded", .int(embeddings.ids.count))
        ctx.summarize("text_neighbors", .int(textNeighbors.count))
        ctx.summarize("precision_at_k", .double(quality.precision))
        ctx.summarize("live_path", .string(live.path))
        ctx.log("published \(live.path) (precision@\(table.k) by type \(HTMLRound.fixed(quality.precision)))")
    }

    private func writeNeighbors(_ table: NeighborTable, embeddings: EmbeddingSet, products: [String: ProductInfo], to url: URL) throws {
        func fields(_ row: Int) -> [(String, JSONValue)] {
            let id = embeddings.ids[row], info = products[id]
            return [("id", .string(id)), ("title", .string(info?.title ?? "")), ("type", .string(info?.type ?? "")),
                    ("sha256", embeddings.sha256[row].map { .string($0) } ?? .null)]
        }
        var rows: [[(String, JSONValue)]] = []
        rows.reserveCapacity(table.rows)
        for q in 0..<table.rows {
            let list: [JSONValue] = table.neighbors(ofRow: q).filter { $0.index >= 0 }.map { n in
                .object(Dictionary(fields(n.index) + [("distance", .double(Double(n.distance)))], uniquingKeysWith: { a, _ in a }))
            }
            rows.append(fields(q) + [("neighbors", .array(list))])
        }
        try JSONLinesRows.write(rows, to: url)
    }

    /// Pairs from a duplicates table: {id, duplicate_of | kept_id | kept | original} or {id, group}.
    static func duplicatePairs(_ url: URL) throws -> [(String, String)] {
        var pairs: [(String, String)] = []
        var groups: [String: [String]] = [:]
        for row in try JSONLinesRows.read(url) {
            guard let id = JSONLinesRows.text(row, "id") ?? JSONLinesRows.text(row, "dropped_id") else { continue }
            if let other = ["duplicate_of", "kept_id", "kept", "original"].lazy.compactMap({ JSONLinesRows.text(row, $0) }).first {
                pairs.append((id, other))
            } else if let g = JSONLinesRows.text(row, "group") {
                groups[g, default: []].append(id)
            }
        }
        for members in groups.values where members.count > 1 {
            for i in 0..<min(members.count, 50) { for j in (i + 1)..<min(members.count, 50) { pairs.append((members[i], members[j])) } }
        }
        return pairs
    }

    /// The `fingerprint` in a model folder's model.json, if any.
    static func modelFingerprint(_ folder: URL) -> String? {
        let file = folder.hasDirectoryPath || !folder.pathExtension.isEmpty ? folder : folder
        let json = file.lastPathComponent == "model.json" ? file : file.appendingPathComponent("model.json")
        guard let data = try? Data(contentsOf: json), let v = try? JSONValue.parse(data) else { return nil }
        return v.objectValue?["fingerprint"]?.description
    }

    static func writeJSON(_ value: JSONValue, to url: URL) throws {
        try FileIO.writeAtomically(Data((value.canonical + "\n").utf8), to: url)
    }
}

/// Number formatting for log lines.
enum HTMLRound {
    /// Three decimals.
    static func fixed(_ x: Double) -> String { String(format: "%.3f", x) }
}
