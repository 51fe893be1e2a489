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

    /// Whether OpenBLAS has been loaded in this process (a process that never multiplies a matrix never loads it).
    public static var isLoaded: Bool { vitrine_openblas_is_loaded() != 0 }
}
