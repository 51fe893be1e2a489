import Foundation

/// The project's real data (the Amazon catalog, the Myntra photos), kept beside the checkout rather than in it:
/// `$VITRINE_SHARED_DATA` when set, else `../shared/data` next to this checkout, else `/work/shared/data` (where
/// this machine kind keeps it — for a clone made elsewhere, e.g. `git clone . /tmp/x`).
public enum SharedData {
    /// The data folder found, or the one beside the checkout when none is (tests then name that path).
    public static let root: URL = {
        if let set = ProcessInfo.processInfo.environment["VITRINE_SHARED_DATA"], !set.isEmpty {
            return URL(fileURLWithPath: set)
        }
        // This file is <checkout>/Tests/TestSupport/SharedData.swift.
        let beside = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")
        let machine = URL(fileURLWithPath: "/work/shared/data")
        let fm = FileManager.default
        return !fm.fileExists(atPath: beside.path) && fm.fileExists(atPath: machine.path) ? machine : beside
    }()

    /// A file or folder under the data folder.
    public static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}
