import Foundation
import Imaging
import Pipeline

extension PrepareStage: WorksAhead {
    /// Decodes images as `images.download` stores them.
    public static let aheadInput = "images"

    /// The `work_ahead` parameter.
    public var worksAhead: Bool { decodeAhead }

    /// Meta key of journal records made ahead: the run that made them.
    static let aheadRunKey = "ahead_run"

    /// Decodes each image `feed` names (a sha256 just stored by the download) into its journaled thumbnail, on
    /// all but one of the stage's threads (the download's transfers keep one; with a budget of one thread
    /// it does nothing), skipping what the journal has. Images the download handed over in memory are decoded
    /// from those bytes (already hashed to their name); the rest are read back and checked.
    public func workAhead(on feed: ItemFeed, in ctx: StageContext) throws -> Int {
        let workers = (threads ?? ctx.threads) - 1
        guard workers > 0 else { return 0 }
        let thumbnailer = Thumbnailer(size: target.size, mode: target.mode)
        let batcher = JournalBatcher(ctx.journal, maxCount: 256, maxAge: 1.0)
        let done = WorkerTally(), fromMemory = WorkerTally()
        let mark: [String: JSONValue] = [Self.aheadRunKey: .int(Int(ctx.runID))]
        let rowBytes = target.size * target.size * 3
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            let pack = ThumbnailPack(blobs: ctx.blobs, rowBytes: rowBytes, meta: mark)
            var packs = PackCheck(blobs: ctx.blobs, rowBytes: rowBytes)
            do {
                while !done.failed, let entry = feed.take() {
                    let sha = entry.item, key = journalKey(sha)
                    if reusable(try ctx.journal.records(for: [key])[key], &packs) != nil { continue }
                    if entry.bytes != nil { fromMemory.add() }
                    switch decodeOne(sha, thumbnailer, ctx, bytes: entry.bytes, into: pack) {
                    case .decoded:
                        for s in try pack.add(sha: sha, key: key) { try batcher.add(s.record) }
                    case .failed(_, var record):
                        record.meta = .object(mark)
                        try batcher.add(record)
                    }
                    done.add()
                }
                for s in try pack.flush() { try batcher.add(s.record) }
            } catch {
                done.fail(error)
            }
        }
        try batcher.flush()
        if let e = done.error { throw e }
        ctx.log("\(fromMemory.count) of the images decoded ahead came as bytes from the download, the rest read back from the store")
        return done.count
    }
}
