import Foundation

extension StageExpander {
    /// Resolves needs, artifact references and parameters; returns stages in declaration order.
    func resolve() throws -> [StageSpec] {
        var out: [StageSpec] = []
        var outputPathOwner: [String: String] = [:]
        for p in pending {
            var spec = p.spec
            var needs: [String] = []
            for (n, at) in p.needs {
                let targets = try candidates(n, for: spec, at: at)
                needs.append(contentsOf: targets.map(\.name))
            }
            switch spec.body {
            case .builtin(let typeName, _):
                guard let type = registry.type(named: typeName) else {
                    let hint = Self.closest(typeName, in: registry.names).map { " — did you mean '\($0)'?" } ?? ""
                    throw PipelineError("stage '\(spec.name)': unknown stage type '\(typeName)'\(hint) (known: \(registry.names.joined(separator: ", ")))", at: spec.location)
                }
                var values: [String: JSONValue] = [:]
                let specs = Dictionary(type.parameters.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
                for (key, (value, at)) in p.withValues.sorted(by: { $0.key < $1.key }) {
                    guard let ps = specs[key] else {
                        let hint = Self.closest(key, in: Array(specs.keys)).map { " — did you mean '\($0)'?" } ?? ""
                        throw PipelineError("stage '\(spec.name)': '\(typeName)' has no parameter '\(key)'\(hint) (parameters: \(specs.keys.sorted().joined(separator: ", ")))", at: at)
                    }
                    let checked = try check(value, ps, stage: spec.name, at: at)
                    values[key] = checked
                    switch ps.kind {
                    case .artifact, .artifactList:
                        let refs = checked.arrayValue?.compactMap(\.stringValue) ?? [checked.stringValue ?? ""]
                        var resolved: [InputRef] = []
                        for r in refs {
                            let found = try reference(r, for: spec, at: at)
                            if ps.kind == .artifact, found.count != 1 {
                                throw PipelineError("stage '\(spec.name)': '\(r)' matches \(found.count) expanded stages (\(found.map(\.description).joined(separator: ", "))); name one, or use the same matrix", at: at)
                            }
                            resolved.append(contentsOf: found)
                        }
                        spec.inputs[key] = resolved
                        needs.append(contentsOf: resolved.compactMap { if case .artifact(let s, _) = $0 { return s }; return nil })
                    case .path:
                        spec.inputs[key] = [.path(checked.stringValue ?? "")]
                    case .outputPath:
                        let path = checked.description
                        if let other = outputPathOwner[path] {
                            throw PipelineError("stages '\(other)' and '\(spec.name)' both write '\(path)'", at: at)
                        }
                        outputPathOwner[path] = spec.name
                        spec.outputPaths.append(path)
                    default: break
                    }
                }
                for ps in type.parameters where values[ps.name] == nil {
                    if ps.required {
                        throw PipelineError("stage '\(spec.name)': missing required parameter '\(ps.name)' (\(ps.kind)) — \(ps.doc)", at: spec.location)
                    }
                    if let d = ps.defaultValue {
                        values[ps.name] = d
                        // A default output path is written too: two stages left on the same default collide.
                        if ps.kind == .outputPath {
                            let path = d.description
                            if let other = outputPathOwner[path] {
                                throw PipelineError("stages '\(other)' and '\(spec.name)' both write '\(path)' ('\(ps.name)' left at its default: set it)", at: spec.location)
                            }
                            outputPathOwner[path] = spec.name
                            spec.outputPaths.append(path)
                        }
                    }
                }
                spec.body = .builtin(type: typeName, parameters: values)
            case .shell:
                for (name, text, at) in p.shellInputs {
                    if let ref = try? reference(text, for: spec, at: at), !ref.isEmpty {
                        spec.inputs[name] = ref
                        needs.append(contentsOf: ref.compactMap { if case .artifact(let s, _) = $0 { return s }; return nil })
                    } else {
                        spec.inputs[name] = [.path(text)]
                    }
                }
            }
            var seen = Set<String>()
            spec.needs = needs.filter { seen.insert($0).inserted }
            if spec.needs.contains(spec.name) { throw PipelineError("stage '\(spec.name)' depends on itself", at: spec.location) }
            out.append(spec)
        }
        return out
    }

    /// Stages a `needs:` entry names: an exact (expanded) name, or every expansion of a base name
    /// that agrees with this stage's matrix on shared keys.
    func candidates(_ name: String, for stage: StageSpec, at: SourceLocation) throws -> [StageSpec] {
        if let exact = pending.first(where: { $0.spec.name == name }), exact.spec.baseName != name || (byBaseCount(name) == 1) {
            return [exact.spec]
        }
        guard let idxs = byBaseIndices(name) else {
            let all = pending.map(\.spec.name)
            let hint = Self.closest(name, in: all).map { " — did you mean '\($0)'?" } ?? ""
            throw PipelineError("stage '\(stage.name)' needs '\(name)', which is not a stage in this pipeline\(hint)", at: at)
        }
        let all = idxs.map { pending[$0].spec }
        let matching = all.filter { other in
            other.matrix.allSatisfy { k, v in stage.matrix[k].map { $0 == v } ?? true }
        }
        return matching.isEmpty ? all : matching
    }

    private func byBaseCount(_ name: String) -> Int { byBaseIndices(name)?.count ?? 0 }
    private func byBaseIndices(_ name: String) -> [Int]? {
        let idx = pending.indices.filter { pending[$0].spec.baseName == name }
        return idx.isEmpty ? nil : idx
    }

    /// Resolves `stage.output` (the split point may be any dot, since output names can contain dots).
    func reference(_ text: String, for stage: StageSpec, at: SourceLocation) throws -> [InputRef] {
        var idx = text.startIndex
        var stageMatched: String?
        while let dot = text[idx...].firstIndex(of: ".") {
            let prefix = String(text[..<dot]), output = String(text[text.index(after: dot)...])
            if pending.contains(where: { $0.spec.name == prefix || $0.spec.baseName == prefix }) {
                stageMatched = prefix
                let targets = try candidates(prefix, for: stage, at: at)
                if targets.allSatisfy({ outputs(of: $0).contains(output) }) {
                    return targets.map { .artifact(stage: $0.name, output: output) }
                }
            }
            idx = text.index(after: dot)
        }
        if let s = stageMatched, let t = try candidates(s, for: stage, at: at).first {
            throw PipelineError("stage '\(stage.name)': '\(text)': stage '\(s)' has no such output (outputs: \(outputs(of: t).joined(separator: ", ")))", at: at)
        }
        throw PipelineError("stage '\(stage.name)': '\(text)' is not a reference to another stage's output (write stage.output)", at: at)
    }

    /// Output names a stage declares.
    func outputs(of stage: StageSpec) -> [String] {
        switch stage.body {
        case .builtin(let t, _): return registry.type(named: t)?.outputs.map(\.name) ?? []
        case .shell(let s): return s.outputs
        }
    }

    /// Checks a value against a parameter's kind.
    func check(_ v: JSONValue, _ ps: ParameterSpec, stage: String, at: SourceLocation) throws -> JSONValue {
        func fail() -> PipelineError {
            PipelineError("stage '\(stage)': parameter '\(ps.name)' must be \(ps.kind), got \(v.canonical)", at: at)
        }
        switch ps.kind {
        case .string, .path, .outputPath:
            switch v { case .string, .int, .double, .bool: return v; default: throw fail() }
        case .int: guard let i = v.intValue else { throw fail() }; return .int(i)
        case .double: guard let d = v.doubleValue else { throw fail() }; return .double(d)
        case .bool: guard v.boolValue != nil else { throw fail() }; return v
        case .stringList, .artifactList:
            if case .string = v { return .array([v]) }
            guard let a = v.arrayValue, a.allSatisfy({ $0.stringValue != nil }) else { throw fail() }
            return v
        case .artifact: guard v.stringValue != nil else { throw fail() }; return v
        case .json: return v
        case .choice(let options): guard let s = v.stringValue, options.contains(s) else { throw fail() }; return v
        }
    }

    /// The candidate within edit distance 2 of `word`, for "did you mean" hints.
    static func closest(_ word: String, in options: [String]) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var prev = Array(0...b.count)
            for i in 1...max(a.count, 1) where !a.isEmpty {
                var cur = [i] + Array(repeating: 0, count: b.count)
                for j in 1...max(b.count, 1) where !b.isEmpty {
                    cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                }
                prev = cur
            }
            return prev[b.count]
        }
        let w = Array(word)
        return options.map { ($0, distance(w, Array($0))) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }
}
