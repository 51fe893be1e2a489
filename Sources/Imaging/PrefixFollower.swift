import Foundation

/// Hands a file's bytes, in file order, to a sink on a thread of its own while other threads still write
/// the file out of order: writers report each finished range (`wrote`), and the follower reads back
/// (`pread`, from the page cache) whatever prefix has become contiguous. `NpyWriter` uses it to hash a
/// tensor while its rows are being written.
final class PrefixFollower: @unchecked Sendable {
    private enum State { case running, draining, abandoned }

    private let fd: Int32
    private let path: String
    private let sink: @Sendable (UnsafeRawBufferPointer) -> Void
    private let condition = NSCondition()
    private let stopped = DispatchSemaphore(value: 0)
    /// Bytes `0..<frontier` are written.
    private var frontier = 0
    /// Finished ranges past the frontier, start → end.
    private var later: [Int: Int] = [:]
    private var state = State.running
    private var failure: (any Error)?
    /// Bytes passed to the sink, set when the thread stops.
    private var passedInAll = 0
    /// Bytes read back and passed on per call of the sink.
    static let chunk = 4 << 20

    /// Starts following `fd` (open for reading at `path`), of which nothing is written yet.
    init(fd: Int32, path: String, sink: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) {
        self.fd = fd; self.path = path; self.sink = sink
        let thread = Thread { [self] in follow() }
        thread.name = "vitrine.prefix-follower"
        thread.start()
    }

    /// Records that `range` of the file is written (each byte once, in any order, from any thread).
    func wrote(_ range: Range<Int>) {
        condition.lock(); defer { condition.unlock() }
        guard !range.isEmpty else { return }
        if range.lowerBound == frontier {
            frontier = range.upperBound
            while let end = later.removeValue(forKey: frontier) { frontier = end }
            condition.signal()
        } else {
            later[range.lowerBound] = range.upperBound
        }
    }

    /// Waits until the whole written prefix has gone to the sink and returns its length; throws if reading it
    /// back failed.
    func finish() throws -> Int {
        stop(.draining)
        if let failure { throw failure }
        return passedInAll
    }

    /// Stops without passing on the rest (the file is being thrown away).
    func abandon() { stop(.abandoned) }

    private func stop(_ how: State) {
        condition.lock()
        let running = state == .running
        if running { state = how; condition.signal() }
        condition.unlock()
        if running { stopped.wait() }
    }

    /// The thread: read back each newly contiguous piece and pass it on, until stopped.
    private func follow() {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Self.chunk, alignment: 64)
        var passed = 0
        defer { buffer.deallocate(); passedInAll = passed; stopped.signal() }
        while true {
            condition.lock()
            while state == .running && frontier == passed { condition.wait() }
            let (end, now) = (frontier, state)
            condition.unlock()
            if now == .abandoned || end == passed { return }
            let n = min(end - passed, Self.chunk)
            var got = 0
            while got < n {
                let r = pread(fd, buffer.baseAddress! + got, n - got, off_t(passed + got))
                if r < 0 && errno == EINTR { continue }
                guard r > 0 else {
                    let why = r == 0 ? "the file ended at \(passed + got) bytes" : String(cString: strerror(errno))
                    condition.lock(); failure = CocoaError(.fileReadUnknown, userInfo: [NSFilePathErrorKey: path,
                        NSLocalizedDescriptionKey: "reading back \(path) at byte \(passed + got): \(why)"]); condition.unlock()
                    return
                }
                got += r
            }
            sink(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
            passed += n
        }
    }
}
