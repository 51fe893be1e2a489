import Foundation
import Pipeline

/// Builds, writes and summarises the `images.jsonl` table of `images.download`.
enum DownloadOutput {
    /// The table's columns, in order.
    static let columns = ["id", "url", "status", "sha256", "format", "width", "height", "bytes", "reason", "detail"]

    /// One row per product (products sharing a URL share its outcome).
    static func rows(products: [DownloadStage.Product], plan: DownloadPlan, states: [String: DownloadImageState]) -> [[(String, JSONValue)]] {
        products.map { p in
            func str(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            func int(_ i: Int?) -> JSONValue { i.map { .int($0) } ?? .null }
            guard let url = p.url else {
                return [("id", .string(p.id)), ("url", .null), ("status", .string("failed")), ("sha256", .null), ("format", .null),
                        ("width", .null), ("height", .null), ("bytes", .null), ("reason", .string("no_url")),
                        ("detail", .string("the product has no image URL"))]
            }
            let s = states[url] ?? DownloadImageState(ok: false, sha256: nil, format: nil, width: nil, height: nil, bytes: nil,
                                                      reason: "not_fetched", detail: "the run ended before this URL", source: .failed)
            return [("id", .string(p.id)), ("url", .string(url)), ("status", .string(s.ok ? "ok" : "failed")),
                    ("sha256", s.ok ? str(s.sha256) : .null), ("format", s.ok ? str(s.format) : .null),
                    ("width", s.ok ? int(s.width) : .null), ("height", s.ok ? int(s.height) : .null),
                    ("bytes", s.ok ? int(s.bytes) : .null), ("reason", s.ok ? .null : str(s.reason)),
                    ("detail", s.ok ? .null : str(s.detail))]
        }
    }

    /// Writes rows as JSON Lines with keys in column order.
    static func write(_ rows: [[(String, JSONValue)]], to url: URL) throws {
        var out = ""
        out.reserveCapacity(rows.count * 200)
        for row in rows {
            out += "{"
            for (i, (key, value)) in row.enumerated() {
                if i > 0 { out += "," }
                JSONValue.quote(key, into: &out)
                out += ":" + value.canonical
            }
            out += "}\n"
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileIO.writeAtomically(Data(out.utf8), to: url)
    }

    /// Records the summary and metrics, logs a summary table, and returns the number of failed products.
    static func summarize(_ rows: [[(String, JSONValue)]], session: DownloadSession, plan: DownloadPlan,
                          ctx: StageContext, seconds: Double) -> Int {
        var failedByReason: [String: Int] = [:]
        var hashes = Set<String>()
        var ok = 0
        for row in rows {
            let d = Dictionary(row, uniquingKeysWith: { a, _ in a })
            if d["status"]?.stringValue == "ok" {
                ok += 1
                if let h = d["sha256"]?.stringValue { hashes.insert(h) }
            } else {
                failedByReason[d["reason"]?.stringValue ?? "unknown", default: 0] += 1
            }
        }
        let failed = rows.count - ok
        let identical = ok - hashes.count
        let numbers: [(String, Double)] = [
            ("products", Double(rows.count)), ("urls", Double(plan.urls.count)), ("ok", Double(ok)),
            ("fetched", Double(session.fetched)), ("reused", Double(plan.reused + session.keptAfterFailedRevalidation)),
            ("not_modified", Double(session.notModified)), ("known_dead", Double(plan.knownDead)),
            ("failed", Double(failed)), ("failed_urls", Double(session.failedURLs)), ("attempts", Double(session.attempts)),
            ("bytes", Double(session.bytesDownloaded)), ("duration_s", seconds),
            ("images_per_s", seconds > 0 ? Double(session.fetched) / seconds : 0),
            ("distinct_images", Double(hashes.count)), ("identical_images", Double(identical)),
        ]
        for (k, v) in numbers {
            ctx.summarize(k, v == v.rounded() && abs(v) < 1e15 && k != "duration_s" && k != "images_per_s" ? .int(Int(v)) : .double(v))
            ctx.metric(k, v)
        }
        ctx.summarize("failed_by_reason", .object(failedByReason.mapValues { .int($0) }))
        for (reason, n) in failedByReason { ctx.metric("failed.\(reason)", Double(n)) }
        ctx.log(String(format: "%d products: %d ok (%d fetched, %d reused, %d not modified), %d failed, %d known dead; %.1f MB in %.1f s; %d identical images",
                       rows.count, ok, session.fetched, plan.reused, session.notModified, failed, plan.knownDead,
                       Double(session.bytesDownloaded) / 1e6, seconds, identical))
        for (reason, n) in failedByReason.sorted(by: { $0.value > $1.value }) {
            ctx.log("  failed \(reason): \(n)")
        }
        return failed
    }
}
