import Foundation
import Pipeline

/// `report.html`: one self-contained HTML report from upstream stages' output folders
/// (summary.json, metrics.json, evaluation.json, neighbour tables) and image blobs.
public struct ReportHTMLStage: Stage {
    public static let typeName = "report.html"
    public static let version = 2
    public static let summary = "Write a self-contained HTML report (funnel, per-epoch charts, confusion matrix, sample queries)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("inputs", .artifactList, doc: "outputs of the stages to report on (their folders are read)"),
        ParameterSpec("title", .string, default: .string("Vitrine report"), doc: "page heading"),
        ParameterSpec("samples", .int, default: .int(4), doc: "sample queries shown per gallery"),
    ]
    public static let outputs: [OutputSpec] = [OutputSpec("report", file: "report.html", doc: "the report")]

    let title: String
    let samples: Int

    public init(parameters p: StageParameters) throws {
        title = try p.string("title")
        samples = try p.int("samples")
        guard samples >= 0 else { throw StageError.invalidParameter(stage: p.stageName, parameter: "samples", reason: "must be ≥ 0") }
    }

    public func run(in ctx: StageContext) async throws {
        let stages = ctx.inputList("inputs").compactMap(Self.stageInfo)
        if stages.isEmpty { ctx.log("no readable input folders; the report will hold only its heading", level: .warning) }
        try ReportAssembler.write(to: ctx.output("report"), title: title, subtitle: "stage \(ctx.stageName)", stages: stages,
                                  blobs: ctx.blobs, samples: samples, seed: ctx.seed)
        ctx.summarize("inputs", .int(stages.count))
    }

    /// An input as a stage entry: the folder holding summary.json (the input itself or its parent), named after it.
    static func stageInfo(_ url: URL) -> RunStageInfo? {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isDir) else { return nil }
        let candidates = isDir.boolValue ? [url, url.deletingLastPathComponent()] : [url.deletingLastPathComponent()]
        let folder = candidates.first { fm.fileExists(atPath: $0.appendingPathComponent("summary.json").path) } ?? candidates[0]
        // Committed folders are executions/<stage>/<execution id>: name the stage, not the id; the type is in fingerprint.json.
        let last = folder.lastPathComponent
        let name = !last.isEmpty && last.allSatisfy(\.isNumber) ? folder.deletingLastPathComponent().lastPathComponent : last
        let material = (try? Data(contentsOf: folder.appendingPathComponent(CommitFiles.fingerprint))).flatMap { try? JSONValue.parse($0) }
        return RunStageInfo(name: name, type: material?.objectValue?["type"]?.stringValue ?? "", status: "succeeded", outputFolder: folder)
    }
}
