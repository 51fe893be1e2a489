import Randomness

/// A side of a dataset split.
public enum SplitName: String, Sendable, CaseIterable {
    /// Training rows (the only side that receives oversampled copies).
    case train
    /// Validation rows.
    case val
    /// Held-out test rows.
    case test
}

/// A split: the side of every input row, plus train-only copies added by oversampling.
public struct SplitResult: Sendable {
    /// The side of each input row.
    public var sides: [SplitName]
    /// Input row indices duplicated into train by oversampling (each copy is one more train row).
    public var trainCopies: [Int]
    /// Rows per class per side (copies included).
    public var counts: [SplitName: [String: Int]]
}

/// Stratified, grouped, seeded train/val/test split.
///
/// Rows that share a product id, or a group key (e.g. the image sha256), are joined into one
/// group (union–find) and always land on the same side. A group belongs to the stratum (label)
/// of its first row. Within each stratum, in label order, groups are ordered by first row and
/// shuffled with the seeded generator; each group then goes to the side whose target
/// (`round(n × fraction)`) is furthest from being met (ties: train, val, test).
public struct DatasetSplitter: Sendable {
    /// Share of each class that goes to train.
    public var trainFraction: Double
    /// Share of each class that goes to validation (0: none).
    public var valFraction: Double

    /// A splitter.
    public init(trainFraction: Double = 0.7, valFraction: Double = 0) {
        self.trainFraction = trainFraction; self.valFraction = valFraction
    }

    /// Splits rows given their labels, product ids and optional group keys; `oversampleTrainTo`
    /// gives, per label, the train row count to reach by duplicating that label's train rows.
    public func split(labels: [String], ids: [String], groups: [String?], oversampleTrainTo: [String: Int] = [:],
                      generator: inout SeededGenerator) throws -> SplitResult {
        guard trainFraction > 0, valFraction >= 0, trainFraction + valFraction <= 1 else {
            throw CatalogError.invalidOption("split fractions must satisfy train > 0, val ≥ 0, train + val ≤ 1")
        }
        let n = labels.count
        var parent = Array(0..<n)
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        func union(_ a: Int, _ b: Int) {
            let ra = find(a), rb = find(b)
            if ra != rb { parent[max(ra, rb)] = min(ra, rb) }
        }
        var byId: [String: Int] = [:], byGroup: [String: Int] = [:]
        for r in 0..<n {
            if let f = byId[ids[r]] { union(f, r) } else { byId[ids[r]] = r }
            if r < groups.count, let g = groups[r], !g.isEmpty {
                if let f = byGroup[g] { union(f, r) } else { byGroup[g] = r }
            }
        }
        // Groups keyed by their root (the smallest row index, since union keeps the minimum).
        var members: [Int: [Int]] = [:]
        for r in 0..<n { members[find(r), default: []].append(r) }
        var strata: [String: [Int]] = [:]
        for root in members.keys.sorted() { strata[labels[root], default: []].append(root) }

        var sides = [SplitName](repeating: .train, count: n)
        for label in strata.keys.sorted() {
            var roots = strata[label] ?? []
            generator.shuffle(&roots)
            let total = roots.reduce(0) { $0 + (members[$1]?.count ?? 0) }
            let wantTrain = Int((Double(total) * trainFraction).rounded())
            let wantVal = Int((Double(total) * valFraction).rounded())
            let targets: [(SplitName, Int)] = [(.train, wantTrain), (.val, wantVal), (.test, total - wantTrain - wantVal)]
            var have: [SplitName: Int] = [:]
            for root in roots {
                var pick = SplitName.train, bestDeficit = Int.min
                for (side, want) in targets where want > 0 || side == .train {
                    let deficit = want - (have[side] ?? 0)
                    if deficit > bestDeficit { bestDeficit = deficit; pick = side }
                }
                let rows = members[root] ?? []
                have[pick, default: 0] += rows.count
                for r in rows { sides[r] = pick }
            }
        }

        var copies: [Int] = []
        for label in oversampleTrainTo.keys.sorted() {
            let want = oversampleTrainTo[label] ?? 0
            let train = (0..<n).filter { labels[$0] == label && sides[$0] == .train }
            guard !train.isEmpty, train.count < want else { continue }
            var need = want - train.count
            while need > 0 {
                var pass = train
                generator.shuffle(&pass)
                copies.append(contentsOf: pass.prefix(need))
                need -= min(need, pass.count)
            }
        }

        var counts: [SplitName: [String: Int]] = [:]
        for r in 0..<n { counts[sides[r], default: [:]][labels[r], default: 0] += 1 }
        for r in copies { counts[.train, default: [:]][labels[r], default: 0] += 1 }
        return SplitResult(sides: sides, trainCopies: copies, counts: counts)
    }
}
