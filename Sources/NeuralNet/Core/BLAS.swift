import CBLAS
import CBLASLoader
import Dispatch

/// Thin row-major wrappers over OpenBLAS, so layer code reads like the maths.
public enum BLAS {
    /// Sets the engine's thread count: OpenBLAS's and the element-wise loops' (from the stage's thread budget).
    public static func setThreads(_ n: Int) {
        openblas_set_num_threads(Int32(max(1, n)))
        Parallel.threads = max(1, n)
    }

    /// OpenBLAS's current thread count.
    public static var threads: Int { Int(openblas_get_num_threads()) }

    /// Calls `body(i)` for every `i` in `0..<count` spread over the engine's threads, each call with OpenBLAS on
    /// one thread: for independent products too small for OpenBLAS to split well.
    /// (OpenBLAS's count is process-wide: the override is shared with other callers, see cblas_loader.h.)
    static func eachSingleThreaded(_ count: Int, _ body: (Int) -> Void) {
        if Parallel.threads <= 1 { for i in 0..<count { body(i) }; return }
        let override = vitrine_openblas_threads()
        vitrine_override_enter(override, 1)
        defer { vitrine_override_leave(override) }
        Parallel.forEach(count, body)
    }

    /// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major.
    @inline(__always)
    static func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int, alpha: Float = 1,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Best observed sgemm GFLOP/s for n×n×n products over `repeats` runs (the machine's peak reference).
    public static func measureGFLOPs(n: Int, repeats: Int) -> Double {
        let a = [Float](repeating: 0.5, count: n * n), b = [Float](repeating: 0.25, count: n * n)
        var c = [Float](repeating: 0, count: n * n)
        var best = 0.0
        for _ in 0..<max(1, repeats) {
            let t = DispatchTime.now().uptimeNanoseconds
            a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
                gemm(m: n, n: n, k: n, a: ap.baseAddress!, lda: n, b: bp.baseAddress!, ldb: n, beta: 0, c: cp.baseAddress!, ldc: n)
            }}}
            let secs = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e9
            best = max(best, 2 * Double(n) * Double(n) * Double(n) / secs / 1e9)
        }
        return best
    }
}
