import ArgumentParser
import Foundation
import Pipeline

/// `vitrine verify`: re-hashes every committed artifact and reports drift (exit 1 when any).
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "verify", abstract: "Check the state database, then re-hash every artifact of each stage's latest success and report any drift.")

    @Flag(name: .long, help: "Run SQLite's full integrity_check instead of quick_check.")
    var full = false

    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        let (store, layout) = stateOptions.openExisting()
        var checked = 0, drift = 0
        var bytes: Int64 = 0
        do {
            try store.checkIntegrity(full: full)
            say("State database \(PipelineLoader.displayPath(layout.database)): integrity ok")
        } catch { fail("\(error)", code: 2) }
        do {
            var latest: [String: Int64] = [:]
            for e in try store.allOutputDirectories() { latest[e.stage] = max(latest[e.stage] ?? 0, e.executionID) }
            for (stage, id) in latest.sorted(by: { $0.key < $1.key }) {
                for a in try store.artifacts(executionID: id) {
                    checked += 1
                    let url = layout.absolute(a.path)
                    guard FileManager.default.fileExists(atPath: url.path) else {
                        drift += 1; say("MISSING   \(stage): \(a.path)"); continue
                    }
                    let h = try ContentHash.file(at: url, like: a.sha256)
                    bytes += a.bytes
                    if h != a.sha256 { drift += 1; say("MODIFIED  \(stage): \(a.path) (recorded \(ContentHash.abbreviated(a.sha256)), now \(ContentHash.abbreviated(h)))") }
                }
            }
        } catch { fail("\(error)", code: 1) }
        say("Verified \(checked) files (\(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file))): \(drift == 0 ? "no drift" : "\(drift) drifted — the next run re-runs those stages")")
        if drift > 0 { throw ExitCode(1) }
    }
}
