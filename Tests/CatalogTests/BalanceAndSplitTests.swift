import Testing
import Randomness
@testable import Catalog

@Suite struct BalanceAndSplitTests {
    private func realLabels() throws -> (labels: [String?], ids: [String]) {
        let t = try CatalogLoader().load(path: CatalogFixtures.amazonJSONL.path).table
        return (t.strings("product_type_name"), t.strings("asin").map { $0 ?? "" })
    }

    @Test func balancesTheRealCatalogToTop3PlusOther() throws {
        let (labels, _) = try realLabels()
        var g = SeededGenerator(seed: 7, stream: "balance")
        let r = try ClassBalancer(top: 3, perClass: 1500, shortfall: .keep).balance(labels: labels, generator: &g)
        #expect(r.available["SHIRT"] == 13_980)
        #expect(r.available["BOOKS_1973_AND_LATER"] == 1_508)
        #expect(r.available["APPAREL"] == 661)
        #expect(r.selected == ["SHIRT": 1500, "BOOKS_1973_AND_LATER": 1500, "APPAREL": 661, "OTHER": 1444])
        #expect(r.shortClasses == ["APPAREL", "OTHER"])
        #expect(Set(r.rows).count == r.rows.count)
        #expect(r.rows == r.rows.sorted())
        var g2 = SeededGenerator(seed: 7, stream: "balance")
        #expect(try ClassBalancer(top: 3, perClass: 1500).balance(labels: labels, generator: &g2).rows == r.rows)
        var g3 = SeededGenerator(seed: 8, stream: "balance")
        #expect(try ClassBalancer(top: 3, perClass: 1500).balance(labels: labels, generator: &g3).rows != r.rows)
        var g4 = SeededGenerator(seed: 7)
        #expect(throws: CatalogError.classShortfall(label: "APPAREL", available: 661, required: 1500)) {
            try ClassBalancer(top: 3, perClass: 1500, shortfall: .error).balance(labels: labels, generator: &g4)
        }
    }

    @Test func splitIsStratifiedGroupedAndSeeded() throws {
        // 10 labels-A rows, 10 label-B rows; rows 0 and 1 share an image, rows 2 and 3 share a product id.
        let labels = Array(repeating: "A", count: 10) + Array(repeating: "B", count: 10)
        var ids = (0..<20).map { "p\($0)" }
        ids[3] = "p2"
        var groups: [String?] = Array(repeating: nil, count: 20)
        groups[0] = "img"; groups[1] = "img"
        var g = SeededGenerator(seed: 1, stream: "split")
        let s = try DatasetSplitter(trainFraction: 0.7).split(labels: labels, ids: ids, groups: groups, generator: &g)
        #expect(s.sides[0] == s.sides[1])
        #expect(s.sides[2] == s.sides[3])
        #expect(s.counts[.train]?["A"] == 7 && s.counts[.test]?["A"] == 3)
        #expect(s.counts[.train]?["B"] == 7 && s.counts[.test]?["B"] == 3)
        var g2 = SeededGenerator(seed: 1, stream: "split")
        #expect(try DatasetSplitter(trainFraction: 0.7).split(labels: labels, ids: ids, groups: groups, generator: &g2).sides == s.sides)
    }

    @Test func oversamplingCopiesOnlyTrainRows() throws {
        let (labels, ids) = try realLabels()
        var g = SeededGenerator(seed: 3)
        let b = try ClassBalancer(top: 3, perClass: 1500, shortfall: .oversampleTrain).balance(labels: labels, generator: &g)
        let split = try DatasetSplitter(trainFraction: 0.7, valFraction: 0.1).split(
            labels: b.labels, ids: b.rows.map { ids[$0] }, groups: [], oversampleTrainTo: ["APPAREL": 1050, "OTHER": 1050], generator: &g)
        #expect(split.counts[.train]?["APPAREL"] == 1050)
        #expect(split.counts[.train]?["OTHER"] == 1050)
        #expect(split.counts[.train]?["SHIRT"] == 1050)
        #expect(split.counts[.val]?["SHIRT"] == 150)
        #expect(split.counts[.test]?["SHIRT"] == 300)
        for r in split.trainCopies { #expect(split.sides[r] == .train) }
        // No product on two sides.
        var side: [String: SplitName] = [:]
        for (k, r) in b.rows.enumerated() {
            if let s = side[ids[r]] { #expect(s == split.sides[k]) } else { side[ids[r]] = split.sides[k] }
        }
    }
}
