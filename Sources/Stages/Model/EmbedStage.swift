import Foundation
import Imaging
import NeuralNet
import Pipeline

/// `model.embed`: L2-normalised pooled backbone features for every product with a usable image,
/// batched. Incremental: each image's vector is journaled under model fingerprint + image sha256,
/// so a nightly run embeds only new images or everything after the model changed.
public struct EmbedStage: Stage {
    public static let typeName = "model.embed"
    /// Implementation version (bump when outputs change for the same inputs). 2: JPEGs decoded at SIMD scales only.
    public static let version = 2
    public static let summary = "Embed every downloaded product image with a trained model (L2-normalised float32 .npy + ids)"
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("model", .artifact, doc: "model folder from model.train"),
        ParameterSpec("images", .artifact, doc: "images.jsonl from images.download"),
        ParameterSpec("products", .artifact, optional: true, doc: "products table: only its ids are embedded (default: every downloaded image)"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "id column of the products table"),
        ParameterSpec("mode", .choice(FitMode.allCases.map(\.rawValue)), default: .string("pad"), doc: "thumbnail fit: pad | crop | stretch"),
        ParameterSpec("batch_size", .int, default: .int(32), doc: "images per inference batch"),
    ]
    public static let outputs: [OutputSpec] = [
        OutputSpec("embeddings", file: "embeddings.npy", doc: "float32 [N, D], rows L2-normalised"),
        OutputSpec("ids", file: "ids.jsonl", tabular: true, doc: "{id, sha256} per embedding row"),
    ]

    let idColumn: String
    let mode: FitMode
    let batchSize: Int

    public init(parameters p: StageParameters) throws {
        idColumn = try p.string("id_column")
        let m = try p.string("mode")
        guard let mode = FitMode(rawValue: m) else {
            throw StageError.invalidParameter(stage: p.stageName, parameter: "mode", reason: "expected pad, crop or stretch, got \(m)")
        }
        self.mode = mode
        batchSize = try p.int("batch_size")
        guard batchSize >= 1 else { throw StageError.invalidParameter(stage: p.stageName, parameter: "batch_size", reason: "must be at least 1") }
    }

    public func run(in ctx: StageContext) async throws {
        BLAS.setThreads(ctx.threads)
        let (network, info) = try ModelFolder.load(try ctx.input("model"), stage: ctx.stageName)
        var rows = try readImages(try ctx.input("images"))
        if let products = try ctx.optionalInput("products") {
            let keep = try readIDs(products)
            rows = rows.filter { keep.contains($0.id) }
        }
        let fp = String(info.fingerprint.prefix(16))
        func key(_ sha: String) -> String { fp + ":v\(Self.version):" + sha }
        var unique: [String] = []
        var seen = Set<String>()
        for r in rows where seen.insert(r.sha).inserted { unique.append(r.sha) }
        let known = try ctx.journal.records(for: unique.map(key))
        var vectors: [String: [Float]] = [:]
        var failed: [String: String] = [:]
        let dim = network.featureDim
        for sha in unique {
            guard let r = known[key(sha)] else { continue }
            if r.status == .failed { failed[sha] = r.errorClass ?? "failed"; continue }
            if r.status == .done, let h = r.outputHash, let d = try? ctx.blobs.data(for: h), d.count == dim * 4 {
                vectors[sha] = d.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            }
        }
        let pending = unique.filter { vectors[$0] == nil && failed[$0] == nil }
        ctx.log("\(rows.count) products, \(unique.count) distinct images: \(unique.count - pending.count) already embedded, \(pending.count) to do")
        let batcher = JournalBatcher(ctx.journal)
        let evaluator = Evaluator(network: network, imageBatch: ImageBatch(mean: info.mean, std: info.std))
        let size = info.input_size
        var done = 0
        for start in stride(from: 0, to: pending.count, by: batchSize) {
            try ctx.checkCancellation()
            var pixels: [UInt8] = [], ok: [String] = []
            for sha in pending[start..<min(pending.count, start + batchSize)] {
                do {
                    let thumb = try makeThumbnail(try ctx.blobs.data(for: sha), size: size, mode: mode)
                    pixels += thumb.pixels; ok.append(sha)
                } catch {
                    failed[sha] = "undecodable"
                    try batcher.add(ItemRecord(key: key(sha), status: .failed, errorClass: "undecodable", errorDetail: "\(error)"))
                }
            }
            if !ok.isEmpty {
                var feats = evaluator.features(pixels, height: size, width: size, batchSize: ok.count)
                for (i, sha) in ok.enumerated() {
                    let v = Self.normalize(&feats, row: i, dim: dim)
                    vectors[sha] = v
                    let blob = try ctx.blobs.put(v.withUnsafeBytes { Data($0) })
                    try batcher.add(ItemRecord(key: key(sha), status: .done, outputHash: blob))
                }
            }
            done += ok.count
            ctx.progress(min(start + batchSize, pending.count), of: pending.count, unit: "images")
        }
        try batcher.flush()
        var matrix: [Float] = [], ids = ""
        var count = 0
        for r in rows {
            guard let v = vectors[r.sha] else { continue }
            matrix += v; count += 1
            ids += "{\"id\": "; JSONValue.quote(r.id, into: &ids); ids += ", \"sha256\": "; JSONValue.quote(r.sha, into: &ids); ids += "}\n"
        }
        try NpyFile.write(matrix, shape: [count, dim], to: ctx.output("embeddings"))
        try FileIO.writeAtomically(Data(ids.utf8), to: ctx.output("ids"))
        ctx.summarize("embedded", .int(count))
        ctx.summarize("computed_now", .int(done))
        ctx.summarize("undecodable", .int(failed.count))
        ctx.summarize("dim", .int(dim))
        ctx.summarize("model_fingerprint", .string(info.fingerprint))
    }

    /// Row `row` of `feats` scaled to unit length (zero rows stay zero).
    static func normalize(_ feats: inout [Float], row: Int, dim: Int) -> [Float] {
        var v = Array(feats[(row * dim)..<((row + 1) * dim)])
        var s: Float = 0
        for x in v { s += x * x }
        let inv = s > 0 ? 1 / s.squareRoot() : 0
        for i in 0..<dim { v[i] *= inv }
        return v
    }

    /// (id, sha256) of downloaded images with status ok, in table order.
    func readImages(_ url: URL) throws -> [(id: String, sha: String)] {
        try jsonLines(url).compactMap { o in
            guard (o["status"] as? String) == "ok", let sha = o["sha256"] as? String, !sha.isEmpty else { return nil }
            let id = (o["id"] as? String) ?? (o["id"].map { "\($0)" } ?? "")
            return id.isEmpty ? nil : (id, sha)
        }
    }

    /// Ids in a products table.
    func readIDs(_ url: URL) throws -> Set<String> {
        Set(try jsonLines(url).compactMap { o in
            if let s = o[idColumn] as? String { return s }
            if let n = o[idColumn] as? NSNumber { return n.stringValue }
            return nil
        })
    }

    private func jsonLines(_ url: URL) throws -> [[String: Any]] {
        let text = String(decoding: try Data(contentsOf: url), as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        }
    }
}
