import Foundation
import Testing
@testable import NeuralNet

/// The vectorised element-wise kernels against plain scalar loops: lengths around the 16-lane width, NaN kept.
@Suite struct EngineKernelsTests {
    let lengths = [0, 1, 15, 16, 17, 33, 4097, 70_001]

    func values(_ n: Int) -> [Float] { (0..<n).map { Float(($0 * 7919) % 23) - 9.5 + Float($0 % 5) * 0.25 } }

    @Test(arguments: [Activation.Kind.relu, .relu6])
    func activationMatchesScalarAndKeepsNaN(kind: Activation.Kind) {
        let cap: Float = kind == .relu6 ? 6 : .infinity
        for n in lengths {
            var x = values(n)
            if n > 3 { x[n / 2] = .nan; x[n - 1] = .infinity }
            let act = Activation(kind)
            let y = act.forward(Tensor(unchecked: [n], x), training: true)
            for i in 0..<n {
                if x[i].isNaN { #expect(y.data[i].isNaN, "NaN at \(i) of \(n) lost") } else {
                    #expect(y.data[i] == min(max(x[i], 0), cap), "\(n): y[\(i)]")
                }
            }
            let g = values(n).map { $0 * 0.5 + 1 }
            let dx = act.backward(Tensor(unchecked: [n], g))
            for i in 0..<n { #expect(dx.data[i] == (y.data[i] > 0 && y.data[i] < cap ? g[i] : 0), "\(n): dx[\(i)]") }
        }
    }

    /// Float partial sums: the error is bounded relative to Σ|term| (cancelling terms can make the result tiny).
    @Test func reductionsMatchDoubleSums() {
        for n in lengths {
            let a = values(n), b = values(n).reversed().map { $0 * 0.1 }
            for stride in [1, 3] where n >= stride {
                let m = n / stride
                var s = 0.0, sq = 0.0, dot = 0.0, absS = 0.0, absDot = 0.0
                for i in 0..<m {
                    s += Double(a[i * stride]); sq += Double((a[i * stride] - 0.5) * (a[i * stride] - 0.5))
                    dot += Double(b[i * stride] * (a[i * stride] - 0.5))
                    absS += Double(abs(a[i * stride])); absDot += Double(abs(b[i * stride] * (a[i * stride] - 0.5)))
                }
                a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                    let (x, y) = (ap.baseAddress ?? UnsafePointer(bitPattern: 16)!, bp.baseAddress ?? UnsafePointer(bitPattern: 16)!)
                    #expect(abs(Reduce.sum(x, count: m, stride: stride) - s) <= 1e-5 * max(1, absS))
                    #expect(abs(Reduce.sumOfSquares(x, count: m, stride: stride, minus: 0.5) - sq) <= 1e-5 * max(1, sq))
                    let both = Reduce.sumAndDot(y, x, count: m, stride: stride, minus: 0.5)
                    #expect(abs(both.dot - dot) <= 1e-5 * max(1, absDot))
                    #expect(both.sum == Reduce.sum(y, count: m, stride: stride), "the fused pass sums in the same order")
                }}
            }
        }
    }

    @Test func scratchBuffersAreReusedAndNeverShared() {
        let pool = ScratchPool()
        let first = pool.with(1000) { $0 }
        #expect(pool.with(800) { $0 } == first, "a returned buffer large enough is lent again")
        pool.with(1000) { outer in
            pool.with(1000) { inner in #expect(inner != outer, "concurrent users get different buffers") }
        }
        pool.with(5000) { big in
            big[4999] = 1
            #expect(big[4999] == 1)
        }
    }

    @Test func independentProductsRunOnceEachOnTheEngineThreads() {
        // Sixteen 8×8 products through OpenBLAS single-threaded on the engine's threads: each index once, each
        // result the product it names.
        let a = (0..<64).map { Float($0 % 7) - 3 }
        var c = [Float](repeating: .nan, count: 16 * 64)
        c.withUnsafeMutableBufferPointer { cp in
            nonisolated(unsafe) let base = cp.baseAddress!
            a.withUnsafeBufferPointer { ap in
                BLAS.eachSingleThreaded(16) { i in
                    var scaled = ap.map { $0 * Float(i) }
                    BLAS.gemm(m: 8, n: 8, k: 8, a: ap.baseAddress!, lda: 8, b: &scaled, ldb: 8, beta: 0, c: base + 64 * i, ldc: 8)
                }
            }
        }
        for i in 0..<16 {
            for r in 0..<8 { for col in 0..<8 {
                let expected = (0..<8).reduce(Float(0)) { $0 + a[r * 8 + $1] * a[$1 * 8 + col] * Float(i) }
                #expect(c[64 * i + r * 8 + col] == expected, "product \(i) at (\(r), \(col))")
            }}
        }
    }

    @Test func parallelLoopsCallEveryIndexOnce() {
        for threads in [1, 2, 3] {
            for count in [0, 1, 2, 15, 16, 17, 47, 48, 1000] {
                var calls = [Int](repeating: 0, count: count)
                calls.withUnsafeMutableBufferPointer { cp in
                    nonisolated(unsafe) let c = cp.baseAddress!
                    Parallel.forEach(count, threads: threads) { c[$0] += 1 }
                }
                #expect(calls.allSatisfy { $0 == 1 }, "\(threads) threads, \(count) indices: \(calls.filter { $0 != 1 }.count) not called once")
            }
        }
    }

    /// No index is set aside for a worker in advance: one worker asking again and again takes all of them, in
    /// runs of an eighth of a worker's share.
    @Test func loopIndicesGoToWhicheverWorkerAsks() {
        for (count, workers, grain) in [(64, 2, 4), (5, 2, 1), (1000, 3, 41)] {
            let claims = Parallel.Claims(count: count, workers: workers)
            var taken: [Int] = [], runs = 0
            while let run = claims.take() { taken += run; runs += 1 }
            #expect(taken == Array(0..<count), "\(count) indices, \(workers) workers")
            #expect(claims.grain == grain && runs == (count + grain - 1) / grain, "\(count) indices: \(runs) runs of \(claims.grain)")
            #expect(claims.take() == nil, "nothing after the last run")
        }
    }

    /// A batch norm followed by an activation runs fused inside `Sequential` (in place at inference): outputs,
    /// gradients and running statistics equal the two layers run one after the other.
    @Test(arguments: [Activation.Kind.relu, .relu6])
    func fusedBatchNormActivationEqualsTheTwoLayers(kind: Activation.Kind) {
        let x = GradientCheck.random([3, 2, 5, 7], seed: 21)
        let scaled = Tensor(unchecked: x.shape, x.data.map { $0 * 9 })   // reaches past 6
        let fusedBN = BatchNorm("b", 3), plainBN = BatchNorm("b", 3)
        for bn in [fusedBN, plainBN] { GradientCheck.randomize(bn, seed: 22) }
        let fused = Sequential([fusedBN, Activation(kind)]), act = Activation(kind)
        for training in [true, false] {
            let y = fused.forward(scaled, training: training)
            let reference = act.forward(plainBN.forward(scaled, training: training), training: training)
            #expect(y == reference, "training \(training)")
            #expect(y.data.contains { $0 == 0 } && y.data.contains { $0 > 0 })
            if !training { continue }
            let g = GradientCheck.random(y.shape, seed: 23)
            #expect(fused.backward(g) == plainBN.backward(act.backward(g)))
        }
        // In place at inference, yet the caller's tensor is untouched (copy-on-write).
        #expect(scaled.data == x.data.map { $0 * 9 })
        #expect(fusedBN.runningMean.value == plainBN.runningMean.value && fusedBN.runningVar.value == plainBN.runningVar.value)
        #expect(fusedBN.weight.grad == plainBN.weight.grad && fusedBN.bias.grad == plainBN.bias.grad)
    }

    /// A convolution followed by an activation (VGG) runs fused inside `Sequential`: bias and ReLU in one pass,
    /// outputs and gradients equal to the two layers run one after the other.
    @Test func fusedConvolutionActivationEqualsTheTwoLayers() {
        let x = GradientCheck.random([3, 2, 6, 5], seed: 41)
        let fusedConv = Conv2D("c", 3, 4, kernel: 3, padding: .explicit(1, 1), bias: true)
        let plainConv = Conv2D("c", 3, 4, kernel: 3, padding: .explicit(1, 1), bias: true)
        for conv in [fusedConv, plainConv] { GradientCheck.randomize(conv, seed: 42); conv.winogradEnabled = false }
        let fused = Sequential([fusedConv, Activation(.relu)]), act = Activation(.relu)
        for training in [false, true] {
            let y = fused.forward(x, training: training)
            #expect(y == act.forward(plainConv.forward(x, training: training), training: training), "training \(training)")
            #expect(y.data.contains { $0 == 0 } && y.data.contains { $0 > 0 })
        }
        let g = GradientCheck.random([4, 2, 6, 5], seed: 43)
        #expect(fused.backward(g) == plainConv.backward(act.backward(g)))
        #expect(fusedConv.weight.grad == plainConv.weight.grad && fusedConv.bias?.grad == plainConv.bias?.grad)
        #expect(fusedConv.bias?.grad.contains { $0 != 0 } == true)
    }

    /// A batch of zero images goes through every fused and vectorised path without touching memory.
    @Test func emptyBatchesPassThrough() {
        let empty = Tensor(unchecked: [3, 0, 6, 6], [])
        let net = Sequential([Conv2D("c", 3, 4, kernel: 3, padding: .explicit(1, 1), bias: true), Activation(.relu),
                              Conv2D("d", 4, 4, kernel: 3, padding: .explicit(1, 1)), BatchNorm("b", 4), Activation(.relu6)])
        let block = Residual(Sequential([Conv2D("r", 3, 3, kernel: 1), BatchNorm("rb", 3)]), reluAfter: true)
        for training in [true, false] {
            #expect(net.forward(empty, training: training).shape == [4, 0, 6, 6])
            #expect(block.forward(empty, training: training).count == 0)
        }
        #expect(net.backward(Tensor(unchecked: [4, 0, 6, 6], [])).shape == [3, 0, 6, 6])
        #expect(block.backward(Tensor(unchecked: [3, 0, 6, 6], [])).count == 0)
    }

    @Test func theStartupCPUCheckRefusesWhatTheCPULacks() {
        #expect(BLAS.cpu("haswell", runsWith: true, false))
        #expect(!BLAS.cpu("haswell", runsWith: false, true))
        #expect(!BLAS.cpu("skylake-avx512", runsWith: true, false))
        #expect(BLAS.cpu("skylake-avx512", runsWith: true, true))
        #expect(BLAS.cpu("x86-64", runsWith: false, false))
    }

    #if arch(x86_64) && os(Linux)
    /// Built without `VITRINE_TARGET_CPU` (tests run where they were built), the engine targets AVX-512 exactly when
    /// this CPU has AVX-512 F/BW/DQ/VL, else x86-64-v3.
    @Test(.enabled(if: ProcessInfo.processInfo.environment["VITRINE_TARGET_CPU"] == nil))
    func theEngineIsBuiltForAVX512WhereTheBuildingMachineHasIt() throws {
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(try #require(info.split(separator: "\n").first { $0.hasPrefix("flags") }).split(separator: " "))
        let avx512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { flags.contains(Substring($0)) }
        #expect(BLAS.engineCPU == (avx512 ? "skylake-avx512" : "haswell"))
    }
    #endif
}
