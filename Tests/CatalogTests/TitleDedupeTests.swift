import Foundation
import Testing
@testable import Catalog

@Suite struct TitleDedupeTests {
    @Test func normalisationFoldsCaseWidthAndPunctuation() {
        #expect(TitleNormalizer.normalize("  Women's  T-Shirt,  ＲＥＤ (XL)! ") == "women's t shirt red xl")
        #expect(TitleNormalizer.normalize("Ladies’ Women’s Tank—Top") == "ladies women's tank top")
        #expect(TitleNormalizer.normalize("'quoted' ...") == "quoted")
    }

    @Test func theResearchRuleCountsMissingWordsAsDifferences() {
        #expect(TitleDeduplicator.wordDifferences("a b c d e", "a b c d e") == 0)
        #expect(TitleDeduplicator.wordDifferences("a b c d e", "a b x d y") == 2)
        #expect(TitleDeduplicator.wordDifferences("a b c d e", "a b c") == 2)
        #expect(TitleDeduplicator.wordDifferences("x b c d e", "b c d e") == 5)
    }

    @Test func exactModeKeepsTheFirstOccurrence() {
        let titles: [String?] = ["Red Shirt", "red  shirt!", nil, "Blue Shirt", "RED SHIRT"]
        let (kept, dups) = TitleDeduplicator(mode: .exact).run(titles: titles)
        #expect(kept == [0, 2, 3])
        #expect(dups == [DuplicatePair(dropped: 1, kept: 0, differences: 0), DuplicatePair(dropped: 4, kept: 0, differences: 0)])
    }

    @Test func nearModeMapsToTheEarliestKeptTitle() {
        let titles: [String?] = [
            "womens cotton shirt blue size small", "womens cotton shirt red size large",  // 2 differences → dup of 0
            "womens cotton shirt red size large extra tall",                              // 4 vs 0, 2 vs 1 (dropped) → kept
            "ab", "cd",                                                                    // short titles: 2 differences → dup
            "mens wool coat grey long sleeve zip",
        ]
        let (kept, dups) = TitleDeduplicator(mode: .near, maxWordDifferences: 2).run(titles: titles)
        #expect(kept == [0, 2, 3, 5])
        #expect(dups == [DuplicatePair(dropped: 1, kept: 0, differences: 2), DuplicatePair(dropped: 4, kept: 3, differences: 1)])
    }

    @Test func nearDedupeOfTheRealCatalogHoldsBothGuarantees() throws {
        let table = try CatalogLoader().load(path: CatalogFixtures.amazonJSONL.path).table
        let titles = table.strings("title")
        let started = Date()
        let (kept, dups) = TitleDeduplicator(mode: .near, maxWordDifferences: 2).run(titles: titles)
        let seconds = Date().timeIntervalSince(started)
        print("near dedupe of \(titles.count) titles (debug build): \(seconds) s, kept \(kept.count), dropped \(dups.count)")
        #expect(kept.count + dups.count == titles.count)
        #expect(!dups.isEmpty)

        // Every dropped title is a near-duplicate of the kept title it maps to.
        let keptSet = Set(kept)
        for d in dups {
            #expect(keptSet.contains(d.kept))
            #expect(d.kept < d.dropped)
            let diff = TitleDeduplicator.wordDifferences(titles[d.dropped] ?? "", titles[d.kept] ?? "")
            #expect(diff <= 2 && diff == d.differences)
        }

        // No two kept titles are near-duplicates: an independent check with single-word blocking
        // (pairs at ≤ 2 differences share the word at one of positions 0, 1, 2, or both have ≤ 2 words).
        var ids: [String: Int32] = [:]
        let words: [[Int32]] = kept.map { r in
            TitleNormalizer.words(titles[r] ?? "").map { w in
                if let i = ids[w] { return i }
                let i = Int32(ids.count); ids[w] = i; return i
            }
        }
        var buckets: [Int64: [Int32]] = [:]
        for (k, w) in words.enumerated() {
            if w.count <= 2 { buckets[-1, default: []].append(Int32(k)) }
            for i in 0..<min(3, w.count) { buckets[Int64(i) << 40 | Int64(w[i]), default: []].append(Int32(k)) }
        }
        var violations = 0, pairsChecked = 0
        for list in buckets.values where list.count > 1 {
            for x in 0..<list.count {
                let a = words[Int(list[x])]
                for y in (x + 1)..<list.count {
                    let b = words[Int(list[y])]
                    pairsChecked += 1
                    var diff = abs(a.count - b.count)
                    if diff > 2 { continue }
                    var i = 0
                    let n = min(a.count, b.count)
                    while i < n, diff <= 2 { if a[i] != b[i] { diff += 1 }; i += 1 }
                    if diff <= 2 { violations += 1 }
                }
            }
        }
        print("independent check: \(pairsChecked) candidate pairs")
        #expect(violations == 0)
    }
}
