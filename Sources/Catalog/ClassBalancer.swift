import Randomness

/// What to do when a class has fewer rows than `perClass`.
public enum ShortfallPolicy: String, Sendable, CaseIterable {
    /// Fail, naming the class.
    case error
    /// Take every row of the short class.
    case keep
    /// Take every row now; `DatasetSplitter` later duplicates train rows of the class up to its share.
    case oversampleTrain = "oversample_train"
}

/// The rows a balance keeps, their class labels and counts.
public struct BalanceResult: Sendable {
    /// Indices of kept input rows, ascending.
    public var rows: [Int]
    /// The class label of each kept row (aligned with `rows`).
    public var labels: [String]
    /// Rows available per class (after the top-N + other merge).
    public var available: [String: Int]
    /// Rows kept per class.
    public var selected: [String: Int]
    /// Classes with fewer rows than `perClass`.
    public var shortClasses: [String]
    /// Rows without a label (never kept).
    public var unlabelled: Int
}

/// Keeps the `top` most frequent labels, merges the rest into `otherLabel`, and samples `perClass`
/// rows per class without replacement from a seeded generator.
///
/// Ranking: by count, descending, ties by label name. Classes are sampled in name order, each with
/// `SeededGenerator.sample`, so the same seed always keeps the same rows.
public struct ClassBalancer: Sendable {
    /// How many of the most frequent labels keep their name.
    public var top: Int
    /// Label given to every other row.
    public var otherLabel: String
    /// Rows per class (nil: keep all).
    public var perClass: Int?
    /// Policy for classes with fewer than `perClass` rows.
    public var shortfall: ShortfallPolicy

    /// A balancer.
    public init(top: Int = 3, otherLabel: String = "OTHER", perClass: Int? = 1500, shortfall: ShortfallPolicy = .keep) {
        self.top = top; self.otherLabel = otherLabel; self.perClass = perClass; self.shortfall = shortfall
    }

    /// The class each label maps to: itself when among the `top` most frequent, else `otherLabel`.
    public func classMap(_ labels: [String?]) -> [String: String] {
        var counts: [String: Int] = [:]
        for case let l? in labels where !l.trimmingSpaces.isEmpty { counts[l, default: 0] += 1 }
        let ranked = counts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
        var map: [String: String] = [:]
        for (k, (label, _)) in ranked.enumerated() { map[label] = k < top ? label : otherLabel }
        return map
    }

    /// Balances rows given each row's raw label (nil or blank = unlabelled).
    public func balance(labels: [String?], generator: inout SeededGenerator) throws -> BalanceResult {
        let map = classMap(labels)
        var members: [String: [Int]] = [:]
        var unlabelled = 0
        for (r, l) in labels.enumerated() {
            guard let l, let cls = map[l] else { unlabelled += 1; continue }
            members[cls, default: []].append(r)
        }
        var chosen: [(Int, String)] = []
        var available: [String: Int] = [:], selected: [String: Int] = [:]
        var short: [String] = []
        for cls in members.keys.sorted() {
            let rows = members[cls] ?? []
            available[cls] = rows.count
            var take = rows
            if let n = perClass, n > 0 {
                if rows.count < n {
                    short.append(cls)
                    if shortfall == .error { throw CatalogError.classShortfall(label: cls, available: rows.count, required: n) }
                } else {
                    take = generator.sample(n, from: rows.count).map { rows[$0] }
                }
            }
            selected[cls] = take.count
            for r in take { chosen.append((r, cls)) }
        }
        chosen.sort { $0.0 < $1.0 }
        return BalanceResult(rows: chosen.map(\.0), labels: chosen.map(\.1), available: available, selected: selected,
                             shortClasses: short, unlabelled: unlabelled)
    }
}
