import Foundation

/// Float buffers for the engine's hot paths: arrays allocated without zero-filling when every element is about to be
/// written, a pool of reusable scratch buffers (im2col columns), and the allocator settings that keep freed
/// activations in the heap instead of handing them back to the kernel after every layer.
enum Buffers {
    /// An array of `count` floats whose contents are undefined until the caller writes every element — NaN in debug
    /// builds (the tests'), so an element read before it is written shows in their results.
    @inline(__always)
    static func uninitialized(_ count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            #if DEBUG
            buffer.initialize(repeating: .nan)
            #endif
            initialized = count
        }
    }

    /// glibc returns blocks above 128 KiB to the kernel on free and maps fresh zeroed pages on the next malloc: on
    /// a 128 px batch of 32 that page-faulting and clearing took ~20 % of ResNet-18 inference, and MobileNetV2's
    /// expanded activations exceed even glibc's largest mmap threshold (32 MiB). Serving
    /// every block from the heap (no mmap) and keeping freed heap memory (no trimming) makes a step reuse the
    /// previous step's pages. Applied once per process; the resident size then stays at its peak.
    static let tuneAllocator: Void = {
        // glibc's <malloc.h> is not part of Swift's Glibc module: look `mallopt` up by name (absent on other libcs).
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let (trimThreshold, topPad, mmapMax): (Int32, Int32, Int32) = (-1, -2, -4)   // M_* in <malloc.h>
        _ = mallopt(mmapMax, 0)
        _ = mallopt(trimThreshold, Int32.max)
        _ = mallopt(topPad, 64 << 20)
    }()
}

/// Reusable scratch memory shared by all layers of all networks in the process: `with(count)` lends a buffer of
/// at least `count` floats for the duration of `body` (contents undefined), so steady-state training allocates no
/// column buffers. Thread-safe; concurrent callers get different buffers.
final class ScratchPool: @unchecked Sendable {
    /// The process-wide pool.
    static let shared = ScratchPool()
    private var free: [(UnsafeMutablePointer<Float>, Int)] = []
    private let lock = NSLock()
    /// Buffers kept for reuse at most; more idle ones are released.
    private let keep = 4

    /// Calls `body` with a buffer of at least `count` floats.
    func with<R>(_ count: Int, _ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let (buffer, capacity) = take(max(count, 1))
        defer { give(buffer, capacity) }
        return try body(buffer)
    }

    private func take(_ count: Int) -> (UnsafeMutablePointer<Float>, Int) {
        lock.lock()
        if let i = free.firstIndex(where: { $0.1 >= count }) {
            defer { lock.unlock() }
            return free.remove(at: i)
        }
        // None large enough: drop the largest idle one (it is too small anyway) and allocate.
        if let i = free.indices.max(by: { free[$0].1 < free[$1].1 }) { free.remove(at: i).0.deallocate() }
        lock.unlock()
        return (UnsafeMutablePointer<Float>.allocate(capacity: count), count)
    }

    private func give(_ buffer: UnsafeMutablePointer<Float>, _ capacity: Int) {
        lock.lock(); defer { lock.unlock() }
        free.append((buffer, capacity))
        if free.count > keep, let i = free.indices.min(by: { free[$0].1 < free[$1].1 }) {
            free.remove(at: i).0.deallocate()
        }
    }
}
