import Foundation
import TestSupport

/// Runs the built `vitrine` binary as a user would.
enum CLI {
    /// The package root (three folders above this file).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The binary from the current build (debug first, then release; `VITRINE_BIN` overrides).
    static var binary: URL {
        if let p = ProcessInfo.processInfo.environment["VITRINE_BIN"] { return URL(fileURLWithPath: p) }
        for config in ["debug", "release"] {
            let u = root.appendingPathComponent(".build/\(config)/vitrine")
            if FileManager.default.isExecutableFile(atPath: u.path) { return u }
        }
        return root.appendingPathComponent(".build/debug/vitrine")
    }

    /// The result of one invocation.
    struct Result { let code: Int32; let out: String; let err: String }

    /// Starts `vitrine args…` in `dir` without waiting.
    static func start(_ args: [String], in dir: URL, stdout: URL? = nil) throws -> Process {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = dir
        if let stdout {
            _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
            let h = try FileHandle(forWritingTo: stdout)
            p.standardOutput = h; p.standardError = h
        } else {
            p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        }
        try p.run()
        return p
    }

    /// Runs `vitrine args…` in `dir` to completion, with `environment` added to this process's.
    @discardableResult
    static func run(_ args: [String], in dir: URL, environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        p.currentDirectoryURL = dir
        if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = dir.appendingPathComponent(".out-\(UUID().uuidString)"), err = dir.appendingPathComponent(".err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        try p.run()
        p.waitUntilExit()
        defer { try? FileManager.default.removeItem(at: out); try? FileManager.default.removeItem(at: err) }
        return Result(code: p.terminationStatus, out: try String(contentsOf: out, encoding: .utf8), err: try String(contentsOf: err, encoding: .utf8))
    }

    /// The files of every stage's latest execution in state directory `state` (through `out/<stage>`),
    /// by `stage/relative path`, leaving out the relative paths in `excluding`.
    static func latestOutputs(_ state: URL, excluding: Set<String>) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let latest = state.appendingPathComponent("out")
        for stage in try FileManager.default.contentsOfDirectory(atPath: latest.path) where !stage.hasPrefix(".") {
            let dir = latest.appendingPathComponent(stage).resolvingSymlinksInPath()
            let e = FileManager.default.enumerator(atPath: dir.path)
            while let rel = e?.nextObject() as? String {
                var isDir: ObjCBool = false
                let full = dir.appendingPathComponent(rel).path
                guard FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue, !excluding.contains(rel) else { continue }
                out["\(stage)/\(rel)"] = try Data(contentsOf: URL(fileURLWithPath: full))
            }
        }
        return out
    }
}
