import Foundation
import Yams

/// Expands `foreach`/`matrix` stages, substitutes references and resolves inputs into `StageSpec`s.
struct StageExpander {
    let registry: StageRegistry
    let reader: NodeReader
    let params: [String: JSONValue]

    static let stageKeys: Set<String> = ["uses", "with", "run", "inputs", "outputs", "needs", "foreach", "matrix",
                                         "retries", "retry_delay", "timeout", "env", "description"]

    /// A stage after expansion, before its references are resolved.
    struct Pending {
        var spec: StageSpec
        var needs: [(String, SourceLocation)]
        var withValues: [String: (JSONValue, SourceLocation)]
        var shellInputs: [(String, String, SourceLocation)]
    }

    private(set) var pending: [Pending] = []
    private var byBase: [String: [Int]] = [:]

    init(registry: StageRegistry, reader: NodeReader, params: [String: JSONValue]) {
        self.registry = registry; self.reader = reader; self.params = params
    }

    /// Parses one stage and adds its expansions.
    mutating func add(name: String, node: Node, keyNode: Node) throws {
        let at = reader.loc(keyNode)
        guard name.range(of: "^[A-Za-z0-9_][A-Za-z0-9_-]*$", options: .regularExpression) != nil else {
            throw PipelineError("stage name '\(name)' may use only letters, digits, '_' and '-'", at: at)
        }
        guard byBase[name] == nil else { throw PipelineError("stage '\(name)' is declared twice", at: at) }
        guard case .mapping(let m) = node else { throw PipelineError("stage '\(name)' must be a mapping (uses:/with: or run:)", at: reader.loc(node)) }
        for (k, _) in m {
            let key = try reader.key(k)
            if !Self.stageKeys.contains(key) {
                throw PipelineError("stage '\(name)': unknown key '\(key)' (expected: \(Self.stageKeys.sorted().joined(separator: ", ")))", at: reader.loc(k))
            }
        }
        if m["uses"] != nil, m["run"] != nil { throw PipelineError("stage '\(name)' has both 'uses' and 'run'; choose one", at: at) }
        if m["uses"] == nil, m["run"] == nil { throw PipelineError("stage '\(name)' needs 'uses: TYPE' or 'run: COMMAND'", at: at) }
        for (vars, suffix) in try expansions(m, stage: name) {
            var sub = Substitution(variables: [:])
            for (k, v) in params { sub.variables["params.\(k)"] = v }
            for (k, v) in vars { sub.variables[k] = v }
            let full = suffix.isEmpty ? name : "\(name)@\(suffix)"
            try addExpanded(full, base: name, matrix: vars, m: m, sub: sub, at: at)
        }
    }

    private func expansions(_ m: Node.Mapping, stage: String) throws -> [([String: JSONValue], String)] {
        if let f = m["foreach"] {
            guard case .array(let items) = try reader.value(f), !items.isEmpty else {
                throw PipelineError("stage '\(stage)': 'foreach' must be a non-empty list", at: reader.loc(f))
            }
            return items.map { (["item": $0, "matrix.item": $0], Self.slug(Self.label($0))) }
        }
        guard let mx = m["matrix"] else { return [([:], "")] }
        guard case .mapping(let mm) = mx, mm.count > 0 else { throw PipelineError("stage '\(stage)': 'matrix' must map names to lists", at: reader.loc(mx)) }
        var combos: [([String: JSONValue], [String])] = [([:], [])]
        for (k, v) in mm {
            let key = try reader.key(k)
            guard case .array(let values) = try reader.value(v), !values.isEmpty else {
                throw PipelineError("stage '\(stage)': matrix '\(key)' must be a non-empty list", at: reader.loc(v))
            }
            combos = combos.flatMap { c in values.map { val in
                var d = c.0; d["matrix.\(key)"] = val
                return (d, c.1 + [Self.slug(Self.label(val))])
            } }
        }
        return combos.map { ($0.0, $0.1.joined(separator: "-")) }
    }

    /// The name suffix for an expansion value: an object's `name` field, else its field values joined by `-`.
    static func label(_ v: JSONValue) -> String {
        guard let o = v.objectValue else { return v.description }
        if let name = o["name"]?.stringValue { return name }
        return o.keys.sorted().compactMap { o[$0]?.description }.joined(separator: "-")
    }

