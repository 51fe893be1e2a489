// swift-tools-version:6.0
import Foundation
import PackageDescription

/// `VITRINE_TARGET_CPU`, when set and not empty.
var targetCPUOverride: String? { ProcessInfo.processInfo.environment["VITRINE_TARGET_CPU"].flatMap { $0.isEmpty ? nil : $0 } }

/// The CPU the Swift kernels of Imaging and Pipeline's BLAKE3 are compiled for on x86-64: `haswell` — x86-64-v3,
/// AVX2 and FMA, every x86 server CPU since 2013 — unless `VITRINE_TARGET_CPU` names another (`x86-64` for any 64-bit
/// x86, `skylake-avx512`). Built for baseline SSE2, the 16-lane kernels ran 4 instructions per vector op: ResNet-18
/// training 10–14 % slower (bench/nn/RESULTS.md); decode + fit 6 % slower (identical pixels either way). A binary built for more than the CPU has stops at start with a
/// message instead of dying on an illegal instruction (Sources/CBLASLoader/cpu_check.c).
let engineCPU: String? = {
    #if arch(x86_64)
    let cpu = targetCPUOverride ?? "haswell"
    return cpu == "x86-64" ? nil : cpu
    #else
    return nil
    #endif
}()

/// The CPU NeuralNet is compiled for: `VITRINE_TARGET_CPU` when set, else `skylake-avx512` when the building machine
/// has AVX-512 (F, BW, DQ, VL), whose 16-lane Winograd transforms then run one register per vector (VGG-16 training
/// and inference 6–7 % faster, bench/nn/RESULTS.md), else the engine CPU. Imaging stays at `haswell`: its resampler
/// ran 6 % slower as AVX-512 code. The start-up check tests this one, the highest of the two. For `skylake-avx512`
/// NeuralNet also gets `VITRINE_AVX512`, which turns on its fused Winograd kernel (`WinogradFused`: 16 accumulators
/// that need AVX-512's 32 vector registers).
let neuralNetCPU: String? = {
    #if arch(x86_64) && os(Linux)
    guard targetCPUOverride == nil else { return engineCPU }
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let flags = Set(info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ") ?? [])
    let avx512 = ["avx512f", "avx512bw", "avx512dq", "avx512vl"].allSatisfy { flags.contains(Substring($0)) }
    return avx512 ? "skylake-avx512" : engineCPU
    #else
    return engineCPU
    #endif
}()

/// Library targets in dependency order; `Stages` is the only place where runner and domain meet.
let package = Package(
    name: "vitrine",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "vitrine", targets: ["vitrine"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"4.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C bridges: headers only, plus three small shims: one keeps libjpeg/libpng's setjmp in C, one loads
        // OpenBLAS on first use, one calls sync_file_range.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CJPEG", path: "Sources/CJPEG", providers: [.apt(["libjpeg-dev"])]),
        .systemLibrary(name: "CPNG", path: "Sources/CPNG", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", providers: [.apt(["libopenblas-dev"])]),
        .target(name: "CImageShim", dependencies: ["CJPEG", "CPNG"], path: "Sources/CImageShim"),
        .target(name: "CFileShim", path: "Sources/CFileShim"),
        .target(name: "CBLASLoader", dependencies: ["CBLAS"], path: "Sources/CBLASLoader",
                cSettings: neuralNetCPU.map { [.define("VITRINE_ENGINE_CPU", to: "\"\($0)\"")] } ?? []),

        // Domain modules: plain values in, plain values out; no knowledge of the runner.
        .target(name: "Randomness"),
        .target(name: "Catalog", dependencies: ["Randomness"]),
        .target(name: "TextSimilarity", dependencies: ["Catalog"]),
        .target(name: "ImageFetch", dependencies: ["CCurl", "Randomness", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Imaging", dependencies: ["CImageShim", "CFileShim", "CJPEG", "CPNG"],
                swiftSettings: engineCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []),
        .target(name: "NeuralNet", dependencies: ["CBLAS", "CBLASLoader", "Randomness"],
                swiftSettings: (neuralNetCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? [])
                    + (neuralNetCPU == "skylake-avx512" ? [.define("VITRINE_AVX512")] : [])),
        .target(name: "VectorSearch", dependencies: ["CBLAS", "CBLASLoader"]),
        .target(name: "Report"),

        // The runner. Built for the engine CPU too (its BLAKE3 runs eight lanes at a time), so it links
        // CBLASLoader, whose start-up check refuses a CPU without those instructions.
        .target(name: "Pipeline", dependencies: [
            "Yams", "CBLASLoader",
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: engineCPU.map { [.unsafeFlags(["-target-cpu", $0])] } ?? []),
        .target(name: "Checkpoints", dependencies: ["Pipeline", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Stages", dependencies: [
            "Pipeline", "Catalog", "TextSimilarity", "ImageFetch", "Imaging", "NeuralNet", "VectorSearch", "Report", "Randomness",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .executableTarget(name: "vitrine", dependencies: [
            "Pipeline", "Checkpoints", "Stages", "NeuralNet",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Benchmarks: one small executable per area, run by `make bench` beside the Python peers.
        .executableTarget(name: "bench-text", dependencies: ["Catalog", "TextSimilarity"], path: "Benchmarks/Text"),
        .executableTarget(name: "bench-fetch", dependencies: ["ImageFetch", "Imaging"], path: "Benchmarks/Fetch"),
        .executableTarget(name: "bench-imaging", dependencies: ["Imaging"], path: "Benchmarks/Imaging"),
        .executableTarget(name: "bench-nn", dependencies: ["NeuralNet"], path: "Benchmarks/NeuralNet"),
        .executableTarget(name: "bench-search", dependencies: ["VectorSearch", "Randomness"], path: "Benchmarks/Search"),

        // Tests mirror the sources; TestSupport holds the loopback HTTP server and fixtures helpers.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "RandomnessTests", dependencies: ["Randomness"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline", "Checkpoints", "TestSupport"]),
        .testTarget(name: "CheckpointsTests", dependencies: ["Checkpoints", "Pipeline", "TestSupport"]),
        .testTarget(name: "CatalogTests", dependencies: ["Catalog", "TestSupport"]),
        .testTarget(name: "TextSimilarityTests", dependencies: ["TextSimilarity", "Catalog", "TestSupport"]),
        .testTarget(name: "ImageFetchTests", dependencies: ["ImageFetch", "TestSupport"]),
        .testTarget(name: "ImagingTests", dependencies: ["Imaging", "TestSupport"]),
        .testTarget(name: "NeuralNetTests", dependencies: ["NeuralNet", "TestSupport"]),
        .testTarget(name: "VectorSearchTests", dependencies: ["VectorSearch", "CBLASLoader", "Randomness", "TestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "TestSupport"]),
        .testTarget(name: "StagesTests", dependencies: ["Stages", "Pipeline", "Checkpoints", "TestSupport"]),
        .testTarget(name: "VitrineCLITests", dependencies: ["TestSupport", "Randomness"]),
    ],
    swiftLanguageModes: [.v6]
)
