import Catalog
import Foundation
import ImageFetch
import Pipeline

/// `images.download`: fetches every product's image over HTTP(S) with libcurl, validates it
/// from its bytes and header, stores it once by sha256 in the blob store, and writes
/// `images.jsonl` (id → hash, format, size, or failure reason). Each URL is journaled, so a
/// resumed run skips what is stored, and a nightly run fetches only new URLs, re-tries known-dead
/// ones after `retry_failed_after`, and revalidates old ones (If-None-Match / If-Modified-Since)
/// after `revalidate_after`.
public struct DownloadStage: Stage {
    /// `images.download`.
    public static let typeName = "images.download"
    /// Implementation version (bump when outputs change for the same inputs).
    public static let version = 1
    /// One line for `vitrine stages`.
    public static let summary = "Download product images (concurrent libcurl, retries, safety checks, per-URL journal) into the blob store"
    /// Parameters under `with:`.
    public static let parameters: [ParameterSpec] = [
        ParameterSpec("input", .artifact, doc: "products table (JSON Lines)"),
        ParameterSpec("id_column", .string, default: .string("asin"), doc: "product id column"),
        ParameterSpec("url_column", .string, default: .string("medium_image_url"), doc: "image URL column"),
        ParameterSpec("url_prefix", .string, optional: true, doc: "prepended to relative URLs (e.g. http://127.0.0.1:8000/)"),
        ParameterSpec("concurrency", .int, default: .int(16), doc: "transfers in flight"),
        ParameterSpec("per_host", .int, default: .int(8), doc: "transfers in flight per host"),
        ParameterSpec("retries", .int, default: .int(3), doc: "retries of transient failures (timeouts, 429, 5xx, connection errors)"),
        ParameterSpec("backoff", .double, default: .double(0.5), doc: "first retry delay in seconds (doubles, with seeded jitter)"),
        ParameterSpec("timeout", .double, default: .double(30), doc: "whole-transfer timeout in seconds"),
        ParameterSpec("connect_timeout", .double, default: .double(10), doc: "connect timeout in seconds"),
        ParameterSpec("low_speed_time", .int, default: .int(10), doc: "seconds under 1 KiB/s before a stalled transfer is cut"),
        ParameterSpec("max_bytes", .int, default: .int(20 << 20), doc: "largest image body accepted, in bytes"),
        ParameterSpec("max_pixels", .int, default: .int(40_000_000), doc: "largest width × height accepted from the image header"),
        ParameterSpec("max_redirects", .int, default: .int(5), doc: "redirects followed at most"),
        ParameterSpec("allow_private", .bool, default: .bool(false), doc: "allow private, link-local and other non-public addresses"),
        ParameterSpec("allow_loopback", .bool, default: .bool(false), doc: "allow 127.0.0.0/8 and ::1 (tests, local demo server)"),
        ParameterSpec("user_agent", .string, default: .string("vitrine-imagefetch/1.0 (+catalog image indexer)"), doc: "User-Agent header"),
        ParameterSpec("proxy", .string, optional: true, doc: "HTTP(S) proxy URL (environment proxy variables are ignored)"),
        ParameterSpec("rate_limit_per_host", .double, optional: true, doc: "new requests per second per host (default unlimited)"),
        ParameterSpec("retry_failed_after", .string, default: .string("7d"), doc: "re-try permanently failed URLs after this long (e.g. 12h, 7d; 0 = always)"),
        ParameterSpec("revalidate_after", .string, default: .string("30d"), doc: "revalidate stored images with conditional requests after this long (never = never)"),
        ParameterSpec("failure_threshold", .double, default: .double(0.2), doc: "fail the stage when more than this fraction of products has no image"),
    ]
    /// `images.jsonl`.
    public static let outputs: [OutputSpec] = [
        OutputSpec("images", file: "images.jsonl", tabular: true,
                   doc: "one row per product: id, url, status, sha256, format, width, height, bytes, reason, detail"),
    ]

    let idColumn: String
    let urlColumn: String
    let urlPrefix: String?
    let options: FetchOptions
    let retryFailedAfter: Double
    let revalidateAfter: Double
    let failureThreshold: Double

