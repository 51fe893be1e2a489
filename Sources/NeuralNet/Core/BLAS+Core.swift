import CBLAS
import Foundation

/// OpenBLAS kernel selection. Debian's dynamic-arch OpenBLAS picks its kernels from CPUID when the
/// library loads; on virtual CPUs that report a generic model ("Intel Xeon Processor") it falls back
/// to the SSE3 `Prescott` kernels — 5× slower sgemm on this AVX-512 machine (31 vs 153 GFLOP/s).
/// `OPENBLAS_CORETYPE` fixes it, but only if set before the library loads, hence the re-exec.
extension BLAS {
    /// The kernel family OpenBLAS chose (e.g. `Prescott`, `SkylakeX`, `Haswell`).
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p)
    }

    /// The best kernel family for this CPU from /proc/cpuinfo flags, or nil when unknown.
    public static func recommendedCoreType(cpuinfo: String? = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) -> String? {
        guard let info = cpuinfo, let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(line.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        return nil
    }

    /// When OpenBLAS fell back to generic kernels and `OPENBLAS_CORETYPE` is unset, re-executes the
    /// current process with it set to the CPU's real family (call first thing in `main`). Returns
    /// only when no re-exec was needed or it failed.
    public static func reexecWithTunedKernelsIfNeeded() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["VITRINE_NO_BLAS_REEXEC"] == nil,
              ["Prescott", "Core2", "Penryn", "Nehalem", "Dunnington", "Atom", "unknown"].contains(coreName),
              let core = recommendedCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        setenv("VITRINE_NO_BLAS_REEXEC", "1", 1)
        let args = CommandLine.arguments
        var cargs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        execv("/proc/self/exe", &cargs)
        for p in cargs { free(p) }     // exec failed: carry on with the generic kernels
    }
}
