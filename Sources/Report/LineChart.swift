/// A per-epoch metric as an inline SVG line chart with axes, ticks and a legend.
enum LineChart {
    static let width = 360.0, height = 240.0
    static let left = 46.0, right = 12.0, top = 26.0, bottom = 66.0
    /// Line colours, one per series (colour-blind friendly order).
    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf", "#7f7f7f"]

    /// The SVG for one chart; empty when it has no points.
    static func svg(_ chart: MetricChart) -> String {
        let points = chart.series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        guard !points.isEmpty else { return "" }
        var (xMin, xMax) = (points.map(\.x).min() ?? 0, points.map(\.x).max() ?? 1)
        var (yMin, yMax) = (points.map(\.y).min() ?? 0, points.map(\.y).max() ?? 1)
        if xMax == xMin { xMin -= 1; xMax += 1 }
        if yMax == yMin { yMin -= 0.5; yMax += 0.5 }
        let pad = (yMax - yMin) * 0.08
        yMin -= pad; yMax += pad
        let plotW = width - left - right, plotH = height - top - bottom
        func sx(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        func sy(_ y: Double) -> Double { top + (1 - (y - yMin) / (yMax - yMin)) * plotH }

        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" "
        out += "height=\"\(Int(height))\" role=\"img\" aria-label=\"\(HTMLText.escape(chart.metric)) by epoch\">"
        out += "<text x=\"\(f(width / 2))\" y=\"16\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"600\">"
        out += "\(HTMLText.escape(chart.metric))</text>"
        for t in 0...4 {
            let y = yMin + (yMax - yMin) * Double(t) / 4
            out += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(sy(y)))\" y2=\"\(f(sy(y)))\" stroke=\"#e6e9ec\"/>"
            out += "<text x=\"\(f(left - 4))\" y=\"\(f(sy(y) + 4))\" text-anchor=\"end\" font-size=\"10\" fill=\"#66707c\">"
            out += "\(tick(y, span: yMax - yMin))</text>"
        }
        for x in xTicks(xMin, xMax) {
            out += "<text x=\"\(f(sx(x)))\" y=\"\(f(top + plotH + 14))\" text-anchor=\"middle\" font-size=\"10\" fill=\"#66707c\">"
            out += "\(x == x.rounded() ? String(Int(x)) : tick(x, span: xMax - xMin))</text>"
        }
        out += "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(top + plotH + 28))\" text-anchor=\"middle\" font-size=\"10\" "
        out += "fill=\"#66707c\">epoch</text>"
        out += "<rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(plotW))\" height=\"\(f(plotH))\" fill=\"none\" stroke=\"#b8c0c8\"/>"
        for (i, series) in chart.series.enumerated() {
            let color = palette[i % palette.count]
            let pts = series.points.filter { $0.x.isFinite && $0.y.isFinite }.sorted { $0.x < $1.x }
            if pts.count > 1 {
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"2\" points=\""
                out += pts.map { "\(f(sx($0.x))),\(f(sy($0.y)))" }.joined(separator: " ") + "\"/>"
            }
            for p in pts {
                out += "<circle cx=\"\(f(sx(p.x)))\" cy=\"\(f(sy(p.y)))\" r=\"2.8\" fill=\"\(color)\">"
                out += "<title>\(HTMLText.escape(series.label)) epoch \(tick(p.x, span: 10)): \(HTMLText.fixed(p.y, 4))</title></circle>"
            }
            let lx = left + Double(i % 3) * 104, ly = top + plotH + 44 + Double(min(i / 3, 1)) * 12
            out += "<rect x=\"\(f(lx))\" y=\"\(f(ly - 4))\" width=\"10\" height=\"3\" fill=\"\(color)\"/>"
            out += "<text x=\"\(f(lx + 14))\" y=\"\(f(ly))\" font-size=\"10\">\(HTMLText.escape(clip(series.label, 16)))</text>"
        }
        return out + "</svg>"
    }

    /// Integer epochs when the range is small, else five even ticks.
    static func xTicks(_ lo: Double, _ hi: Double) -> [Double] {
        if hi - lo <= 12, lo == lo.rounded() || hi - lo > 2 {
            return stride(from: lo.rounded(.up), through: hi, by: 1).map { $0 }
        }
        return (0...4).map { lo + (hi - lo) * Double($0) / 4 }
    }

    private static func tick(_ v: Double, span: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 && span >= 4 { return String(Int(v)) }
        return HTMLText.fixed(v, span < 0.1 ? 3 : 2)
    }

    private static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }
    private static func f(_ v: Double) -> String { HTMLText.fixed(v, 1) }
}
