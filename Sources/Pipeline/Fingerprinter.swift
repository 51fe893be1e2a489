import Foundation

/// What a stage execution's fingerprint is made of; stored beside its outputs as `fingerprint.json`
/// so that `status` can say exactly what changed.
public struct FingerprintMaterial: Sendable, Hashable, Codable {
    /// Bumped when the runner's own output layout changes.
    public static let runnerFormat = 1

    public var type: String
    public var version: Int
    public var runner: Int
    /// Resolved parameters (artifact references as written).
    public var params: [String: JSONValue]
    /// Content hash of each input, by parameter name (lists joined in order).
    public var inputs: [String: String]
    /// Run-wide settings every stage sees: the pipeline seed, and the shard when a run is sharded.
    public var context: [String: String]?

    /// The fingerprint: sha256 of the canonical JSON of the material.
    public var fingerprint: String { ContentHash.sha256(canonical) }

    /// Canonical JSON text of the material.
    public var canonical: String {
        var fields: [String: JSONValue] = [
            "type": .string(type), "version": .int(version), "runner": .int(runner),
            "params": .object(params), "inputs": .object(inputs.mapValues { .string($0) }),
        ]
        if let context { fields["context"] = .object(context.mapValues { .string($0) }) }
        return JSONValue.object(fields).canonical
    }

    /// Human-readable differences from an earlier material: which version, parameter or input changed.
    public func differences(from old: FingerprintMaterial) -> [String] {
        var out: [String] = []
        if old.type != type { out.append("stage type changed (\(old.type) → \(type))") }
        if old.version != version { out.append("implementation version changed (\(old.version) → \(version))") }
        if old.runner != runner { out.append("runner format changed (\(old.runner) → \(runner))") }
        for k in Set(old.params.keys).union(params.keys).sorted() where old.params[k]?.canonical != params[k]?.canonical {
            out.append("param '\(k)' changed (\(old.params[k]?.canonical ?? "unset") → \(params[k]?.canonical ?? "unset"))")
        }
        for k in Set(old.inputs.keys).union(inputs.keys).sorted() where old.inputs[k] != inputs[k] {
            out.append("input '\(k)' changed content")
        }
        let was = old.context ?? [:], now = context ?? [:]
        for k in Set(was.keys).union(now.keys).sorted() where was[k] != now[k] {
            out.append("\(k) changed (\(was[k] ?? "unset") → \(now[k] ?? "unset"))")
        }
        return out
    }
}

/// Hashes inputs (files and folders through the stat cache, upstream outputs from their records).
public struct Fingerprinter: Sendable {
    public let store: any PipelineStore
    public let pipelineDirectory: URL

    /// A fingerprinter using `store`'s stat cache.
    public init(store: any PipelineStore, pipelineDirectory: URL) { self.store = store; self.pipelineDirectory = pipelineDirectory }

    /// Content hash of a path input: a file's (`ContentHash.file`), or for a folder the sha256 of its sorted
    /// (relative path, content hash) list. Unchanged files (same size, mtime, inode) are not re-read.
    public func hash(path: String, stage: String, parameter: String) throws -> String {
        let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : pipelineDirectory.appendingPathComponent(path)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw StageError.missingInput(stage: stage, input: parameter, path: url.path)
        }
        if !isDir.boolValue { return try hashFile(url.path) }
        var lines: [String] = []
        var fresh: [(path: String, stat: FileStat, sha256: String)] = []
        for rel in try Self.files(under: url) {
            let full = url.appendingPathComponent(rel).path
            lines.append(rel + " " + (try hashFile(full, collect: &fresh)))
        }
        if !fresh.isEmpty { try store.cacheHashes(fresh) }
        return ContentHash.sha256(lines.joined(separator: "\n"))
    }

    private func hashFile(_ path: String) throws -> String {
        var fresh: [(path: String, stat: FileStat, sha256: String)] = []
        let h = try hashFile(path, collect: &fresh)
        if !fresh.isEmpty { try store.cacheHashes(fresh) }
        return h
    }

    private func hashFile(_ path: String, collect: inout [(path: String, stat: FileStat, sha256: String)]) throws -> String {
        guard let st = FileStat.of(path) else { throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: path]) }
        if let cached = try store.cachedHash(path: path, stat: st) { return cached }
        let h = try ContentHash.file(at: URL(fileURLWithPath: path))
        collect.append((path, st, h))
        return h
    }

    /// Regular files under a folder, as sorted relative paths (hidden files included, symlinks followed).
    public static func files(under root: URL) throws -> [String] {
        let base = root.standardizedFileURL.path
        guard let e = FileManager.default.enumerator(atPath: base) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: base + "/" + rel, isDirectory: &isDir), !isDir.boolValue { out.append(rel) }
        }
        return out.sorted()
    }

    /// `outputHash` of every output that has files, keyed by output name.
    public static func outputHashes(_ artifacts: [ArtifactRecord], executionDirectory: String) -> [String: String] {
        var out: [String: String] = [:]
        for o in Set(artifacts.map(\.output)) { out[o] = outputHash(artifacts, output: o, executionDirectory: executionDirectory) }
        return out
    }

    /// Hash of the files of one output of a committed execution (paths relative to the output).
    public static func outputHash(_ artifacts: [ArtifactRecord], output: String, executionDirectory: String) -> String {
        let prefix = executionDirectory + "/"
        let lines = artifacts.filter { $0.output == output }
            .map { ($0.path.hasPrefix(prefix) ? String($0.path.dropFirst(prefix.count)) : $0.path) + " " + $0.sha256 }
            .sorted()
        return ContentHash.sha256(lines.joined(separator: "\n"))
    }
}
