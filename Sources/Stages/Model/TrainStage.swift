import Foundation
import NeuralNet
import Pipeline

/// `model.train`: trains a backbone + the research's dense head on images.prepare tensors, on the
/// CPU. Every epoch ends with a checkpoint (weights, optimiser state, generator states) stored as
/// a blob and journaled under `epoch-N`, so a killed run resumes after the last finished epoch and
/// ends bit-identical to an uninterrupted one at the same thread count.
public struct TrainStage: Stage {
    public static let typeName = "model.train"
    public static let version = 2
    public static let summary = "Train a CNN backbone + dense head on prepared tensors (checkpoint per epoch, resumable)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("data", .artifact, doc: "tensors folder from images.prepare"),
        ParameterSpec("backbone", .choice(Architecture.allCases.map(\.rawValue)), default: .string("mobilenet_v2"), doc: "backbone architecture (torchvision naming)"),
        ParameterSpec("pretrained", .string, default: .string("none"), doc: "none | imagenet (mobilenet_v2 or efficientnet_lite0; files from scripts/fetch-weights.sh in .weights/ or $VITRINE_WEIGHTS) | path to .pth/.safetensors"),
        ParameterSpec("width", .double, default: .double(1), doc: "channel width multiplier (1 = torchvision shapes)"),
        ParameterSpec("freeze_backbone", .bool, default: .bool(false), doc: "compute backbone features once (cached) and train only the head"),
        ParameterSpec("epochs", .int, default: .int(5), doc: "passes over the training split"),
        ParameterSpec("batch_size", .int, default: .int(4), doc: "images per optimiser step"),
        ParameterSpec("optimizer", .choice(OptimizerKind.allCases.map(\.rawValue)), default: .string("adam"), doc: "sgd | nesterov | adam | adamw"),
        ParameterSpec("lr", .double, default: .double(0.001), doc: "peak learning rate"),
        ParameterSpec("lr_schedule", .choice(["constant", "step", "cosine"]), default: .string("constant"), doc: "decay after warm-up"),
        ParameterSpec("warmup_steps", .int, default: .int(0), doc: "linear warm-up steps"),
        ParameterSpec("weight_decay", .double, default: .double(0), doc: "weight decay (decoupled for adamw)"),
        ParameterSpec("momentum", .double, default: .double(0.9), doc: "SGD momentum"),
        ParameterSpec("augment", .bool, default: .bool(false), doc: "seeded random crops (±8 px) and horizontal flips"),
        ParameterSpec("label_smoothing", .double, default: .double(0), doc: "label smoothing ε"),
        ParameterSpec("hidden", .json, default: .array([.int(256), .int(128)]), doc: "hidden sizes of the dense head"),
        ParameterSpec("dropout", .double, default: .double(0.5), doc: "dropout in the head"),
    ]
    public static let outputs: [OutputSpec] = [
        OutputSpec("model", file: "model", doc: "weights.safetensors, model.json, metrics.json (per-epoch train and test metrics)"),
    ]

    let architecture: Architecture
    let pretrained: String
    let width: Double
    let freeze: Bool
    let train: TrainConfig
    let hidden: [Int]
    let dropout: Double
    let canonical: String

    public init(parameters p: StageParameters) throws {
        func check(_ ok: Bool, _ name: String, _ why: String) throws {
            if !ok { throw StageError.invalidParameter(stage: p.stageName, parameter: name, reason: why) }
        }
        do {
            architecture = try Architecture.named(try p.string("backbone"))
            var c = TrainConfig()
            c.epochs = try p.int("epochs"); c.batchSize = try p.int("batch_size")
            try check(c.epochs >= 1, "epochs", "must be at least 1"); try check(c.batchSize >= 2, "batch_size", "must be at least 2 (batch norm)")
            c.optimizer = OptimizerConfig(kind: try OptimizerKind.named(try p.string("optimizer")),
                                          weightDecay: Float(try p.double("weight_decay")), momentum: Float(try p.double("momentum")))
            let lr = try p.double("lr")
            try check(lr > 0 && lr.isFinite, "lr", "must be a positive number")
            c.learningRate = try LearningRate.named(try p.string("lr_schedule"), base: lr, epochs: c.epochs, warmupSteps: max(0, try p.int("warmup_steps")))
            c.augment = try p.bool("augment")
            c.labelSmoothing = Float(try p.double("label_smoothing"))
            try check((0..<1).contains(c.labelSmoothing), "label_smoothing", "must be in [0, 1)")
            train = c
        } catch let e as NeuralNetError {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "backbone/optimizer", reason: e.description)
        }
        pretrained = try p.string("pretrained")
        width = try p.double("width")
        try check(width > 0 && width <= 4, "width", "must be in (0, 4]")
        freeze = try p.bool("freeze_backbone")
        hidden = (p["hidden"]?.arrayValue ?? []).compactMap(\.intValue)
        try check(hidden.allSatisfy { $0 > 0 }, "hidden", "must be a list of positive integers")
        dropout = try p.double("dropout")
        try check((0..<1).contains(dropout), "dropout", "must be in [0, 1)")
        canonical = JSONValue.object(p.values).canonical
    }

    public func run(in ctx: StageContext) async throws {
        BLAS.setThreads(ctx.threads)
        let tensors = try PreparedTensors(try ctx.input("data"), stage: ctx.stageName)
        let (trainSet, size) = try tensors.load("train", stage: ctx.stageName)
        let testSet = tensors.has("test") ? try tensors.load("test", stage: ctx.stageName).dataset : nil
        guard size >= architecture.minimumInputSize else {
            throw StageError.invalidParameter(stage: ctx.stageName, parameter: "backbone",
                reason: "\(architecture.rawValue) needs images of at least \(architecture.minimumInputSize) px; images.prepare made \(size) px")
        }
        var perClass = [Int](repeating: 0, count: tensors.classes.count)
        for l in trainSet.labels { perClass[l] += 1 }
        if let empty = perClass.firstIndex(of: 0) {
            throw StageError.failed(stage: ctx.stageName, item: "train", reason: "class '\(tensors.classes[empty])' has no training images")
        }
        var config = train; config.seed = ctx.seed
        let network = try wrap(ctx) {
            try Network(NetworkConfig(architecture: architecture, width: width, numClasses: tensors.classes.count,
                                      hidden: hidden, dropout: dropout), seed: ctx.seed)
        }
        if let url = try ModelFolder.resolvePretrained(pretrained, architecture: architecture, pipelineDirectory: ctx.pipelineDirectory, stage: ctx.stageName) {
            let n = try wrap(ctx) { try network.load(try ModelFolder.readWeights(url)) }
            ctx.log("loaded \(n) pretrained tensors from \(url.lastPathComponent)")
        }
        let trainer = Trainer(network: network, config: config, headOnly: freeze)
        // A journal record only counts when it was written for these exact parameters and data.
        let dataHash = try ["train_images.npy", "train_labels.npy"].map { try ContentHash.sha256(fileAt: tensors.folder.appendingPathComponent($0)) }
        let runKey = ContentHash.sha256(Data((canonical + "|\(ctx.seed)|\(ctx.threads)|" + dataHash.joined(separator: ",")).utf8))
        var trainData = trainSet, testData = testSet
        if freeze { (trainData, testData) = try cachedFeatures(ctx, trainer, trainSet, testSet, runKey: runKey) }
        var epochs: [JSONValue] = []
        try resume(ctx, trainer, runKey: runKey, epochs: &epochs)
        while trainer.epoch < config.epochs {
            try ctx.checkCancellation()
            let e = trainer.epoch + 1
            let stats = try wrap(ctx, item: "epoch-\(e)") {
                try trainer.trainEpoch(trainData) { b, nb, loss in
                    ctx.progress(b, of: nb, unit: "batches", note: String(format: "epoch %d/%d loss %.4f", e, config.epochs, loss))
                }
            }
            var entry: [String: JSONValue] = ["epoch": .int(e), "train_loss": .double(stats.loss), "train_accuracy": .double(stats.accuracy),
                                              "seconds": .double(stats.seconds), "images_per_second": .double(stats.imagesPerSecond)]
            if let testData {
                let (report, _) = Evaluator(network: network).evaluate(testData, classes: tensors.classes.count)
                entry["test"] = ModelFolder.json(report, classes: tensors.classes)
            }
            let blob = try ctx.blobs.put(trainer.checkpoint(), durable: true)
            try ctx.journal.write([ItemRecord(key: "epoch-\(e)", status: .done, outputHash: blob,
                                              meta: .object(["run": .string(runKey), "metrics": .object(entry)]))])
            epochs.append(.object(entry))
            record(ctx, entry)
            ctx.log(String(format: "epoch %d: train loss %.4f acc %.3f, %.1f img/s", e, stats.loss, stats.accuracy, stats.imagesPerSecond))
        }
        let info = ModelFolder.Info(architecture: architecture.rawValue, width: width, num_classes: tensors.classes.count,
                                    classes: tensors.classes, input_size: size, mean: trainer.imageBatch.mean, std: trainer.imageBatch.std,
                                    embedding_dim: network.featureDim, fingerprint: "", hidden: hidden, dropout: dropout,
                                    pretrained: pretrained, freeze_backbone: freeze)
        // Timings stay in the stage's metrics: the model folder is an input of every later stage, so its
        // bytes must depend only on the training (a retrain to the same weights keeps downstream caches).
        let untimed = epochs.map { e in e.objectValue.map { JSONValue.object($0.filter { !["seconds", "images_per_second"].contains($0.key) }) } ?? e }
        let fingerprint = try ModelFolder.write(network, info: info, epochs: untimed, to: ctx.output("model"))
        ctx.summarize("fingerprint", .string(fingerprint))
        ctx.summarize("epochs", .int(config.epochs))
        // Bit-identical resumes need the same seed, thread count and OpenBLAS kernel family.
        ctx.summarize("blas_core", .string(BLAS.coreName))
        ctx.summarize("engine_cpu", .string(BLAS.engineCPU))
        ctx.summarize("threads", .int(ctx.threads))
        ctx.summarize("train_images", .int(trainSet.count))
        ctx.summarize("classes", .array(tensors.classes.map { .string($0) }))
        if case .object(let last)? = epochs.last, case .object(let test)? = last["test"] {
            ctx.summarize("test_accuracy", test["accuracy"] ?? .null)
            ctx.summarize("test_macro_f1", test["macro_f1"] ?? .null)
        }
    }

    /// Records one epoch's numbers as metrics with the epoch as step.
    func record(_ ctx: StageContext, _ entry: [String: JSONValue]) {
        guard let e = entry["epoch"]?.intValue else { return }
        for k in ["train_loss", "train_accuracy", "images_per_second"] { if let v = entry[k]?.doubleValue { ctx.metric(k, v, step: e) } }
        if case .object(let t)? = entry["test"] {
            for k in ["accuracy", "loss", "macro_precision", "macro_recall", "macro_f1"] {
                if let v = t[k]?.doubleValue { ctx.metric("test_" + k, v, step: e) }
            }
        }
    }

    /// Restores the newest finished epoch of this run from the journal, if any.
    func resume(_ ctx: StageContext, _ trainer: Trainer, runKey: String, epochs: inout [JSONValue]) throws {
        let records = try ctx.journal.all()
        var found: [(Int, ItemRecord)] = []
        for (k, r) in records where k.hasPrefix("epoch-") && r.status == .done {
            guard let e = Int(k.dropFirst(6)), case .object(let m)? = r.meta, m["run"] == .string(runKey),
                  let h = r.outputHash, ctx.blobs.contains(h) else { continue }
            found.append((e, r))
        }
        found.sort { $0.0 < $1.0 }
        var last = 0
        for (e, _) in found where e == last + 1 { last = e }
        guard last > 0, let rec = found.first(where: { $0.0 == last })?.1, let hash = rec.outputHash else { return }
        try wrap(ctx, item: "epoch-\(last)") { try trainer.restore(try ctx.blobs.data(for: hash), source: "checkpoint epoch-\(last)") }
        for (e, r) in found where e <= last {
            if case .object(let m)? = r.meta, let entry = m["metrics"] {
                epochs.append(entry)
                if case .object(let o) = entry { record(ctx, o) }
            }
        }
        ctx.log("resuming after epoch \(last)")
    }

    /// Backbone features for train/test, computed once and cached as a blob (journal key `features`).
    func cachedFeatures(_ ctx: StageContext, _ trainer: Trainer, _ train: Dataset, _ test: Dataset?, runKey: String) throws -> (Dataset, Dataset?) {
        let dim = trainer.network.featureDim
        var tensors: [String: NamedTensor] = [:]
        if let r = try ctx.journal.records(for: ["features"])["features"], case .object(let m)? = r.meta, m["run"] == .string(runKey),
           let h = r.outputHash, ctx.blobs.contains(h) {
            tensors = try wrap(ctx) { try Safetensors.decode([UInt8](try ctx.blobs.data(for: h)), path: "features cache").tensors }
        } else {
            let evaluator = Evaluator(network: trainer.network)
            for (name, set) in [("train", train), ("test", test)] {
                guard let set, case .images(let px, let h, let w) = set.examples else { continue }
                let f = evaluator.features(px, height: h, width: w) { done, total in ctx.progress(done, of: total, unit: "images", note: "features \(name)") }
                tensors[name] = NamedTensor(shape: [set.count, dim], values: f)
            }
            let blob = try ctx.blobs.put(Safetensors.encode(tensors), durable: true)
            try ctx.journal.write([ItemRecord(key: "features", status: .done, outputHash: blob, meta: .object(["run": .string(runKey)]))])
        }
        func ds(_ name: String, _ set: Dataset?) throws -> Dataset? {
            guard let set, let t = tensors[name] else { return nil }
            return try wrap(ctx) { try Dataset(.features(values: t.values, dim: dim), labels: set.labels, classes: trainer.network.config.numClasses) }
        }
        guard let tr = try ds("train", train) else { throw StageError.failed(stage: ctx.stageName, item: "features", reason: "feature cache has no train rows") }
        return (tr, try ds("test", test))
    }
}

/// Runs engine code, turning its errors into stage errors that name the stage (and item).
func wrap<T>(_ ctx: StageContext, item: String? = nil, _ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as NeuralNetError {
        if case .nonFiniteLoss(let epoch, let batch, _) = e {
            throw StageError.failed(stage: ctx.stageName, item: "epoch-\(epoch) batch-\(batch)", reason: e.description + "; the last good checkpoint is kept")
        }
        throw StageError.failed(stage: ctx.stageName, item: item, reason: e.description)
    }
}
