import Foundation
import Imaging
import Pipeline

/// What happened to one image: a stored thumbnail, or a failure class with detail.
enum PrepareOutcome: Sendable {
    case thumbnail(ThumbnailRef)
    case failed(reason: String, detail: String)
}

/// What decoding one image gave: its thumbnail, in the pack's next row (to be added), or a failure and its journal record.
enum DecodeResult {
    case decoded
    case failed(PrepareOutcome, ItemRecord)
}

/// Collects outcomes from decoding threads.
private final class OutcomeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: PrepareOutcome] = [:]
    func set(_ key: String, _ v: PrepareOutcome) { lock.withLock { values[key] = v } }
    var all: [String: PrepareOutcome] { lock.withLock { values } }
}

extension PrepareStage {
    /// Journal key of one image at this stage's size and mode (and implementation version, so a
    /// changed decoder never reuses old thumbnails).
    func journalKey(_ sha: String) -> String { "\(sha):\(target.size):\(target.mode.rawValue):v\(Self.version)" }

    /// Decodes every distinct image hash (reusing journaled thumbnails), in parallel over the thread budget, from
    /// the bytes the download handed over when it did (`StageContext.handedOver`), else from the blob store.
    /// Returns outcomes by sha256.
    func decodeAll(_ items: [PrepareStage.Item], _ ctx: StageContext) async throws -> [String: PrepareOutcome] {
        var seen = Set<String>()
        var hashes: [String] = []
        for item in items where item.missing == nil { if let s = item.sha256, seen.insert(s).inserted { hashes.append(s) } }
        let box = OutcomeBox()
        let existing = try ctx.journal.records(for: hashes.map(journalKey))
        var todo: [String] = []
        var ahead = 0
        var packs = PackCheck(blobs: ctx.blobs, rowBytes: target.size * target.size * 3)
        for sha in hashes {
            let record = existing[journalKey(sha)]
            guard let outcome = reusable(record, &packs) else { todo.append(sha); continue }
            box.set(sha, outcome)
            if ctx.runID != 0, record?.meta?.objectValue?[Self.aheadRunKey] == .int(Int(ctx.runID)) { ahead += 1 }
        }
        let reused = hashes.count - todo.count - ahead
        let handed = todo.reduce(0) { $0 + (ctx.handedOver[$1] != nil ? 1 : 0) }
        ctx.log("\(hashes.count) distinct images: \(reused) from earlier runs, \(ahead) decoded ahead while the images downloaded, "
                + "\(todo.count) to decode (\(handed) from bytes the download handed over, the rest read back from the store)")
        let thumbnailer = Thumbnailer(size: target.size, mode: target.mode)
        let batcher = JournalBatcher(ctx.journal, maxCount: 256, maxAge: 1.0)
        let workers = max(1, threads ?? ctx.threads)
        let started = Date()
        var done = 0
        let chunk = 512
        var start = 0
        while start < todo.count {
            try ctx.checkCancellation()
            let slice = Array(todo[start..<min(todo.count, start + chunk)])
            let tally = WorkerTally()
            DispatchQueue.concurrentPerform(iterations: min(workers, slice.count)) { _ in
                let pack = ThumbnailPack(blobs: ctx.blobs, rowBytes: target.size * target.size * 3)
                func keep(_ stored: [ThumbnailPack.Stored]) throws {
                    for s in stored { box.set(s.sha, .thumbnail(s.ref)); try batcher.add(s.record) }
                }
                do {
                    while let i = tally.take(below: slice.count) {
                        let sha = slice[i]
                        switch decodeOne(sha, thumbnailer, ctx, bytes: ctx.handedOver[sha], into: pack) {
                        case .decoded: try keep(try pack.add(sha: sha, key: journalKey(sha)))
                        case .failed(let outcome, let record): box.set(sha, outcome); try batcher.add(record)
                        }
                    }
                    try keep(try pack.flush())
                } catch {
                    tally.fail(error)  // I/O failure writing blobs or the journal: the stage fails, the journal keeps progress
                }
            }
            try batcher.flush()
            if let e = tally.error { throw e }
            done += slice.count
            start += chunk
            let rate = Double(done) / max(1e-6, Date().timeIntervalSince(started))
            ctx.progress(reused + done, of: hashes.count, unit: "images", note: String(format: "%.0f img/s", rate))
        }
        if !todo.isEmpty {
            ctx.metric("decode_images_per_second", Double(todo.count) / max(1e-6, Date().timeIntervalSince(started)))
        }
        ctx.summarize("decoded", .int(todo.count + ahead))
        ctx.summarize("decoded_ahead", .int(ahead))
        ctx.summarize("reused_from_journal", .int(reused))
        return box.all
    }
}

