import Foundation
import Pipeline
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What produced a run: vitrine version, pipeline repo revision, machine and thread settings, seed.
public enum Provenance {
    /// Collects provenance as a JSON object (absent facts become null; never throws).
    public static func collect(pipelineDirectory: URL, seed: UInt64, threads: Int, version: String) -> JSONValue {
        let env = ProcessInfo.processInfo.environment
        let seedValue: JSONValue = seed <= UInt64(Int.max) ? .int(Int(seed)) : .string(String(seed))
        var uts = utsname()
        let os: JSONValue
        if uname(&uts) == 0 {
            os = .object([
                "sysname": .string(field(&uts.sysname)), "release": .string(field(&uts.release)),
                "version": .string(field(&uts.version)), "machine": .string(field(&uts.machine)),
            ])
        } else {
            os = .null
        }
        return .object([
            "vitrine_version": .string(version),
            "git_revision": gitRevision(of: pipelineDirectory).map(JSONValue.string) ?? .null,
            "host": .string(hostName()),
            "os": os,
            "cpu_model": cpuModel().map(JSONValue.string) ?? .null,
            "threads": .object([
                "requested": .int(threads),
                "active_processors": .int(ProcessInfo.processInfo.activeProcessorCount),
                "openblas_num_threads": env["OPENBLAS_NUM_THREADS"].map(JSONValue.string) ?? .null,
                "omp_num_threads": env["OMP_NUM_THREADS"].map(JSONValue.string) ?? .null,
            ]),
            "seed": seedValue,
            "pid": .int(Int(getpid())),
        ])
    }

    /// The commit the repository containing `directory` is at: read from `.git` directly, else `git rev-parse HEAD`.
    public static func gitRevision(of directory: URL) -> String? {
        var dir = directory.standardizedFileURL
        while true {
            let dotGit = dir.appendingPathComponent(".git")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: dotGit.path, isDirectory: &isDir) {
                return (isDir.boolValue ? readHead(gitDir: dotGit) : nil) ?? runGit(directory)
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { return nil }
            dir = parent
        }
    }

    /// Resolves HEAD in a plain `.git` folder (loose ref or packed-refs); nil when anything is unusual.
    private static func readHead(gitDir: URL) -> String? {
        guard let head = try? String(contentsOf: gitDir.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref: ") else { return isHash(head) ? head : nil }
        let ref = String(head.dropFirst(5))
        if let loose = try? String(contentsOf: gitDir.appendingPathComponent(ref), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines), isHash(loose) {
            return loose
        }
        guard let packed = try? String(contentsOf: gitDir.appendingPathComponent("packed-refs"), encoding: .utf8) else { return nil }
        for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
            let hash = String(line.prefix { $0 != " " })
            if isHash(hash) { return hash }
        }
        return nil
    }

    private static func isHash(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.allSatisfy { $0.isHexDigit }
    }

    /// `git -C directory rev-parse HEAD`, or nil when git is absent or fails.
    private static func runGit(_ directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory.path, "rev-parse", "HEAD"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        let hash = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return isHash(hash) ? hash : nil
    }

    /// The CPU model from /proc/cpuinfo (Linux), or nil.
    public static func cpuModel() -> String? {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// A NUL-terminated fixed-size C char array as a String.
    private static func field<T>(_ tuple: inout T) -> String {
        withUnsafeBytes(of: &tuple) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
