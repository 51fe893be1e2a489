import Catalog
import Foundation
import Pipeline

/// `catalog.drop_nulls`: drops rows with null/empty values in listed columns and, optionally, short titles.
public struct DropNullsStage: Stage {
    /// The name used after `uses:`.
    public static let typeName = "catalog.drop_nulls"
    /// Implementation version (bump when outputs would change).
    public static let version = 1
    /// One line for `vitrine stages`.
    public static let summary = "Drop rows whose listed columns are null, empty or whitespace, and titles with too few words"
    /// Parameters accepted under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("input", .artifact, doc: "products table"),
        ParameterSpec("columns", .stringList, default: .array([]), doc: "columns that must be present (empty/whitespace strings count as null)"),
        ParameterSpec("min_title_words", .int, optional: true, doc: "keep titles with at least this many words (the research's 'more than 4' is 5)"),
        ParameterSpec("title_column", .string, default: .string("title"), doc: "title column for min_title_words"),
    ]
    /// Outputs written to the staging folder.
    public static let outputs: [OutputSpec] = [
        OutputSpec("products", file: "products.jsonl", tabular: true, doc: "kept rows"),
    ]

    let filter: NullFilter

    /// Validates parameters; throws `StageError.invalidParameter` on bad values.
    public init(parameters p: StageParameters) throws {
        let minWords = try p.optionalInt("min_title_words")
        if let m = minWords, m < 0 {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "min_title_words", reason: "must not be negative")
        }
        filter = NullFilter(columns: try p.strings("columns"), minTitleWords: minWords,
                            titleColumn: try p.optionalString("title_column") ?? "title")
    }

    /// Does the work.
    public func run(in context: StageContext) async throws {
        let table = try CatalogStageIO.read(try context.input("input"), stage: context.stageName)
        let result: (table: CatalogTable, dropped: [String: Int])
        do { result = try filter.apply(table) } catch let e as CatalogError { throw e.stageError(context.stageName) }
        try CatalogStageIO.write(result.table, to: context.output("products"))
        context.summarize("rows_in", .int(table.count))
        context.summarize("rows_out", .int(result.table.count))
        context.summarize("dropped", .int(table.count - result.table.count))
        context.summarize("dropped_by_reason", CatalogStageIO.json(result.dropped))
    }
}
