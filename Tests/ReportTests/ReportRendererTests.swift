import Foundation
import TestSupport
import Testing
@testable import Report

/// A real 24×24 JPEG (see SampleImages).
let tinyJPEG = SampleImages.tinyJPEG

/// A report with every section filled, as a run of the research pipeline would give.
func sampleModel() -> ReportModel {
    let stages = [
        StageStatusRow(name: "load", type: "catalog.load", status: "succeeded", durationSeconds: 0.42, cached: true),
        StageStatusRow(name: "clean", type: "catalog.drop_nulls", status: "succeeded", durationSeconds: 0.1, cached: true, needs: ["load"]),
        StageStatusRow(name: "dedupe", type: "catalog.dedupe_titles", status: "succeeded", durationSeconds: 0.8, needs: ["clean"]),
        StageStatusRow(name: "text", type: "text.similarity", status: "succeeded", durationSeconds: 1.2, needs: ["dedupe"]),
        StageStatusRow(name: "download", type: "images.download", status: "failed", durationSeconds: 75, needs: ["dedupe"]),
        StageStatusRow(name: "report", type: "report.html", status: "running", needs: ["text", "download", "missing-stage"]),
    ]
    let tile = { (i: Int, d: Double?) in
        ProductTile(id: "B0\(i)", title: "Women's <Lace> & \"Floral\" Top #\(i)", detail: "SHIRT", distance: d,
                    image: i % 4 == 3 ? nil : ReportImage(mimeType: "image/jpeg", data: tinyJPEG))
    }
    return ReportModel(
        title: "Vitrine run 7 — report", subtitle: "pipeline research.yaml · 2026-11-25",
        stages: stages,
        funnel: [FunnelStep(label: "loaded", rows: 183_138), FunnelStep(label: "drop_nulls", rows: 28_385),
                 FunnelStep(label: "dedupe_titles", rows: 17_593)],
        drops: [ReasonCount(stage: "clean", reason: "null_price", count: 154_743)],
        downloadFailures: [ReasonCount(stage: "download", reason: "http_404", count: 12)],
        charts: ["accuracy", "loss"].map { m in
            MetricChart(metric: m, series: ["resnet18", "vgg16"].enumerated().map { s, name in
                MetricSeries(label: name, points: (1...5).map { ChartPoint(x: Double($0), y: 0.5 + 0.05 * Double($0 + s)) })
            })
        } + [MetricChart(metric: "f1", series: [MetricSeries(label: "one point", points: [ChartPoint(x: 1, y: 0.7)])])],
        confusionMatrices: [ConfusionMatrix(title: "resnet18, epoch 5", classes: ["APPAREL", "SHIRT", "OTHER"],
                                            counts: [40, 3, 2, 5, 30, 1, 0, 4, 50])],
        imageQueries: [ImageQuery(query: tile(0, nil), neighbors: (1...10).map { tile($0, Double($0) / 10) })],
        textQueries: [TextQuery(query: tile(0, nil), methods: [("bow", (1...3).map { tile($0, 2.1) }),
                                                               ("tfidf", (1...3).map { tile($0, 1.05) })])],
        notes: ["evaluation.json missing for train@vgg19"])
}

@Test func fullReportIsWellFormedAndSelfContained() throws {
    let html = ReportRenderer.render(sampleModel())
    #expect(HTMLTagChecker.problems(in: html) == [])
    let refs = HTMLTagChecker.references(in: html)
    #expect(refs.count == 9)  // 11 gallery tiles, every fourth without an image
    for r in refs { #expect(HTMLTagChecker.resolves(r, base: nil), "unresolved \(r.prefix(40))") }
    #expect(!html.contains("http://") || !html.contains("src=\"http"))
    #expect(!html.contains("<script"))
    for section in ["id=\"dag\"", "id=\"funnel\"", "id=\"training\"", "id=\"confusion\"", "id=\"visual-queries\"", "id=\"text-queries\""] {
        #expect(html.contains(section), "missing section \(section)")
    }
    // Text is escaped, numbers are formatted.
    #expect(html.contains("Women&#39;s &lt;Lace&gt; &amp; &quot;Floral&quot;"))
    #expect(html.contains("17,593 (9.6 %)"))
    #expect(html.contains("1 min 15 s"))
}

@Test func emptyModelRendersOnlyTheHeading() {
    let html = ReportRenderer.render(ReportModel(title: "empty"))
    #expect(HTMLTagChecker.problems(in: html) == [])
    #expect(!html.contains("<section"))
}

@Test func checkerFindsUnbalancedTags() {
    #expect(!HTMLTagChecker.problems(in: "<div><span></div>").isEmpty)
    #expect(!HTMLTagChecker.problems(in: "<section><p>open").isEmpty)
    #expect(HTMLTagChecker.problems(in: "<div><img src=\"x\"><br><svg><path d=\"M0 0\"/></svg></div>") == [])
    #expect(!HTMLTagChecker.resolves("data:image/jpeg;base64,!!!", base: nil))
}

@Test func dagLayersFollowLongestPath() {
    let layers = DAGDiagram.layers(sampleModel().stages)
    #expect(layers == [0, 1, 2, 3, 3, 4])
    // A cycle does not hang the layout.
    let cyclic = [StageStatusRow(name: "a", type: "x", status: "pending", needs: ["b"]),
                  StageStatusRow(name: "b", type: "x", status: "pending", needs: ["a"])]
    #expect(DAGDiagram.layers(cyclic).count == 2)
}

@Test func lineChartPlacesPointsWithinThePlot() {
    let chart = MetricChart(metric: "accuracy", series: [MetricSeries(label: "m", points: [ChartPoint(x: 1, y: 0.2), ChartPoint(x: 5, y: 0.9)])])
    let svg = LineChart.svg(chart)
    #expect(svg.contains("<polyline"))
    #expect(svg.contains("cx=\"\(HTMLText.fixed(LineChart.left, 1))\""))  // x = 1 sits on the left edge
    #expect(LineChart.svg(MetricChart(metric: "none", series: [])) == "")
}

/// Writes a sample report for `bench/search/report-check.sh` (only when VITRINE_REPORT_SAMPLE names the output file);
/// thumbnails are real Myntra product photos when the shared data set is present.
@Test(.enabled(if: ProcessInfo.processInfo.environment["VITRINE_REPORT_SAMPLE"] != nil))
func writeSampleReportForBrowserCheck() throws {
    let out = URL(fileURLWithPath: ProcessInfo.processInfo.environment["VITRINE_REPORT_SAMPLE"] ?? "/dev/null")
    var model = sampleModel()
    let images = SharedData.url("myntra-products-2k/images")
    let photos = ((try? FileManager.default.contentsOfDirectory(atPath: images.path)) ?? []).sorted().prefix(44)
        .compactMap { try? Data(contentsOf: images.appendingPathComponent($0)) }
    if photos.count == 44 {
        model.imageQueries = (0..<4).map { q in
            let tile = { (i: Int, d: Double?) in
                ProductTile(id: "M\(q * 11 + i)", title: "Myntra product \(q * 11 + i)", detail: "Tshirts", distance: d,
                            image: ReportImage(mimeType: "image/jpeg", data: photos[q * 11 + i]))
            }
            return ImageQuery(query: tile(0, nil), neighbors: (1...10).map { tile($0, 0.3 + Double($0) / 20) })
        }
    }
    try ReportRenderer.render(model).write(to: out, atomically: true, encoding: .utf8)
    #expect(FileManager.default.fileExists(atPath: out.path))
}
