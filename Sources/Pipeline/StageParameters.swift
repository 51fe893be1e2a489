/// The declared kind of a stage parameter, checked when a pipeline file is validated.
public enum ParameterKind: Sendable, Equatable, CustomStringConvertible {
    case string, int, double, bool, stringList, json
    /// A file or folder path, relative to the pipeline file; its content is part of the fingerprint.
    case path
    /// Another stage's output, written `stage.output`; adds a dependency edge.
    case artifact
    /// A list of `stage.output` references.
    case artifactList
    /// A path outside the state directory that the stage writes (e.g. the published index); two stages may not share one.
    case outputPath
    /// One of a fixed set of strings.
    case choice([String])

    /// The kind as shown in errors and docs.
    public var description: String {
        switch self {
        case .string: return "string"
        case .int: return "integer"
        case .double: return "number"
        case .bool: return "boolean"
        case .stringList: return "list of strings"
        case .json: return "any value"
        case .path: return "path"
        case .artifact: return "artifact reference (stage.output)"
        case .artifactList: return "list of artifact references"
        case .outputPath: return "output path"
        case .choice(let c): return "one of " + c.joined(separator: ", ")
        }
    }
}

/// One parameter a stage type accepts: name, kind, default (nil = required) and a one-line doc.
public struct ParameterSpec: Sendable {
    public let name: String
    public let kind: ParameterKind
    public let defaultValue: JSONValue?
    public let optional: Bool
    public let doc: String

    /// A parameter; pass `default` to make it optional with that value, or `optional: true` for no value.
    public init(_ name: String, _ kind: ParameterKind, default defaultValue: JSONValue? = nil, optional: Bool = false, doc: String) {
        self.name = name; self.kind = kind; self.defaultValue = defaultValue; self.optional = optional; self.doc = doc
    }

    /// Whether the pipeline file must give a value.
    public var required: Bool { defaultValue == nil && !optional }
}

/// One named output a stage writes into its staging folder.
public struct OutputSpec: Sendable {
    public let name: String
    /// File or folder name inside the stage's output folder.
    public let file: String
    public let doc: String
    /// Whether the output is a JSON Lines table (its row count is recorded).
    public let tabular: Bool
    /// Whether the stage may leave this output out.
    public let optional: Bool

    /// An output named `name`, written as `file`.
    public init(_ name: String, file: String, tabular: Bool = false, optional: Bool = false, doc: String) {
        self.name = name; self.file = file; self.doc = doc; self.tabular = tabular; self.optional = optional
    }
}

/// A stage's resolved parameter values with typed accessors whose errors name the parameter.
public struct StageParameters: Sendable, Hashable {
    /// Resolved values, defaults filled in.
    public let values: [String: JSONValue]
    /// The stage these belong to, for error messages.
    public let stageName: String

    /// Wraps resolved values.
    public init(_ values: [String: JSONValue], stageName: String = "stage") {
        self.values = values; self.stageName = stageName
    }

    /// The raw value, or nil when absent or null.
    public subscript(_ name: String) -> JSONValue? {
        if let v = values[name], v != .null { return v }
        return nil
    }

    private func bad(_ name: String, _ want: String) -> StageError {
        .invalidParameter(stage: stageName, parameter: name, reason: "expected \(want), got \(values[name]?.canonical ?? "nothing")")
    }

    /// A required string.
    public func string(_ name: String) throws -> String {
        guard let v = self[name] else { throw bad(name, "a string") }
        switch v { case .string(let s): return s; case .int, .double, .bool: return v.description; default: throw bad(name, "a string") }
    }
    /// An optional string.
    public func optionalString(_ name: String) throws -> String? { self[name] == nil ? nil : try string(name) }
    /// A required integer.
    public func int(_ name: String) throws -> Int {
        guard let i = self[name]?.intValue else { throw bad(name, "an integer") }
        return i
    }
    /// An optional integer.
    public func optionalInt(_ name: String) throws -> Int? { self[name] == nil ? nil : try int(name) }
    /// A required number.
    public func double(_ name: String) throws -> Double {
        guard let d = self[name]?.doubleValue else { throw bad(name, "a number") }
        return d
    }
    /// A required boolean.
    public func bool(_ name: String) throws -> Bool {
        guard let b = self[name]?.boolValue else { throw bad(name, "true or false") }
        return b
    }
    /// A list of strings (a single string counts as a one-element list).
    public func strings(_ name: String) throws -> [String] {
        guard let v = self[name] else { return [] }
        if case .string(let s) = v { return [s] }
        guard let a = v.arrayValue else { throw bad(name, "a list of strings") }
        return try a.map { if case .string(let s) = $0 { return s }; throw bad(name, "a list of strings") }
    }
}
