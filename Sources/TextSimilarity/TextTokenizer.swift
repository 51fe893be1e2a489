/// How titles become tokens.
public enum TokenizerMode: String, Sendable, CaseIterable, Codable {
    /// The research's cleaning: split on whitespace, keep only letters and digits of each word
    /// (`"T-Shirt"` → `"tshirt"`, `"Women's"` → `"womens"`), lower-case, drop `StopWords.english`
    /// and tokens shorter than 2 characters.
    case research
    /// scikit-learn `TfidfVectorizer` defaults: lower-case, then every match of `(?u)\b\w\w+\b`
    /// (runs of 2+ Unicode word characters: letters, digits, underscore); no stop words.
    case sklearn
}

/// Splits title text into tokens for the bag-of-words and TF-IDF vectors.
public struct TextTokenizer: Sendable {
    /// The tokenising rules.
    public var mode: TokenizerMode

    /// A tokenizer.
    public init(mode: TokenizerMode = .research) { self.mode = mode }

    /// Whether `u` is a word character in Python's `\w` sense (letters, digits, numerics, underscore).
    @inline(__always) static func isWordScalar(_ u: Unicode.Scalar) -> Bool {
        if u.isASCII {
            let v = u.value
            return (v >= 0x61 && v <= 0x7A) || (v >= 0x41 && v <= 0x5A) || (v >= 0x30 && v <= 0x39) || v == 0x5F
        }
        switch u.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber: return true
        default: return u.properties.numericType != nil
        }
    }

    /// The tokens of `text`, in order (repeats kept).
    public func tokens(_ text: String) -> [String] {
        switch mode {
        case .sklearn: return Self.wordRuns(text.lowercased(), minLength: 2)
        case .research:
            var out: [String] = []
            for word in text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }) {
                var kept = String.UnicodeScalarView()
                for u in word.unicodeScalars where u != "_" && Self.isWordScalar(u) { kept.append(u) }
                if kept.isEmpty { continue }
                let token = String(kept).lowercased()
                if token.unicodeScalars.count < 2 || StopWords.english.contains(token) { continue }
                out.append(token)
            }
            return out
        }
    }

    private static func wordRuns(_ s: String, minLength: Int) -> [String] {
        var out: [String] = []
        var run = String.UnicodeScalarView()
        var n = 0
        for u in s.unicodeScalars {
            if isWordScalar(u) { run.append(u); n += 1; continue }
            if n >= minLength { out.append(String(run)) }
            run = String.UnicodeScalarView(); n = 0
        }
        if n >= minLength { out.append(String(run)) }
        return out
    }
}
