import CBLAS
import CBLASLoader
import Foundation

/// OpenBLAS loading and kernel selection. The library is loaded on first use (see Sources/CBLASLoader): Debian's
/// dynamic-arch OpenBLAS picks its kernels from CPUID when it loads, and on virtual CPUs that report a generic
/// model ("Intel Xeon Processor") it falls back to the SSE3 `Prescott` kernels — 5× slower sgemm on this AVX-512
/// machine (31 vs 153 GFLOP/s). The loader sets `OPENBLAS_CORETYPE` from the CPU's features first, unless the
/// user set it.
extension BLAS {
    /// The kernel family OpenBLAS chose (e.g. `Prescott`, `SkylakeX`, `Haswell`); loads the library.
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// Loads OpenBLAS now; call it early (before threads multiply) in processes that will use it.
    public static func load() { vitrine_openblas_load() }

    /// The CPU the engine's Swift kernels were compiled for (Package.swift: `skylake-avx512` where the building
    /// machine has AVX-512, else `haswell`, unless VITRINE_TARGET_CPU said otherwise; `x86-64` = baseline). Every
    /// process that links the engine has checked at start that it runs.
    public static var engineCPU: String { String(cString: vitrine_engine_cpu()) }

    /// Whether code compiled for `cpu` runs on a CPU with the x86-64-v3 (`v3`) and AVX-512 (`v4`) features.
    static func cpu(_ cpu: String, runsWith v3: Bool, _ v4: Bool) -> Bool {
        vitrine_cpu_runs(cpu, v3 ? 1 : 0, v4 ? 1 : 0) != 0
    }

    /// Whether OpenBLAS has been loaded in this process (a process that never multiplies a matrix never loads it).
    public static var isLoaded: Bool { vitrine_openblas_is_loaded() != 0 }
}
