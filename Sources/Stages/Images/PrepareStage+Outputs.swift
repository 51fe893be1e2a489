import Foundation
import Imaging
import Pipeline

extension PrepareStage {
    /// Counts of what was written.
    struct Written { var total = 0 }

    /// Writes tensors per split, aligned jsonl rows, classes.json, failures.jsonl and the contact sheet.
    func writeOutputs(_ items: [PrepareStage.Item], _ outcomes: [String: PrepareOutcome], _ ctx: StageContext) throws -> Written {
        let tensors = ctx.output("tensors")
        try FileManager.default.createDirectory(at: tensors, withIntermediateDirectories: true)
        let classes = Array(Set(items.map(\.label))).sorted()
        let classIndex = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })

        // Which products made it, and why the others did not.
        var failures = ""
        var failureCounts: [String: Int] = [:]
        var kept: [String: [(item: PrepareStage.Item, thumbnail: ThumbnailRef)]] = [:]
        var unknownSplits = 0
        for item in items {
            var reason: String, detail: String
            if let m = item.missing {
                (reason, detail) = m
            } else if let sha = item.sha256, let o = outcomes[sha] {
                switch o {
                case .thumbnail(let ref):
                    if ["train", "test", "val"].contains(item.split) { kept[item.split, default: []].append((item, ref)); continue }
                    unknownSplits += 1
                    (reason, detail) = ("no_split", "split value '\(item.split)' is not train, test or val")
                case .failed(let r, let d): (reason, detail) = (r, d)
                }
            } else {
                (reason, detail) = ("not_decoded", "no decode outcome")
            }
            failureCounts[reason, default: 0] += 1
            failures += "{\"id\": "; JSONValue.quote(item.id, into: &failures)
            failures += ", \"sha256\": "
            if let s = item.sha256 { JSONValue.quote(s, into: &failures) } else { failures += "null" }
            failures += ", \"reason\": "; JSONValue.quote(reason, into: &failures)
            failures += ", \"detail\": "; JSONValue.quote(detail, into: &failures)
            failures += "}\n"
        }
        try FileIO.writeAtomically(Data(failures.utf8), to: ctx.output("failures"))

        var splits = ["train", "test"]
        if kept["val"]?.isEmpty == false { splits.append("val") }
        var counts: [String: [String: Int]] = [:]
        var written = Written()
        let s = target.size
        for split in splits {
            let rows = kept[split] ?? []
            try ctx.checkCancellation()
            let url = tensors.appendingPathComponent("\(split)_images.npy")
            try writeImages(rows, to: url, ctx)
            var labels = [Int32](); labels.reserveCapacity(rows.count)
            var table = ""
            var perClass: [String: Int] = Dictionary(uniqueKeysWithValues: classes.map { ($0, 0) })
            for (item, _) in rows {
                let index = classIndex[item.label] ?? 0
                labels.append(Int32(index))
                perClass[item.label, default: 0] += 1
                table += "{\"id\": "; JSONValue.quote(item.id, into: &table)
                table += ", \"label\": "; JSONValue.quote(item.label, into: &table)
                table += ", \"label_index\": \(index), \"sha256\": "; JSONValue.quote(item.sha256 ?? "", into: &table)
                table += "}\n"
            }
            try NpyFile.write(labels, shape: [labels.count], to: tensors.appendingPathComponent("\(split)_labels.npy"))
            try FileIO.writeAtomically(Data(table.utf8), to: tensors.appendingPathComponent("\(split).jsonl"))
            counts[split] = perClass
            written.total += rows.count
            ctx.summarize(split, .int(rows.count))
        }
        try FileIO.writeAtomically(Data(classesJSON(classes, counts, splits).utf8), to: tensors.appendingPathComponent("classes.json"))

        let sheet = try PrepareContactSheet.html(classes: classes, kept: kept["train", default: []] + kept["test", default: []] + kept["val", default: []],
                                                 samplesPerClass: samplesPerClass, size: s, failureCounts: failureCounts, blobs: ctx.blobs)
        try FileIO.writeAtomically(Data(sheet.utf8), to: ctx.output("contact_sheet"))

        ctx.summarize("products", .int(items.count))
        ctx.summarize("prepared", .int(written.total))
        ctx.summarize("failed", .int(items.count - written.total))
        ctx.summarize("failures_by_reason", .object(failureCounts.mapValues { .int($0) }))
        ctx.summarize("classes", .array(classes.map { .string($0) }))
        ctx.summarize("size", .int(s))
        ctx.summarize("mode", .string(target.mode.rawValue))
        if !failureCounts.isEmpty {
            let list = failureCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            ctx.log("\(items.count - written.total) of \(items.count) products lost: \(list)", level: .warning)
        }
        return written
    }

    /// Writes the rows' thumbnails, in order, as a uint8 [rows, size, size, 3] tensor at `url`. A reader thread
    /// reads them from their packs into a few 4 MiB buffers, this thread appends each to the file (one writer:
    /// several threads writing one file only queue on its lock), and another hashes the same buffers, so the
    /// commit takes the tensor's hash without reading the biggest output again.
    func writeImages(_ rows: [(item: PrepareStage.Item, thumbnail: ThumbnailRef)], to url: URL, _ ctx: StageContext) throws {
        let s = target.size, rowBytes = s * s * 3
        let header = NpyFile.header(dtype: .uint8, shape: [rows.count, s, s, 3])
        let images = try NpyWriter(url: url, dtype: .uint8, shape: [rows.count, s, s, 3])
        // Three threads overlap: one reads the rows from their packs into buffers in tensor order, this one
        // writes each filled buffer out, and the hasher's thread hashes it (then the buffer goes round again).
        let hasher = BufferedHasher(buffers: 4, capacity: max(4 << 20, rowBytes))
        let filled = Handoff<FilledBuffer>()
        let refs = rows.map(\.thumbnail), ids = rows.map(\.item.id), blobs = ctx.blobs, stage = ctx.stageName
        let readerDone = DispatchSemaphore(value: 0)
        let reader = Thread {
            defer { readerDone.signal() }
            do {
                try Self.readRows(refs, ids: ids, header: header, rowBytes: rowBytes, from: blobs, into: hasher, filled, stage: stage)
                filled.close()
            } catch { filled.close(failing: error) }
        }
        reader.name = "vitrine.prepare.rows"
        reader.start()
        // Stopping the hasher also ends a reader waiting for a buffer when this thread gives up.
        defer { hasher.stop(); readerDone.wait() }
        while let f = try filled.take() {
            try ctx.checkCancellation()  // (the task's cancellation is visible on this thread only)
            try images.append(UnsafeRawBufferPointer(rebasing: f.buffer[f.start..<f.end]))
            hasher.submit(f.buffer, count: f.end)
        }
        try images.finish()
        ctx.recordHash(of: url, hash: hasher.hex())
    }

    /// A buffer of the tensor's bytes in file order, with the range of it still to write (the first one starts with
    /// the header, which `NpyWriter` writes itself; the hash needs it).
    typealias FilledBuffer = (buffer: UnsafeMutableRawBufferPointer, start: Int, end: Int)

    /// Fills `hasher`'s buffers with the npy `header` (which `NpyWriter` writes itself, so it starts the first
    /// buffer's unwritten part after it) and then each row `refs` names, read from its pack, and gives each
    /// buffer to `filled` with the range still to write. Returns early when the hasher was stopped.
    static func readRows(_ refs: [ThumbnailRef], ids: [String], header: Data, rowBytes: Int, from blobs: BlobStore,
                         into hasher: BufferedHasher, _ filled: Handoff<FilledBuffer>,
                         stage: String) throws {
        guard var buffer = hasher.buffer() else { return }
        header.withUnsafeBytes { buffer.copyMemory(from: $0) }
        var start = header.count, used = header.count
        let packs = PackReader(blobs: blobs, rowBytes: rowBytes)
        for (r, ref) in refs.enumerated() {
            if used + rowBytes > buffer.count {
                filled.give((buffer, start, used))
                guard let next = hasher.buffer() else { return }
                (buffer, start, used) = (next, 0, 0)
            }
            guard let row = buffer.baseAddress?.advanced(by: used) else { return }  // (never: buffers are allocated)
            do { try packs.read(ref, into: row) } catch {
                throw StageError.failed(stage: stage, item: ids[r], reason: "thumbnail \(ref.row) of blob \(ref.blob): \(error)")
            }
            used += rowBytes
        }
        filled.give((buffer, start, used))
    }

    /// `{"classes": [...], "counts": {"train": {...}, "test": {...}}}` with keys in class order.
    func classesJSON(_ classes: [String], _ counts: [String: [String: Int]], _ splits: [String]) -> String {
        var out = "{\"classes\": ["
        for (i, c) in classes.enumerated() { if i > 0 { out += ", " }; JSONValue.quote(c, into: &out) }
        out += "], \"counts\": {"
        for (k, split) in splits.enumerated() {
            if k > 0 { out += ", " }
            JSONValue.quote(split, into: &out); out += ": {"
            for (i, c) in classes.enumerated() {
                if i > 0 { out += ", " }
                JSONValue.quote(c, into: &out); out += ": \(counts[split]?[c] ?? 0)"
            }
            out += "}"
        }
        out += "}}\n"
        return out
    }
}
