import Foundation
import Testing
import Catalog
import TestSupport
@testable import TextSimilarity

@Suite struct TextSimilarityTests {
    @Test func researchTokenizerStripsPunctuationAndStopWords() {
        let t = TextTokenizer(mode: .research)
        #expect(t.tokens("Women's T-Shirt for the Summer, with 100% Cotton & a Bow") ==
                ["womens", "tshirt", "summer", "100", "cotton", "bow"])
        #expect(t.tokens("  ") == [])
        #expect(TextTokenizer(mode: .sklearn).tokens("Women's T-Shirt a_b x 2XL") == ["women", "shirt", "a_b", "2xl"])
    }

    @Test func bowDistancesUseRawCounts() {
        let docs = [["red", "shirt"], ["red", "shirt", "shirt"], ["blue", "hat"]]
        let vocab = TextVocabulary.fit(docs, mode: .research)
        #expect(vocab.terms == ["blue", "hat", "red", "shirt"])
        let bow = vocab.transform(docs, method: .bow)
        #expect(bow.row(1).map(\.1) == [1, 2])
        let table = NeighbourSearch.allNeighbours(of: bow, k: 2)
        #expect(table.neighbours[0] == 1 && table.neighbours[1] == 2)
        // |(0,0,1,1) - (0,0,1,2)| = 1
        #expect(abs(table.distance[0] - 1) < 1e-12)
        #expect(abs(table.cosine[0] - 3 / (2.0.squareRoot() * 5.0.squareRoot())) < 1e-12)
        // doc 2 shares nothing: padded with zero-similarity rows in index order, distance √(2 + 2)
        #expect(table.neighbours[4] == 0 && table.cosine[4] == 0)
        #expect(abs(table.distance[4] - 2) < 1e-12)
    }

    @Test func allNeighboursAgreeWithBruteForceOnRealTitles() throws {
        let table = try CatalogLoader().load(path: SharedData.url("amazon-apparel-17k.jsonl").path).table
        let titles = Array(table.strings("title").prefix(2000)).map { $0 ?? "" }
        let docs = titles.map(TextTokenizer(mode: .research).tokens)
        let vocab = TextVocabulary.fit(docs, mode: .research)
        let m = vocab.transform(docs, method: .tfidf)
        let k = 10
        let result = NeighbourSearch.allNeighbours(of: m, k: k, threads: 2)
        // Brute force for a sample of queries with dense rows.
        func dense(_ r: Int) -> [Double] {
            var v = [Double](repeating: 0, count: m.columnCount)
            for (c, x) in m.row(r) { v[c] = x }
            return v
        }
        for q in stride(from: 0, to: titles.count, by: 97) {
            let a = dense(q)
            var scored: [(Int, Double)] = []
            for d in 0..<titles.count where d != q {
                var dot = 0.0
                for (c, x) in m.row(d) { dot += a[c] * x }
                scored.append((d, dot))
            }
            scored.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
            for j in 0..<k {
                #expect(abs(result.cosine[q * k + j] - scored[j].1) < 1e-9)
                #expect(abs(result.distance[q * k + j] - (2 - 2 * scored[j].1).squareRoot()) < 1e-6)
            }
        }
        let metrics = SimilarityMetrics.compute(result, types: Array(table.strings("product_type_name").prefix(2000)),
                                                brands: Array(table.strings("brand").prefix(2000)))
        #expect(metrics.averageDistance > 0 && metrics.averageDistance < 1.5)
        #expect(metrics.sameTypeRate > 0.5 && metrics.sameTypeRate <= 1)
    }

    @Test func emptyAndTinyInputsGiveEmptyTables() {
        let vocab = TextVocabulary.fit([], mode: .research)
        let empty = NeighbourSearch.allNeighbours(of: vocab.transform([], method: .tfidf), k: 10)
        #expect(empty.count == 0 && empty.neighbours.isEmpty)
        let one = TextVocabulary.fit([["shirt"]], mode: .research)
        let single = NeighbourSearch.allNeighbours(of: one.transform([["shirt"]], method: .bow), k: 0)
        #expect(single.neighbours.isEmpty)
    }

    @Test func queryFindsTheClosestTitle() {
        let titles = ["striped cotton shirt blue", "floral summer dress", "striped linen shirt", "leather boots"]
        let t = TextTokenizer(mode: .research)
        let docs = titles.map(t.tokens)
        let vocab = TextVocabulary.fit(docs, mode: .research)
        let m = vocab.transform(docs, method: .tfidf)
        let q = vocab.transform([t.tokens("Striped cotton shirt")], method: .tfidf).row(0)
        let hits = NeighbourSearch.query(q, in: m, k: 2)
        #expect(hits.map(\.row) == [0, 2])
        #expect(hits[0].cosine > hits[1].cosine)
        #expect(NeighbourSearch.query([], in: m, k: 2).isEmpty)
    }
}
