import Foundation

/// A ready-made set of well-behaved and hostile routes for download tests; each path names its behaviour.
///
/// Paths: `/ok.jpg`, `/ok2.jpg`, `/ok.png`, `/404`, `/410`, `/flaky-500` (500 once, then the JPEG),
/// `/429` (429 with `Retry-After: 1` once, then the JPEG), `/always-500`, `/reset` (TCP reset mid-body),
/// `/short-body` (Content-Length larger than the body, then close), `/stall` (headers, then silence),
/// `/endless` (a body that never ends), `/chain/1`…`/chain/3` (redirects to `/ok.jpg`), `/loop`
/// (redirects to itself), `/to-file` (redirect to `file:///etc/passwd`), `/to-metadata` (redirect to
/// 169.254.169.254), `/to-private` (redirect to 10.0.0.1), `/jpeg-as-html` (JPEG labelled text/html),
/// `/html-as-jpeg` (HTML labelled image/jpeg), `/html-200`, `/truncated.jpg` (first half of the JPEG),
/// `/huge.png` (IHDR claims 50000×50000), `/bomb` (gzip bomb, Content-Encoding: gzip), `/empty`
/// (zero-byte 200), `/etag.jpg` (ETag + Last-Modified, 304 on a match).
public enum LoopbackHTTPHostileRoutes {
    /// The Last-Modified value `/etag.jpg` sends.
    public static let lastModified = "Tue, 24 Nov 2026 10:00:00 GMT"
    /// The ETag `/etag.jpg` sends.
    public static let etag = "\"fetch-10000-v1\""

    /// Builds the routes from the committed fixtures.
    public static func make() throws -> [String: LoopbackHTTPHandler] {
        let jpeg = try LoopbackHTTPFixtures.jpeg()
        let jpeg2 = try LoopbackHTTPFixtures.jpeg2()
        let png = try LoopbackHTTPFixtures.png()
        let huge = try LoopbackHTTPFixtures.pngClaiming(width: 50_000, height: 50_000)
        let bomb = try LoopbackHTTPFixtures.gzipBomb()
        let html = Data("<!DOCTYPE html><html><body><h1>Sorry, this image is unavailable</h1></body></html>\n".utf8)
        let jpegOK: LoopbackHTTPResponse = .ok(jpeg, contentType: "image/jpeg")
        var r: [String: LoopbackHTTPHandler] = [:]
        r["/ok.jpg"] = { _, _ in jpegOK }
        r["/ok2.jpg"] = { _, _ in .ok(jpeg2, contentType: "image/jpeg") }
        r["/ok.png"] = { _, _ in .ok(png, contentType: "image/png") }
        r["/404"] = { _, _ in .status(404) }
        r["/410"] = { _, _ in .status(410) }
        r["/flaky-500"] = { _, n in n == 1 ? .status(500) : jpegOK }
        r["/always-500"] = { _, _ in .status(500) }
        r["/429"] = { _, n in n == 1 ? .status(429, headers: [("Retry-After", "1")]) : jpegOK }
        r["/reset"] = { _, _ in LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "image/jpeg")], body: jpeg, behavior: .resetAfter(bytes: 700)) }
        r["/short-body"] = { _, _ in LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "image/jpeg")], body: jpeg, behavior: .closeAfter(bytes: 900)) }
        r["/stall"] = { _, _ in LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "image/jpeg")], body: jpeg, behavior: .stallAfterHeaders(seconds: 30)) }
        r["/endless"] = { _, _ in LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "image/jpeg")], body: Data(), behavior: .endless(maxBytes: 1 << 30)) }
        r["/chain/1"] = { _, _ in .redirect(to: "/chain/2", status: 301) }
        r["/chain/2"] = { _, _ in .redirect(to: "/chain/3", status: 302) }
        r["/chain/3"] = { _, _ in .redirect(to: "/ok.jpg", status: 307) }
        r["/loop"] = { _, _ in .redirect(to: "/loop") }
        r["/to-file"] = { _, _ in .redirect(to: "file:///etc/passwd") }
        r["/to-metadata"] = { _, _ in .redirect(to: "http://169.254.169.254/latest/meta-data/") }
        r["/to-private"] = { _, _ in .redirect(to: "http://10.0.0.1/image.jpg") }
        r["/jpeg-as-html"] = { _, _ in .ok(jpeg, contentType: "text/html") }
        r["/html-as-jpeg"] = { _, _ in .ok(html, contentType: "image/jpeg") }
        r["/html-200"] = { _, _ in .ok(html, contentType: "text/html; charset=utf-8") }
        r["/truncated.jpg"] = { _, _ in .ok(jpeg.prefix(jpeg.count / 2), contentType: "image/jpeg") }
        r["/huge.png"] = { _, _ in .ok(huge, contentType: "image/png") }
        r["/bomb"] = { _, _ in LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "image/jpeg"), ("Content-Encoding", "gzip")], body: bomb) }
        r["/empty"] = { _, _ in .ok(Data(), contentType: "image/jpeg") }
        r["/etag.jpg"] = { req, _ in .conditional(jpeg, contentType: "image/jpeg", etag: etag, lastModified: lastModified, request: req) }
        return r
    }
}
