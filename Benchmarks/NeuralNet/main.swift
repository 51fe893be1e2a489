// bench-nn: training/inference throughput, peak memory and convolution GFLOP/s of the NeuralNet engine.
//   bench-nn sgemm [--threads 2]
//   bench-nn train --arch mobilenet_v2 --batch 32 --size 128 --steps 4 [--threads 2]
//   bench-nn infer --arch resnet18 --batch 32 --size 128 --steps 4 [--threads 2]
//   bench-nn conv --channels 64 --hw 32 --batch 32 --steps 7 [--threads 2] [--infer 1] [--inputs 3]
//                (one 3×3 layer's training step, or with --infer 1 its inference forward; --inputs: input channels
//                where they differ from the output channels)
//   bench-nn fit --data .bench/myntra128.safetensors --arch mobilenet_v2 --pretrained .weights/mobilenet_v2-b0353104.pth
//                --freeze 1 --epochs 5 --batch 32 --lr 0.001 [--width 1] [--augment 0]
// Prints one JSON object per run (fit: one per epoch).
import Foundation
import NeuralNet
import Randomness

/// Writes one line unbuffered, so results of a long fit show up as they come.
func emit(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

func option(_ name: String, _ fallback: String) -> String {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: "--" + name), i + 1 < args.count { return args[i + 1] }
    return fallback
}

