import Foundation
import Testing
import TestSupport

/// `vitrine similar`, `report` and `publish --rollback` against a real run: a CSV catalog, the text
/// stage, embeddings written by a shell stage (so no model is needed) and a published index.
@Suite(.serialized) struct QueryCommandsTests {
    static let products = """
    id,title,type,brand
    p1,red cotton shirt for men,SHIRT,Acme
    p2,red linen shirt for men,SHIRT,Acme
    p3,blue denim jeans slim fit,PANTS,Denimco
    p4,black denim jeans straight,PANTS,Denimco
    p5,green wool winter coat,COAT,Warm
    p6,grey wool winter coat long,COAT,Warm

    """

    static let pipeline = """
    stages:
      load: { uses: catalog.load, with: { path: products.csv, format: csv, id_column: id } }
      text:
        uses: text.similarity
        with: { input: load.products, id_column: id, title_column: title, label_column: type, k: 3 }
      vectors:
        run: 'mkdir -p $VITRINE_OUT/vectors && cp vectors/embeddings.npy vectors/ids.jsonl $VITRINE_OUT/vectors/'
        outputs: [vectors]
      publish:
        uses: index.publish
        with:
          products: load.products
          embeddings: vectors.vectors
          text_neighbors: text.neighbours
          path: live/catalog.sqlite
          k: 3
          id_column: id
          title_column: title
          type_column: type
          brand_column: brand
    """

