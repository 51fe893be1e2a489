import Foundation
import Pipeline
import Testing
import TestSupport
@testable import Stages

/// Writes upstream output folders as the runner leaves them (summary.json, metrics.json, evaluation.json, tables).
private func upstreamFolders(in dir: URL, blobs: BlobStore) throws -> [String: URL] {
    func folder(_ name: String, _ files: [String: String]) throws -> URL {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (file, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(file)) }
        return url
    }
    let sha = try blobs.put(SampleImages.tinyJPEG)
    let neighbors = (0..<6).map { i in
        let list = (0..<6).filter { $0 != i }.map { j in "{\"id\":\"P\(j)\",\"title\":\"Product \(j)\",\"type\":\"SHIRT\",\"sha256\":\"\(sha)\",\"distance\":0.\(j)}" }
        return "{\"id\":\"P\(i)\",\"title\":\"Product \(i)\",\"type\":\"SHIRT\",\"sha256\":\"\(sha)\",\"neighbors\":[\(list.joined(separator: ","))]}"
    }.joined(separator: "\n") + "\n"
    let text = (0..<6).flatMap { i in ["bow", "tfidf"].map { m in "{\"method\":\"\(m)\",\"id\":\"P\(i)\",\"neighbor_id\":\"P\((i + 1) % 6)\",\"distance\":1.5}" } }
        .joined(separator: "\n") + "\n"
    return [
        "load": try folder("load", ["summary.json": #"{"rows_in":183138,"rows_out":183138}"#]),
        "clean": try folder("clean", ["summary.json": #"{"rows_out":28385,"dropped":{"null_price":154743,"null_color":10}}"#]),
        "download": try folder("download", ["summary.json": #"{"rows_out":17000,"failures":{"http_404":12,"timeout":3}}"#]),
        "train": try folder("train@resnet18", [
            "summary.json": "{}",
            "metrics.json": #"[{"name":"train_loss","step":1,"value":1.2},{"name":"train_loss","step":2,"value":0.8},{"name":"lr","step":1,"value":0.1}]"#,
            "evaluation.json": #"{"classes":["APPAREL","SHIRT"],"epochs":[{"epoch":1,"accuracy":0.6,"loss":1.1,"macro":{"precision":0.5,"recall":0.55,"f1":0.52}},{"epoch":2,"accuracy":0.8,"loss":0.7,"macro":{"precision":0.7,"recall":0.75,"f1":0.72},"confusion":[[40,10],[6,44]]}]}"#,
        ]),
        "publish": try folder("publish", ["summary.json": "{}", "visual_neighbors.jsonl": neighbors]),
        "text": try folder("text", ["summary.json": "{}", "text_neighbors.jsonl": text]),
    ]
}

@Test func reportStageWritesAWellFormedSelfContainedPage() async throws {
    let dir = try TempDir.make("report")
    defer { try? FileManager.default.removeItem(at: dir) }
    let blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
    let folders = try upstreamFolders(in: dir, blobs: blobs)
    let inputs = ["load", "clean", "download", "train", "publish"].compactMap { folders[$0] }
        + [folders["text"]!.appendingPathComponent("text_neighbors.jsonl")]
    let params = StageParameters(["title": .string("Nightly"), "samples": .int(3)], stageName: "report")
    let staging = dir.appendingPathComponent("staging")
    try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
    let ctx = StageContext(stageName: "report", parameters: params, inputs: ["inputs": inputs], stagingDirectory: staging,
                           outputSpecs: ReportHTMLStage.outputs, blobs: blobs, seed: 7)
    try await ReportHTMLStage(parameters: params).run(in: ctx)
    let html = try String(contentsOf: ctx.output("report"), encoding: .utf8)
    #expect(HTMLTagChecker.problems(in: html) == [])
    let refs = HTMLTagChecker.references(in: html)
    #expect(refs.count == 3 * 6)  // 3 sampled queries, each with 5 neighbours, all with thumbnails
    #expect(refs.allSatisfy { HTMLTagChecker.resolves($0, base: staging) })
    #expect(html.contains("28,385 (15.5 %)"))  // funnel: clean after load
    #expect(html.contains("null_price") && html.contains("http_404"))
    for chart in ["accuracy", "train_loss", "precision", "recall", "f1"] { #expect(html.contains(">\(chart)</text>"), "chart \(chart)") }
    #expect(!html.contains(">lr</text>"))
    #expect(html.contains("train@resnet18, epoch 2"))
    #expect(html.contains("<strong>bow</strong>") && html.contains("<strong>tfidf</strong>"))
    // Same seed, same page.
    try await ReportHTMLStage(parameters: params).run(in: ctx)
    #expect(try String(contentsOf: ctx.output("report"), encoding: .utf8) == html)
}

@Test func assemblerDrawsTheRunDAG() throws {
    let dir = try TempDir.make("report-dag")
    defer { try? FileManager.default.removeItem(at: dir) }
    let blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
    let folders = try upstreamFolders(in: dir, blobs: blobs)
    let stages = [
        RunStageInfo(name: "load", type: "catalog.load", status: "succeeded", durationSeconds: 1.5, cached: true, outputFolder: folders["load"]),
        RunStageInfo(name: "clean", type: "catalog.drop_nulls", status: "succeeded", durationSeconds: 0.3, needs: ["load"],
                     outputFolder: folders["clean"]),
        RunStageInfo(name: "train", type: "model.train", status: "failed", durationSeconds: 90, needs: ["clean"],
                     outputFolder: dir.appendingPathComponent("never-written")),
    ]
    let html = ReportAssembler.html(title: "Run 3", stages: stages, blobs: blobs)
    #expect(HTMLTagChecker.problems(in: html) == [])
    #expect(html.contains("id=\"dag\"") && html.contains("cache hit") && html.contains("1 min 30 s"))
    #expect(html.contains("3 stages: 2 ran, 1 cache hits."))
    #expect(html.contains("output folder of train is missing"))
}
