import Dispatch

/// Splits independent work (channels, planes) over a few threads; each index writes its own
/// memory, so results do not depend on the thread count.
enum Parallel {
    /// Thread count for element-wise loops; BLAS threads are set separately.
    nonisolated(unsafe) static var threads = 2

    /// Calls `body(i)` for every `i` in `0..<count`, spread over `threads` workers.
    static func forEach(_ count: Int, minPerThread: Int = 1, _ body: (Int) -> Void) {
        let workers = min(threads, max(1, count / max(1, minPerThread)))
        if workers <= 1 { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { body in
            // Each index touches disjoint memory; the closure is only borrowed for this call.
            nonisolated(unsafe) let work = body
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                var i = w
                while i < count { work(i); i += workers }
            }
        }
    }
}
