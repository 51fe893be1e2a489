/// Sample queries with their top-k: thumbnails, titles and distances for images; ranked title
/// lists side by side per method (BoW, TF-IDF) for text.
enum QueryGallery {
    /// The visual-search gallery section.
    static func imageSection(_ queries: [ImageQuery]) -> String {
        guard !queries.isEmpty else { return "" }
        var out = "<section id=\"visual-queries\"><h2>Visual search: sample queries and their top \(queries[0].neighbors.count)</h2>"
        for q in queries {
            out += "<div class=\"gallery-row\">" + tile(q.query, isQuery: true) + q.neighbors.map { tile($0, isQuery: false) }.joined()
            out += "</div>"
        }
        return out + "</section>"
    }

    /// The text-search section.
    static func textSection(_ queries: [TextQuery]) -> String {
        guard !queries.isEmpty else { return "" }
        var out = "<section id=\"text-queries\"><h2>Text search: sample queries, by method</h2>"
        for q in queries {
            out += "<h3>\(HTMLText.escape(q.query.title)) <span class=\"dist\">(\(HTMLText.escape(q.query.id)))</span></h3>"
            out += "<div class=\"textq\">"
            for method in q.methods {
                out += "<div><strong>\(HTMLText.escape(method.name))</strong><ol>"
                for n in method.neighbors {
                    out += "<li>\(HTMLText.escape(n.title))"
                    if let d = n.distance { out += " <span class=\"dist\">\(HTMLText.fixed(d, 3))</span>" }
                    out += "</li>"
                }
                out += "</ol></div>"
            }
            out += "</div>"
        }
        return out + "</section>"
    }

    static func tile(_ p: ProductTile, isQuery: Bool) -> String {
        var out = "<div class=\"tile\(isQuery ? " query" : "")\">"
        if let image = p.image {
            out += "<img class=\"thumb\" alt=\"\(HTMLText.escape(p.title))\" src=\"\(image.dataURI)\">"
        } else {
            out += "<div class=\"noimg\">no image</div>"
        }
        out += "<div class=\"t\" title=\"\(HTMLText.escape(p.title))\">\(isQuery ? "<strong>query</strong> " : "")"
        out += "\(HTMLText.escape(p.title))</div>"
        if !p.detail.isEmpty { out += "<div class=\"d\">\(HTMLText.escape(p.detail))</div>" }
        if let d = p.distance { out += "<div class=\"dist\">d = \(HTMLText.fixed(d, 3))</div>" }
        return out + "</div>"
    }
}
