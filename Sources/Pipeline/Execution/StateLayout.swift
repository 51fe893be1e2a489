import Foundation

/// The folders inside a state directory (`.vitrine/` by default).
public struct StateLayout: Sendable {
    /// The state directory.
    public let root: URL

    /// The layout of `root`.
    public init(root: URL) { self.root = root.standardizedFileURL }

    /// The SQLite database.
    public var database: URL { root.appendingPathComponent("state.sqlite") }
    /// Content-addressed blobs.
    public var blobs: URL { root.appendingPathComponent("blobs", isDirectory: true) }
    /// Committed execution folders: `executions/<stage>/<execution id>/`.
    public var executions: URL { root.appendingPathComponent("executions", isDirectory: true) }
    /// Staging folders of running stages.
    public var staging: URL { root.appendingPathComponent("tmp", isDirectory: true) }
    /// Stable, readable links to each stage's latest outputs: `out/<stage>` → its execution folder.
    public var latest: URL { root.appendingPathComponent("out", isDirectory: true) }
    /// Process groups of running shell stages: `processes/<pgid>` (see `LeftoverProcesses`).
    public var processes: URL { root.appendingPathComponent("processes", isDirectory: true) }
    /// Per-run logs: `logs/<run>/<stage>.log`.
    public var logs: URL { root.appendingPathComponent("logs", isDirectory: true) }

    /// Creates the folders.
    public func create() throws {
        for d in [root, blobs, executions, staging, latest, logs] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
    }

    /// A path relative to the state directory.
    public func relative(_ url: URL) -> String {
        let p = url.standardizedFileURL.path, r = root.path + "/"
        return p.hasPrefix(r) ? String(p.dropFirst(r.count)) : p
    }

    /// The absolute URL of a path relative to the state directory.
    public func absolute(_ relative: String) -> URL {
        relative.hasPrefix("/") ? URL(fileURLWithPath: relative) : root.appendingPathComponent(relative)
    }

    /// Repoints `out/<stage>` at `executionDirectory` unless it already points there: a runner killed between a
    /// stage's commit and its link leaves the link missing or stale, and the next run skips the stage.
    public func ensureLatest(stage: String, at executionDirectory: URL) throws {
        let current = try? FileManager.default.destinationOfSymbolicLink(atPath: latest.appendingPathComponent(stage).path)
        if current == "../" + relative(executionDirectory) { return }
        try linkLatest(stage: stage, to: executionDirectory)
    }

    /// Points `out/<stage>` at an execution folder (atomically, through a temporary link and a rename).
    public func linkLatest(stage: String, to executionDirectory: URL) throws {
        let link = latest.appendingPathComponent(stage)
        let tmp = latest.appendingPathComponent(".\(stage).\(UUID().uuidString)")
        let target = "../" + relative(executionDirectory)
        try FileManager.default.createSymbolicLink(atPath: tmp.path, withDestinationPath: target)
        try FileIO.renameReplacing(tmp, to: link)
    }
}
