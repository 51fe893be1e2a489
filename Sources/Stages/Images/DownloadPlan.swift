import Foundation
import ImageFetch
import Pipeline

/// What is known about one URL's image at the end of (or before) a download run.
struct DownloadImageState: Sendable {
    /// How the state came about, counted in the summary.
    enum Source: String, Sendable { case fetched, reused, notModified = "not_modified", knownDead = "known_dead", failed }
    var ok: Bool
    var sha256: String?
    var format: String?
    var width: Int?
    var height: Int?
    var bytes: Int?
    var reason: String?
    var detail: String?
    var source: Source

    /// The state a journal record describes (nil when a done record lacks image metadata).
    init?(record r: ItemRecord, source: Source) {
        let meta = r.meta?.objectValue ?? [:]
        ok = r.status == .done
        sha256 = r.outputHash
        format = meta["format"]?.stringValue
        width = meta["width"]?.intValue
        height = meta["height"]?.intValue
        bytes = meta["bytes"]?.intValue
        reason = r.errorClass
        detail = r.errorDetail
        self.source = source
        if ok && (sha256 == nil || format == nil || width == nil || height == nil) { return nil }
    }

    /// A fresh state.
    init(ok: Bool, sha256: String?, format: String?, width: Int?, height: Int?, bytes: Int?, reason: String?, detail: String?, source: Source) {
        self.ok = ok; self.sha256 = sha256; self.format = format; self.width = width; self.height = height
        self.bytes = bytes; self.reason = reason; self.detail = detail; self.source = source
    }
}

/// The per-URL decisions of one run, made from the item journal: reuse a stored image, skip a
/// known-dead URL, revalidate an old one conditionally, or fetch.
struct DownloadPlan: Sendable {
    /// Distinct URLs in first-seen order.
    let urls: [String]
    /// States settled without any request (stored images, known-dead URLs).
    let settled: [String: DownloadImageState]
    /// Journal records of URLs being revalidated (their image is kept when revalidation fails transiently).
    let previous: [String: ItemRecord]
    /// What to fetch.
    let requests: [FetchRequest]
    let reused: Int
    let knownDead: Int
    let revalidations: Int

    static func make(products: [DownloadStage.Product], journal: any ItemJournal, blobs: BlobStore,
                     retryFailedAfter: Double, revalidateAfter: Double, now: Date) throws -> DownloadPlan {
        var seen = Set<String>()
        var urls: [String] = []
        for p in products { if let u = p.url, seen.insert(u).inserted { urls.append(u) } }
        let records = try journal.records(for: urls)
        let t = now.timeIntervalSince1970
        var settled: [String: DownloadImageState] = [:]
        var previous: [String: ItemRecord] = [:]
        var requests: [FetchRequest] = []
        var reused = 0, dead = 0, revalidations = 0
        for u in urls {
            guard let r = records[u] else { requests.append(FetchRequest(url: u)); continue }
            switch r.status {
            case .done:
                guard let hash = r.outputHash, let state = DownloadImageState(record: r, source: .reused),
                      blobs.contains(hash, size: state.bytes) else {
                    requests.append(FetchRequest(url: u)); continue
                }
                let meta = r.meta?.objectValue ?? [:]
                let fetchedAt = meta["fetched_at"]?.doubleValue ?? r.updatedAt
                if t - fetchedAt >= revalidateAfter {
                    let etag = meta["etag"]?.stringValue, lm = meta["last_modified"]?.stringValue
                    requests.append(FetchRequest(url: u, etag: etag, lastModified: lm))
                    previous[u] = r
                    revalidations += 1
                } else {
                    settled[u] = state
                    reused += 1
                }
            case .failed:
                let permanent = FailureReason(rawValue: r.errorClass ?? "").map { !$0.isTransient } ?? false
                if permanent, t - r.updatedAt < retryFailedAfter, let state = DownloadImageState(record: r, source: .knownDead) {
                    settled[u] = state
                    dead += 1
                } else {
                    requests.append(FetchRequest(url: u))
                }
            case .pending:
                requests.append(FetchRequest(url: u))
            }
        }
        return DownloadPlan(urls: urls, settled: settled, previous: previous, requests: requests,
                            reused: reused, knownDead: dead, revalidations: revalidations)
    }
}
