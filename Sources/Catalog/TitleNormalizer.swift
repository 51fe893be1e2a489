import Foundation

/// Title normalisation used by dedupe (and available to other stages).
///
/// Steps, in order: Unicode NFKC (compatibility forms folded, e.g. full-width letters, ligatures);
/// lower-casing (Unicode full case mapping); every character that is not a letter, a digit or an
/// apostrophe-inside-a-word becomes a space (so `"T-Shirt,"` → `"t shirt"`, `"Women's"` stays
/// `"women's"`); runs of whitespace collapse to one space, leading/trailing space dropped.
public enum TitleNormalizer {
    /// The normalised form of `title`.
    public static func normalize(_ title: String) -> String {
        words(title).joined(separator: " ")
    }

    /// The normalised title split into words.
    public static func words(_ title: String) -> [String] {
        let folded = title.precomposedStringWithCompatibilityMapping.lowercased()
        var out: [String] = []
        var current = String.UnicodeScalarView()
        let scalars = Array(folded.unicodeScalars)
        for (k, u) in scalars.enumerated() {
            let p = u.properties
            let keep: Bool
            if p.isAlphabetic || p.numericType != nil || p.generalCategory == .nonspacingMark {
                keep = true
            } else if u == "'" || u == "\u{2019}" {
                keep = !current.isEmpty && k + 1 < scalars.count && scalars[k + 1].properties.isAlphabetic
            } else {
                keep = false
            }
            if keep { current.append(u == "\u{2019}" ? "'" : u) }
            else if !current.isEmpty { out.append(String(current)); current = String.UnicodeScalarView() }
        }
        if !current.isEmpty { out.append(String(current)) }
        return out
    }

    /// Number of whitespace-separated words in the raw title (the research's word count).
    public static func rawWordCount(_ title: String) -> Int {
        title.split(whereSeparator: { $0.isWhitespace }).count
    }
}
