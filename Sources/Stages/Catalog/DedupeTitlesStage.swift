import Catalog
import Foundation
import Pipeline

/// `catalog.dedupe_titles`: removes exact or near-duplicate titles (first occurrence kept) and lists what went where.
public struct DedupeTitlesStage: Stage {
    /// The name used after `uses:`.
    public static let typeName = "catalog.dedupe_titles"
    /// Implementation version (bump when outputs would change).
    public static let version = 1
    /// One line for `vitrine stages`.
    public static let summary = "Remove duplicate titles: exact (normalised) or near (≤ max_word_differences differing word positions)"
    /// Parameters accepted under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("input", .artifact, doc: "products table"),
        ParameterSpec("mode", .choice(["exact", "near"]), default: .string("near"), doc: "exact after normalisation, or the research's near rule"),
        ParameterSpec("max_word_differences", .int, default: .int(2), doc: "near mode: most differing word positions still a duplicate"),
        ParameterSpec("title_column", .string, default: .string("title"), doc: "title column"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "product id column (for the duplicates table)"),
    ]
    /// Outputs written to the staging folder.
    public static let outputs: [OutputSpec] = [
        OutputSpec("products", file: "products.jsonl", tabular: true, doc: "kept rows, in input order"),
        OutputSpec("duplicates", file: "duplicates.jsonl", tabular: true,
                   doc: "dropped_id, kept_id, differences, dropped_title, kept_title for every dropped row"),
    ]

    let deduplicator: TitleDeduplicator
    let titleColumn: String
    let idColumn: String

    /// Validates parameters; throws `StageError.invalidParameter` on bad values.
    public init(parameters p: StageParameters) throws {
        let mode = DedupeMode(rawValue: try p.optionalString("mode") ?? "near") ?? .near
        let maxDiff = try p.optionalInt("max_word_differences") ?? 2
        guard maxDiff >= 0 else {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "max_word_differences", reason: "must not be negative")
        }
        deduplicator = TitleDeduplicator(mode: mode, maxWordDifferences: maxDiff)
        titleColumn = try p.optionalString("title_column") ?? "title"
        idColumn = try p.optionalString("id_column") ?? "asin"
    }

    /// Does the work.
    public func run(in context: StageContext) async throws {
        let table = try CatalogStageIO.read(try context.input("input"), stage: context.stageName)
        let t = try CatalogStageIO.column(table, titleColumn, parameter: "title_column", stage: context.stageName)
        let id = try CatalogStageIO.column(table, idColumn, parameter: "id_column", stage: context.stageName)
        let titles: [String?] = (0..<table.count).map { r in table.value(r, t).isNullLike ? nil : table.value(r, t).text }
        let started = Date()
        let (kept, dups) = deduplicator.run(titles: titles)
        context.metric("dedupe_seconds", Date().timeIntervalSince(started))
        try CatalogStageIO.write(table.selecting(kept), to: context.output("products"))
        let dupTable = CatalogTable(columns: ["dropped_id", "kept_id", "differences", "dropped_title", "kept_title"], rows: dups.map { d in
            [table.value(d.dropped, id), table.value(d.kept, id), .int(d.differences), table.value(d.dropped, t), table.value(d.kept, t)]
        })
        try CatalogStageIO.write(dupTable, to: context.output("duplicates"))
        let exact = dups.filter { $0.differences == 0 }.count
        context.summarize("rows_in", .int(table.count))
        context.summarize("rows_out", .int(kept.count))
        context.summarize("dropped", .int(dups.count))
        context.summarize("exact_duplicates", .int(exact))
        context.summarize("near_duplicates", .int(dups.count - exact))
        context.summarize("mode", .string(deduplicator.mode.rawValue))
    }
}
