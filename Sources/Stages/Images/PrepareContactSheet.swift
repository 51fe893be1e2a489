import Foundation
import Imaging
import Pipeline

/// The contact sheet: one self-contained HTML page with a grid of sample thumbnails per class
/// (inline JPEG data URIs) and the failure counts, for a human to glance at.
enum PrepareContactSheet {
    static func html(classes: [String], kept: [(item: PrepareStage.Item, thumbnail: ThumbnailRef)], samplesPerClass: Int, size: Int,
                     failureCounts: [String: Int], blobs: BlobStore) throws -> String {
        var byClass: [String: [(item: PrepareStage.Item, thumbnail: ThumbnailRef)]] = [:]
        for k in kept where (byClass[k.item.label]?.count ?? 0) < samplesPerClass { byClass[k.item.label, default: []].append(k) }
        var out = """
        <!doctype html>
        <html><head><meta charset="utf-8"><title>images.prepare contact sheet</title>
        <style>body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}h2{margin:1.2em 0 .4em}
        .grid{display:flex;flex-wrap:wrap;gap:8px}figure{margin:0;width:\(size)px;font-size:11px;text-align:center}
        img{width:\(size)px;height:\(size)px;border:1px solid #ddd;image-rendering:auto}table{border-collapse:collapse}
        td,th{border:1px solid #ccc;padding:2px 8px;text-align:left}</style></head><body>
        <h1>Prepared images: \(kept.count) products, \(classes.count) classes, \(size)×\(size)</h1>

        """
        for c in classes {
            let samples = byClass[c] ?? []
            out += "<h2>\(escape(c)) <small>(\(kept.filter { $0.item.label == c }.count) images)</small></h2>\n<div class=\"grid\">\n"
            for s in samples {
                let pixels = [UInt8](try s.thumbnail.pixels(blobs, rowBytes: size * size * 3))
                let jpeg = try ImageEncoder.jpeg(pixels: pixels, width: size, height: size, components: 3, quality: 80)
                out += "<figure><img alt=\"\(escape(s.item.id))\" src=\"data:image/jpeg;base64,\(jpeg.base64EncodedString())\">"
                out += "<figcaption>\(escape(s.item.id)) · \(escape(s.item.split))</figcaption></figure>\n"
            }
            out += "</div>\n"
        }
        out += "<h2>Failures</h2>\n"
        if failureCounts.isEmpty { out += "<p>none</p>\n" } else {
            out += "<table><tr><th>reason</th><th>products</th></tr>\n"
            for (k, v) in failureCounts.sorted(by: { $0.key < $1.key }) { out += "<tr><td>\(escape(k))</td><td>\(v)</td></tr>\n" }
            out += "</table>\n"
        }
        out += "</body></html>\n"
        return out
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }
}
