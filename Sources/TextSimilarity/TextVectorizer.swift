import Foundation

/// How title vectors are weighted.
public enum WeightingMethod: String, Sendable, CaseIterable, Codable {
    /// Bag of words: raw term counts.
    case bow
    /// TF-IDF as scikit-learn's defaults: raw count × (ln((1 + n) / (1 + df)) + 1), rows L2-normalised.
    case tfidf
}

/// A fitted vocabulary: terms in code-point order (scikit-learn's column order) and their IDF.
public struct TextVocabulary: Sendable, Codable, Equatable {
    /// Tokenizer mode the vocabulary was fitted with.
    public var mode: TokenizerMode
    /// Terms, sorted by Unicode code points; a term's column is its position.
    public var terms: [String]
    /// Smoothed inverse document frequency per term: ln((1 + n) / (1 + df)) + 1.
    public var idf: [Double]
    /// Number of documents fitted.
    public var documentCount: Int

    /// Fits a vocabulary on tokenised documents.
    public static func fit(_ documents: [[String]], mode: TokenizerMode) -> TextVocabulary {
        var df: [String: Int] = [:]
        for doc in documents {
            for t in Set(doc) { df[t, default: 0] += 1 }
        }
        let terms = df.keys.sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) { $0.value < $1.value } }
        let n = Double(documents.count)
        let idf = terms.map { log((1 + n) / (1 + Double(df[$0] ?? 0))) + 1 }
        return TextVocabulary(mode: mode, terms: terms, idf: idf, documentCount: documents.count)
    }

    /// Column of each term.
    public func termIndex() -> [String: Int32] {
        var map: [String: Int32] = [:]
        map.reserveCapacity(terms.count)
        for (i, t) in terms.enumerated() { map[t] = Int32(i) }
        return map
    }

    /// Vectors for tokenised documents (unknown terms ignored): raw counts for `.bow`, L2-normalised TF-IDF for `.tfidf`.
    public func transform(_ documents: [[String]], method: WeightingMethod, index: [String: Int32]? = nil) -> SparseMatrix {
        let map = index ?? termIndex()
        var rowStart = [0]
        var cols: [Int32] = [], vals: [Double] = []
        rowStart.reserveCapacity(documents.count + 1)
        var counts: [Int32: Int] = [:]
        for doc in documents {
            counts.removeAll(keepingCapacity: true)
            for t in doc { if let c = map[t] { counts[c, default: 0] += 1 } }
            let sorted = counts.keys.sorted()
            var norm = 0.0
            let start = vals.count
            for c in sorted {
                let v = method == .bow ? Double(counts[c] ?? 0) : Double(counts[c] ?? 0) * idf[Int(c)]
                cols.append(c); vals.append(v); norm += v * v
            }
            if method == .tfidf, norm > 0 {
                let inv = 1 / norm.squareRoot()
                for p in start..<vals.count { vals[p] *= inv }
            }
            rowStart.append(vals.count)
        }
        return SparseMatrix(rowCount: documents.count, columnCount: terms.count, rowStart: rowStart, columns: cols, values: vals)
    }
}
