import Foundation

/// A file's content hash (`ContentHash.Stream`) computed on a thread of its own from the buffers its writer
/// fills in file order: a few fixed buffers go round between the writer (`buffer`, fill, write out, `submit`)
/// and the hashing thread, so the bytes are neither copied nor read back, and memory stays bounded.
public final class BufferedHasher: @unchecked Sendable {
    /// Bytes per buffer.
    public let capacity: Int
    private let stream = ContentHash.Stream()
    private let condition = NSCondition()
    private var free: [UnsafeMutableRawBufferPointer]
    private var filled: [(UnsafeMutableRawBufferPointer, Int)] = []
    private var closed = false
    private let stopped = DispatchSemaphore(value: 0)
    private let all: [UnsafeMutableRawBufferPointer]

    /// Starts the hashing thread with `buffers` buffers of `capacity` bytes.
    public init(buffers: Int = 3, capacity: Int = 4 << 20) {
        self.capacity = capacity
        all = (0..<max(2, buffers)).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 64) }
        free = all
        let thread = Thread { [self] in hashUntilClosed() }
        thread.name = "vitrine.buffered-hasher"
        thread.start()
    }

    deinit { all.forEach { $0.deallocate() } }  // runs after the thread stopped (it holds the hasher)

    /// An empty buffer to fill (waits while every buffer is still being hashed); nil once stopped.
    public func buffer() -> UnsafeMutableRawBufferPointer? {
        condition.lock(); defer { condition.unlock() }
        while free.isEmpty && !closed { condition.wait() }
        return closed ? nil : free.removeLast()
    }

    /// Hands over `buffer`'s first `count` bytes, the next ones of the file.
    public func submit(_ buffer: UnsafeMutableRawBufferPointer, count: Int) {
        condition.lock(); defer { condition.unlock() }
        filled.append((buffer, count))
        condition.broadcast()
    }

    /// Waits for every submitted byte to be hashed and returns the hash.
    public func hex() -> String {
        stop()
        return stream.hex()
    }

    /// Stops the thread once it has hashed what was submitted (`hex` does; a writer that gives up calls it).
    public func stop() {
        condition.lock()
        let wasOpen = !closed
        closed = true
        condition.broadcast()
        condition.unlock()
        if wasOpen { stopped.wait() }
    }

    private func hashUntilClosed() {
        defer { stopped.signal() }
        while true {
            condition.lock()
            while filled.isEmpty && !closed { condition.wait() }
            guard !filled.isEmpty else { condition.unlock(); return }
            let (buffer, count) = filled.removeFirst()
            condition.unlock()
            stream.update(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            condition.lock()
            free.append(buffer)
            condition.broadcast()
            condition.unlock()
        }
    }
}
