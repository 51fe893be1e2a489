import Foundation
import Testing
@testable import NeuralNet
import Randomness

/// Optimisers, schedules, end-to-end learning on a separable synthetic task, determinism and resume.
@Suite struct TrainingTests {
    /// 4 classes of 32×32 images: a bright square in one of the four quadrants on noise.
    static func quadrants(_ n: Int, seed: UInt64) throws -> Dataset {
        var g = SeededGenerator(seed: seed, stream: "quadrants")
        var pixels = [UInt8](repeating: 0, count: n * 32 * 32 * 3), labels: [Int] = []
        for i in 0..<n {
            let c = i % 4
            labels.append(c)
            let (oy, ox) = ((c / 2) * 16, (c % 2) * 16)
            for y in 0..<32 { for x in 0..<32 { for ch in 0..<3 {
                let inside = y >= oy + 3 && y < oy + 13 && x >= ox + 3 && x < ox + 13
                pixels[((i * 32 + y) * 32 + x) * 3 + ch] = inside ? 200 + UInt8(g.nextInt(below: 55)) : UInt8(g.nextInt(below: 80))
            }}}
        }
        return try Dataset(.images(pixels: pixels, height: 32, width: 32), labels: labels, classes: 4)
    }

    static func smallNet(seed: UInt64) throws -> Network {
        try Network(NetworkConfig(architecture: .resnet18, width: 0.125, numClasses: 4, hidden: [32, 16], dropout: 0.1), seed: seed)
    }

    static func config(epochs: Int) -> TrainConfig {
        var c = TrainConfig()
        c.epochs = epochs; c.batchSize = 16; c.seed = 11
        c.optimizer = OptimizerConfig(kind: .adamw, weightDecay: 1e-4)
        c.learningRate = LearningRate(base: 3e-3, schedule: .cosine, warmupSteps: 2)
        return c
    }

    @Test func optimisersMatchHandComputedSteps() {
        // One parameter w=1, gradient 0.5; lr 0.1.
        func run(_ kind: OptimizerKind, wd: Float = 0, steps: Int) -> Float {
            let p = Parameter("w", [1], value: [1])
            let o = Optimizer(OptimizerConfig(kind: kind, weightDecay: wd))
            for _ in 0..<steps { p.grad = [0.5]; o.update([p], lr: 0.1) }
            return p.value[0]
        }
        #expect(abs(run(.sgd, steps: 2) - (1 - 0.05 - 0.1 * (0.9 * 0.5 + 0.5))) < 1e-6)
        #expect(abs(run(.nesterov, steps: 1) - (1 - 0.1 * (0.5 + 0.9 * 0.5))) < 1e-6)
        #expect(abs(run(.adam, steps: 1) - 0.9) < 1e-5)              // first Adam step moves by lr
        #expect(abs(run(.adamw, wd: 0.1, steps: 1) - (1 * (1 - 0.01) - 0.1)) < 1e-5)
    }

    @Test func schedules() {
        let cos = LearningRate(base: 1, schedule: .cosine, warmupSteps: 4)
        #expect(abs(cos.rate(step: 0, totalSteps: 104, stepsPerEpoch: 10) - 0.25) < 1e-6)
        #expect(abs(cos.rate(step: 4, totalSteps: 104, stepsPerEpoch: 10) - 1) < 1e-6)
        #expect(abs(cos.rate(step: 54, totalSteps: 104, stepsPerEpoch: 10) - 0.5) < 1e-6)
        let step = LearningRate(base: 1, schedule: .step(everyEpochs: 2, gamma: 0.1))
        #expect(abs(step.rate(step: 45, totalSteps: 100, stepsPerEpoch: 10) - 0.01) < 1e-7)
    }

    @Test func metricsReport() {
        let r = ClassificationReport(labels: [0, 0, 1, 1, 2], predictions: [0, 1, 1, 1, 0], classes: 3, loss: 0.5)
        #expect(r.confusion == [[1, 1, 0], [0, 2, 0], [1, 0, 0]])
        #expect(abs(r.accuracy - 0.6) < 1e-12)
        #expect(abs(r.precision[1] - 2.0 / 3) < 1e-12 && r.recall[1] == 1 && r.f1[2] == 0)
        #expect(abs(r.macroF1 - (0.5 + 0.8 + 0) / 3) < 1e-12)
    }

