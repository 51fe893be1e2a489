import Foundation
import NeuralNet
import Pipeline

/// `model.evaluate`: accuracy, loss, per-class and macro precision/recall/F1 and the confusion
/// matrix of a trained model on a split, plus the per-epoch test metrics model.train recorded.
public struct EvaluateStage: Stage {
    public static let typeName = "model.evaluate"
    public static let version = 1
    public static let summary = "Evaluate a trained model on a split: accuracy, loss, precision/recall/F1, confusion matrix"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("model", .artifact, doc: "model folder from model.train"),
        ParameterSpec("data", .artifact, doc: "tensors folder from images.prepare"),
        ParameterSpec("split", .choice(["test", "val", "train"]), default: .string("test"), doc: "which split to evaluate"),
        ParameterSpec("batch_size", .int, default: .int(32), doc: "images per inference batch"),
    ]
    public static let outputs: [OutputSpec] = [
        OutputSpec("evaluation", file: "evaluation.json", doc: "final report for the split and per-epoch test metrics from training"),
    ]

    let split: String
    let batchSize: Int

    public init(parameters p: StageParameters) throws {
        split = try p.string("split")
        batchSize = try p.int("batch_size")
        guard batchSize >= 1 else { throw StageError.invalidParameter(stage: p.stageName, parameter: "batch_size", reason: "must be at least 1") }
    }

    public func run(in ctx: StageContext) async throws {
        BLAS.setThreads(ctx.threads)
        let modelDir = try ctx.input("model")
        let (network, info) = try ModelFolder.load(modelDir, stage: ctx.stageName)
        let tensors = try PreparedTensors(try ctx.input("data"), stage: ctx.stageName)
        guard tensors.classes == info.classes else {
            throw StageError.failed(stage: ctx.stageName, item: nil, reason: "model classes \(info.classes) differ from the data's \(tensors.classes)")
        }
        guard tensors.has(split) else { throw StageError.failed(stage: ctx.stageName, item: split, reason: "the data has no \(split) split") }
        let (data, _) = try tensors.load(split, stage: ctx.stageName)
        let evaluator = Evaluator(network: network, imageBatch: ImageBatch(mean: info.mean, std: info.std))
        let (report, _) = evaluator.evaluate(data, classes: info.classes.count, batchSize: batchSize)
        var epochs: JSONValue = .array([])
        if let d = try? Data(contentsOf: modelDir.appendingPathComponent("metrics.json")),
           let v = try? JSONDecoder().decode(JSONValue.self, from: d), case .object(let o) = v, let e = o["epochs"] {
            epochs = e
        }
        if case .array(let list) = epochs {
            for case .object(let entry) in list {
                guard let step = entry["epoch"]?.intValue, case .object(let t)? = entry["test"] else { continue }
                for k in ["accuracy", "loss", "macro_precision", "macro_recall", "macro_f1"] {
                    if let v = t[k]?.doubleValue { ctx.metric(k, v, step: step) }
                }
            }
        }
        let final = ModelFolder.json(report, classes: info.classes)
        for (k, v) in [("final_accuracy", report.accuracy), ("final_loss", report.loss), ("final_macro_precision", report.macroPrecision),
                       ("final_macro_recall", report.macroRecall), ("final_macro_f1", report.macroF1)] { ctx.metric(k, v) }
        let doc = JSONValue.object(["split": .string(split), "model_fingerprint": .string(info.fingerprint),
                                    "architecture": .string(info.architecture), "final": final, "epochs": epochs])
        try FileIO.writeAtomically(Data((doc.canonical + "\n").utf8), to: ctx.output("evaluation"))
        ctx.summarize("accuracy", .double(report.accuracy))
        ctx.summarize("macro_f1", .double(report.macroF1))
        ctx.summarize("rows", .int(report.count))
        ctx.log("\(info.architecture) on \(split): accuracy \(String(format: "%.4f", report.accuracy)), macro F1 \(String(format: "%.4f", report.macroF1)) over \(report.count) images")
    }
}
