/// Renders a `ReportModel` as one self-contained HTML page: inline CSS and SVG, images as
/// data URIs, no scripts and no network.
public enum ReportRenderer {
    /// The complete HTML document.
    public static func render(_ model: ReportModel) -> String {
        var html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        html += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        html += "<title>\(HTMLText.escape(model.title))</title><style>\(ReportStyle.css)</style></head><body>"
        html += "<h1>\(HTMLText.escape(model.title))</h1>"
        if !model.subtitle.isEmpty { html += "<div class=\"sub\">\(HTMLText.escape(model.subtitle))</div>" }
        html += stagesSection(model.stages)
        html += funnelSection(model)
        html += chartsSection(model.charts)
        html += confusionSection(model.confusionMatrices)
        html += QueryGallery.imageSection(model.imageQueries)
        html += QueryGallery.textSection(model.textQueries)
        if !model.notes.isEmpty {
            html += "<section class=\"notes\"><h2>Notes</h2><ul>"
            html += model.notes.map { "<li>\(HTMLText.escape($0))</li>" }.joined() + "</ul></section>"
        }
        return html + "</body></html>\n"
    }

    static func stagesSection(_ stages: [StageStatusRow]) -> String {
        guard !stages.isEmpty else { return "" }
        let ran = stages.filter { !$0.cached }.count
        var out = "<section id=\"dag\"><h2>Pipeline</h2>"
        out += "<p>\(stages.count) stages: \(ran) ran, \(stages.count - ran) cache hits.</p>"
        out += "<div class=\"chart\">" + DAGDiagram.svg(stages) + "</div>"
        out += "<h3>Stages</h3><table><thead><tr><th>stage</th><th>type</th><th>status</th><th class=\"num\">duration</th>"
        out += "<th>cache</th></tr></thead><tbody>"
        for s in stages {
            out += "<tr><td>\(HTMLText.escape(s.name))</td><td>\(HTMLText.escape(s.type))</td>"
            out += "<td class=\"status-\(HTMLText.escape(s.status))\">\(HTMLText.escape(s.status))</td>"
            out += "<td class=\"num\">\(s.durationSeconds.map(HTMLText.duration) ?? "–")</td>"
            out += "<td>\(s.cached ? "hit" : "miss")</td></tr>"
        }
        return out + "</tbody></table></section>"
    }

    static func funnelSection(_ model: ReportModel) -> String {
        guard !model.funnel.isEmpty || !model.drops.isEmpty || !model.downloadFailures.isEmpty else { return "" }
        var out = "<section id=\"funnel\"><h2>Data funnel</h2>"
        if !model.funnel.isEmpty { out += "<div>" + FunnelChart.svg(model.funnel) + "</div>" }
        out += reasonTable("Rows dropped, by reason", model.drops)
        out += reasonTable("Download failures, by reason", model.downloadFailures)
        return out + "</section>"
    }

    static func reasonTable(_ caption: String, _ rows: [ReasonCount]) -> String {
        guard !rows.isEmpty else { return "" }
        var out = "<h3>\(HTMLText.escape(caption))</h3><table><thead><tr><th>stage</th><th>reason</th>"
        out += "<th class=\"num\">count</th></tr></thead><tbody>"
        for r in rows {
            out += "<tr><td>\(HTMLText.escape(r.stage))</td><td>\(HTMLText.escape(r.reason))</td>"
            out += "<td class=\"num\">\(HTMLText.count(r.count))</td></tr>"
        }
        return out + "</tbody></table>"
    }

    static func chartsSection(_ charts: [MetricChart]) -> String {
        let drawn = charts.map(LineChart.svg).filter { !$0.isEmpty }
        guard !drawn.isEmpty else { return "" }
        return "<section id=\"training\"><h2>Training and evaluation, per epoch</h2><div class=\"charts\">"
            + drawn.map { "<div class=\"chart\">\($0)</div>" }.joined() + "</div></section>"
    }

    static func confusionSection(_ matrices: [ConfusionMatrix]) -> String {
        guard !matrices.isEmpty else { return "" }
        var out = "<section id=\"confusion\"><h2>Confusion matrix</h2><div class=\"charts\">"
        for m in matrices {
            let n = m.classes.count
            func count(_ t: Int, _ p: Int) -> Int { t * n + p < m.counts.count ? m.counts[t * n + p] : 0 }
            out += "<div><h3>\(HTMLText.escape(m.title))</h3><table class=\"cm\"><thead><tr><th>true \\ predicted</th>"
            out += m.classes.map { "<th>\(HTMLText.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
            for t in 0..<n {
                let rowTotal = max((0..<n).map { count(t, $0) }.reduce(0, +), 1)
                out += "<tr><th>\(HTMLText.escape(m.classes[t]))</th>"
                for p in 0..<n {
                    let share = Double(count(t, p)) / Double(rowTotal)
                    let hue = t == p ? "46,125,50" : "198,40,40"
                    out += "<td style=\"background: rgba(\(hue),\(HTMLText.fixed(share * 0.55, 3)))\" "
                    out += "title=\"\(HTMLText.fixed(share * 100, 1)) % of row\">\(HTMLText.count(count(t, p)))</td>"
                }
                out += "</tr>"
            }
            out += "</tbody></table></div>"
        }
        return out + "</div></section>"
    }
}
