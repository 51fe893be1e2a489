import Foundation

/// Items a running stage announces (`StageContext.announce`, e.g. the sha256 of each image it has just
/// stored) for a downstream stage that works ahead on them, each optionally with bytes the consumer would
/// otherwise read back from disk (the image itself). Thread-safe; the producer never blocks: bytes beyond
/// `byteBudget` not yet taken are dropped (the item still goes out) so a consumer that falls behind costs no
/// more memory than that.
public final class ItemFeed: @unchecked Sendable {
    /// One announced item and the bytes handed over with it, if any.
    public struct Entry: Sendable {
        /// The item (for images, a sha256).
        public let item: String
        /// The bytes announced with it, when the budget had room.
        public let bytes: Data?
    }

    private let condition = NSCondition()
    private var queue: [Entry] = []
    private var head = 0
    private var finished = false
    private var sent = 0
    private var queuedBytes = 0
    /// Most bytes held for items not yet taken.
    public let byteBudget: Int

    /// An open, empty feed holding at most `byteBudget` bytes of payload (64 MiB unless told).
    public init(byteBudget: Int = 64 << 20) { self.byteBudget = byteBudget }

    /// Queues one item, with `bytes` when they fit the budget (ignored once the feed is finished).
    public func send(_ item: String, bytes: Data? = nil) {
        condition.lock(); defer { condition.unlock() }
        guard !finished else { return }
        var kept: Data?
        if let bytes, queuedBytes + bytes.count <= byteBudget { kept = bytes; queuedBytes += bytes.count }
        queue.append(Entry(item: item, bytes: kept))
        sent += 1
        condition.signal()
    }

    /// Closes the feed: waiting and later `next` calls return nil, and items still queued are dropped
    /// (the consumer's own run does them, with every thread).
    public func finish() { _ = finishKeepingBytes() }

    /// Closes the feed like `finish` and returns the bytes of the items still queued, by item, for the
    /// consumer's own run to use instead of reading them back.
    public func finishKeepingBytes() -> [String: Data] {
        condition.lock(); defer { condition.unlock() }
        var left: [String: Data] = [:]
        for entry in queue[head...] { if let bytes = entry.bytes { left[entry.item] = bytes } }
        finished = true
        queue.removeAll(); head = 0; queuedBytes = 0
        condition.broadcast()
        return left
    }

    /// The next entry, waiting for one; nil once the feed is finished.
    public func take() -> Entry? {
        condition.lock(); defer { condition.unlock() }
        while head == queue.count && !finished { condition.wait() }
        guard !finished else { return nil }
        let entry = queue[head]
        queuedBytes -= entry.bytes?.count ?? 0
        head += 1
        if head >= 4096 && head * 2 >= queue.count { queue.removeFirst(head); head = 0 }
        return entry
    }

    /// The next item without its bytes, waiting for one; nil once the feed is finished.
    public func next() -> String? { take()?.item }

    /// Items sent so far.
    public var count: Int { condition.lock(); defer { condition.unlock() }; return sent }

    /// Items sent and not yet taken.
    public var waiting: Int { condition.lock(); defer { condition.unlock() }; return queue.count - head }

    /// Bytes held for items not yet taken.
    public var heldBytes: Int { condition.lock(); defer { condition.unlock() }; return queuedBytes }
}
