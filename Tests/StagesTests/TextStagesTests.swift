import Catalog
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import Stages

@Suite struct TextStagesTests {
    /// The first 400 rows of the real catalog.
    private func sample(_ h: CatalogStageHarness) throws -> URL {
        let lines = try String(contentsOf: CatalogStageHarness.amazon, encoding: .utf8).split(separator: "\n").prefix(400)
        return try h.file("sample.jsonl", lines.joined(separator: "\n") + "\n")
    }

    @Test func similarityWritesNeighboursIndexAndMetrics() async throws {
        let h = try CatalogStageHarness()
        let input = try sample(h)
        let ctx = try await h.run(TextSimilarityStage.self, ["k": .int(5)], inputs: ["input": input])
        let table = try JSONLinesWriter.read(ctx.output("neighbours"))
        #expect(table.count == 800)
        #expect(table.columns == ["id", "method", "neighbours", "cosine", "distance"])
        let names = Set(ctx.metrics.map(\.name))
        for m in ["bow", "tfidf"] {
            #expect(names.contains("\(m).average_distance") && names.contains("\(m).same_type_rate") && names.contains("\(m).same_brand_rate"))
        }
        let tfidfDistance = ctx.metrics.first { $0.name == "tfidf.average_distance" }?.value ?? -1
        #expect(tfidfDistance > 0 && tfidfDistance < 1.414)
        let index = ctx.output("index")
        for f in ["vocabulary.json", "documents.jsonl", "config.json"] {
            #expect(FileManager.default.fileExists(atPath: index.appendingPathComponent(f).path))
        }

        // --id answers from the stored table.
        let products = try JSONLinesWriter.read(input)
        let firstId = products.value(0, "asin").text
        let hits = try TextQuery.similar(id: firstId, method: "tfidf", k: 5, output: ctx.stagingDirectory)
        #expect(hits.count == 5)
        #expect(!hits.contains { $0.id == firstId })
        #expect(hits.map(\.cosine) == hits.map(\.cosine).sorted(by: >))

        // --text with a product's own title finds that product first at distance ~0.
        let title = products.value(7, "title").text
        let byText = try TextQuery.similar(text: title, method: "tfidf", k: 3, output: ctx.stagingDirectory)
        #expect(byText.first.map { abs($0.distance) < 1e-9 && $0.title == title } == true)
        let bow = try TextQuery.similar(text: "striped cotton shirt", method: "bow", k: 3, output: ctx.stagingDirectory)
        #expect(bow.count == 3)

        #expect(throws: TextQuery.QueryError.unknownId("nope")) {
            try TextQuery.similar(id: "nope", method: "tfidf", output: ctx.stagingDirectory)
        }
        #expect(throws: TextQuery.QueryError.unknownMethod("glove")) {
            try TextQuery.similar(text: "x", method: "glove", output: ctx.stagingDirectory)
        }
    }

    @Test func rejectsUnknownMethods() {
        #expect(throws: StageError.self) {
            try TextSimilarityStage(parameters: StageParameters(["methods": .array([.string("word2vec")])]))
        }
        #expect(throws: StageError.self) { try TextSimilarityStage(parameters: StageParameters(["k": .int(0)])) }
    }
}
