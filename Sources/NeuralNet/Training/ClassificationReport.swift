/// Accuracy, loss, per-class and macro precision/recall/F1 and the confusion matrix of one evaluation.
public struct ClassificationReport: Sendable, Codable, Equatable {
    /// Fraction of correct predictions.
    public var accuracy: Double
    /// Mean cross-entropy loss.
    public var loss: Double
    /// Per-class precision, recall and F1, in class-index order.
    public var precision: [Double], recall: [Double], f1: [Double]
    /// Unweighted means over classes.
    public var macroPrecision: Double, macroRecall: Double, macroF1: Double
    /// `confusion[truth][predicted]` counts.
    public var confusion: [[Int]]
    /// Rows evaluated.
    public var count: Int

    /// The report for `labels` versus `predictions` over `classes` classes.
    public init(labels: [Int], predictions: [Int], classes: Int, loss: Double) {
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: classes), count: classes)
        for (t, p) in zip(labels, predictions) where t >= 0 && t < classes && p >= 0 && p < classes { confusion[t][p] += 1 }
        precision = []; recall = []; f1 = []
        for c in 0..<classes {
            let tp = Double(confusion[c][c])
            let predicted = Double((0..<classes).reduce(0) { $0 + confusion[$1][c] })
            let actual = Double(confusion[c].reduce(0, +))
            let p = predicted > 0 ? tp / predicted : 0, r = actual > 0 ? tp / actual : 0
            precision.append(p); recall.append(r); f1.append(p + r > 0 ? 2 * p * r / (p + r) : 0)
        }
        let k = Double(max(classes, 1))
        macroPrecision = precision.reduce(0, +) / k; macroRecall = recall.reduce(0, +) / k; macroF1 = f1.reduce(0, +) / k
        let correct = (0..<classes).reduce(0) { $0 + confusion[$1][$1] }
        count = labels.count
        accuracy = labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
        self.loss = loss; self.confusion = confusion
    }
}
