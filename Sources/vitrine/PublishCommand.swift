import ArgumentParser
import Foundation
import Pipeline
import Stages

/// `vitrine publish`: shows the live index of the latest index.publish stage, or swaps it back (`--rollback`).
struct PublishCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Show the live catalog index, or roll it back to the previous one (--rollback; again to undo).")

    @Flag(name: .long, help: "Swap the live index with the one it replaced (<live>.prev).") var rollback = false
    @Option(name: .long, help: "The live index file (default: the path of the latest index.publish stage).") var index: String?
    @Option(name: .long, help: "Stage name when a pipeline publishes several indexes.") var stage: String?
    @OptionGroup var stateOptions: StateOptions

    func run() async throws {
        let live = URL(fileURLWithPath: index ?? livePathFromState()).standardizedFileURL
        if rollback {
            do { try CatalogIndexPublisher.rollback(live) } catch { fail("\(error)", code: 2) }
            say("Rolled back: \(PipelineLoader.displayPath(live)) is now the previous index; `vitrine publish --rollback` again undoes it.")
        }
        for (label, url) in [("live", live), ("previous", CatalogIndexPublisher.previous(of: live))] {
            guard FileManager.default.fileExists(atPath: url.path) else { say("\(label): (none) \(url.path)"); continue }
            let manifest = (try? CatalogIndex(url: url).manifest()) ?? [:]
            say("\(label): \(PipelineLoader.displayPath(url)) — run \(manifest["run_id"].flatMap { $0.isEmpty ? nil : $0 } ?? "?"), " +
                "created \(manifest["created_at"] ?? "?"), \(manifest["embeddings"] ?? "?") embeddings, model \(manifest["model_fingerprint"]?.prefix(12) ?? "?")")
        }
    }

    /// The live path recorded by the latest committed index.publish stage.
    func livePathFromState() -> String {
        let (store, layout) = stateOptions.openExisting()
        let found: ExecutionLookup.Found?
        do { found = try ExecutionLookup(store: store, layout: layout, pipeline: stateOptions.pipelineURL).latest(type: "index.publish", name: stage) } catch { fail("\(error)", code: 1) }
        guard let found else {
            fail("no committed index.publish stage in \(layout.root.path): pass --index FILE or run a pipeline that publishes", code: 2)
        }
        let file = found.folder.appendingPathComponent("manifest.json")
        guard let data = try? Data(contentsOf: file), let json = try? JSONDecoder().decode([String: String].self, from: data),
              let path = json["live_path"] else {
            fail("\(file.path) does not name the live path: pass --index FILE", code: 2)
        }
        return path
    }
}
