import Catalog
import Foundation
import Pipeline

/// `catalog.load`: reads a catalog export (JSON array, JSON Lines or CSV), streaming, into a products table.
public struct CatalogLoadStage: Stage {
    /// The name used after `uses:`.
    public static let typeName = "catalog.load"
    /// Implementation version (bump when outputs would change).
    public static let version = 1
    /// One line for `vitrine stages`.
    public static let summary = "Load a catalog export (JSON array, JSON Lines, RFC 4180 CSV) with malformed records quarantined"
    /// Parameters accepted under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("path", .path, doc: "the catalog file"),
        ParameterSpec("format", .choice(["auto", "json", "jsonl", "csv"]), default: .string("auto"),
                      doc: "file format; auto picks by extension, then by the first byte"),
        ParameterSpec("columns", .stringList, optional: true, doc: "columns to keep, in order; each record must have them (null allowed)"),
        ParameterSpec("types", .json, optional: true, doc: "declared types by column: string, int, number, double, bool, any"),
        ParameterSpec("id_column", .string, optional: true, doc: "product id column; records with a missing or repeated id are quarantined"),
        ParameterSpec("price_column", .string, optional: true, doc: "price text column (e.g. formatted_price); adds a numeric `price` column"),
        ParameterSpec("error_budget", .double, default: .double(0.01), doc: "fraction of records that may be quarantined before the stage fails"),
        ParameterSpec("max_field_bytes", .int, default: .int(65_536), doc: "longest accepted string value in bytes"),
        ParameterSpec("delimiter", .string, default: .string(","), doc: "CSV field delimiter (one ASCII character)"),
    ]
    /// Outputs written to the staging folder.
    public static let outputs: [OutputSpec] = [
        OutputSpec("products", file: "products.jsonl", tabular: true, doc: "accepted records, columns as loaded (+ price)"),
        OutputSpec("quarantine", file: "quarantine.jsonl", tabular: true,
                   doc: "set-aside records: record, line, offset, field, reason, detail, excerpt"),
    ]

    let options: LoadOptions

    /// Validates parameters; throws `StageError.invalidParameter` on bad values.
    public init(parameters p: StageParameters) throws {
        func bad(_ name: String, _ reason: String) -> StageError { .invalidParameter(stage: p.stageName, parameter: name, reason: reason) }
        let format = try LoadOptions.Format(rawValue: p.optionalString("format") ?? "auto") ?? .auto
        var types: [String: ColumnType] = [:]
        if let t = p["types"] {
            guard let object = t.objectValue else { throw bad("types", "expected an object of column: type") }
            for (column, v) in object {
                guard let name = v.stringValue, let type = ColumnType(rawValue: name) else {
                    throw bad("types", "column '\(column)': unknown type \(v.canonical) (use string, int, number, double, bool, any)")
                }
                types[column] = type
            }
        }
        let columns = try p.strings("columns")
        let budget = p["error_budget"]?.doubleValue ?? 0.01
        guard budget >= 0, budget <= 1 else { throw bad("error_budget", "must be between 0 and 1") }
        let delimiter = try p.optionalString("delimiter") ?? ","
        guard delimiter.utf8.count == 1, let d = delimiter.utf8.first, d != 0x22, d != 0x0A, d != 0x0D else {
            throw bad("delimiter", "must be one ASCII character other than a quote or a line end")
        }
        let maxField = try p.optionalInt("max_field_bytes") ?? 65_536
        guard maxField > 0 else { throw bad("max_field_bytes", "must be positive") }
        options = LoadOptions(format: format, columns: columns.isEmpty ? nil : columns, types: types,
                              idColumn: try p.optionalString("id_column"), errorBudget: budget, maxFieldBytes: maxField,
                              priceColumn: try p.optionalString("price_column"), delimiter: d)
    }

    /// Does the work.
    public func run(in context: StageContext) async throws {
        let path = try context.input("path")
        let result: LoadResult
        let writer = try JSONLinesStreamWriter(url: context.output("products"))
        do {
            result = try CatalogLoader(options: options).stream(path: path.path) { columns, row in
                try writer.write(columns: columns, row: row)
            }
        } catch let e as CatalogError {
            throw e.stageError(context.stageName)
        }
        try writer.finish()
        let q = CatalogTable(columns: QuarantineEntry.columns, rows: result.quarantine.map(\.row))
        try CatalogStageIO.write(q, to: context.output("quarantine"))
        context.summarize("format", .string(result.format.rawValue))
        context.summarize("records", .int(result.records))
        context.summarize("rows_out", .int(writer.rows))
        context.summarize("quarantined", .int(result.quarantine.count))
        context.summarize("quarantined_by_reason", CatalogStageIO.json(result.quarantineCounts))
        if options.priceColumn != nil { context.summarize("price_unparsed", CatalogStageIO.json(result.priceProblems)) }
        context.log("loaded \(writer.rows) of \(result.records) records from \(path.lastPathComponent); \(result.quarantine.count) quarantined")
    }
}
