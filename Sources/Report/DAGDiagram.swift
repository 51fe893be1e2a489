/// The pipeline DAG as an inline SVG layered graph: one layer per longest-path depth, top to
/// bottom, each box coloured by status and labelled with duration and cache hit or miss.
enum DAGDiagram {
    static let boxWidth = 176.0, boxHeight = 52.0, columnGap = 24.0, rowGap = 44.0, margin = 12.0

    /// Layer of each stage: 0 without known upstream stages, else 1 + the deepest upstream layer.
    static func layers(_ stages: [StageStatusRow]) -> [Int] {
        let index = Dictionary(stages.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var layer = [Int?](repeating: nil, count: stages.count)
        var visiting = Set<Int>()
        func depth(_ i: Int) -> Int {
            if let l = layer[i] { return l }
            guard visiting.insert(i).inserted else { return 0 }  // a cycle: break it rather than recurse forever
            let d = stages[i].needs.compactMap { index[$0] }.map { depth($0) + 1 }.max() ?? 0
            visiting.remove(i)
            layer[i] = d
            return d
        }
        return stages.indices.map(depth)
    }

    /// Fill colour for a status word.
    static func color(_ row: StageStatusRow) -> String {
        if row.cached { return "#dfe8f1" }
        switch row.status {
        case "succeeded": return "#dcefdc"
        case "failed": return "#f8d7d7"
        case "running": return "#fde9c8"
        default: return "#eceff2"
        }
    }

    /// The SVG element.
    static func svg(_ stages: [StageStatusRow]) -> String {
        guard !stages.isEmpty else { return "" }
        let layer = layers(stages)
        var slots: [Int: [Int]] = [:]
        for (i, l) in layer.enumerated() { slots[l, default: []].append(i) }
        let widest = slots.values.map(\.count).max() ?? 1
        let width = margin * 2 + Double(widest) * boxWidth + Double(widest - 1) * columnGap
        let depth = (layer.max() ?? 0) + 1
        let height = margin * 2 + Double(depth) * boxHeight + Double(depth - 1) * rowGap
        var pos = [(x: Double, y: Double)](repeating: (0, 0), count: stages.count)
        for (l, members) in slots {
            let rowWidth = Double(members.count) * boxWidth + Double(members.count - 1) * columnGap
            let x0 = (width - rowWidth) / 2
            for (slot, i) in members.enumerated() {
                pos[i] = (x0 + Double(slot) * (boxWidth + columnGap), margin + Double(l) * (boxHeight + rowGap))
            }
        }
        let index = Dictionary(stages.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var out = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        out += "width=\"100%\" style=\"max-width:\(Int(width))px\" role=\"img\" aria-label=\"pipeline DAG\">"
        out += "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" "
        out += "orient=\"auto\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#8a949e\"/></marker></defs>"
        for (i, stage) in stages.enumerated() {
            for need in stage.needs {
                guard let j = index[need] else { continue }
                let x1 = pos[j].x + boxWidth / 2, y1 = pos[j].y + boxHeight
                let x2 = pos[i].x + boxWidth / 2, y2 = pos[i].y
                let my = (y1 + y2) / 2
                out += "<path d=\"M\(f(x1)),\(f(y1)) C\(f(x1)),\(f(my)) \(f(x2)),\(f(my)) \(f(x2)),\(f(y2 - 1))\" "
                out += "fill=\"none\" stroke=\"#8a949e\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>"
            }
        }
        for (i, stage) in stages.enumerated() {
            let (x, y) = pos[i]
            let stroke = stage.status == "failed" ? "#c62828" : "#7d8790"
            out += "<g><title>\(HTMLText.escape("\(stage.name) (\(stage.type)): \(stage.status)"))</title>"
            out += "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(boxWidth))\" height=\"\(f(boxHeight))\" rx=\"6\" "
            out += "fill=\"\(color(stage))\" stroke=\"\(stroke)\"/>"
            out += text(x + 8, y + 17, clip(stage.name, 24), weight: "600", size: 12.5)
            out += text(x + 8, y + 32, clip(stage.type, 28), size: 11, fill: "#4a545e")
            let timing = (stage.durationSeconds.map(HTMLText.duration) ?? "–") + " · " + (stage.cached ? "cache hit" : stage.status)
            out += text(x + 8, y + 46, clip(timing, 30), size: 10.5, fill: "#4a545e")
            out += "</g>"
        }
        return out + "</svg>"
    }

    private static func f(_ v: Double) -> String { HTMLText.fixed(v, 1) }

    private static func clip(_ s: String, _ n: Int) -> String { s.count <= n ? s : String(s.prefix(n - 1)) + "…" }

    private static func text(_ x: Double, _ y: Double, _ s: String, weight: String = "400", size: Double, fill: String = "#1d232b") -> String {
        "<text x=\"\(f(x))\" y=\"\(f(y))\" font-size=\"\(size)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(HTMLText.escape(s))</text>"
    }
}
