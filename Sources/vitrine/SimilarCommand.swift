import ArgumentParser
import Foundation
import NeuralNet
import Stages

/// `vitrine similar`: the 10 products most similar to a product id, a photo or a piece of text,
/// answered from the latest committed index (visual) or text.similarity output (bow, tfidf).
struct SimilarCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "similar",
        abstract: "The products most similar to a product (--id), a photo (--image) or a text (--text).",
        discussion: """
        Visual answers come from the latest index.publish output of the state directory; --method bow or
        tfidf answers from the latest text.similarity output. --index FILE queries a published index file
        directly (ids only). Distances: euclidean between L2-normalised vectors (visual, tfidf) or raw counts (bow).
        """)

    @Option(name: .long, help: "Product id to find neighbours of.") var id: String?
    @Option(name: .long, help: "Photo (JPEG or PNG) to find products like.") var image: String?
    @Option(name: .long, help: "Free text to find titles like.") var text: String?
    @Option(name: .long, help: "visual, bow or tfidf (default: visual for --id/--image, tfidf for --text).") var method: String?
    @Option(name: .shortAndLong, help: "How many neighbours.") var k = 10
    @Option(name: .long, help: "Stage name to query when a pipeline has several (e.g. publish@resnet18).") var stage: String?
    @Option(name: .long, help: "A published index file to query instead of the state directory (--id only).") var index: String?
    @Option(name: .long, help: "Threads for embedding a photo.") var threads = 2
    @OptionGroup var stateOptions: StateOptions
    @OptionGroup var format: FormatOptions

    /// One answer row, for the table and `--json`.
    struct Answer: Encodable {
        let rank: Int, id: String, title: String, type: String?, brand: String?, distance: Double
    }

    func validate() throws {
        let given = [id, image, text].compactMap { $0 }.count
        guard given == 1 else { throw ValidationError("give exactly one of --id, --image or --text") }
        guard k >= 1 else { throw ValidationError("-k must be at least 1") }
        if let method, !["visual", "bow", "tfidf"].contains(method) {
            throw ValidationError("unknown --method '\(method)': use visual, bow or tfidf")
        }
        if text != nil, method == "visual" { throw ValidationError("--text answers with bow or tfidf, not visual") }
        if image != nil, let method, method != "visual" { throw ValidationError("--image answers with the visual method only") }
        if index != nil, id == nil { throw ValidationError("--index answers --id queries only") }
    }

    func run() async throws {
        if image != nil { BLAS.load() }   // embedding the photo runs the CNN
        let chosen = method ?? (text != nil ? "tfidf" : "visual")
        let answers: [Answer]
        do {
            if let index, let id {
                answers = try fromIndex(URL(fileURLWithPath: index), id: id, method: chosen)
            } else if chosen == "visual" {
                answers = try visual()
            } else {
                answers = try textual(method: chosen)
            }
        } catch let e as UsageFailure {
            fail(e.message, code: 2)
        } catch {
            fail("\(error)", code: 1)
        }
        if format.json { printJSON(answers); return }
        if answers.isEmpty { say("No neighbours."); return }
        var table = TextTable(header: ["#", "id", "distance", "type", "brand", "title"])
        for a in answers {
            table.rows.append([String(a.rank), a.id, String(format: "%.4f", a.distance), a.type ?? "", String((a.brand ?? "").prefix(24)),
                               String(a.title.prefix(70))])
        }
        say(table.render())
    }

    /// A failure the user fixes by running something else first (exit 2).
    struct UsageFailure: Error { let message: String }

    /// Visual neighbours of `--id` or `--image` from the latest published index.
    func visual() throws -> [Answer] {
        let (store, layout) = stateOptions.openExisting()
        let lookup = ExecutionLookup(store: store, layout: layout, pipeline: stateOptions.pipelineURL)
        guard let pub = try lookup.latest(type: "index.publish", name: stage) else {
            throw UsageFailure(message: "no committed index.publish stage\(stage.map { " named '\($0)'" } ?? "") in \(layout.root.path): " +
                               "run a pipeline that publishes an index first (e.g. vitrine run pipelines/demo.yaml)")
        }
        let file = pub.folder.appendingPathComponent("catalog.sqlite")
        if let id { return try fromIndex(file, id: id, method: "visual") }
        let catalog = try CatalogIndex(url: file)
        guard let embeddings = try lookup.input("embeddings", of: pub) else {
            throw UsageFailure(message: "the embeddings stage behind '\(pub.entry.stage)' (run \(pub.run.id)) is no longer on disk; run the pipeline again")
        }
        var model = try lookup.input("model", of: pub)
        if model == nil, let ref = lookup.parameters(of: pub)["embeddings"]?.stringValue,
           let embed = try lookup.committed(runID: pub.run.id).last(where: { ref.hasPrefix($0.entry.stage + ".") }) {
            model = try lookup.input("model", of: embed)
        }
        guard let model else { throw UsageFailure(message: "no trained model recorded for '\(pub.entry.stage)' in run \(pub.run.id)") }
        let photo = URL(fileURLWithPath: image ?? "")
        guard let bytes = FileManager.default.contents(atPath: photo.path) else {
            throw UsageFailure(message: "cannot read image \(photo.path)")
        }
        let embedder = try ModelEmbedder(modelDirectory: model, threads: threads)
        let query = try VisualQuery(embeddings: try EmbeddingSet.load(from: embeddings), products: try catalog.products())
        let vector: [Float]
        do { vector = try embedder.embed(imageData: bytes) } catch {
            throw UsageFailure(message: "cannot use \(photo.path) as a query photo: \(error)")
        }
        guard vector.count == query.dimension else {
            throw UsageFailure(message: "the model behind '\(pub.entry.stage)' gives \(vector.count)-d embeddings but the index holds " +
                               "\(query.dimension)-d ones: run the pipeline again so that both come from one model")
        }
        return try query.similar(embedding: vector, k: k).map {
            Answer(rank: $0.rank, id: $0.id, title: $0.title, type: $0.productType, brand: $0.brand, distance: $0.distance)
        }
    }

    /// Stored neighbours of `id` in a published index file.
    func fromIndex(_ file: URL, id: String, method: String) throws -> [Answer] {
        guard FileManager.default.fileExists(atPath: file.path) else { throw UsageFailure(message: "no index at \(file.path)") }
        let catalog = try CatalogIndex(url: file)
        let hits = method == "visual" ? try catalog.visualNeighbors(of: id) : try catalog.textNeighbors(of: id, method: method)
        let products = try catalog.products()
        guard !hits.isEmpty else {
            throw UsageFailure(message: products[id] == nil ? "no product '\(id)' in \(file.path)"
                               : "the index at \(file.path) holds no \(method) neighbours for '\(id)'")
        }
        if k > hits.count, let stored = try catalog.manifest()["k"] {
            FileHandle.standardError.write(Data("vitrine: the index stores \(stored) neighbours per product; showing those\n".utf8))
        }
        return hits.prefix(k).enumerated().map { i, h in
            let p = products[h.id]
            return Answer(rank: i + 1, id: h.id, title: p?.title ?? "", type: p?.type, brand: p?.brand, distance: h.distance)
        }
    }

    /// Text neighbours (bow or tfidf) of `--id` or `--text` from the latest text.similarity output.
    func textual(method: String) throws -> [Answer] {
        let (store, layout) = stateOptions.openExisting()
        guard let found = try ExecutionLookup(store: store, layout: layout, pipeline: stateOptions.pipelineURL).latest(type: "text.similarity", name: stage) else {
            throw UsageFailure(message: "no committed text.similarity stage\(stage.map { " named '\($0)'" } ?? "") in \(layout.root.path): " +
                               "run a pipeline with one first (e.g. vitrine run pipelines/demo.yaml)")
        }
        let hits: [TextQuery.Hit]
        do {
            hits = try id.map { try TextQuery.similar(id: $0, method: method, k: k, output: found.folder) }
                ?? TextQuery.similar(text: text ?? "", method: method, k: k, output: found.folder)
        } catch let e as TextQuery.QueryError {
            throw UsageFailure(message: e.description)
        }
        return hits.enumerated().map { i, h in
            Answer(rank: i + 1, id: h.id, title: h.title, type: h.type, brand: h.brand, distance: h.distance)
        }
    }
}
