import Catalog
import Foundation
import Pipeline
import TextSimilarity

/// `text.similarity`: bag-of-words and TF-IDF title vectors and the top-k cosine neighbours of every product.
public struct TextSimilarityStage: Stage {
    /// The name used after `uses:`.
    public static let typeName = "text.similarity"
    /// Implementation version (bump when outputs would change).
    public static let version = 1
    /// One line for `vitrine stages`.
    public static let summary = "Top-k similar products by title (BoW and TF-IDF, cosine), with the research's euclidean distances"
    /// Parameters accepted under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("input", .artifact, doc: "products table"),
        ParameterSpec("methods", .stringList, default: .array([.string("bow"), .string("tfidf")]), doc: "any of bow, tfidf"),
        ParameterSpec("k", .int, default: .int(10), doc: "neighbours per product"),
        ParameterSpec("mode", .choice(["research", "sklearn"]), default: .string("research"),
                      doc: "research: punctuation and stop words removed; sklearn: TfidfVectorizer defaults exactly"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "product id column"),
        ParameterSpec("title_column", .string, default: .string("title"), doc: "title column"),
        ParameterSpec("label_column", .string, default: .string("product_type_name"), doc: "product type column (quality metric)"),
        ParameterSpec("brand_column", .string, default: .string("brand"), doc: "brand column (quality metric)"),
    ]
    /// Outputs written to the staging folder.
    public static let outputs: [OutputSpec] = [
        OutputSpec("neighbours", file: "neighbours.jsonl", tabular: true,
                   doc: "one row per product and method: id, method, neighbours (ids), cosine, distance"),
        OutputSpec("index", file: "index", doc: "query index: vocabulary.json (terms, idf), documents.jsonl, config.json"),
    ]

    let methods: [WeightingMethod]
    let k: Int
    let mode: TokenizerMode
    let columns: TextIndexColumns

    /// Validates parameters; throws `StageError.invalidParameter` on bad values.
    public init(parameters p: StageParameters) throws {
        func bad(_ name: String, _ reason: String) -> StageError { .invalidParameter(stage: p.stageName, parameter: name, reason: reason) }
        let names = try p.strings("methods")
        methods = try (names.isEmpty ? ["bow", "tfidf"] : names).map { name in
            guard let m = WeightingMethod(rawValue: name) else { throw bad("methods", "unknown method '\(name)' (use bow, tfidf)") }
            return m
        }
        k = try p.optionalInt("k") ?? 10
        guard k > 0 else { throw bad("k", "must be at least 1") }
        mode = TokenizerMode(rawValue: try p.optionalString("mode") ?? "research") ?? .research
        columns = TextIndexColumns(id: try p.optionalString("id_column") ?? "asin", title: try p.optionalString("title_column") ?? "title",
                                   label: try p.optionalString("label_column") ?? "product_type_name",
                                   brand: try p.optionalString("brand_column") ?? "brand")
    }

    /// Does the work.
    public func run(in context: StageContext) async throws {
        let table = try CatalogStageIO.read(try context.input("input"), stage: context.stageName)
        let idCol = try CatalogStageIO.column(table, columns.id, parameter: "id_column", stage: context.stageName)
        let titleCol = try CatalogStageIO.column(table, columns.title, parameter: "title_column", stage: context.stageName)
        let ids = (0..<table.count).map { table.value($0, idCol).text }
        let titles = (0..<table.count).map { table.value($0, titleCol).text }
        let types = table.strings(columns.label), brands = table.strings(columns.brand)

        let tokenizer = TextTokenizer(mode: mode)
        let docs = titles.map(tokenizer.tokens)
        let vocabulary = TextVocabulary.fit(docs, mode: mode)
        let termIndex = vocabulary.termIndex()
        var rows: [[CatalogValue]] = []
        rows.reserveCapacity(table.count * methods.count)
        for method in methods {
            try context.checkCancellation()
            let vectors = vocabulary.transform(docs, method: method, index: termIndex)
            let result = NeighbourSearch.allNeighbours(of: vectors, k: min(k, max(table.count - 1, 0)), threads: context.threads)
            let m = SimilarityMetrics.compute(result, types: types, brands: brands)
            let name = method.rawValue
            context.metric("\(name).average_distance", m.averageDistance)
            context.metric("\(name).same_type_rate", m.sameTypeRate)
            context.metric("\(name).same_brand_rate", m.sameBrandRate)
            context.metric("\(name).average_cosine", m.averageCosine)
            context.summarize(name, .object(["average_distance": .double(m.averageDistance), "same_type_rate": .double(m.sameTypeRate),
                                             "same_brand_rate": .double(m.sameBrandRate), "average_cosine": .double(m.averageCosine)]))
            let kk = result.k
            for q in 0..<result.count {
                var nb: [String] = [], cos: [String] = [], dist: [String] = []
                for j in 0..<kk {
                    let d = Int(result.neighbours[q * kk + j])
                    guard d >= 0 else { continue }
                    var s = ""; CatalogValue.quote(ids[d], into: &s); nb.append(s)
                    cos.append(String(result.cosine[q * kk + j])); dist.append(String(result.distance[q * kk + j]))
                }
                rows.append([.string(ids[q]), .string(name), .json("[" + nb.joined(separator: ",") + "]"),
                             .json("[" + cos.joined(separator: ",") + "]"), .json("[" + dist.joined(separator: ",") + "]")])
            }
        }
        try CatalogStageIO.write(CatalogTable(columns: ["id", "method", "neighbours", "cosine", "distance"], rows: rows),
                                 to: context.output("neighbours"))
        try TextIndexFiles.write(to: context.output("index"), vocabulary: vocabulary, ids: ids, titles: titles, brands: brands,
                                 types: types, methods: methods, k: k)
        context.summarize("products", .int(table.count))
        context.summarize("terms", .int(vocabulary.terms.count))
        context.summarize("mode", .string(mode.rawValue))
    }
}

/// Column names the text stage reads.
struct TextIndexColumns: Sendable {
    let id: String, title: String, label: String, brand: String
}
