import Foundation

/// Per-item progress state in a long stage.
public enum ItemStatus: String, Sendable, Codable, CaseIterable {
    case done, failed, pending
}

/// One journaled item: what happened to one key (URL, image, epoch) and its output.
public struct ItemRecord: Sendable, Hashable, Codable {
    public var key: String
    public var status: ItemStatus
    public var attempts: Int
    /// A short machine-readable failure class, e.g. `http_404`, `timeout`, `not_an_image`.
    public var errorClass: String?
    /// A human-readable failure detail.
    public var errorDetail: String?
    /// Content hash of the item's output (blob), if any.
    public var outputHash: String?
    /// Free-form metadata (ETag, Last-Modified, width, height...).
    public var meta: JSONValue?
    /// When the record was last written (seconds since 1970).
    public var updatedAt: Double

    /// A record; `updatedAt` defaults to now.
    public init(key: String, status: ItemStatus, attempts: Int = 1, errorClass: String? = nil, errorDetail: String? = nil,
                outputHash: String? = nil, meta: JSONValue? = nil, updatedAt: Double = Date().timeIntervalSince1970) {
        self.key = key; self.status = status; self.attempts = attempts; self.errorClass = errorClass
        self.errorDetail = errorDetail; self.outputHash = outputHash; self.meta = meta; self.updatedAt = updatedAt
    }
}

/// Durable per-item progress for one namespace (usually a stage name), so a resumed or nightly
/// stage redoes only unfinished or new items. Writes are batched transactions.
public protocol ItemJournal: Sendable {
    /// The namespace this journal is bound to.
    var namespace: String { get }
    /// Every record in the namespace, by key.
    func all() throws -> [String: ItemRecord]
    /// Records for the given keys that exist.
    func records(for keys: [String]) throws -> [String: ItemRecord]
    /// Inserts or replaces records, in one transaction.
    func write(_ records: [ItemRecord]) throws
    /// Deletes records for keys (e.g. products removed from the catalog).
    func remove(_ keys: [String]) throws
    /// Where `JournalBatcher` spills records before they are committed (nil: no crash safety needed).
    var spill: JournalSpill? { get }
}

extension ItemJournal {
    /// No spill by default (in-memory journals).
    public var spill: JournalSpill? { nil }
}

/// A journal held in memory: for stage tests and dry runs.
public final class InMemoryJournal: ItemJournal, @unchecked Sendable {
    public let namespace: String
    private var items: [String: ItemRecord] = [:]
    private let lock = NSLock()
    /// Number of `write` calls (each a transaction in a real store).
    public private(set) var writeCount = 0

    /// An empty journal.
    public init(namespace: String = "test") { self.namespace = namespace }

    public func all() throws -> [String: ItemRecord] { lock.withLock { items } }
    public func records(for keys: [String]) throws -> [String: ItemRecord] {
        lock.withLock { var out: [String: ItemRecord] = [:]; for k in keys { out[k] = items[k] }; return out }
    }
    public func write(_ records: [ItemRecord]) throws {
        lock.withLock { for r in records { items[r.key] = r }; writeCount += 1 }
    }
    public func remove(_ keys: [String]) throws { lock.withLock { for k in keys { items[k] = nil } } }
}

/// Buffers journal writes and flushes them in batches (by count or age), thread-safely. Each record
/// also goes to the journal's spill file first, so a killed process loses no finished item.
public final class JournalBatcher: @unchecked Sendable {
    private let journal: any ItemJournal
    private let maxCount: Int
    private let maxAge: TimeInterval
    private var pending: [ItemRecord] = []
    private var oldest: Date?
    private let lock = NSLock()

    /// Batches writes to `journal`: flushes every `maxCount` records or `maxAge` seconds.
    public init(_ journal: any ItemJournal, maxCount: Int = 256, maxAge: TimeInterval = 1.0) {
        self.journal = journal; self.maxCount = maxCount; self.maxAge = maxAge
    }

    /// Queues a record (after appending it to the spill); may flush.
    public func add(_ record: ItemRecord) throws {
        try lock.withLock {
            try journal.spill?.append(record)
            pending.append(record)
            if oldest == nil { oldest = Date() }
            if pending.count >= maxCount || Date().timeIntervalSince(oldest!) >= maxAge { try flushLocked() }
        }
    }

    /// Writes whatever is queued.
    public func flush() throws {
        try lock.withLock { try flushLocked() }
    }

    /// Commits the queue and empties the spill; the lock is held, so no record lands in between.
    private func flushLocked() throws {
        guard !pending.isEmpty else { return }
        try journal.write(pending)
        pending.removeAll(keepingCapacity: true); oldest = nil
        journal.spill?.clear()
    }
}