extension PrepareStage {
    /// Decodes one stored image into the next row of `pack` (`.decoded`: the caller adds it), or a failure class:
    /// from `bytes` when the download handed them over (they hash to `sha`), else from the blob store, checked
    /// against `sha`.
    func decodeOne(_ sha: String, _ thumbnailer: Thumbnailer, _ ctx: StageContext, bytes: Data? = nil,
                   into pack: ThumbnailPack) -> DecodeResult {
        do {
            guard let data = bytes ?? ctx.blobs.verifiedData(for: sha) else { throw PrepareMissingBlob() }
            try pack.fillNextRow { try thumbnailer.thumbnail(data, into: $0) }
            return .decoded
        } catch let e as ImagingError {
            return .failed(.failed(reason: e.reason, detail: e.description),
                           ItemRecord(key: journalKey(sha), status: .failed, errorClass: e.reason, errorDetail: e.description))
        } catch is PrepareMissingBlob {
            let detail = "no intact stored image bytes for \(sha) (missing, cut short or damaged on disk)"
            return .failed(.failed(reason: PrepareMissingBlob.reason, detail: detail),
                           ItemRecord(key: journalKey(sha), status: .failed, errorClass: PrepareMissingBlob.reason, errorDetail: detail))
        } catch {
            return .failed(.failed(reason: "decode_error", detail: "\(error)"),
                           ItemRecord(key: journalKey(sha), status: .failed, errorClass: "decode_error", errorDetail: "\(error)"))
        }
    }

    /// The outcome a journal record already holds for `sha`, when it can be reused (a whole thumbnail blob,
    /// or a decoding failure; never a missing blob, which a later run tries again).
    func reusable(_ record: ItemRecord?, _ packs: inout PackCheck) -> PrepareOutcome? {
        guard let r = record else { return nil }
        if let ref = ThumbnailRef(record: r), ref.row < ref.rows, packs.isWhole(ref) { return .thumbnail(ref) }
        if r.status == .failed, let reason = r.errorClass, reason != PrepareMissingBlob.reason { return .failed(reason: reason, detail: r.errorDetail ?? "") }
        return nil
    }
}

/// Whether thumbnail packs are stored whole (asked once per pack, not once per thumbnail).
struct PackCheck {
    let blobs: BlobStore
    let rowBytes: Int
    private var known: [String: Bool] = [:]

    init(blobs: BlobStore, rowBytes: Int) { self.blobs = blobs; self.rowBytes = rowBytes }

    /// Whether `ref`'s pack exists with exactly `rows` thumbnails' bytes.
    mutating func isWhole(_ ref: ThumbnailRef) -> Bool {
        if let k = known[ref.blob] { return k }
        let whole = blobs.contains(ref.blob, size: ref.rows * rowBytes)
        known[ref.blob] = whole
        return whole
    }
}

/// The download table names an image whose bytes are not in the blob store, or no longer hash to their name.
/// Journaled as a failure for the record, but never reused: a later run tries the blob again.
private struct PrepareMissingBlob: Error {
    /// The failure reason in the journal and the failure table.
    static let reason = "missing_blob"
}
