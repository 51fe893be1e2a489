/// The accumulating state of one load: table, quarantine, id set; checks each record against the options.
struct LoadState {
    let options: LoadOptions
    let path: String
    var table: CatalogTable
    var quarantined: [QuarantineEntry] = []
    var records = 0
    private var seenIds: [String: Int] = [:]
    /// Whether accepted rows are kept in `table` (false when they are streamed to a sink).
    var keepRows = true
    private let declared: Bool

    init(options: LoadOptions, path: String) {
        self.options = options
        self.path = path
        declared = options.columns != nil
        table = CatalogTable(columns: options.columns ?? [])
    }

    mutating func quarantine(_ pos: RecordPosition, _ issue: RecordIssue, _ bytes: UnsafeBufferPointer<UInt8>) {
        records += 1
        let excerpt = String(decoding: bytes.prefix(800), as: UTF8.self)
        quarantined.append(QuarantineEntry(record: pos.record, line: pos.line, offset: pos.offset, field: issue.field,
                                           reason: issue.reason, detail: issue.detail, excerpt: String(excerpt.prefix(200))))
    }

    /// Parses and checks one JSON record; returns the accepted row (nil when quarantined).
    @discardableResult
    mutating func acceptJSON(_ bytes: UnsafeBufferPointer<UInt8>, _ pos: RecordPosition) -> [CatalogValue]? {
        do throws(RecordIssue) {
            let fields = try JSONRecordParser.parseObject(bytes)
            return try accept(fields, pos)
        } catch {
            quarantine(pos, error, bytes)
            return nil
        }
    }

    /// Converts and checks one CSV record; returns the accepted row (nil when quarantined).
    @discardableResult
    mutating func acceptCSV(_ values: [String?], header: [String], _ pos: RecordPosition, _ raw: UnsafeBufferPointer<UInt8>) -> [CatalogValue]? {
        do throws(RecordIssue) {
            guard values.count == header.count else {
                throw RecordIssue(field: nil, reason: "field_count", detail: "\(values.count) fields, header has \(header.count)")
            }
            var fields: [(String, CatalogValue)] = []
            fields.reserveCapacity(values.count)
            for (name, v) in zip(header, values) {
                guard let s = v else { throw RecordIssue(field: name, reason: "invalid_utf8", detail: "invalid UTF-8 bytes") }
                fields.append((name, try convertCSV(s, name)))
            }
            return try accept(fields, pos)
        } catch {
            quarantine(pos, error, raw)
            return nil
        }
    }

    private func convertCSV(_ s: String, _ name: String) throws(RecordIssue) -> CatalogValue {
        guard let type = options.types[name], type != .string, type != .any else { return .string(s) }
        let t = s.trimmingSpaces
        if t.isEmpty { return .null }
        switch type {
        case .int: if let i = Int(t) { return .int(i) }
        case .double: if let d = Double(t) { return .double(d) }
        case .number: if let i = Int(t) { return .int(i) }; if let d = Double(t) { return .double(d) }
        case .bool:
            switch t.lowercased() { case "true", "1", "yes": return .bool(true); case "false", "0", "no": return .bool(false); default: break }
        case .string, .any: return .string(s)
        }
        throw RecordIssue(field: name, reason: "wrong_type", detail: "expected \(type.rawValue), got '\(t.prefix(40))'")
    }

    private func check(_ v: CatalogValue, _ name: String) throws(RecordIssue) -> CatalogValue {
        if case .string(let s) = v, s.utf8.count > options.maxFieldBytes {
            throw RecordIssue(field: name, reason: "field_too_long", detail: "\(s.utf8.count) bytes, limit \(options.maxFieldBytes)")
        }
        guard let type = options.types[name], v != .null else { return v }
        switch (type, v) {
        case (.any, _), (.string, .string), (.int, .int), (.double, .double), (.number, .int), (.number, .double), (.bool, .bool): return v
        case (.double, .int(let i)): return .double(Double(i))
        default: throw RecordIssue(field: name, reason: "wrong_type", detail: "expected \(type.rawValue), got \(v.typeName)")
        }
    }

    private mutating func accept(_ fields: [(String, CatalogValue)], _ pos: RecordPosition) throws(RecordIssue) -> [CatalogValue] {
        var row = [CatalogValue](repeating: .null, count: table.columns.count)
        var present = [Bool](repeating: false, count: table.columns.count)
        for (name, raw) in fields {
            let v = try check(raw, name)
            let c: Int
            if let i = table.columnIndex(name) { c = i }
            else if declared { continue }
            else { c = table.ensureColumn(name); row.append(.null); present.append(false) }
            if c < row.count { row[c] = v; present[c] = true }
        }
        if let cols = options.columns {
            for (c, name) in cols.enumerated() where !present[c] {
                throw RecordIssue(field: name, reason: "missing_field", detail: "record has no '\(name)' field")
            }
        }
        if let idCol = options.idColumn {
            let idValue = table.columnIndex(idCol).map { row[$0] } ?? .null
            if idValue.isNullLike { throw RecordIssue(field: idCol, reason: "missing_id", detail: "record has no id") }
            let id = idValue.text
            if let first = seenIds[id] {
                throw RecordIssue(field: idCol, reason: "duplicate_id", detail: "id '\(id.prefix(80))' already seen in record \(first)")
            }
            seenIds[id] = pos.record
        }
        records += 1
        if keepRows { table.rows.append(row) }
        return row
    }
}