    /// A float32 .npy file (format 1.0) of `rows` × `dim` values.
    static func npy(_ values: [Float], rows: Int, dim: Int) -> Data {
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(dim)), }"
        header += String(repeating: " ", count: (64 - (10 + header.utf8.count + 1) % 64) % 64) + "\n"
        var d = Data([0x93]) + Data("NUMPY".utf8) + Data([1, 0])
        let length = UInt16(header.utf8.count)
        d.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        d.append(Data(header.utf8))
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { d.append(contentsOf: $0) } }
        return d
    }

    /// Writes vectors: pairs (p1,p2), (p3,p4), (p5,p6) point the same way, each pair off by `spread`.
    static func writeVectors(in dir: URL, spread: Float) throws {
        let folder = dir.appendingPathComponent("vectors")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var values: [Float] = []
        for axis in 0..<3 { for j in 0..<2 { var v: [Float] = [0, 0, 0]; v[axis] = 1; v[(axis + 1) % 3] = Float(j) * spread; values += v } }
        try npy(values, rows: 6, dim: 3).write(to: folder.appendingPathComponent("embeddings.npy"))
        try Data((1...6).map { "{\"id\":\"p\($0)\",\"sha256\":null}\n" }.joined().utf8).write(to: folder.appendingPathComponent("ids.jsonl"))
    }

    func prepared() throws -> URL {
        let dir = try TempDir.make("query")
        try Data(Self.products.utf8).write(to: dir.appendingPathComponent("products.csv"))
        try Data(Self.pipeline.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        try Self.writeVectors(in: dir, spread: 0.2)
        let r = try CLI.run(["run", "p.yaml", "--log-format", "plain"], in: dir)
        #expect(r.code == 0, "\(r.err)")
        return dir
    }

    @Test func similarAnswersVisuallyAndByText() throws {
        let dir = try prepared()
        let visual = try CLI.run(["similar", "--id", "p3", "--json", "--pipeline", "p.yaml"], in: dir)
        #expect(visual.code == 0, "\(visual.err)")
        let rows = try JSONSerialization.jsonObject(with: Data(visual.out.utf8)) as? [[String: Any]] ?? []
        #expect(rows.first?["id"] as? String == "p4", "\(visual.out)")
        #expect(rows.first?["title"] as? String == "black denim jeans straight")
        // p3 = (0,1,0), p4 = (0,1,0.2)/|…|: euclidean distance between the unit vectors.
        let n = Float(1.04).squareRoot()
        let expected = Double(((0 * 0) + (1 - 1 / n) * (1 - 1 / n) + (0.2 / n) * (0.2 / n)).squareRoot())
        #expect(abs((rows.first?["distance"] as? Double ?? -1) - expected) < 1e-4)
        #expect(rows.count == 3, "k is capped at what the index stores")

        let text = try CLI.run(["similar", "--text", "wool coat", "--method", "bow", "-k", "2", "--pipeline", "p.yaml"], in: dir)
        #expect(text.code == 0, "\(text.err)")
        let lines = text.out.split(separator: "\n").dropFirst(2)
        #expect(lines.count == 2 && lines.allSatisfy { $0.contains("wool") && $0.contains("coat") }, "\(text.out)")

        let byID = try CLI.run(["similar", "--id", "p1", "--method", "tfidf", "-k", "1", "--pipeline", "p.yaml"], in: dir)
        #expect(byID.out.contains("p2") && byID.out.contains("red linen shirt"), "\(byID.out)")
        let served = try CLI.run(["similar", "--index", "live/catalog.sqlite", "--id", "p1", "--method", "tfidf", "-k", "1"], in: dir)
        #expect(served.code == 0 && served.out.contains("p2"), "the published index holds the text neighbours: \(served.out) \(served.err)")
    }

    @Test func similarErrorsNameWhatIsMissing() throws {
        let dir = try prepared()
        let unknown = try CLI.run(["similar", "--id", "nope", "--pipeline", "p.yaml"], in: dir)
        #expect(unknown.code == 2)
        #expect(unknown.err.contains("no product 'nope'"), "\(unknown.err)")
        let none = try CLI.run(["similar", "--pipeline", "p.yaml"], in: dir)
        #expect(none.code == 2 && none.err.contains("exactly one of --id, --image or --text"), "\(none.err)")
        let empty = try TempDir.make("query-empty")
        let noState = try CLI.run(["similar", "--id", "p1"], in: empty)
        #expect(noState.code == 2 && noState.err.contains("run a pipeline first"), "\(noState.err)")
        let badImage = try CLI.run(["similar", "--image", "missing.jpg", "--pipeline", "p.yaml"], in: dir)
        #expect(badImage.code == 2 && !badImage.err.isEmpty, "\(badImage.err)")
    }

    @Test func everyRunWritesAReportAndReportRewritesIt() throws {
        let dir = try prepared()
        let auto = dir.appendingPathComponent(".vitrine/reports/run-1.html")
        let page = try String(contentsOf: auto, encoding: .utf8)
        #expect(page.hasPrefix("<!DOCTYPE html>") || page.hasPrefix("<!doctype html>"), "\(page.prefix(80))")
        for stage in ["load", "text", "vectors", "publish"] { #expect(page.contains(stage), "the report names \(stage)") }
        let out = dir.appendingPathComponent("copy.html")
        let r = try CLI.run(["report", "1", "-o", out.path, "--pipeline", "p.yaml"], in: dir)
        #expect(r.code == 0, "\(r.err)")
        #expect(try String(contentsOf: out, encoding: .utf8).contains("publish"))
        #expect(try CLI.run(["report", "9", "--pipeline", "p.yaml"], in: dir).code == 2)
    }

    @Test func publishRollbackSwapsTheLiveIndexBack() throws {
        let dir = try prepared()
        try Self.writeVectors(in: dir, spread: 0.5)
        let second = try CLI.run(["run", "p.yaml", "--force", "vectors", "--log-format", "plain"], in: dir)
        #expect(second.code == 0, "\(second.err)")
        let before = try CLI.run(["publish", "--pipeline", "p.yaml"], in: dir)
        #expect(before.out.contains("live: live/catalog.sqlite — run 2") || before.out.contains("catalog.sqlite — run 2"), "\(before.out)")
        #expect(before.out.contains("previous:") && before.out.contains("run 1"), "\(before.out)")
        let back = try CLI.run(["publish", "--rollback", "--pipeline", "p.yaml"], in: dir)
        #expect(back.code == 0, "\(back.err)")
        let live = back.out.split(separator: "\n").first { $0.hasPrefix("live:") } ?? ""
        #expect(live.contains("run 1"), "\(back.out)")
        let again = try CLI.run(["publish", "--rollback", "--index", "live/catalog.sqlite"], in: dir)
        #expect(again.out.split(separator: "\n").first { $0.hasPrefix("live:") }?.contains("run 2") == true, "\(again.out)")
        let nothing = try CLI.run(["publish", "--rollback", "--index", "elsewhere.sqlite"], in: dir)
        #expect(nothing.code == 2, "\(nothing.out)")
    }
}

/// `metrics --pipeline` shows what that pipeline's latest stages hold, also when an earlier run of another
/// pipeline file (or of the same file in another checkout) produced them and this one reused them.
@Suite struct MetricsOfReusedExecutionsTests {
    @Test func reusedExecutionsKeepTheirMetrics() throws {
        let dir = try TempDir.make("metrics-reuse")
        try Data("id,title\n1,Red Cotton Shirt\n2,Red Cotton Shirt\n3,Blue Denim Jeans\n".utf8).write(to: dir.appendingPathComponent("c.csv"))
        let yaml = """
        stages:
          load: { uses: catalog.load, with: { path: c.csv, format: csv, id_column: id } }
          dedupe: { uses: catalog.dedupe_titles, with: { input: load.products, title_column: title, id_column: id, mode: exact } }
        """
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        try Data(yaml.utf8).write(to: dir.appendingPathComponent("q.yaml"))
        #expect(try CLI.run(["run", "p.yaml", "--no-report"], in: dir).code == 0)
        let second = try CLI.run(["run", "q.yaml", "--no-report"], in: dir)
        #expect(second.code == 0 && second.err.contains("[dedupe] up to date"), "\(second.err)")
        let q = try CLI.run(["metrics", "--pipeline", "q.yaml", "--stage", "dedupe"], in: dir)
        #expect(q.code == 0 && q.out.contains("dedupe_seconds"), "\(q.out)")
        // A pipeline file that never ran a stage shows none of its metrics.
        try Data("stages:\n  other: { run: 'true' }\n".utf8).write(to: dir.appendingPathComponent("r.yaml"))
        #expect(try CLI.run(["run", "r.yaml", "--no-report"], in: dir).code == 0)
        let r = try CLI.run(["metrics", "--pipeline", "r.yaml"], in: dir)
        #expect(r.code == 0 && !r.out.contains("dedupe_seconds"), "\(r.out)")
    }
}
