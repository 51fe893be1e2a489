import Catalog
import Foundation
import Imaging
import Pipeline

/// `images.prepare`: decodes every downloaded product image into a square RGB thumbnail and
/// writes uint8 NHWC `.npy` tensors per split, aligned id tables, class names and counts, a
/// failure table and an HTML contact sheet. Thumbnails are journaled per image (sha256 + size +
/// mode) and stored as blobs, so a killed run resumes without decoding again.
public struct PrepareStage: Stage {
    /// Registered name: `images.prepare`.
    public static let typeName = "images.prepare"
    /// Implementation version (bump when outputs change for the same inputs). 2: JPEGs decoded at SIMD scales only.
    public static let version = 2
    /// One line for `vitrine stages`.
    public static let summary = "Decode downloaded images into size×size RGB tensors per split (.npy), with failures and a contact sheet"
    /// Parameters under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("input", .artifact, doc: "products table with label and split columns (dataset.split output)"),
        ParameterSpec("images", .artifact, doc: "images.jsonl from images.download (joined on id)"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "product id column"),
        ParameterSpec("label_column", .string, default: .string("label"), doc: "class label column"),
        ParameterSpec("split_column", .string, default: .string("split"), doc: "split column (train/test/val)"),
        ParameterSpec("size", .int, default: .int(128), doc: "side of the square thumbnail in pixels"),
        ParameterSpec("mode", .choice(FitMode.allCases.map(\.rawValue)), default: .string("pad"),
                      doc: "pad (keep aspect on white) | crop (centre) | stretch"),
        ParameterSpec("threads", .int, optional: true, doc: "decoding threads (default: the run's thread budget)"),
        ParameterSpec("samples_per_class", .int, default: .int(12), doc: "thumbnails per class on the contact sheet"),
        ParameterSpec("max_failure_rate", .double, default: .double(1.0),
                      doc: "fail the stage when more than this fraction of products has no usable image"),
        ParameterSpec("work_ahead", .bool, default: .bool(true),
                      doc: "decode images while images.download (in the same run) is still storing them"),
    ]
    /// Outputs: the tensors folder, the failure table and the contact sheet.
    public static let outputs: [OutputSpec] = [
        OutputSpec("tensors", file: "tensors",
                   doc: "train/test(/val)_images.npy uint8 [N,S,S,3], *_labels.npy int32 [N], train/test.jsonl, classes.json"),
        OutputSpec("failures", file: "failures.jsonl", tabular: true, doc: "products without a usable image: id, sha256, reason, detail"),
        OutputSpec("contact_sheet", file: "contact_sheet.html", doc: "sample thumbnails per class, inline, for a quick look"),
    ]

    let idColumn: String
    let labelColumn: String
    let splitColumn: String
    let target: FitTarget
    let threads: Int?
    let samplesPerClass: Int
    let maxFailureRate: Double
    let decodeAhead: Bool

    /// Validates size, mode and threads.
    public init(parameters p: StageParameters) throws {
        idColumn = try p.string("id_column")
        labelColumn = try p.string("label_column")
        splitColumn = try p.string("split_column")
        let size = try p.int("size")
        guard (1...4096).contains(size) else {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "size", reason: "must be 1...4096, got \(size)")
        }
        let modeName = try p.string("mode")
        guard let mode = FitMode(rawValue: modeName) else {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "mode", reason: "expected pad, crop or stretch, got \(modeName)")
        }
        target = FitTarget(size: size, mode: mode)
        threads = try p.optionalInt("threads")
        if let t = threads, t < 1 {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "threads", reason: "must be at least 1")
        }
        samplesPerClass = max(0, try p.int("samples_per_class"))
        maxFailureRate = try p.double("max_failure_rate")
        decodeAhead = try p.bool("work_ahead")
    }

    /// One product row to prepare.
    struct Item {
        let id: String
        let label: String
        let split: String
        let sha256: String?
        /// Why the product has no image before decoding (download failure), if so.
        let missing: (reason: String, detail: String)?
    }

    /// Joins products with downloads, decodes (resuming from the journal) and writes every output.
    public func run(in ctx: StageContext) async throws {
        let items = try loadItems(ctx)
        ctx.log("preparing \(items.count) products at \(target.size)px \(target.mode.rawValue)")
        let outcomes = try await decodeAll(items, ctx)
        try ctx.checkCancellation()
        let written = try writeOutputs(items, outcomes, ctx)
        let failed = items.count - written.total
        if !items.isEmpty, Double(failed) / Double(items.count) > maxFailureRate {
            throw StageError.tooManyFailures(stage: ctx.stageName, failed: failed, total: items.count, threshold: maxFailureRate)
        }
    }

    /// Products joined with their download rows.
    func loadItems(_ ctx: StageContext) throws -> [Item] {
        let products = try JSONLinesWriter.read(try ctx.input("input"))
        let images = try JSONLinesWriter.read(try ctx.input("images"))
        for column in [idColumn, labelColumn, splitColumn] where products.count > 0 && products.columnIndex(column) == nil {
            throw StageError.failed(stage: ctx.stageName, item: nil, reason: "products table has no column '\(column)'")
        }
        var downloads: [String: (status: String, sha: String?, reason: String?, detail: String?)] = [:]
        let imgIds = images.strings("id"), statuses = images.strings("status"), shas = images.strings("sha256")
        let reasons = images.strings("reason"), details = images.strings("detail")
        for r in 0..<images.count {
            guard let id = imgIds[r] else { continue }
            downloads[id] = (statuses[r] ?? "", shas[r], reasons[r], details[r])
        }
        let ids = products.strings(idColumn), labels = products.strings(labelColumn), splits = products.strings(splitColumn)
        var items: [Item] = []
        items.reserveCapacity(products.count)
        var unlabelled = 0
        for r in 0..<products.count {
            guard let id = ids[r], let label = labels[r], !label.isEmpty else { unlabelled += 1; continue }
            let split = splits[r] ?? ""
            guard let d = downloads[id] else {
                items.append(Item(id: id, label: label, split: split, sha256: nil, missing: ("not_downloaded", "no row in images table")))
                continue
            }
            if d.status == "ok", let sha = d.sha, !sha.isEmpty {
                items.append(Item(id: id, label: label, split: split, sha256: sha, missing: nil))
            } else {
                let why = d.reason.map { "download: \($0)" } ?? "download: \(d.status)"
                items.append(Item(id: id, label: label, split: split, sha256: d.sha, missing: ("not_downloaded", why + (d.detail.map { " (\($0))" } ?? ""))))
            }
        }
        ctx.summarize("skipped_without_id_or_label", .int(unlabelled))
        if unlabelled > 0 { ctx.log("\(unlabelled) products without an id or label were skipped", level: .warning) }
        return items
    }
}
