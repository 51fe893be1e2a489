import Catalog
import Foundation
import Pipeline
import Randomness

/// `dataset.balance`: top-N labels + OTHER, `per_class` rows each, sampled by the seeded generator.
public struct DatasetBalanceStage: Stage {
    /// The name used after `uses:`.
    public static let typeName = "dataset.balance"
    /// Implementation version (bump when outputs would change).
    public static let version = 1
    /// One line for `vitrine stages`.
    public static let summary = "Keep the top N labels (the rest merged into OTHER) and sample per_class rows of each, seeded"
    /// Parameters accepted under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("input", .artifact, doc: "products table"),
        ParameterSpec("images", .artifact, optional: true,
                      doc: "images.download table; when given, products without a downloaded image are left out before balancing"),
        ParameterSpec("label_column", .string, default: .string("product_type_name"), doc: "column holding the raw class"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "product id column (to join images)"),
        ParameterSpec("top", .int, default: .int(3), doc: "most frequent labels kept by name"),
        ParameterSpec("other_label", .string, default: .string("OTHER"), doc: "label for every other row"),
        ParameterSpec("per_class", .int, default: .int(1500), doc: "rows per class (0 = keep all)"),
        ParameterSpec("shortfall", .choice(ShortfallPolicy.allCases.map(\.rawValue)), default: .string("keep"),
                      doc: "class with fewer rows: error, keep (take all) or oversample_train (dataset.split copies train rows)"),
    ]
    /// Outputs written to the staging folder.
    public static let outputs: [OutputSpec] = [
        OutputSpec("products", file: "products.jsonl", tabular: true,
                   doc: "kept rows in input order with a `label` column (and `balance_target` under oversample_train)"),
    ]

    let balancer: ClassBalancer
    let labelColumn: String
    let idColumn: String

    /// Validates parameters; throws `StageError.invalidParameter` on bad values.
    public init(parameters p: StageParameters) throws {
        func bad(_ name: String, _ reason: String) -> StageError { .invalidParameter(stage: p.stageName, parameter: name, reason: reason) }
        let top = try p.optionalInt("top") ?? 3
        guard top >= 0 else { throw bad("top", "must not be negative") }
        let perClass = try p.optionalInt("per_class") ?? 1500
        guard perClass >= 0 else { throw bad("per_class", "must not be negative") }
        let name = try p.optionalString("shortfall") ?? "keep"
        guard let policy = ShortfallPolicy(rawValue: name) else { throw bad("shortfall", "use error, keep or oversample_train") }
        balancer = ClassBalancer(top: top, otherLabel: try p.optionalString("other_label") ?? "OTHER",
                                 perClass: perClass == 0 ? nil : perClass, shortfall: policy)
        labelColumn = try p.optionalString("label_column") ?? "product_type_name"
        idColumn = try p.optionalString("id_column") ?? "asin"
    }

    /// Does the work.
    public func run(in context: StageContext) async throws {
        var table = try CatalogStageIO.read(try context.input("input"), stage: context.stageName)
        let labelCol = try CatalogStageIO.column(table, labelColumn, parameter: "label_column", stage: context.stageName)
        var withoutImage = 0
        if let images = try context.optionalInput("images") {
            let hashes = try CatalogStageIO.imageHashes(images, stage: context.stageName)
            let idCol = try CatalogStageIO.column(table, idColumn, parameter: "id_column", stage: context.stageName)
            let keep = (0..<table.count).filter { hashes[table.value($0, idCol).text]?.ok == true }
            withoutImage = table.count - keep.count
            table = table.selecting(keep)
        }
        let labels: [String?] = (0..<table.count).map { r in
            let v = table.value(r, labelCol)
            return v.isNullLike ? nil : v.text
        }
        var generator = SeededGenerator(seed: context.seed, stream: Self.typeName)
        let result: BalanceResult
        do { result = try balancer.balance(labels: labels, generator: &generator) } catch let e as CatalogError {
            throw e.stageError(context.stageName)
        }
        var out = table.selecting(result.rows)
        let label = out.ensureColumn("label")
        let target = balancer.shortfall == .oversampleTrain ? out.ensureColumn("balance_target") : nil
        for (r, l) in result.labels.enumerated() {
            out.set(r, label, .string(l))
            if let t = target, let n = balancer.perClass { out.set(r, t, .int(n)) }
        }
        try CatalogStageIO.write(out, to: context.output("products"))
        context.summarize("rows_in", .int(table.count + withoutImage))
        context.summarize("rows_out", .int(out.count))
        context.summarize("without_image", .int(withoutImage))
        context.summarize("unlabelled", .int(result.unlabelled))
        context.summarize("available", CatalogStageIO.json(result.available))
        context.summarize("selected", CatalogStageIO.json(result.selected))
        context.summarize("short_classes", .array(result.shortClasses.map(JSONValue.string)))
        if !result.shortClasses.isEmpty {
            context.log("classes below per_class: \(result.shortClasses.joined(separator: ", ")) (shortfall: \(balancer.shortfall.rawValue))",
                        level: .warning)
        }
    }
}
