import Foundation
import Yams

/// Reads a pipeline YAML file into a validated `PipelineSpec`; every error names file, line and column.
public struct PipelineLoader: Sendable {
    /// Built-in stage types that `uses:` may name.
    public let registry: StageRegistry

    /// A loader that validates against `registry`.
    public init(registry: StageRegistry) { self.registry = registry }

    static let topLevelKeys: Set<String> = ["params", "stages", "name", "description"]

    /// Loads and validates `file`, applying `overrides` (`--set key=value`) to its params.
    public func load(_ file: URL, overrides: [String] = []) throws -> PipelineSpec {
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw PipelineError("cannot read pipeline file \(file.path): \(error.localizedDescription)")
        }
        return try load(text: text, file: file, overrides: overrides)
    }

    /// Loads and validates pipeline text as if read from `file`.
    public func load(text: String, file: URL, overrides: [String] = []) throws -> PipelineSpec {
        let name = Self.displayPath(file)
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else { throw PipelineError("the pipeline file is empty", at: SourceLocation(file: name, line: 1, column: 1)) }
            root = node
        } catch let e as YamlError {
            throw Self.convert(e, file: name)
        }
        let reader = NodeReader(file: name)
        guard case .mapping(let top) = root else { throw PipelineError("a pipeline file is a mapping with 'params' and 'stages'", at: reader.loc(root)) }
        for (k, _) in top {
            let key = try reader.key(k)
            if !Self.topLevelKeys.contains(key) {
                throw PipelineError("unknown top-level key '\(key)' (expected: \(Self.topLevelKeys.sorted().joined(separator: ", ")))", at: reader.loc(k))
            }
        }
        var params: [String: JSONValue] = [:]
        if let p = top["params"] {
            guard case .mapping(let pm) = p else { throw PipelineError("'params' must be a mapping of names to values", at: reader.loc(p)) }
            for (k, v) in pm { params[try reader.key(k)] = try reader.value(v) }
        }
        for o in overrides {
            guard let eq = o.firstIndex(of: "="), eq != o.startIndex else { throw PipelineError("--set expects key=value, got '\(o)'") }
            let key = String(o[..<eq]), raw = String(o[o.index(after: eq)...])
            guard params[key] != nil else {
                throw PipelineError("--set \(key): no such param in \(name) (params: \(params.keys.sorted().joined(separator: ", ")))")
            }
            params[key] = Self.scalar(raw)
        }
        guard let stagesNode = top["stages"] else { throw PipelineError("the pipeline has no 'stages'", at: reader.loc(root)) }
        guard case .mapping(let sm) = stagesNode, sm.count > 0 else { throw PipelineError("'stages' must be a non-empty mapping of stage names to stages", at: reader.loc(stagesNode)) }
        var expander = StageExpander(registry: registry, reader: reader, params: params)
        for (k, v) in sm { try expander.add(name: try reader.key(k), node: v, keyNode: k) }
        let stages = try expander.resolve()
        try DAG(stages: stages).checkAcyclic()
        return PipelineSpec(file: file.standardizedFileURL, params: params, stages: stages)
    }

    /// Parses a `--set` value as a YAML scalar (number, bool, null or string).
    static func scalar(_ raw: String) -> JSONValue {
        if let node = try? Yams.compose(yaml: raw), let v = try? NodeReader(file: "--set").value(node) { return v }
        return .string(raw)
    }

    /// The file's path relative to the current folder when inside it.
    public static func displayPath(_ file: URL) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        let p = file.standardizedFileURL.path
        return p.hasPrefix(cwd) ? String(p.dropFirst(cwd.count)) : p
    }

    static func convert(_ e: YamlError, file: String) -> PipelineError {
        switch e {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return PipelineError("YAML: \(problem)", at: SourceLocation(file: file, line: mark.line, column: mark.column))
        case .duplicatedKeysInMapping(let dups, let ctx):
            return PipelineError("duplicate key(s) \(dups.joined(separator: ", "))", at: SourceLocation(file: file, line: ctx.mark.line, column: ctx.mark.column))
        default:
            return PipelineError("YAML: \(e)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}

/// Turns YAML nodes into values and locations.
struct NodeReader {
    let file: String

    func loc(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    func key(_ node: Node) throws -> String {
        guard case .scalar(let s) = node else { throw PipelineError("keys must be plain names", at: loc(node)) }
        return s.string
    }

    func string(_ node: Node, what: String) throws -> String {
        guard case .scalar(let s) = node else { throw PipelineError("\(what) must be a string", at: loc(node)) }
        return s.string
    }

    func strings(_ node: Node, what: String) throws -> [String] {
        switch node {
        case .scalar(let s): return [s.string]
        case .sequence(let seq): return try seq.map { try string($0, what: "each item of \(what)") }
        default: throw PipelineError("\(what) must be a list of strings", at: loc(node))
        }
    }

    /// A YAML value as JSON: plain scalars are typed (int, float, bool, null), quoted ones stay strings.
    func value(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let s):
            if s.style != .plain { return .string(s.string) }
            if node.null != nil { return .null }
            if let b = node.bool { return .bool(b) }
            if let i = node.int { return .int(i) }
            if let d = node.float { return .double(d) }
            return .string(s.string)
        case .sequence(let seq): return .array(try seq.map { try value($0) })
        case .mapping(let m):
            var o: [String: JSONValue] = [:]
            for (k, v) in m { o[try key(k)] = try value(v) }
            return .object(o)
        case .alias:
            throw PipelineError("YAML aliases are not supported in pipeline files", at: loc(node))
        }
    }
}
