import Foundation

/// Items a running stage announces (`StageContext.announce`, e.g. the sha256 of each image it has just
/// stored) for a downstream stage that works ahead on them. Thread-safe; the producer never blocks.
public final class ItemFeed: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [String] = []
    private var head = 0
    private var finished = false
    private var sent = 0

    /// An open, empty feed.
    public init() {}

    /// Queues one item (ignored once the feed is finished).
    public func send(_ item: String) {
        condition.lock(); defer { condition.unlock() }
        guard !finished else { return }
        queue.append(item)
        sent += 1
        condition.signal()
    }

    /// Closes the feed: waiting and later `next` calls return nil, and items still queued are dropped
    /// (the consumer's own run does them, with every thread).
    public func finish() {
        condition.lock(); defer { condition.unlock() }
        finished = true
        queue.removeAll(); head = 0
        condition.broadcast()
    }

    /// The next item, waiting for one; nil once the feed is finished.
    public func next() -> String? {
        condition.lock(); defer { condition.unlock() }
        while head == queue.count && !finished { condition.wait() }
        guard !finished else { return nil }
        let item = queue[head]
        head += 1
        if head >= 4096 && head * 2 >= queue.count { queue.removeFirst(head); head = 0 }
        return item
    }

    /// Items sent so far.
    public var count: Int { condition.lock(); defer { condition.unlock() }; return sent }
}
