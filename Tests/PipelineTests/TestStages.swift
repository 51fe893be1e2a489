import Foundation
import Pipeline

/// Writes `text` (and its input's content, when given) to `out.txt`; counts its runs in a file.
struct EchoStage: Stage {
    static let typeName = "test.echo"
    static let version = 1
    static let summary = "Writes text to a file."
    static let parameters = [
        ParameterSpec("text", .string, doc: "What to write."),
        ParameterSpec("input", .artifact, optional: true, doc: "An upstream file to append."),
        ParameterSpec("fail", .bool, default: .bool(false), doc: "Fail after writing."),
        ParameterSpec("counter", .string, default: .string(""), doc: "File counting runs."),
        ParameterSpec("recorded_hash", .string, default: .string(""), doc: "A sha256 to record for out.txt (recordHash)."),
        ParameterSpec("rewrite_after", .bool, default: .bool(false), doc: "Append to out.txt after recording its hash."),
    ]
    static let outputs = [OutputSpec("out", file: "out.txt", tabular: true, doc: "The text.")]
    let p: StageParameters
    init(parameters: StageParameters) throws { p = parameters }

    func run(in context: StageContext) async throws {
        var text = try p.string("text") + "\n"
        if let input = try context.optionalInput("input") { text += try String(contentsOf: input, encoding: .utf8) }
        try Data(text.utf8).write(to: context.output("out"))
        let recorded = try p.string("recorded_hash")
        if !recorded.isEmpty { context.recordHash(of: context.output("out"), hash: recorded) }
        if try p.bool("rewrite_after") {
            let h = try FileHandle(forWritingTo: context.output("out"))
            _ = try h.seekToEnd(); h.write(Data("again\n".utf8)); try h.close()
        }
        context.metric("length", Double(text.count))
        context.summarize("lines", .int(text.split(separator: "\n").count))
        let counter = try p.string("counter")
        if !counter.isEmpty {
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: counter))
            _ = try h.seekToEnd(); h.write(Data((context.stageName + "\n").utf8)); try h.close()
        }
        if try p.bool("fail") { throw StageError.failed(stage: context.stageName, item: "row 3", reason: "asked to fail") }
    }
}

/// The same stage type at a newer implementation version.
struct EchoStageV2: Stage {
    static let typeName = "test.echo"
    static let version = 2
    static let summary = EchoStage.summary
    static let parameters = EchoStage.parameters
    static let outputs = EchoStage.outputs
    let inner: EchoStage
    init(parameters: StageParameters) throws { inner = try EchoStage(parameters: parameters) }
    func run(in context: StageContext) async throws { try await inner.run(in: context) }
}

/// Declares an output it never writes.
struct ForgetfulStage: Stage {
    static let typeName = "test.forgetful"
    static let version = 1
    static let summary = "Forgets its output."
    static let parameters: [ParameterSpec] = []
    static let outputs = [OutputSpec("out", file: "out.txt", doc: "Never written.")]
    init(parameters: StageParameters) throws {}
    func run(in context: StageContext) async throws {}
}

let testRegistry = StageRegistry([EchoStage.self, ForgetfulStage.self])
let testRegistryV2 = StageRegistry([EchoStageV2.self, ForgetfulStage.self])
