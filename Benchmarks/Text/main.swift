// bench-text: TF-IDF top-10 for every product, end to end from the JSON Lines catalog, and near-duplicate
// dedupe time. Prints one JSON object per run; bench/text/run_bench.py runs it beside scikit-learn.
//
// Usage: bench-text CATALOG.jsonl [--mode sklearn|research] [--k 10] [--threads 2] [--neighbours OUT.tsv]
//        bench-text CATALOG.jsonl --metrics --mode research   (quality figures for bow and tfidf)
//        bench-text EXPORT.json --load-only   (streaming JSON array load: rows, seconds, peak RSS)
import Catalog
import Foundation
import TextSimilarity

#if canImport(Glibc)
import Glibc
#endif

func now() -> Double { Date().timeIntervalSince1970 }

func cpu() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

func peakRSSMiB() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_maxrss) / 1024
}

let args = Array(CommandLine.arguments.dropFirst())
guard let path = args.first else {
    FileHandle.standardError.write(Data("usage: bench-text CATALOG.jsonl [--mode sklearn|research] [--k 10] [--threads 2] [--neighbours OUT.tsv]\n".utf8))
    exit(2)
}
@MainActor func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
let mode = TokenizerMode(rawValue: option("--mode") ?? "sklearn") ?? .sklearn
let k = Int(option("--k") ?? "10") ?? 10
let threads = Int(option("--threads") ?? "2") ?? 2

do {
    if args.contains("--load-only") {
        // Streaming load of a (large) JSON array export: rows, time and peak memory.
        let t0 = now()
        let out = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bench-text-\(getpid()).jsonl")
        let writer = try JSONLinesStreamWriter(url: out)
        let result = try CatalogLoader(options: LoadOptions(format: .json, idColumn: "asin", priceColumn: "formatted_price"))
            .stream(path: path) { columns, row in try writer.write(columns: columns, row: row) }
        try writer.finish()
        try? FileManager.default.removeItem(at: out)
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let report: [String: Any] = ["rows": writer.rows, "records": result.records, "quarantined": result.quarantine.count, "load_s": now() - t0,
                                     "file_mib": Double(size) / 1_048_576, "peak_rss_mib": peakRSSMiB()]
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
        exit(0)
    }
    if args.contains("--metrics") {
        // Research-mode quality figures for both methods (average euclidean distance of the top k, same type/brand rates).
        let table = try CatalogLoader(options: LoadOptions(format: .jsonl)).load(path: path).table
        let docs = table.strings("title").map { TextTokenizer(mode: mode).tokens($0 ?? "") }
        let vocabulary = TextVocabulary.fit(docs, mode: mode)
        var report: [String: Any] = ["mode": mode.rawValue, "k": k]
        for method in WeightingMethod.allCases {
            let result = NeighbourSearch.allNeighbours(of: vocabulary.transform(docs, method: method), k: k, threads: threads)
            let m = SimilarityMetrics.compute(result, types: table.strings("product_type_name"), brands: table.strings("brand"))
            report[method.rawValue] = ["average_distance": m.averageDistance, "same_type_rate": m.sameTypeRate,
                                       "same_brand_rate": m.sameBrandRate, "average_cosine": m.averageCosine]
        }
        print(String(decoding: try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys]), as: UTF8.self))
        exit(0)
    }
    let t0 = now(), c0 = cpu()
    let table = try CatalogLoader(options: LoadOptions(format: .jsonl)).load(path: path).table
    let titles = table.strings("title").map { $0 ?? "" }
    let t1 = now(), c1 = cpu()
    let tokenizer = TextTokenizer(mode: mode)
    let docs = titles.map(tokenizer.tokens)
    let vocabulary = TextVocabulary.fit(docs, mode: mode)
    let matrix = vocabulary.transform(docs, method: .tfidf)
    let t2 = now(), c2 = cpu()
    let result = NeighbourSearch.allNeighbours(of: matrix, k: k, threads: threads)
    let t3 = now(), c3 = cpu()
    let (kept, dups) = TitleDeduplicator(mode: .near, maxWordDifferences: 2).run(titles: titles)
    let t4 = now(), c4 = cpu()
    if let out = option("--neighbours") {
        var text = ""
        for q in 0..<result.count {
            for j in 0..<result.k {
                if j > 0 { text += "\t" }
                text += "\(result.neighbours[q * k + j]) \(1 - result.cosine[q * k + j])"
            }
            text += "\n"
        }
        try Data(text.utf8).write(to: URL(fileURLWithPath: out))
    }
    let report: [String: Any] = [
        "products": titles.count, "terms": vocabulary.terms.count, "mode": mode.rawValue, "threads": threads,
        "load_s": t1 - t0, "vectorize_s": t2 - t1, "neighbours_s": t3 - t2, "tfidf_topk_total_s": t3 - t0,
        "dedupe_near_s": t4 - t3, "cpu_load_s": c1 - c0, "cpu_vectorize_s": c2 - c1, "cpu_neighbours_s": c3 - c2,
        "cpu_tfidf_topk_total_s": c3 - c0, "cpu_dedupe_near_s": c4 - c3, "dedupe_kept": kept.count, "dedupe_dropped": dups.count, "peak_rss_mib": peakRSSMiB(),
    ]
    let json = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
} catch {
    FileHandle.standardError.write(Data("bench-text: \(error)\n".utf8))
    exit(1)
}
