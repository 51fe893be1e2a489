import Foundation
import Testing
@testable import ImageFetch
import TestSupport

/// Every misbehaviour of the loopback server ends in the right outcome, with the right number of requests.
@Suite struct HostileServerTests {
    @Test func realImagesAreFetchedAndSniffedFromBytes() throws {
        let h = try FetchHarness()
        let r = try h.fetch(paths: ["/ok.jpg", "/ok.png", "/jpeg-as-html", "/chain/1"])
        #expect(r.count == 4)
        #expect(r[0].info == ImageInfo(format: .jpeg, width: 224, height: 224))
        #expect(r[1].info == ImageInfo(format: .png, width: 16, height: 12))
        #expect(r[2].info?.format == .jpeg, "Content-Type text/html must not matter")
        #expect(r[3].info?.format == .jpeg)
        #expect(r[3].effectiveURL?.hasSuffix("/ok.jpg") == true)
        if case .image(let data, _) = r[0].outcome { #expect(data == (try LoopbackHTTPFixtures.jpeg())) }
        #expect(r.allSatisfy { $0.attempts == 1 && $0.httpStatus == 200 })
        #expect(h.server.requestCount("/ok.jpg") == 2)
        #expect(h.server.requestCount("/chain/2") == 1 && h.server.requestCount("/chain/3") == 1)
    }

    @Test(arguments: [
        ("/404", FailureReason.notFound), ("/410", .gone), ("/html-200", .htmlPage), ("/html-as-jpeg", .htmlPage),
        ("/truncated.jpg", .truncated), ("/huge.png", .tooManyPixels), ("/empty", .emptyBody), ("/bomb", .tooLarge),
        ("/to-file", .blockedProtocol), ("/to-metadata", .blockedAddress), ("/to-private", .blockedAddress),
        ("/loop", .tooManyRedirects),
    ])
    func permanentFailuresAreClassifiedAndNotRetried(path: String, reason: FailureReason) throws {
        let h = try FetchHarness()
        let r = try h.one(path)
        #expect(r.reason == reason, "\(path): \(String(describing: r.failure))")
        #expect(r.attempts == 1)
        #expect(!reason.isTransient)
        if path != "/loop" { #expect(h.server.requestCount(path) == 1) }
    }

    @Test func redirectLoopStopsAtTheRedirectLimit() throws {
        let h = try FetchHarness()
        var o = FetchHarness.options()
        o.maxRedirects = 3
        let r = try h.one("/loop", options: o)
        #expect(r.reason == .tooManyRedirects)
        #expect(h.server.requestCount("/loop") == 4)
    }

    @Test func transientFailuresAreRetriedThenSucceed() throws {
        let h = try FetchHarness()
        let start = Date()
        let r = try h.fetch(paths: ["/flaky-500", "/429"])
        #expect(r[0].info?.format == .jpeg && r[0].attempts == 2)
        #expect(r[1].info?.format == .jpeg && r[1].attempts == 2)
        #expect(h.server.requestCount("/flaky-500") == 2)
        #expect(h.server.requestCount("/429") == 2)
        #expect(Date().timeIntervalSince(start) >= 0.95, "Retry-After: 1 must be honoured")
    }

    @Test func persistentTransientFailuresStopAfterRetries() throws {
        let h = try FetchHarness()
        let r = try h.fetch(paths: ["/always-500", "/reset", "/short-body"])
        #expect(r[0].reason == .serverError && r[0].attempts == 3)
        #expect(r[1].reason == .networkError && r[1].attempts == 3)
        #expect(r[2].reason == .networkError && r[2].attempts == 3)
        #expect(h.server.requestCount("/always-500") == 3)
        #expect(h.server.requestCount("/reset") == 3)
    }

    @Test func stalledAndEndlessBodiesAreCutOff() throws {
        let h = try FetchHarness()
        let start = Date()
        let r = try h.fetch(paths: ["/stall", "/endless"], options: FetchHarness.options(retries: 0))
        #expect(r[0].reason == .timeout)
        #expect(r[1].reason == .tooLarge)
        #expect(Date().timeIntervalSince(start) < 6, "low-speed timeout is 1 s")
    }

    @Test func loopbackIsRefusedByDefault() throws {
        let h = try FetchHarness()
        var o = FetchHarness.options()
        o.addressPolicy = AddressPolicy()
        let r = try h.one("/ok.jpg", options: o)
        #expect(r.reason == .blockedAddress)
        #expect(r.attempts == 1)
        // Names are checked after resolution, and IPv6 loopback is loopback too.
        let port = h.server.port
        let more = try h.fetch([FetchRequest(url: "http://localhost:\(port)/ok.jpg"), FetchRequest(url: "http://[::1]:\(port)/ok.jpg"),
                                FetchRequest(url: "http://169.254.169.254/latest/meta-data/")], options: o)
        #expect(more.map(\.reason) == [.blockedAddress, .blockedAddress, .blockedAddress])
        #expect(h.server.totalRequests == 0)
    }

    @Test func conditionalRequestGets304() throws {
        let h = try FetchHarness()
        let first = try h.one("/etag.jpg")
        #expect(first.etag == LoopbackHTTPHostileRoutes.etag)
        #expect(first.lastModified == LoopbackHTTPHostileRoutes.lastModified)
        let url = h.server.url("/etag.jpg")
        let again = try h.fetch([FetchRequest(url: url, etag: first.etag, lastModified: first.lastModified),
                                 FetchRequest(url: url, lastModified: first.lastModified),
                                 FetchRequest(url: url, etag: "\"stale\"")])
        #expect(again[0].isNotModified && again[0].httpStatus == 304)
        #expect(again[1].isNotModified)
        #expect(again[2].info?.format == .jpeg)
        #expect(h.server.requestCount("/etag.jpg") == 4)
    }

    @Test func badURLsFailWithoutTraffic() throws {
        let h = try FetchHarness()
        let r = try h.fetch([FetchRequest(url: "file:///etc/passwd"), FetchRequest(url: "not a url"),
                             FetchRequest(url: "ftp://127.0.0.1/x.jpg")])
        #expect(r.map(\.reason) == [.blockedProtocol, .invalidURL, .blockedProtocol])
        #expect(h.server.totalRequests == 0)
    }
}