    @Test func learnsSeparableTaskAndIsDeterministic() throws {
        let train = try Self.quadrants(192, seed: 1), test = try Self.quadrants(64, seed: 2)
        BLAS.setThreads(2)
        var finals: [[Float]] = []
        for _ in 0..<2 {
            let trainer = Trainer(network: try Self.smallNet(seed: 5), config: Self.config(epochs: 3))
            for _ in 0..<3 { try trainer.trainEpoch(train) }
            let (report, _) = trainer.evaluate(test, classes: 4)
            #expect(report.accuracy > 0.95, "accuracy \(report.accuracy)")
            finals.append(trainer.network.parameters.flatMap(\.value))
        }
        #expect(finals[0] == finals[1])   // bit-identical for the same seed and thread count
    }

    @Test func resumeFromCheckpointIsBitIdentical() throws {
        let train = try Self.quadrants(64, seed: 3)
        var cfg = Self.config(epochs: 3); cfg.augment = true
        let straight = Trainer(network: try Self.smallNet(seed: 9), config: cfg)
        var saved = Data()
        for e in 1...3 { try straight.trainEpoch(train); if e == 2 { saved = straight.checkpoint() } }
        let resumed = Trainer(network: try Self.smallNet(seed: 1234), config: cfg)
        try resumed.restore(saved)
        #expect(resumed.epoch == 2)
        try resumed.trainEpoch(train)
        #expect(resumed.network.parameters.flatMap(\.value) == straight.network.parameters.flatMap(\.value))
    }

    @Test func frozenBackboneTrainsHeadOnFeatures() throws {
        let train = try Self.quadrants(96, seed: 4)
        let net = try Self.smallNet(seed: 2)
        guard case .images(let px, let h, let w) = train.examples else { return }
        let before = net.backbone.parameters.map(\.value)
        let feats = Evaluator(network: net).features(px, height: h, width: w)
        let fdata = try Dataset(.features(values: feats, dim: net.featureDim), labels: train.labels, classes: 4)
        let trainer = Trainer(network: net, config: Self.config(epochs: 2), headOnly: true)
        let s1 = try trainer.trainEpoch(fdata), s2 = try trainer.trainEpoch(fdata)
        #expect(s2.loss < s1.loss + 0.05)
        #expect(net.backbone.parameters.map(\.value) == before)
    }

    @Test func nonFiniteLossNamesEpochAndBatch() throws {
        let train = try Self.quadrants(32, seed: 5)
        var cfg = Self.config(epochs: 1); cfg.learningRate = LearningRate(base: 1e30); cfg.optimizer = OptimizerConfig(kind: .sgd)
        let trainer = Trainer(network: try Self.smallNet(seed: 3), config: cfg)
        do { try trainer.trainEpoch(train); try trainer.trainEpoch(train); Issue.record("expected a non-finite loss") } catch let e as NeuralNetError {
            guard case .nonFiniteLoss(let epoch, let batch, _) = e else { Issue.record("wrong error \(e)"); return }
            #expect(epoch >= 1 && batch >= 1)
        }
    }
}

/// OpenBLAS, loaded on first use with kernels matching the CPU.
@Suite struct BLASCoreTests {
    @Test func loadsWithTheCPUsKernelFamily() throws {
        BLAS.load()
        #expect(BLAS.isLoaded)
        let flags = (try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)).split(separator: "\n")
            .first { $0.hasPrefix("flags") }.map { Set($0.split(separator: " ").map(String.init)) } ?? []
        let expected: String? = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
            ?? (["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) ? "SkylakeX"
                : ["avx2", "fma"].allSatisfy(flags.contains) ? "Haswell" : nil)
        if let expected { #expect(BLAS.coreName.lowercased() == expected.lowercased()) } else { #expect(!BLAS.coreName.isEmpty) }
        #expect(getenv("OPENBLAS_THREAD_TIMEOUT") != nil, "idle OpenBLAS workers sleep instead of spinning")
        var c: [Float] = [0, 0, 0, 0]
        BLAS.gemm(m: 2, n: 2, k: 2, a: [1, 2, 3, 4], lda: 2, b: [5, 6, 7, 8], ldb: 2, beta: 0, c: &c, ldc: 2)
        #expect(c == [19, 22, 43, 50])
    }
}
