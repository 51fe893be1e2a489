import Catalog
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import Stages

/// Runs one of the catalog/text/dataset stages in a temp folder with an in-memory journal.
struct CatalogStageHarness {
    let dir: URL
    let blobs: BlobStore

    init() throws {
        dir = try TempDir.make("catalog-stages")
        blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
    }

    /// The real 17,593-product catalog.
    static var amazon: URL {
        SharedData.url("amazon-apparel-17k.jsonl")
    }

    /// Writes `text` into the temp folder.
    func file(_ name: String, _ text: String) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url
    }

    /// Runs stage type `S` with parameters and inputs; returns the context (outputs under `ctx.stagingDirectory`).
    func run<S: Stage>(_ type: S.Type, _ values: [String: JSONValue], inputs: [String: URL] = [:], seed: UInt64 = 42) async throws -> StageContext {
        let params = StageParameters(values, stageName: S.typeName)
        let staging = dir.appendingPathComponent("staging-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let ctx = StageContext(stageName: S.typeName, parameters: params, inputs: inputs.mapValues { [$0] }, stagingDirectory: staging,
                               outputSpecs: S.outputs, blobs: blobs, seed: seed, pipelineDirectory: dir)
        try await S(parameters: params).run(in: ctx)
        return ctx
    }
}

@Suite struct CatalogStagesTests {
    @Test func loadDropNullsDedupeOnAJSONArrayExport() async throws {
        let h = try CatalogStageHarness()
        let export = try h.file("export.json", """
        [
          {"asin": "A1", "brand": "Acme", "color": "red", "title": "Acme womens cotton shirt red small", "formatted_price": "$10.00"},
          {"asin": "A2", "brand": "Acme", "color": "red", "title": "Acme womens cotton shirt blue large", "formatted_price": "$11.00"},
          {"asin": "A3", "brand": "Acme", "color": " ", "title": "Acme womens linen dress green midi", "formatted_price": "$12.00"},
          {"asin": "A4", "brand": "Bee", "color": "black", "title": "Short title", "formatted_price": "$5.00"},
          {"asin": "A5", "brand": "Bee", "color": "black", "title": "Bee ladies wool coat black long", "formatted_price": null},
          {"asin": "A1", "brand": "Dup", "color": "x", "title": "duplicate id row here now", "formatted_price": "$1"},
          {"asin": "A6", "brand": "Bee", "color": "grey", "title": "Bee ladies wool coat grey long", "formatted_price": "$30.00"}
        ]
        """)
        let load = try await h.run(CatalogLoadStage.self, ["format": .string("auto"), "id_column": .string("asin"),
                                                           "price_column": .string("formatted_price"), "error_budget": .double(0.5)],
                                   inputs: ["path": export])
        let products = try JSONLinesWriter.read(load.output("products"))
        #expect(products.count == 6)
        #expect(products.columns.last == "price")
        let quarantine = try JSONLinesWriter.read(load.output("quarantine"))
        #expect(quarantine.strings("reason") == ["duplicate_id"])
        #expect(quarantine.value(0, "record") == .int(6))
        #expect(load.summary["quarantined"] == .int(1))
        #expect(load.summary["records"] == .int(7))

        let drop = try await h.run(DropNullsStage.self, ["columns": .array([.string("price"), .string("color")]),
                                                         "min_title_words": .int(5), "title_column": .string("title")],
                                   inputs: ["input": load.output("products")])
        let kept = try JSONLinesWriter.read(drop.output("products"))
        #expect(kept.strings("asin") == ["A1", "A2", "A6"])
        #expect(drop.summary["dropped_by_reason"] == .object(["null:color": .int(1), "null:price": .int(1), "short_title": .int(1)]))

        let dedupe = try await h.run(DedupeTitlesStage.self, ["mode": .string("near"), "max_word_differences": .int(2)],
                                     inputs: ["input": drop.output("products")])
        #expect(try JSONLinesWriter.read(dedupe.output("products")).strings("asin") == ["A1", "A6"])
        let dups = try JSONLinesWriter.read(dedupe.output("duplicates"))
        #expect(dups.strings("dropped_id") == ["A2"])
        #expect(dups.strings("kept_id") == ["A1"])
        #expect(dups.value(0, "differences") == .int(2))
        #expect(dedupe.summary["near_duplicates"] == .int(1))
    }

    @Test func dedupeOfTheRealCatalog() async throws {
        let h = try CatalogStageHarness()
        let ctx = try await h.run(DedupeTitlesStage.self, ["mode": .string("near")], inputs: ["input": CatalogStageHarness.amazon])
        let kept = try JSONLinesWriter.read(ctx.output("products"))
        let dups = try JSONLinesWriter.read(ctx.output("duplicates"))
        #expect(kept.count + dups.count == 17_593)
        #expect(ctx.summary["rows_out"] == .int(kept.count))
        #expect(Set(dups.strings("kept_id").compactMap { $0 }).isSubset(of: Set(kept.strings("asin").compactMap { $0 })))
    }

    @Test func budgetAndParameterErrorsNameTheProblem() async throws {
        let h = try CatalogStageHarness()
        let bad = try h.file("bad.jsonl", "{\"asin\": \"a\"}\n{oops\n")
        await #expect(throws: StageError.self) {
            _ = try await h.run(CatalogLoadStage.self, ["error_budget": .double(0.1)], inputs: ["path": bad])
        }
        do {
            _ = try await h.run(CatalogLoadStage.self, ["error_budget": .double(0.1)], inputs: ["path": bad])
        } catch let e as StageError {
            #expect(e.description.contains("bad.jsonl"))
            #expect(e.description.contains("1 of 2 records quarantined"))
        }
        #expect(throws: StageError.self) { try CatalogLoadStage(parameters: StageParameters(["error_budget": .double(2)])) }
        #expect(throws: StageError.self) { try CatalogLoadStage(parameters: StageParameters(["types": .object(["a": .string("float128")])])) }
        #expect(throws: StageError.self) { try DedupeTitlesStage(parameters: StageParameters(["max_word_differences": .int(-1)])) }
        let empty = try h.file("empty.csv", "")
        await #expect(throws: StageError.self) { _ = try await h.run(CatalogLoadStage.self, [:], inputs: ["path": empty]) }
    }
}
