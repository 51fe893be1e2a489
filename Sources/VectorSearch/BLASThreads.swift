import CBLAS

/// The OpenBLAS thread count, set explicitly rather than left to the environment.
public enum BLASThreads {
    /// Threads OpenBLAS uses for one call.
    public static var current: Int { Int(openblas_get_num_threads()) }

    /// Sets the OpenBLAS thread count (at least 1) for the whole process.
    public static func set(_ threads: Int) { openblas_set_num_threads(Int32(max(1, threads))) }

    /// Runs `body` with OpenBLAS at `threads`, then restores the previous count.
    public static func with<T>(_ threads: Int, _ body: () throws -> T) rethrows -> T {
        let previous = current
        set(threads)
        defer { set(previous) }
        return try body()
    }
}
