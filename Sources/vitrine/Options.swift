import ArgumentParser
import Checkpoints
import Foundation
import Pipeline
import Stages

/// Where the state directory is: `--state`, or beside `--pipeline`, or `./.vitrine`, or `./pipelines/.vitrine`.
struct StateOptions: ParsableArguments {
    @Option(name: .long, help: "State directory (default: .vitrine/ beside the pipeline file).")
    var state: String?

    @Option(name: .long, help: "Pipeline file whose state directory to use.")
    var pipeline: String?

    /// The `--pipeline` file, when given (queries then look only at its runs).
    var pipelineURL: URL? { pipeline.map { URL(fileURLWithPath: $0).standardizedFileURL } }

    /// The resolved state directory.
    func directory(pipelineFile: URL? = nil) -> URL {
        if let state { return URL(fileURLWithPath: state).standardizedFileURL }
        if let file = pipelineFile ?? pipeline.map({ URL(fileURLWithPath: $0) }) {
            return file.standardizedFileURL.deletingLastPathComponent().appendingPathComponent(".vitrine")
        }
        let cwd = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        for candidate in [".vitrine", "pipelines/.vitrine"] {
            let url = cwd.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("state.sqlite").path) { return url }
        }
        return cwd.appendingPathComponent(".vitrine")
    }

    /// Opens the store of an existing state directory, or exits 2 saying which command creates it.
    func openExisting(pipelineFile: URL? = nil) -> (SQLiteStore, StateLayout) {
        let dir = directory(pipelineFile: pipelineFile)
        guard FileManager.default.fileExists(atPath: dir.appendingPathComponent("state.sqlite").path) else {
            fail("no state at \(dir.path): run a pipeline first (vitrine run PIPELINE.yaml) or pass --state DIR", code: 2)
        }
        return (openStore(dir), StateLayout(root: dir))
    }
}

/// Opens (creating) the store, turning a foreign or corrupted database into a clear message (exit 2).
func openStore(_ dir: URL) -> SQLiteStore {
    do {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return try SQLiteStore(stateDirectory: dir)
    } catch {
        fail("\(error)", code: 2)
    }
}

/// Loads and validates a pipeline file, or exits 2 with `file:line:col: error: …`.
func loadPipeline(_ path: String, overrides: [String] = []) -> PipelineSpec {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    do {
        return try PipelineLoader(registry: BuiltinStages.registry).load(url, overrides: overrides)
    } catch let e as PipelineError {
        FileHandle.standardError.write(Data((e.description + "\n").utf8))
        exit(2)
    } catch {
        fail("\(path): \(error)", code: 2)
    }
}

/// Output format options shared by listing commands.
struct FormatOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false
}

/// Prints a JSON value, pretty.
func printJSON(_ value: some Encodable) {
    let enc = JSONEncoder(); enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    if let data = try? enc.encode(value) { print(String(decoding: data, as: UTF8.self)) }
}

/// Seconds as `1.2 s`, `3m04s`.
func humanDuration(_ s: Double) -> String {
    s < 60 ? String(format: "%.1f s", s) : s < 3600 ? String(format: "%dm%02ds", Int(s) / 60, Int(s) % 60) : String(format: "%dh%02dm", Int(s) / 3600, Int(s) % 3600 / 60)
}

/// A timestamp as local `YYYY-MM-DD HH:MM:SS`.
func humanTime(_ t: Double) -> String {
    let f = DateFormatter(); f.dateFormat = "yyyy-MM-dd HH:mm:ss"
    return f.string(from: Date(timeIntervalSince1970: t))
}
