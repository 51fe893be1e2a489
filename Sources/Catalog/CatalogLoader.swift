/// Loads a catalog file (JSON array, JSON Lines or CSV) into a `CatalogTable`, streaming, with
/// malformed records quarantined (record number, line, field, reason) under an error budget.
public struct CatalogLoader {
    /// The options in force.
    public let options: LoadOptions

    /// A loader with `options`.
    public init(options: LoadOptions = LoadOptions()) { self.options = options }

    /// Loads the file at `path`; throws `CatalogError` for unreadable, empty or unframeable files and past the error budget.
    public func load(path: String) throws -> LoadResult {
        try read(path: path, sink: nil)
    }

    /// Streams the file at `path`: each accepted row goes to `body` with the columns known so far (the row is
    /// aligned with them; `price` last when a price column is set) and is not kept, so memory stays flat.
    /// The result's table has the final columns and no rows. Errors as `load(path:)`.
    public func stream(path: String, _ body: (_ columns: [String], _ row: [CatalogValue]) throws -> Void) throws -> LoadResult {
        try withoutActuallyEscaping(body) { try read(path: path, sink: $0) }
    }

    private func read(path: String, sink: ((_ columns: [String], _ row: [CatalogValue]) throws -> Void)?) throws -> LoadResult {
        let format = try resolveFormat(path)
        var state = LoadState(options: options, path: path)
        state.keepRows = sink == nil
        var priceProblems: [String: Int] = [:]
        func emit(_ row: [CatalogValue]?) throws {
            guard let sink, var row else { return }
            var columns = state.table.columns
            if let col = options.priceColumn {
                let (price, problem) = PriceParser.price(of: state.table.columnIndex(col).map { $0 < row.count ? row[$0] : .null } ?? .null)
                if let problem { priceProblems[problem, default: 0] += 1 }
                row.append(contentsOf: repeatElement(CatalogValue.null, count: columns.count - row.count))
                row.append(price)
                columns.append("price")
            }
            try sink(columns, row)
        }
        let reader = try ChunkedFileReader(path: path)
        switch format {
        case .json:
            try RecordSplitter.jsonArray(reader) { bytes, pos, truncated in
                if truncated {
                    state.quarantine(pos, RecordIssue(field: nil, reason: "truncated",
                        detail: "file ends inside the JSON array (no closing ']')"), bytes)
                } else {
                    try emit(state.acceptJSON(bytes, pos))
                }
            }
        case .jsonl:
            try RecordSplitter.jsonLines(reader) { bytes, pos in try emit(state.acceptJSON(bytes, pos)) }
        case .csv:
            var header: [String]?
            try CSVReader.read(reader, delimiter: options.delimiter) { row, pos, raw in
                guard let names = header else {
                    guard case .fields(let f) = row else {
                        throw CatalogError.syntax(file: path, line: pos.line, offset: pos.offset, reason: "malformed CSV header")
                    }
                    header = try f.map { name -> String in
                        guard let n = name else {
                            throw CatalogError.syntax(file: path, line: 1, offset: 0, reason: "CSV header is not valid UTF-8")
                        }
                        return n.trimmingSpaces
                    }
                    return
                }
                switch row {
                case .malformed(let reason, let detail): state.quarantine(pos, RecordIssue(field: nil, reason: reason, detail: detail), raw)
                case .fields(let values): try emit(state.acceptCSV(values, header: names, pos, raw))
                }
            }
            if header == nil { throw CatalogError.emptyInput(file: path) }
        case .auto:
            throw CatalogError.invalidOption("format could not be chosen")
        }
        if state.records == 0 { throw CatalogError.emptyInput(file: path) }
        if Double(state.quarantined.count) > options.errorBudget * Double(state.records) {
            throw CatalogError.errorBudgetExceeded(file: path, quarantined: state.quarantined.count, records: state.records,
                                                   budget: options.errorBudget)
        }
        var table = state.table
        if let col = options.priceColumn {
            if sink == nil { priceProblems = PriceParser.addPriceColumn(to: &table, from: col) } else { table.ensureColumn("price") }
        }
        return LoadResult(table: table, quarantine: state.quarantined, records: state.records, format: format,
                          priceProblems: priceProblems)
    }

    private func resolveFormat(_ path: String) throws -> LoadOptions.Format {
        if options.format != .auto { return options.format }
        let lower = path.lowercased()
        if lower.hasSuffix(".jsonl") || lower.hasSuffix(".ndjson") { return .jsonl }
        if lower.hasSuffix(".json") { return .json }
        if lower.hasSuffix(".csv") { return .csv }
        let r = try ChunkedFileReader(path: path, chunk: 4096)
        try r.skipBOM()
        while let c = try r.next() {
            if c == 0x20 || c == 0x0A || c == 0x0D || c == 0x09 { continue }
            return c == UInt8(ascii: "[") ? .json : c == UInt8(ascii: "{") ? .jsonl : .csv
        }
        throw CatalogError.emptyInput(file: path)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let a = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let b = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[a...b])
    }
}
