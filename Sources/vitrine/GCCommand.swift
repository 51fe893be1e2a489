import ArgumentParser
import Checkpoints
import Foundation
import Pipeline

/// `vitrine gc`: removes outputs no longer needed, keeping each pipeline's latest success of every stage,
/// what each pipeline's latest run uses, and the last N runs.
struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gc", abstract: "Delete artifacts not referenced by any stage's latest success (or the last --keep runs).")

    @OptionGroup var stateOptions: StateOptions
    @Option(name: .long, help: "Also keep every output of the last N runs.") var keep = 0
    @Flag(name: .long, help: "Only print what would be removed.") var dryRun = false
    @Flag(name: .long, help: "Also delete blobs (images, thumbnails, training checkpoints) that no item journal and no kept output refers to.")
    var blobs = false

    func run() async throws {
        let (store, layout) = stateOptions.openExisting()
        let lock: StateLock
        do { lock = try StateLock(stateDirectory: layout.root, command: "vitrine gc") } catch { fail("\(error)", code: 75) }
        defer { lock.release() }
        do {
            let all = try store.allOutputDirectories()
            let keepRuns = Set(try store.runs(limit: max(keep, 0)).map(\.id))
            // Latest success per (pipeline file, stage): pipelines in one folder share the state directory
            // and may reuse stage names.
            // Also kept: whatever the latest run of each pipeline reused from another one.
            let runs = try store.runs(limit: Int.max / 2)
            var pipelineOf: [Int64: String] = [:]
            for r in runs { pipelineOf[r.id] = r.pipelinePath }
            func key(_ e: (executionID: Int64, runID: Int64, stage: String, directory: String)) -> String {
                (pipelineOf[e.runID] ?? "") + "\u{1}" + e.stage
            }
            var latest: [String: Int64] = [:]
            for e in all { latest[key(e)] = max(latest[key(e)] ?? 0, e.executionID) }
            var keptIDs = Set(latest.values)
            var seenPipelines = Set<String>()
            for r in runs where seenPipelines.insert(r.pipelinePath).inserted {
                for f in try ExecutionLookup(store: store, layout: layout).committed(runID: r.id) { keptIDs.insert(f.source.id) }
            }
            let doomed = all.filter { !keptIDs.contains($0.executionID) && !keepRuns.contains($0.runID) }
            let kept = Set(all.filter { keptIDs.contains($0.executionID) || keepRuns.contains($0.runID) }.map(\.directory))
            var bytes: Int64 = 0
            var orphans: [URL] = []
            // Folders no committed execution owns: crashed commits and stale staging.
            for stageDir in (try? FileManager.default.contentsOfDirectory(at: layout.executions, includingPropertiesForKeys: nil)) ?? [] {
                for d in (try? FileManager.default.contentsOfDirectory(at: stageDir, includingPropertiesForKeys: nil)) ?? [] {
                    let rel = layout.relative(d)
                    if !kept.contains(rel) && !doomed.contains(where: { $0.directory == rel }) { orphans.append(d) }
                }
            }
            orphans += (try? FileManager.default.contentsOfDirectory(at: layout.staging, includingPropertiesForKeys: nil)) ?? []
            for d in doomed.map({ layout.absolute($0.directory) }) + orphans {
                bytes += Self.size(of: d)
                say("\(dryRun ? "would remove" : "removing") \(PipelineLoader.displayPath(d))")
                if !dryRun { try? FileManager.default.removeItem(at: d) }
            }
            if !dryRun { try store.deleteExecutions(doomed.map(\.executionID)) }
            if blobs {
                let (count, freed) = try collectBlobs(store: store, layout: layout, keptFolders: kept)
                bytes += freed
                say("\(dryRun ? "Would remove" : "Removed") \(count) unreferenced blobs.")
            }
            say("\(dryRun ? "Would free" : "Freed") \(ByteCountFormatter.string(fromByteCount: bytes, countStyle: .file)) in \(doomed.count + orphans.count) folders; kept \(kept.count).")
        } catch { fail("\(error)", code: 1) }
    }

    /// Deletes (or, with --dry-run, lists) blobs that no journal record, pending spill record or kept output
    /// table refers to; returns how many and their bytes. The state lock is held, so nothing is writing blobs.
    func collectBlobs(store: SQLiteStore, layout: StateLayout, keptFolders: Set<String>) throws -> (Int, Int64) {
        var keep = try store.journalOutputHashes()
        let spills = layout.root.appendingPathComponent("journal-spill")
        for file in (try? FileManager.default.contentsOfDirectory(at: spills, includingPropertiesForKeys: nil)) ?? [] {
            for r in JournalSpill(file: file).records() { if let h = r.outputHash { keep.insert(h) } }
        }
        // Image tables of kept executions (images.jsonl of images.download) name the blobs later stages read.
        for folder in keptFolders {
            let table = layout.absolute(folder).appendingPathComponent("images.jsonl")
            guard let text = try? String(contentsOf: table, encoding: .utf8) else { continue }
            for part in text.components(separatedBy: "\"sha256\":\"").dropFirst() { keep.insert(String(part.prefix(64))) }
        }
        var count = 0
        var bytes: Int64 = 0
        for prefix in (try? FileManager.default.contentsOfDirectory(at: layout.blobs, includingPropertiesForKeys: nil)) ?? [] {
            for blob in (try? FileManager.default.contentsOfDirectory(at: prefix, includingPropertiesForKeys: [.fileSizeKey])) ?? [] {
                let name = blob.lastPathComponent
                guard name.count == 64, !keep.contains(name) else { continue }
                count += 1
                bytes += Int64((try? blob.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
                if dryRun { say("would remove blob \(name)") } else { try? FileManager.default.removeItem(at: blob) }
            }
        }
        return (count, bytes)
    }

    /// Total bytes of the files under a folder.
    static func size(of url: URL) -> Int64 {
        guard let e = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey]) else { return 0 }
        var total: Int64 = 0
        for case let f as URL in e { total += Int64((try? f.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0) }
        return total
    }
}
