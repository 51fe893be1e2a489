import Catalog
import Foundation
import Pipeline
import Testing
import TestSupport
@testable import Stages

@Suite struct DatasetStagesTests {
    @Test func balanceTheRealCatalogToTop3PlusOther() async throws {
        let h = try CatalogStageHarness()
        let ctx = try await h.run(DatasetBalanceStage.self, ["top": .int(3), "per_class": .int(100)], inputs: ["input": CatalogStageHarness.amazon])
        let out = try JSONLinesWriter.read(ctx.output("products"))
        #expect(out.count == 400)
        var counts: [String: Int] = [:]
        for l in out.strings("label") { counts[l ?? "", default: 0] += 1 }
        #expect(counts == ["SHIRT": 100, "BOOKS_1973_AND_LATER": 100, "APPAREL": 100, "OTHER": 100])
        let again = try await h.run(DatasetBalanceStage.self, ["top": .int(3), "per_class": .int(100)], inputs: ["input": CatalogStageHarness.amazon])
        #expect(try JSONLinesWriter.read(again.output("products")) == out)
        await #expect(throws: StageError.self) {
            _ = try await h.run(DatasetBalanceStage.self, ["per_class": .int(1500), "shortfall": .string("error")],
                                inputs: ["input": CatalogStageHarness.amazon])
        }
    }

    @Test func splitKeepsSharedImagesTogetherAndOversamplesOnlyTrain() async throws {
        let h = try CatalogStageHarness()
        var products = "", images = ""
        for i in 0..<40 {
            let label = i < 30 ? "A" : "B"
            products += "{\"asin\": \"p\(i)\", \"title\": \"t\(i)\", \"product_type_name\": \"\(label)\"}\n"
            // p0..p5 share one image; p30 has no image.
            let sha = i < 6 ? "shared" : "h\(i)"
            images += i == 30 ? "{\"id\": \"p\(i)\", \"status\": \"failed\", \"sha256\": null}\n"
                              : "{\"id\": \"p\(i)\", \"status\": \"ok\", \"sha256\": \"\(sha)\"}\n"
        }
        let input = try h.file("products.jsonl", products)
        let imageTable = try h.file("images.jsonl", images)
        let balance = try await h.run(DatasetBalanceStage.self, ["top": .int(1), "per_class": .int(20), "shortfall": .string("oversample_train")],
                                      inputs: ["input": input, "images": imageTable])
        #expect(balance.summary["without_image"] == .int(1))
        #expect(balance.summary["selected"] == .object(["A": .int(20), "OTHER": .int(9)]))
        let split = try await h.run(DatasetSplitStage.self, ["train_fraction": .double(0.7)],
                                    inputs: ["input": balance.output("products"), "images": imageTable])
        let out = try JSONLinesWriter.read(split.output("products"))
        var sideOfSha: [String: String] = [:], sideOfId: [String: String] = [:]
        var trainCount: [String: Int] = [:]
        for r in 0..<out.count {
            let side = out.value(r, "split").text
            if let s = out.value(r, "sha256").stringValue {
                #expect(sideOfSha[s, default: side] == side)
                sideOfSha[s] = side
            }
            let id = out.value(r, "asin").text
            #expect(sideOfId[id, default: side] == side)
            sideOfId[id] = side
            if out.value(r, "copy") != .int(0) { #expect(side == "train") }
            if side == "train" { trainCount[out.value(r, "label").text, default: 0] += 1 }
        }
        #expect(trainCount["OTHER"] == 14)  // round(20 × 0.7) after oversampling 9 OTHER rows' train share
        #expect((split.summary["oversampled_copies"]?.intValue ?? 0) > 0)
    }
}
