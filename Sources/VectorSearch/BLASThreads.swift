import CBLAS
import CBLASLoader

/// The OpenBLAS thread count, set explicitly rather than left to the environment.
public enum BLASThreads {
    /// Threads OpenBLAS uses for one call.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// The kernel family OpenBLAS chose at load (e.g. `Haswell`, `SkylakeX`); `Prescott` on a generic VM CPU means
    /// SSE3 kernels about 4× slower: start the process with `OPENBLAS_CORETYPE=SkylakeX` (AVX-512) or `Haswell` (AVX2).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// Whether OpenBLAS fell back to its slow generic kernels although the CPU has AVX2 (set OPENBLAS_CORETYPE).
    public static var usesSlowKernels: Bool { coreName == "Prescott" || coreName == "Core2" || coreName == "Nehalem" }

    /// Sets the OpenBLAS thread count (at least 1) for the whole process.
    public static func set(_ threads: Int) { openblas_set_num_threads(Int32(max(1, threads))) }

    /// Runs `body` with OpenBLAS at `threads`, then restores the previous count (overlapping callers, here or in
    /// the NeuralNet engine, share one process-wide override: cblas_loader.h).
    public static func with<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        let override = vitrine_openblas_threads()
        vitrine_override_enter(override, Int32(max(1, threads)))
        defer { vitrine_override_leave(override) }
        return try body()
    }
}
