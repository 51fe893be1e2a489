import Catalog
import Foundation
import Pipeline
import Randomness

/// `dataset.split`: stratified, seeded train/val/test split, grouped by product and by image hash.
public struct DatasetSplitStage: Stage {
    /// The name used after `uses:`.
    public static let typeName = "dataset.split"
    /// Implementation version (bump when outputs would change).
    public static let version = 1
    /// One line for `vitrine stages`.
    public static let summary = "Stratified seeded train/val/test split; one product or one image hash never lands on two sides"
    /// Parameters accepted under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("input", .artifact, doc: "products table (usually dataset.balance's, with a label column)"),
        ParameterSpec("images", .artifact, optional: true,
                      doc: "images.download table; adds each product's image `sha256` and groups rows by it"),
        ParameterSpec("label_column", .string, default: .string("label"), doc: "class column to stratify by"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "product id column"),
        ParameterSpec("group_column", .string, optional: true,
                      doc: "rows sharing a value stay on one side (default: sha256 when images is given)"),
        ParameterSpec("train_fraction", .double, default: .double(0.7), doc: "share of each class in train"),
        ParameterSpec("val_fraction", .double, default: .double(0), doc: "share of each class in validation"),
        ParameterSpec("oversample_train", .bool, default: .bool(true),
                      doc: "when rows carry balance_target (shortfall: oversample_train), copy train rows up to round(target × train_fraction)"),
    ]
    /// Outputs written to the staging folder.
    public static let outputs: [OutputSpec] = [
        OutputSpec("products", file: "products.jsonl", tabular: true,
                   doc: "input rows with `split` (train/val/test) and `copy` (0 = original, n = nth oversampled copy, train only)"),
    ]

    let splitter: DatasetSplitter
    let labelColumn: String
    let idColumn: String
    let groupColumn: String?
    let oversample: Bool

    /// Validates parameters; throws `StageError.invalidParameter` on bad values.
    public init(parameters p: StageParameters) throws {
        let train = p["train_fraction"]?.doubleValue ?? 0.7
        let val = p["val_fraction"]?.doubleValue ?? 0
        guard train > 0, val >= 0, train + val <= 1 else {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "train_fraction",
                                              reason: "need train_fraction > 0, val_fraction ≥ 0 and their sum ≤ 1")
        }
        splitter = DatasetSplitter(trainFraction: train, valFraction: val)
        labelColumn = try p.optionalString("label_column") ?? "label"
        idColumn = try p.optionalString("id_column") ?? "asin"
        groupColumn = try p.optionalString("group_column")
        oversample = p["oversample_train"]?.boolValue ?? true
    }

    /// Does the work.
    public func run(in context: StageContext) async throws {
        let stage = context.stageName
        var table = try CatalogStageIO.read(try context.input("input"), stage: stage)
        let labelCol = try CatalogStageIO.column(table, labelColumn, parameter: "label_column", stage: stage)
        let idCol = try CatalogStageIO.column(table, idColumn, parameter: "id_column", stage: stage)
        var group = groupColumn
        if let images = try context.optionalInput("images") {
            let hashes = try CatalogStageIO.imageHashes(images, stage: stage)
            let sha = table.ensureColumn("sha256")
            for r in 0..<table.count {
                table.set(r, sha, hashes[table.value(r, idCol).text]?.sha256.map(CatalogValue.string) ?? .null)
            }
            group = group ?? "sha256"
        }
        let groupCol = try group.map { try CatalogStageIO.column(table, $0, parameter: "group_column", stage: stage) }
        let labels = (0..<table.count).map { table.value($0, labelCol).text }
        let ids = (0..<table.count).map { table.value($0, idCol).text }
        let groups: [String?] = (0..<table.count).map { r in
            guard let g = groupCol else { return nil }
            let v = table.value(r, g)
            return v.isNullLike ? nil : v.text
        }
        var targets: [String: Int] = [:]
        if oversample, let t = table.columnIndex("balance_target") {
            for r in 0..<table.count {
                if let n = table.value(r, t).doubleValue {
                    targets[labels[r]] = Int((n * splitter.trainFraction).rounded())
                }
            }
        }
        var generator = SeededGenerator(seed: context.seed, stream: Self.typeName)
        let result: SplitResult
        do {
            result = try splitter.split(labels: labels, ids: ids, groups: groups, oversampleTrainTo: targets, generator: &generator)
        } catch let e as CatalogError { throw e.stageError(stage) }
        var out = table
        let split = out.ensureColumn("split"), copy = out.ensureColumn("copy")
        for r in 0..<out.count { out.set(r, split, .string(result.sides[r].rawValue)); out.set(r, copy, .int(0)) }
        var copiesOf: [Int: Int] = [:]
        for r in result.trainCopies {
            copiesOf[r, default: 0] += 1
            var row = out.rows[r]
            if row.count <= copy { row += repeatElement(CatalogValue.null, count: copy + 1 - row.count) }
            row[copy] = .int(copiesOf[r] ?? 1)
            out.rows.append(row)
        }
        try CatalogStageIO.write(out, to: context.output("products"))
        var counts: [String: JSONValue] = [:]
        for (side, perClass) in result.counts { counts[side.rawValue] = CatalogStageIO.json(perClass) }
        context.summarize("counts", .object(counts))
        context.summarize("rows_in", .int(table.count))
        context.summarize("rows_out", .int(out.count))
        context.summarize("oversampled_copies", .int(result.trainCopies.count))
    }
}
