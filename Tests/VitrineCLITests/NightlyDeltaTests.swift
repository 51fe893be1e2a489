import Foundation
import Testing
import TestSupport

/// Two nights of the same pipeline over a changed catalog (products added, removed, one image URL
/// changed): the second night downloads, decodes and embeds only the delta and republishes the index.
/// Work is counted at the HTTP server and in the stages' summaries.
@Suite(.serialized) struct NightlyDeltaTests {
    static let pipeline = """
    params: { catalog: catalog.csv, server: "http://127.0.0.1:1/" }
    stages:
      load: { uses: catalog.load, with: { path: "${params.catalog}", format: csv, id_column: id } }
      download:
        uses: images.download
        with: { input: load.products, id_column: id, url_column: image, url_prefix: "${params.server}", allow_loopback: true }
      prepare:
        uses: images.prepare
        with: { input: load.products, images: download.images, id_column: id, label_column: label, split_column: split, size: 32 }
      train:
        uses: model.train
        with: { data: prepare.tensors, backbone: resnet18, width: 0.125, epochs: 1, batch_size: 4, hidden: [16], dropout: 0.1 }
      embed:
        uses: model.embed
        with: { model: train.model, images: download.images, products: load.products, id_column: id }
      publish:
        uses: index.publish
        with: { products: load.products, embeddings: embed.embeddings, model: train.model, path: live/index.sqlite, k: 3,
                id_column: id, title_column: title, type_column: label, brand_column: label }
    """

    /// Catalog rows `id,image,label,split,title` for product numbers `n` (image = data/demo/images/<n>.jpg).
    static func catalog(_ rows: [(id: Int, image: Int, split: String)]) -> String {
        "id,image,label,split,title\n" + rows.map { r in
            "\(r.id),images/\(r.image).jpg,\(["A", "B"][r.id % 2]),\(r.split),product \(r.id)\n"
        }.joined()
    }

    /// The summary of `stage`'s execution in run `run`, via `vitrine show --json`.
    func summary(_ stage: String, run: Int, in dir: URL) -> [String: Any] {
        guard let r = try? CLI.run(["show", String(run), "--json", "--pipeline", "p.yaml"], in: dir) else { return [:] }
        let obj = (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [String: Any]
        let stages = obj?["stages"] as? [[String: Any]] ?? []
        let e = stages.compactMap { $0["execution"] as? [String: Any] }.last { $0["stage"] as? String == stage }
        return e?["summary"] as? [String: Any] ?? [:]
    }

    @Test func secondNightDoesOnlyTheDelta() throws {
        let server = LoopbackHTTPServer(folder: CLI.root.appendingPathComponent("data/demo"))
        try server.start()
        defer { server.stop() }
        let dir = try TempDir.make("nightly")
        try Data(Self.pipeline.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let train = (0..<12).map { (id: 10000 + $0, image: 10000 + $0, split: "train") }
        let test = (12..<16).map { (id: 10000 + $0, image: 10000 + $0, split: "test") }
        try Data(Self.catalog(train + test).utf8).write(to: dir.appendingPathComponent("catalog.csv"))
        let set = ["--set", "server=\(server.url("/"))", "--log-format", "plain"]

        let night1 = try CLI.run(["run", "p.yaml"] + set, in: dir)
        #expect(night1.code == 0, "\(night1.err)")
        #expect(server.totalRequests == 16, "night 1 fetches every image once")
        #expect(summary("prepare", run: 1, in: dir)["decoded"] as? Int == 16)
        #expect(summary("embed", run: 1, in: dir)["computed_now"] as? Int == 16)

        // Night 2: two test products removed, three added, one test product's image URL changed.
        server.resetCounts()
        var night2Test = Array(test.dropFirst(2))
        night2Test[0].image = 10030
        night2Test += (40..<43).map { (id: 10000 + $0, image: 10000 + $0, split: "test") }
        try Data(Self.catalog(train + night2Test).utf8).write(to: dir.appendingPathComponent("catalog.csv"))
        let night2 = try CLI.run(["run", "p.yaml"] + set, in: dir)
        #expect(night2.code == 0, "\(night2.err)")

        #expect(server.totalRequests == 4, "only the 3 new URLs and the changed one are fetched")
        for n in [10030, 10040, 10041, 10042] { #expect(server.requestCount("/images/\(n).jpg") == 1) }
        let prepare = summary("prepare", run: 2, in: dir)
        #expect(prepare["decoded"] as? Int == 4, "\(prepare)")
        #expect(prepare["reused_from_journal"] as? Int == 13, "\(prepare)")
        let embed = summary("embed", run: 2, in: dir)
        #expect(embed["model_fingerprint"] as? String == summary("embed", run: 1, in: dir)["model_fingerprint"] as? String,
                "the training split did not change, so retraining gives the same weights")
        #expect(embed["computed_now"] as? Int == 4, "\(embed)")
        #expect(embed["embedded"] as? Int == 17, "\(embed)")

        // The republished index has the new products and not the removed ones.
        let added = try CLI.run(["similar", "--id", "10040", "--json", "--pipeline", "p.yaml"], in: dir)
        #expect(added.code == 0, "\(added.err)")
        let removed = try CLI.run(["similar", "--id", "10012", "--pipeline", "p.yaml"], in: dir)
        #expect(removed.code == 2, "\(removed.out)")
        // A photo query embeds with the run's model: the product's own photo comes first, at distance 0.
        let photo = CLI.root.appendingPathComponent("data/demo/images/10041.jpg").path
        let byPhoto = try CLI.run(["similar", "--image", photo, "--json", "-k", "3", "--pipeline", "p.yaml"], in: dir)
        #expect(byPhoto.code == 0, "\(byPhoto.err)")
        let first = (try? JSONSerialization.jsonObject(with: Data(byPhoto.out.utf8)) as? [[String: Any]])??.first
        #expect(first?["id"] as? String == "10041" && (first?["distance"] as? Double ?? 1) < 1e-3, "\(byPhoto.out)")
        let notAPhoto = try CLI.run(["similar", "--image", dir.appendingPathComponent("catalog.csv").path, "--pipeline", "p.yaml"], in: dir)
        #expect(notAPhoto.code == 2 && notAPhoto.err.contains("cannot use"), "\(notAPhoto.err)")
        let live = try CLI.run(["publish", "--pipeline", "p.yaml"], in: dir)
        #expect(live.out.contains("17 embeddings") && live.out.contains("run 2"), "\(live.out)")
    }
}
