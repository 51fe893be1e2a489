import Foundation
import Pipeline

/// Puts a finished index file at its stable live path atomically, keeping the previous one as
/// `<live>.prev`; readers always see a complete file (a rename never exposes half of one).
public enum CatalogIndexPublisher {
    /// Copies `built` beside `live`, hard-links the current live file to `.prev`, then renames the copy over `live`.
    public static func publish(_ built: URL, to live: URL) throws {
        let fm = FileManager.default
        try fm.createDirectory(at: live.deletingLastPathComponent(), withIntermediateDirectories: true)
        let tmp = live.deletingLastPathComponent().appendingPathComponent(".\(live.lastPathComponent).\(UUID().uuidString).tmp")
        try fm.copyItem(at: built, to: tmp)
        do {
            if fm.fileExists(atPath: live.path) {
                let prev = previous(of: live)
                try? fm.removeItem(at: prev)
                if link(live.path, prev.path) != 0 { try fm.copyItem(at: live, to: prev) }
            }
            try FileIO.renameReplacing(tmp, to: live)
        } catch {
            try? fm.removeItem(at: tmp)
            throw error
        }
    }

    /// Swaps the live index with `.prev` (so a second rollback undoes the first).
    public static func rollback(_ live: URL) throws {
        let fm = FileManager.default
        let prev = previous(of: live)
        guard fm.fileExists(atPath: prev.path) else { throw SearchError.nothingToRollBack(path: live.path) }
        let hold = live.deletingLastPathComponent().appendingPathComponent(".\(live.lastPathComponent).\(UUID().uuidString).hold")
        let hadLive = fm.fileExists(atPath: live.path)
        if hadLive, link(live.path, hold.path) != 0 { try fm.copyItem(at: live, to: hold) }
        try FileIO.renameReplacing(prev, to: live)
        if hadLive { try FileIO.renameReplacing(hold, to: prev) }
    }

    /// The `.prev` path beside a live index.
    public static func previous(of live: URL) -> URL {
        live.deletingLastPathComponent().appendingPathComponent(live.lastPathComponent + ".prev")
    }
}
