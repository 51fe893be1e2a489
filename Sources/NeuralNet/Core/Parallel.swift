import Dispatch
import Synchronization

/// Splits independent work (channels, planes) over a few threads; each index writes its own
/// memory, so results do not depend on the thread count.
enum Parallel {
    /// Thread count for element-wise loops; BLAS threads are set separately.
    nonisolated(unsafe) static var threads = 2

    /// Calls `body(i)` for every `i` in `0..<count`, spread over `threads` workers (the engine's by default), each
    /// taking the next run of indices when it is free (`Claims`).
    static func forEach(_ count: Int, minPerThread: Int = 1, threads: Int = threads, _ body: (Int) -> Void) {
        let workers = min(threads, max(1, count / max(1, minPerThread)))
        if workers <= 1 { for i in 0..<count { body(i) }; return }
        withoutActuallyEscaping(body) { body in
            // Each index touches disjoint memory; the closure is only borrowed for this call.
            nonisolated(unsafe) let work = body
            let claims = Claims(count: count, workers: workers)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let run = claims.take() { for i in run { work(i) } }
            }
        }
    }

    /// A loop's indices handed out a run at a time (about an eighth of a worker's share) to whichever worker asks
    /// next — not split in advance, so a worker that starts late or runs on a busier core does not hold the others
    /// up (VGG-16 and ResNet-18 b4 training 4–5 % faster, bench/nn/RESULTS.md).
    struct Claims: ~Copyable {
        /// Indices in all, and per run.
        let count: Int, grain: Int
        private let next = Atomic<Int>(0)

        init(count: Int, workers: Int) { (self.count, grain) = (count, max(1, count / (max(1, workers) * 8))) }

        /// The next run of indices, or nil once all are taken.
        func take() -> Range<Int>? {
            let i = next.wrappingAdd(grain, ordering: .relaxed).oldValue
            return i < count ? i..<min(count, i + grain) : nil
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
