import Foundation
import Pipeline
import Randomness
import Report

/// Builds the run report from a run's stages and their output folders; `vitrine report RUN`
/// and the `report.html` stage both call it.
public enum ReportAssembler {
    /// Metric names drawn as per-epoch charts (matched case-insensitively as substrings).
    static let chartedMetrics = ["accuracy", "loss", "precision", "recall", "f1"]

    /// The report model: DAG from `stages`, data sections from their output folders, thumbnails from `blobs`.
    public static func assemble(title: String, subtitle: String = "", stages: [RunStageInfo], blobs: BlobStore?,
                                samples: Int = 4, seed: UInt64 = 0) -> ReportModel {
        var model = ReportModel(title: title, subtitle: subtitle)
        model.stages = stages.map {
            StageStatusRow(name: $0.name, type: $0.type, status: $0.status, durationSeconds: $0.durationSeconds,
                           cached: $0.cached, needs: $0.needs)
        }
        var series: [String: [MetricSeries]] = [:]
        var visualFiles: [URL] = [], textFiles: [URL] = [], productFiles: [URL] = []
        for stage in stages {
            guard let folder = stage.outputFolder else { continue }
            let reader = StageFolderReader(stage: stage.name, type: stage.type, folder: folder)
            reader.readSummary(into: &model)
            for (metric, points) in reader.readSeries() where points.count > 0 && isCharted(metric) {
                series[metric, default: []].append(MetricSeries(label: stage.name, points: points))
            }
            if let cm = reader.readConfusion() { model.confusionMatrices.append(cm) }
            let visual = folder.appendingPathComponent("visual_neighbors.jsonl")
            if FileManager.default.fileExists(atPath: visual.path) { visualFiles.append(visual) }
            textFiles += ((try? NeighborRowsReader.files(folder)) ?? []).filter { $0.lastPathComponent != "visual_neighbors.jsonl" }
            let products = folder.appendingPathComponent("products.jsonl")
            if FileManager.default.fileExists(atPath: products.path) { productFiles.append(products) }
        }
        model.charts = series.keys.sorted(by: chartOrder).prefix(10).map { MetricChart(metric: $0, series: series[$0] ?? []) }
        var generator = SeededGenerator(seed: seed, stream: "report.samples")
        let gallery = QuerySampler(blobs: blobs, samples: samples)
        if let visual = visualFiles.last {
            do { model.imageQueries = try gallery.imageQueries(from: visual, generator: &generator) } catch {
                model.notes.append("could not read \(visual.path): \(error)")
            }
        }
        if !textFiles.isEmpty {
            do {
                model.textQueries = try gallery.textQueries(from: textFiles, titles: titles(productFiles.last, visualFiles.last),
                                                            generator: &generator)
            } catch { model.notes.append("could not read text neighbours: \(error)") }
        }
        for stage in stages where stage.outputFolder.map({ !FileManager.default.fileExists(atPath: $0.path) }) ?? false {
            model.notes.append("output folder of \(stage.name) is missing: \(stage.outputFolder?.path ?? "")")
        }
        return model
    }

    /// The report as one self-contained HTML document.
    public static func html(title: String, subtitle: String = "", stages: [RunStageInfo], blobs: BlobStore?,
                            samples: Int = 4, seed: UInt64 = 0) -> String {
        ReportRenderer.render(assemble(title: title, subtitle: subtitle, stages: stages, blobs: blobs, samples: samples, seed: seed))
    }

    /// Writes the report to `url` atomically.
    public static func write(to url: URL, title: String, subtitle: String = "", stages: [RunStageInfo], blobs: BlobStore?,
                             samples: Int = 4, seed: UInt64 = 0) throws {
        let page = html(title: title, subtitle: subtitle, stages: stages, blobs: blobs, samples: samples, seed: seed)
        try FileIO.writeAtomically(Data(page.utf8), to: url)
    }

    static func isCharted(_ metric: String) -> Bool {
        let m = metric.lowercased()
        return chartedMetrics.contains { m.contains($0) }
    }

    /// Charts in the order accuracy, loss, precision, recall, F1, then by name.
    static func chartOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ m: String) -> Int { chartedMetrics.firstIndex { m.lowercased().contains($0) } ?? chartedMetrics.count }
        return rank(a) != rank(b) ? rank(a) < rank(b) : a < b
    }

    /// Titles by id from a products table (with the Amazon or Myntra columns) and the visual neighbours table.
    static func titles(_ products: URL?, _ visual: URL?) -> [String: String] {
        var out: [String: String] = [:]
        for row in (visual.flatMap { try? JSONLinesRows.read($0) }) ?? [] {
            if let id = JSONLinesRows.text(row, "id"), let t = JSONLinesRows.text(row, "title"), !t.isEmpty { out[id] = t }
        }
        for row in (products.flatMap { try? JSONLinesRows.read($0) }) ?? [] {
            guard let id = JSONLinesRows.text(row, "asin") ?? JSONLinesRows.text(row, "id") else { continue }
            if let t = JSONLinesRows.text(row, "title") ?? JSONLinesRows.text(row, "productDisplayName") { out[id] = t }
        }
        return out
    }
}
