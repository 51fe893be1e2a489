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

    /// Calls `body` on contiguous slices of `0..<count` (at least `minPerThread` elements each), one per worker,
    /// for element-wise loops whose result per element does not depend on the split.
    static func forEachRange(_ count: Int, minPerThread: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        let workers = min(threads, max(1, count / max(1, minPerThread)))
        if workers <= 1 { body(0..<count); return }
        let per = (count + workers - 1) / workers
        forEach(workers) { w in body(min(count, w * per)..<min(count, (w + 1) * per)) }
    }
}
