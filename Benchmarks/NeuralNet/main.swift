// bench-nn: training/inference throughput, peak memory and convolution GFLOP/s of the NeuralNet engine.
//   bench-nn sgemm [--threads 2]
//   bench-nn train --arch mobilenet_v2 --batch 32 --size 128 --steps 4 [--threads 2]
//   bench-nn infer --arch resnet18 --batch 32 --size 128 --steps 4 [--threads 2]
// Prints one JSON object per run.
import Foundation
import NeuralNet
import Randomness

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

let mode = CommandLine.arguments.dropFirst().first ?? "train"
let threads = Int(option("threads", "2")) ?? 2
BLAS.setThreads(threads)

if mode == "sgemm" {
    let best = [1024, 2048].map { BLAS.measureGFLOPs(n: $0, repeats: 3) }.max() ?? 0
    print("{\"mode\":\"sgemm\",\"threads\":\(threads),\"gflops\":\(String(format: "%.1f", best))}")
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

func convFLOPs() -> Double { net.convolutions.reduce(0) { $0 + 2 * Double($1.macsPerOutputPixel) * Double($1.lastOutputPixels) } }

if mode == "train" {
    try trainer.trainEpoch(data)              // warm-up step
    let t = Date()
    for _ in 0..<steps { try trainer.trainEpoch(data) }
    let secs = Date().timeIntervalSince(t)
    let ips = Double(batch * steps) / secs
    // Training ≈ 3× the forward convolution FLOPs (forward, input gradient, weight gradient).
    let gf = 3 * convFLOPs() * Double(steps) / secs / 1e9
    print("{\"mode\":\"train\",\"arch\":\"\(arch.rawValue)\",\"batch\":\(batch),\"size\":\(size),\"threads\":\(threads),\"images_per_second\":\(String(format: "%.2f", ips)),\"conv_gflops\":\(String(format: "%.1f", gf)),\"peak_mib\":\(String(format: "%.0f", peakMiB()))}")
} else {
    _ = evaluator.features(pixels, height: size, width: size, batchSize: batch)
    let t = Date()
    for _ in 0..<steps { _ = evaluator.features(pixels, height: size, width: size, batchSize: batch) }
    let secs = Date().timeIntervalSince(t)
    let gf = convFLOPs() * Double(steps) / secs / 1e9
    print("{\"mode\":\"infer\",\"arch\":\"\(arch.rawValue)\",\"batch\":\(batch),\"size\":\(size),\"threads\":\(threads),\"images_per_second\":\(String(format: "%.2f", Double(batch * steps) / secs)),\"conv_gflops\":\(String(format: "%.1f", gf)),\"peak_mib\":\(String(format: "%.0f", peakMiB()))}")
}