    static func slug(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" ? $0 : "_" })
    }

    private mutating func addExpanded(_ name: String, base: String, matrix: [String: JSONValue], m: Node.Mapping, sub: Substitution, at: SourceLocation) throws {
        var needs: [(String, SourceLocation)] = []
        if let n = m["needs"] { needs = try reader.strings(n, what: "needs").map { ($0, reader.loc(n)) } }
        let retries = try m["retries"].map { n -> Int in
            guard let i = try reader.value(n).intValue, i >= 0 else { throw PipelineError("retries must be a whole number ≥ 0", at: reader.loc(n)) }
            return i
        } ?? 0
        let retryDelay = try m["retry_delay"].map { try seconds($0, what: "retry_delay") } ?? 1
        let timeout = try m["timeout"].map { try seconds($0, what: "timeout") }
        var matrixVars: [String: JSONValue] = [:]
        for (k, v) in matrix where k.hasPrefix("matrix.") { matrixVars[String(k.dropFirst(7))] = v }
        var spec = StageSpec(name: name, baseName: base, matrix: matrixVars, body: .shell(ShellSpec(command: "", outputs: [], env: [:])),
                             inputs: [:], needs: [], outputPaths: [], retries: retries, retryDelay: retryDelay, timeout: timeout, location: at)
        var withValues: [String: (JSONValue, SourceLocation)] = [:]
        var shellInputs: [(String, String, SourceLocation)] = []
        if let u = m["uses"] {
            let type = try reader.string(u, what: "uses")
            if let w = m["with"] {
                guard case .mapping(let wm) = w else { throw PipelineError("'with' must be a mapping of parameters", at: reader.loc(w)) }
                for (k, v) in wm { withValues[try reader.key(k)] = (try sub.apply(try reader.value(v), at: reader.loc(v)), reader.loc(k)) }
            }
            spec.body = .builtin(type: type, parameters: [:])
            _ = u
        } else if let r = m["run"] {
            let cmd = try sub.apply(try reader.string(r, what: "run"), at: reader.loc(r)).description
            var outputs: [String] = []
            if let o = m["outputs"] {
                outputs = try reader.strings(o, what: "outputs")
                for out in outputs where out.isEmpty || out.hasPrefix("/") || out.split(separator: "/").contains("..") {
                    throw PipelineError("output '\(out)' must be a relative name under $VITRINE_OUT", at: reader.loc(o))
                }
                if Set(outputs).count != outputs.count { throw PipelineError("stage '\(name)' declares the same output twice", at: reader.loc(o)) }
            }
            var env: [String: String] = [:]
            if let e = m["env"], case .mapping(let em) = e {
                for (k, v) in em { env[try reader.key(k)] = try sub.apply(try reader.value(v), at: reader.loc(v)).description }
            }
            if let i = m["inputs"] {
                switch i {
                case .mapping(let im):
                    for (k, v) in im { shellInputs.append((try reader.key(k), try sub.apply(try reader.string(v, what: "input"), at: reader.loc(v)).description, reader.loc(v))) }
                default:
                    for (idx, s) in try reader.strings(i, what: "inputs").enumerated() {
                        shellInputs.append((String(idx), try sub.apply(s, at: reader.loc(i)).description, reader.loc(i)))
                    }
                }
            }
            spec.body = .shell(ShellSpec(command: cmd, outputs: outputs, env: env))
        }
        byBase[base, default: []].append(pending.count)
        pending.append(Pending(spec: spec, needs: needs, withValues: withValues, shellInputs: shellInputs))
    }

    private func seconds(_ n: Node, what: String) throws -> Double {
        let v = try reader.value(n)
        if let d = v.doubleValue, d >= 0 { return d }
        if let s = v.stringValue, let d = DurationText.seconds(s) { return d }
        throw PipelineError("\(what) must be a duration like 90, 30s, 10m, 2h or 1d", at: reader.loc(n))
    }
}

/// Parses durations written as `90`, `30s`, `10m`, `2h`, `7d`.
public enum DurationText {
    /// Seconds for a duration string, or nil when it is not one.
    public static func seconds(_ text: String) -> Double? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)]
        for (u, mult) in units where t.hasSuffix(u) {
            if let v = Double(t.dropLast(u.count)), v >= 0 { return v * mult }
        }
        if let v = Double(t), v >= 0 { return v }
        return nil
    }
}
