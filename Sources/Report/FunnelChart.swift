/// The data funnel as horizontal SVG bars: rows left after each step, with the share of the first.
enum FunnelChart {
    static let width = 720.0, barHeight = 22.0, gap = 8.0, labelWidth = 190.0

    /// The SVG; empty when there are no steps.
    static func svg(_ steps: [FunnelStep]) -> String {
        guard let first = steps.first else { return "" }
        let maxRows = Double(max(steps.map(\.rows).max() ?? 1, 1))
        let height = Double(steps.count) * (barHeight + gap) + gap
        let barMax = width - labelWidth - 150
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"100%\" "
        out += "style=\"max-width:\(Int(width))px\" role=\"img\" aria-label=\"data funnel\">"
        for (i, step) in steps.enumerated() {
            let y = gap + Double(i) * (barHeight + gap)
            let w = max(1, Double(max(step.rows, 0)) / maxRows * barMax)
            let share = first.rows > 0 ? Double(step.rows) / Double(first.rows) * 100 : 0
            out += "<text x=\"\(f(labelWidth - 8))\" y=\"\(f(y + 15))\" text-anchor=\"end\" font-size=\"12\">"
            out += "\(HTMLText.escape(step.label))</text>"
            out += "<rect x=\"\(f(labelWidth))\" y=\"\(f(y))\" width=\"\(f(w))\" height=\"\(f(barHeight))\" rx=\"3\" fill=\"#5c8fc4\"/>"
            out += "<text x=\"\(f(labelWidth + w + 6))\" y=\"\(f(y + 15))\" font-size=\"12\">"
            out += "\(HTMLText.count(step.rows)) (\(HTMLText.fixed(share, 1)) %)</text>"
        }
        return out + "</svg>"
    }

    private static func f(_ v: Double) -> String { HTMLText.fixed(v, 1) }
}