    /// Validates parameters into fetch options and refresh policies.
    public init(parameters p: StageParameters) throws {
        func bad(_ name: String, _ reason: String) -> StageError { .invalidParameter(stage: p.stageName, parameter: name, reason: reason) }
        idColumn = try p.string("id_column")
        urlColumn = try p.string("url_column")
        urlPrefix = try p.optionalString("url_prefix")
        var o = FetchOptions()
        o.concurrency = try p.int("concurrency")
        o.perHost = try p.int("per_host")
        o.retries = try p.int("retries")
        o.backoffBase = try p.double("backoff")
        o.timeout = try p.double("timeout")
        o.connectTimeout = try p.double("connect_timeout")
        o.lowSpeedTime = try p.int("low_speed_time")
        o.maxBytes = try p.int("max_bytes")
        o.maxPixels = try p.int("max_pixels")
        o.maxRedirects = try p.int("max_redirects")
        o.addressPolicy = AddressPolicy(allowLoopback: try p.bool("allow_loopback"), allowPrivate: try p.bool("allow_private"))
        o.userAgent = try p.string("user_agent")
        o.proxy = try p.optionalString("proxy")
        o.rateLimitPerHost = p["rate_limit_per_host"] == nil ? nil : try p.double("rate_limit_per_host")
        for (name, value) in [("concurrency", o.concurrency), ("per_host", o.perHost), ("max_bytes", o.maxBytes),
                              ("max_pixels", o.maxPixels), ("low_speed_time", o.lowSpeedTime)] where value < 1 {
            throw bad(name, "must be at least 1, got \(value)")
        }
        if o.retries < 0 || o.maxRedirects < 0 { throw bad(o.retries < 0 ? "retries" : "max_redirects", "must not be negative") }
        if o.timeout <= 0 || o.connectTimeout <= 0 { throw bad(o.timeout <= 0 ? "timeout" : "connect_timeout", "must be positive") }
        options = o
        retryFailedAfter = try DownloadStage.duration(p.string("retry_failed_after"), parameter: "retry_failed_after", stage: p.stageName)
        revalidateAfter = try DownloadStage.duration(p.string("revalidate_after"), parameter: "revalidate_after", stage: p.stageName)
        failureThreshold = try p.double("failure_threshold")
        guard (0...1).contains(failureThreshold) else { throw bad("failure_threshold", "must be between 0 and 1") }
    }

    /// Seconds in a duration such as `90s`, `15m`, `12h`, `7d`, `2w`, a bare number of seconds, or `never`.
    static func duration(_ text: String, parameter: String, stage: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "never" { return .infinity }
        let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        var number = Substring(t), scale = 1.0
        if let last = t.last, let u = units[last] { number = t.dropLast(); scale = u }
        guard let v = Double(number), v >= 0 else {
            throw StageError.invalidParameter(stage: stage, parameter: parameter, reason: "expected a duration like 12h or 7d, got '\(text)'")
        }
        return v * scale
    }

    /// Plans from the journal, fetches, stores, journals, writes `images.jsonl` and the summary.
    public func run(in ctx: StageContext) async throws {
        let started = Date()
        let products = try loadProducts(ctx)
        let plan = try DownloadPlan.make(products: products, journal: ctx.journal, blobs: ctx.blobs,
                                         retryFailedAfter: retryFailedAfter, revalidateAfter: revalidateAfter, now: started)
        ctx.log("\(products.count) products, \(plan.urls.count) distinct URLs: \(plan.requests.count) to fetch "
                + "(\(plan.revalidations) revalidations), \(plan.reused) stored, \(plan.knownDead) known dead")
        var o = options
        o.seed = ctx.seed
        let session = DownloadSession(plan: plan, options: o, ctx: ctx)
        try await session.run()
        try ctx.checkCancellation()
        let rows = DownloadOutput.rows(products: products, plan: plan, states: session.states)
        try DownloadOutput.write(rows, to: ctx.output("images"))
        let failed = DownloadOutput.summarize(rows, session: session, plan: plan, ctx: ctx, seconds: Date().timeIntervalSince(started))
        if !rows.isEmpty, Double(failed) / Double(rows.count) > failureThreshold {
            throw StageError.tooManyFailures(stage: ctx.stageName, failed: failed, total: rows.count, threshold: failureThreshold)
        }
    }

    /// One product: its id and absolute URL (nil when the row has none).
    struct Product { let id: String; let url: String? }

    /// Product ids and absolute URLs, restricted to this worker's shard.
    func loadProducts(_ ctx: StageContext) throws -> [Product] {
        let table = try JSONLinesWriter.read(try ctx.input("input"))
        for column in [idColumn, urlColumn] where table.count > 0 && table.columnIndex(column) == nil {
            throw StageError.failed(stage: ctx.stageName, item: nil, reason: "products table has no column '\(column)'")
        }
        let ids = table.strings(idColumn), urls = table.strings(urlColumn)
        var out: [Product] = []
        out.reserveCapacity(table.count)
        for r in 0..<table.count {
            guard let id = ids[r], !id.isEmpty else { continue }
            if ctx.shard.count > 1, Int(ContentHash.sha256(id).prefix(8), radix: 16).map({ $0 % ctx.shard.count }) != ctx.shard.index { continue }
            let raw = urls[r]?.trimmingCharacters(in: .whitespacesAndNewlines)
            out.append(Product(id: id, url: raw.flatMap { $0.isEmpty ? nil : absolute($0) }))
        }
        return out
    }

    /// `url` itself when it has a scheme, otherwise `url_prefix` joined to it.
    func absolute(_ url: String) -> String {
        if url.contains("://") || urlPrefix == nil { return url }
        let prefix = urlPrefix ?? ""
        switch (prefix.hasSuffix("/"), url.hasPrefix("/")) {
        case (true, true): return prefix + url.dropFirst()
        case (false, false): return prefix + "/" + url
        default: return prefix + url
        }
    }
}
