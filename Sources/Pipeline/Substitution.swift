/// Replaces `${params.x}`, `${item}`, `${matrix.k}` (and fields of object values, `${item.name}`) in pipeline values.
struct Substitution {
    /// Values visible to references, by their full name (`params.seed`, `item`, `matrix.backbone`).
    var variables: [String: JSONValue]

    /// Substitutes inside a string; a string that is exactly one reference keeps the value's type.
    func apply(_ text: String, at location: SourceLocation) throws -> JSONValue {
        guard text.contains("${") else { return .string(text) }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("${"), trimmed.hasSuffix("}"), trimmed.dropFirst(2).firstIndex(of: "}") == trimmed.index(before: trimmed.endIndex) {
            let name = String(trimmed.dropFirst(2).dropLast())
            return try lookup(name, at: location)
        }
        var out = ""
        var rest = Substring(text)
        while let start = rest.range(of: "${") {
            out += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw PipelineError("unterminated '${' in \"\(text)\"", at: location)
            }
            out += try lookup(String(rest[start.upperBound..<end]), at: location).description
            rest = rest[rest.index(after: end)...]
        }
        out += rest
        return .string(out)
    }

    /// Substitutes recursively inside arrays and objects.
    func apply(_ value: JSONValue, at location: SourceLocation) throws -> JSONValue {
        switch value {
        case .string(let s): return try apply(s, at: location)
        case .array(let a): return .array(try a.map { try apply($0, at: location) })
        case .object(let o): return .object(try o.mapValues { try apply($0, at: location) })
        default: return value
        }
    }

    private func lookup(_ name: String, at location: SourceLocation) throws -> JSONValue {
        let key = name.trimmingCharacters(in: .whitespaces)
        if let v = variables[key] { return v }
        // `${item.backbone}`, `${matrix.model.width}`: a field of an object value.
        var base = key.split(separator: ".").map(String.init), fields: [String] = []
        while base.count > 1 {
            fields.insert(base.removeLast(), at: 0)
            guard let root = variables[base.joined(separator: ".")] else { continue }
            var value = root
            for f in fields {
                guard let next = value.objectValue?[f] else {
                    throw PipelineError("unknown reference '${\(key)}': \(root.description) has no field '\(f)'", at: location)
                }
                value = next
            }
            return value
        }
        let known = variables.keys.sorted().joined(separator: ", ")
        throw PipelineError("unknown reference '${\(key)}'" + (known.isEmpty ? "" : " (known: \(known))"), at: location)
    }
}

import Foundation