/// Peak resident memory of this process in MiB (VmHWM).
func peakMiB() -> Double {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

BLAS.load()   // see BLAS+Core.swift: picks the kernel family before OpenBLAS reads it
let mode = CommandLine.arguments.dropFirst().first ?? "train"
let threads = Int(option("threads", "2")) ?? 2
BLAS.setThreads(threads)

if mode == "sgemm" {
    let best = [1024, 2048].map { BLAS.measureGFLOPs(n: $0, repeats: 3) }.max() ?? 0
    emit("{\"mode\":\"sgemm\",\"core\":\"\(BLAS.coreName)\",\"engine_cpu\":\"\(BLAS.engineCPU)\",\"threads\":\(threads),\"gflops\":\(String(format: "%.1f", best))}")
    exit(0)
}

if mode == "fit" {
    try fit()
    exit(0)
}

if mode == "conv" {
    // One 3×3 stride-1 convolution's training step (forward + backward), or its inference forward, inputs →
    // channels at hw×hw px.
    let (c, hw, infer) = (Int(option("channels", "64")) ?? 64, Int(option("hw", "32")) ?? 32, option("infer", "0") == "1")
    let (batch, steps) = (Int(option("batch", "32")) ?? 32, max(1, Int(option("steps", "7")) ?? 7))
    let inputs = Int(option("inputs", String(c))) ?? c
    // --relu 1: with a bias and the ReLU after it, as VGG's layers are (both applied in the convolution's pass).
    let relu = option("relu", "0") == "1"
    let conv = Conv2D("c", inputs, c, kernel: 3, padding: .explicit(1, 1), bias: relu)
    let layer: any Layer = relu ? Sequential([conv, Activation(.relu)]) : conv
    var g = SeededGenerator(seed: 2)
    let x = try Tensor(shape: [inputs, batch, hw, hw],
                       data: (0..<(inputs * batch * hw * hw)).map { _ in Float(g.nextInt(below: 256)) / 128 - 1 })
    let times = (0...steps).map { _ in
        let t = Date()
        if infer { _ = layer.forward(x, training: false) } else {
            conv.weight.value[0] += 0   // as an optimiser step would: the filters are transformed again every step
            _ = layer.backward(layer.forward(x, training: true))
        }
        return Date().timeIntervalSince(t) * 1000
    }.dropFirst().sorted()   // the first step allocates (and, inferring, transforms the filters once)
    emit("{\"mode\":\"\(infer ? "conv-infer" : "conv")\",\"relu\":\(relu),\"inputs\":\(inputs),\"channels\":\(c),\"hw\":\(hw),\"batch\":\(batch),\"threads\":\(threads),\"median_ms\":\(String(format: "%.1f", times[times.count / 2]))}")
    exit(0)
}

let arch = try Architecture.named(option("arch", "mobilenet_v2"))
let batch = Int(option("batch", "32")) ?? 32, size = Int(option("size", "128")) ?? 128, steps = Int(option("steps", "4")) ?? 4
let width = Double(option("width", "1")) ?? 1
let net = try Network(NetworkConfig(architecture: arch, width: width, numClasses: 4), seed: 1)
var g = SeededGenerator(seed: 2)
let pixels = (0..<(batch * size * size * 3)).map { _ in UInt8(g.nextInt(below: 256)) }
let labels = (0..<batch).map { $0 % 4 }
let data = try Dataset(.images(pixels: pixels, height: size, width: size), labels: labels, classes: 4)
var config = TrainConfig(); config.batchSize = batch; config.epochs = steps + 1
config.optimizer = OptimizerConfig(kind: .sgd)
let trainer = Trainer(network: net, config: config)
let evaluator = Evaluator(network: net)

func convFLOPs(_ net: Network) -> Double { net.convolutions.reduce(0) { $0 + 2 * Double($1.macsPerOutputPixel) * Double($1.lastOutputPixels) } }

if mode == "train" {
    try trainer.trainEpoch(data)              // warm-up step
    let t = Date()
    for _ in 0..<steps { try trainer.trainEpoch(data) }
    let secs = Date().timeIntervalSince(t)
    let ips = Double(batch * steps) / secs
    // Training ≈ 3× the forward convolution FLOPs (forward, input gradient, weight gradient).
    let gf = 3 * convFLOPs(net) * Double(steps) / secs / 1e9
    emit("{\"mode\":\"train\",\"arch\":\"\(arch.rawValue)\",\"batch\":\(batch),\"size\":\(size),\"threads\":\(threads),\"images_per_second\":\(String(format: "%.2f", ips)),\"conv_gflops\":\(String(format: "%.1f", gf)),\"peak_mib\":\(String(format: "%.0f", peakMiB()))}")
} else {
    _ = evaluator.features(pixels, height: size, width: size, batchSize: batch)
    let t = Date()
    for _ in 0..<steps { _ = evaluator.features(pixels, height: size, width: size, batchSize: batch) }
    let secs = Date().timeIntervalSince(t)
    let gf = convFLOPs(net) * Double(steps) / secs / 1e9
    emit("{\"mode\":\"infer\",\"arch\":\"\(arch.rawValue)\",\"batch\":\(batch),\"size\":\(size),\"threads\":\(threads),\"images_per_second\":\(String(format: "%.2f", Double(batch * steps) / secs)),\"conv_gflops\":\(String(format: "%.1f", gf)),\"peak_mib\":\(String(format: "%.0f", peakMiB()))}")
}

/// Trains on a real prepared task (see bench/nn/myntra_tensors.py) and prints per-epoch test metrics.
func fit() throws {
    let start = Date()
    let (t, meta) = try Safetensors.read(URL(fileURLWithPath: option("data", ".bench/myntra128.safetensors")))
    guard let trX = t["train_images"], let trY = t["train_labels"], let teX = t["test_images"], let teY = t["test_labels"] else {
        emit("{\"error\":\"data file lacks train/test images/labels\"}"); return
    }
    let classes = (try? JSONSerialization.jsonObject(with: Data((meta["classes"] ?? "[]").utf8))) as? [String] ?? []
    let k = max(classes.count, Int(trY.values.max() ?? 0) + 1)
    let size = trX.shape[1]
    let train = try Dataset(.images(pixels: trX.values.map { UInt8($0) }, height: size, width: size), labels: trY.values.map { Int($0) }, classes: k)
    let test = try Dataset(.images(pixels: teX.values.map { UInt8($0) }, height: size, width: size), labels: teY.values.map { Int($0) }, classes: k)
    let arch = try Architecture.named(option("arch", "mobilenet_v2"))
    let net = try Network(NetworkConfig(architecture: arch, width: Double(option("width", "1")) ?? 1, numClasses: k), seed: 42)
    let pretrained = option("pretrained", "")
    if !pretrained.isEmpty { try net.load(TorchCheckpoint.read(URL(fileURLWithPath: pretrained))) }
    var cfg = TrainConfig()
    cfg.epochs = Int(option("epochs", "5")) ?? 5; cfg.batchSize = Int(option("batch", "32")) ?? 32; cfg.seed = 42
    cfg.optimizer = OptimizerConfig(kind: try OptimizerKind.named(option("optimizer", "adam")), weightDecay: Float(option("wd", "0")) ?? 0)
    cfg.learningRate = LearningRate(base: Double(option("lr", "0.001")) ?? 1e-3, schedule: .cosine)
    cfg.augment = option("augment", "0") == "1"
    let freeze = option("freeze", "0") == "1"
    let trainer = Trainer(network: net, config: cfg, headOnly: freeze)
    var trainData = train, testData = test
    if freeze {
        let ev = Evaluator(network: net)
        func feats(_ d: Dataset) throws -> Dataset {
            guard case .images(let px, let h, let w) = d.examples else { return d }
            return try Dataset(.features(values: ev.features(px, height: h, width: w), dim: net.featureDim), labels: d.labels, classes: k)
        }
        trainData = try feats(train); testData = try feats(test)
    }
    for _ in 0..<cfg.epochs {
        let s = try trainer.trainEpoch(trainData)
        let (r, _) = Evaluator(network: net).evaluate(testData, classes: k)
        emit("{\"arch\":\"\(arch.rawValue)\",\"pretrained\":\(!pretrained.isEmpty),\"freeze\":\(freeze),\"epoch\":\(s.epoch),\"train_loss\":\(String(format: "%.4f", s.loss)),\"test_accuracy\":\(String(format: "%.4f", r.accuracy)),\"test_macro_f1\":\(String(format: "%.4f", r.macroF1)),\"test_loss\":\(String(format: "%.4f", r.loss)),\"wall_s\":\(String(format: "%.1f", Date().timeIntervalSince(start)))}")
    }
}
