import Foundation
import Testing
@testable import TextSimilarity

/// Compares sklearn mode with vectors and neighbours computed by scikit-learn
/// (fixture made by bench/text/make_sklearn_fixture.py, committed in Tests/Fixtures/text/).
@Suite struct SklearnParityTests {
    struct Fixture: Decodable {
        struct Row: Decodable { let columns: [Int]; let values: [Double] }
        let titles: [String]
        let terms: [String]
        let idf: [Double]
        let rows: [Row]
        let k: Int
        let neighbours: [[Int]]
        let cosine_distances: [[Double]]
    }

    private func fixture() throws -> Fixture {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/text/sklearn_tfidf.json").standardizedFileURL
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    @Test func vocabularyIdfAndVectorsMatchScikitLearn() throws {
        let f = try fixture()
        let tokenizer = TextTokenizer(mode: .sklearn)
        let docs = f.titles.map(tokenizer.tokens)
        let vocab = TextVocabulary.fit(docs, mode: .sklearn)
        #expect(vocab.terms == f.terms)
        #expect(vocab.idf.count == f.idf.count)
        for (a, b) in zip(vocab.idf, f.idf) { #expect(abs(a - b) < 1e-9) }
        let m = vocab.transform(docs, method: .tfidf)
        for r in 0..<f.rows.count {
            let row = m.row(r)
            #expect(row.map(\.0) == f.rows[r].columns)
            for ((_, v), w) in zip(row, f.rows[r].values) { #expect(abs(v - w) < 1e-6) }
        }
    }

    @Test func neighboursMatchScikitLearnUpToTies() throws {
        let f = try fixture()
        let tokenizer = TextTokenizer(mode: .sklearn)
        let docs = f.titles.map(tokenizer.tokens)
        let vocab = TextVocabulary.fit(docs, mode: .sklearn)
        let m = vocab.transform(docs, method: .tfidf)
        let k = f.k - 1
        let table = NeighbourSearch.allNeighbours(of: m, k: k, threads: 2)
        func trueDistance(_ a: Int, _ b: Int) -> Double {
            var dot = 0.0
            let rb = Dictionary(uniqueKeysWithValues: zip(f.rows[b].columns, f.rows[b].values))
            for (c, v) in zip(f.rows[a].columns, f.rows[a].values) { dot += v * (rb[c] ?? 0) }
            return 1 - dot
        }
        for q in 0..<f.titles.count {
            var theirs = Array(zip(f.neighbours[q], f.cosine_distances[q]))
            if let selfAt = theirs.firstIndex(where: { $0.0 == q }) { theirs.remove(at: selfAt) }
            for j in 0..<k {
                let ours = Int(table.neighbours[q * k + j])
                #expect(ours != q)
                #expect(abs((1 - table.cosine[q * k + j]) - theirs[j].1) < 1e-6, "query \(q) rank \(j)")
                #expect(abs(trueDistance(q, ours) - theirs[j].1) < 1e-6, "query \(q) rank \(j)")
            }
        }
    }
}
