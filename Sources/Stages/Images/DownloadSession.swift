import Foundation
import ImageFetch
import Pipeline

/// Runs one download plan: drives an `ImageFetcher` on its own thread, stores each image in the
/// blob store, journals every URL's outcome in batches, and reports progress. The mutable state
/// is touched only by the fetch thread until `run` returns.
final class DownloadSession: @unchecked Sendable {
    let plan: DownloadPlan
    let options: FetchOptions
    let ctx: StageContext
    /// Final state per URL (settled ones from the plan plus everything fetched).
    private(set) var states: [String: DownloadImageState]
    private(set) var fetched = 0
    private(set) var notModified = 0
    private(set) var failedURLs = 0
    private(set) var keptAfterFailedRevalidation = 0
    private(set) var bytesDownloaded = 0
    private(set) var attempts = 0
    private var failedByReason: [String: Int] = [:]
    private var storeError: (any Error)?
    private var handled = 0
    private var lastProgress = Date.distantPast
    private let started = Date()

    init(plan: DownloadPlan, options: FetchOptions, ctx: StageContext) {
        self.plan = plan; self.options = options; self.ctx = ctx
        states = plan.settled
    }

    /// Fetches everything in the plan; throws `StageError.cancelled` when the task is cancelled
    /// (after flushing the journal, so finished URLs are not fetched again on resume).
    func run() async throws {
        let fetcher = try ImageFetcher(options: options)
        let batcher = JournalBatcher(ctx.journal, maxCount: 256, maxAge: 0.5)
        let requests = plan.requests
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Void, any Error>) in
                let thread = Thread { [self] in
                    do {
                        try fetcher.fetch(requests) { self.handle($0, batcher, fetcher) }
                        try batcher.flush()
                        cont.resume()
                    } catch {
                        try? batcher.flush()
                        cont.resume(throwing: error)
                    }
                }
                thread.name = "images.download"
                thread.start()
            }
        } onCancel: {
            fetcher.cancel()
        }
        if let storeError { throw StageError.failed(stage: ctx.stageName, item: nil, reason: "storing images: \(storeError)") }
        if fetcher.isCancelled { throw StageError.cancelled(stage: ctx.stageName) }
        report(force: true)
    }

    /// Failure counts by reason among fetched URLs.
    var failuresByReason: [String: Int] { failedByReason }

    private func handle(_ r: FetchResult, _ batcher: JournalBatcher, _ fetcher: ImageFetcher) {
        handled += 1
        attempts += r.attempts
        bytesDownloaded += r.bytesReceived
        let now = Date().timeIntervalSince1970
        var meta: [String: JSONValue] = ["fetched_at": .double(now)]
        if let e = r.etag { meta["etag"] = .string(e) }
        if let lm = r.lastModified { meta["last_modified"] = .string(lm) }
        if let s = r.httpStatus { meta["http_status"] = .int(s) }
        var record: ItemRecord?
        switch r.outcome {
        case .image(let data, let info):
            let hash: String
            do { hash = try ctx.blobs.put(data) } catch {
                storeError = storeError ?? error
                fetcher.cancel()
                return
            }
            meta["format"] = .string(info.format.rawValue)
            meta["width"] = .int(info.width); meta["height"] = .int(info.height); meta["bytes"] = .int(data.count)
            states[r.url] = DownloadImageState(ok: true, sha256: hash, format: info.format.rawValue, width: info.width,
                                               height: info.height, bytes: data.count, reason: nil, detail: nil, source: .fetched)
            record = ItemRecord(key: r.url, status: .done, attempts: r.attempts, outputHash: hash, meta: .object(meta))
            fetched += 1
            ctx.announce(hash, bytes: data)   // the bytes `put` just hashed: prepare need not read them back
        case .notModified:
            guard var prev = plan.previous[r.url], let state = DownloadImageState(record: prev, source: .notModified) else { return }
            var old = prev.meta?.objectValue ?? [:]
            for (k, v) in meta { old[k] = v }
            prev.meta = .object(old)
            prev.attempts = r.attempts
            prev.updatedAt = now
            states[r.url] = state
            record = prev
            notModified += 1
        case .failed(let f):
            if f.reason.isTransient, let prev = plan.previous[r.url], let state = DownloadImageState(record: prev, source: .reused) {
                states[r.url] = state  // revalidation failed transiently: keep the stored image, revalidate next run
                keptAfterFailedRevalidation += 1
            } else {
                states[r.url] = DownloadImageState(ok: false, sha256: nil, format: nil, width: nil, height: nil, bytes: nil,
                                                   reason: f.reason.rawValue, detail: f.detail, source: .failed)
                record = ItemRecord(key: r.url, status: .failed, attempts: r.attempts, errorClass: f.reason.rawValue,
                                    errorDetail: f.detail, meta: .object(meta))
                failedURLs += 1
                failedByReason[f.reason.rawValue, default: 0] += 1
            }
        }
        if let record {
            do { try batcher.add(record) } catch {
                storeError = storeError ?? error
                fetcher.cancel()
            }
        }
        report(force: false)
    }

    /// Progress line: done/total, images/s, bytes/s, ETA and failures by reason (at most twice a second).
    private func report(force: Bool) {
        let now = Date()
        guard force || now.timeIntervalSince(lastProgress) >= 0.5 else { return }
        lastProgress = now
        let secs = max(now.timeIntervalSince(started), 1e-3)
        let rate = Double(handled) / secs
        let total = plan.requests.count
        let eta = rate > 0 ? Double(total - handled) / rate : 0
        var note = String(format: "%.0f img/s, %.2f MB/s, ETA %.0fs", rate, Double(bytesDownloaded) / secs / 1e6, eta)
        if !failedByReason.isEmpty {
            note += ", failed: " + failedByReason.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        }
        ctx.progress(handled, of: total, unit: "images", note: note)
    }
}
