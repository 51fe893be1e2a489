import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Shell stages run in their own process group, recorded in `<state>/processes/<pgid>` (holding the stage's
/// `VITRINE_OUT`) while they run. A runner killed with SIGKILL cannot stop them, so the next run of the state
/// directory — which holds the lock, so no live runner owns any recorded group — stops what is left.
public enum LeftoverProcesses {
    /// Records that `pgid` runs a shell stage writing into `staging`.
    static func record(pgid: pid_t, staging: URL, in folder: URL) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? Data(staging.path.utf8).write(to: folder.appendingPathComponent(String(pgid)))
    }

    /// Forgets `pgid` once its shell has been waited for.
    static func forget(pgid: pid_t, in folder: URL) {
        try? FileManager.default.removeItem(at: folder.appendingPathComponent(String(pgid)))
    }

    /// One stopped process group.
    public struct Stopped: Sendable, Equatable {
        public let pgid: Int32
        public let processes: Int
        /// The staging folder its stage was writing into (`tmp/<stage>.<execution>.<suffix>`).
        public let staging: String
        /// The stage whose command it was, from the staging folder's name.
        public var stage: String { URL(fileURLWithPath: staging).lastPathComponent.split(separator: ".").first.map(String.init) ?? "?" }
    }

    /// SIGKILLs every recorded process group that still has a member carrying the recorded `VITRINE_OUT` (never an
    /// unrelated group that reused the number), and forgets every record. Call only while holding the state lock.
    public static func stop(in folder: URL) -> [Stopped] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [] }
        var stopped: [Stopped] = []
        for name in names {
            let file = folder.appendingPathComponent(name)
            defer { try? FileManager.default.removeItem(at: file) }
            guard let pgid = Int32(name), pgid > 1, let staging = try? String(contentsOf: file, encoding: .utf8) else { continue }
            let marker = Array("VITRINE_OUT=\(staging)".utf8)
            let members = processes(inGroup: pgid).filter { environment(of: $0).contains(marker) }
            guard !members.isEmpty else { continue }
            kill(-pgid, SIGKILL)
            stopped.append(Stopped(pgid: pgid, processes: members.count, staging: staging))
        }
        return stopped
    }

    /// Pids whose process group is `pgid` (from /proc/PID/stat).
    static func processes(inGroup pgid: Int32) -> [Int32] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { Int32($0) }.filter { pid in
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return false }
            // After "pid (comm)": state, ppid, pgrp.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 2 && Int32(fields[2]) == pgid
        }
    }

    /// The NUL-separated `KEY=value` entries of a process's environment (empty when unreadable).
    static func environment(of pid: Int32) -> [[UInt8]] {
        guard let data = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return [] }
        return data.split(separator: 0).map(Array.init)
    }
}
