import Foundation
import Testing
@testable import ImageFetch
import TestSupport

/// Per-host concurrency, rate limit and cancellation, observed at the server.
@Suite struct SchedulingTests {
    /// A route that holds each request 40 ms and records the peak number in flight.
    final class Gauge: @unchecked Sendable {
        let lock = NSLock()
        var current = 0
        var peak = 0
        func handler(_ body: Data) -> LoopbackHTTPHandler {
            { _, _ in
                self.lock.withLock { self.current += 1; self.peak = max(self.peak, self.current) }
                usleep(40_000)
                self.lock.withLock { self.current -= 1 }
                return .ok(body, contentType: "image/jpeg")
            }
        }
    }

    @Test func perHostLimitBoundsRequestsInFlight() throws {
        let gauge = Gauge()
        let h = try FetchHarness(extra: ["/slow.jpg": gauge.handler(try LoopbackHTTPFixtures.jpeg())])
        var o = FetchHarness.options()
        o.concurrency = 16
        o.perHost = 3
        let r = try h.fetch((0..<15).map { FetchRequest(url: h.server.url("/slow.jpg?i=\($0)")) }, options: o)
        #expect(r.count == 15 && r.allSatisfy { $0.info != nil })
        #expect(gauge.peak <= 3 && gauge.peak >= 2, "peak in flight \(gauge.peak)")
        #expect(h.server.requestCount("/slow.jpg") == 15)
    }

    @Test func rateLimitSpacesRequests() throws {
        let h = try FetchHarness()
        var o = FetchHarness.options()
        o.rateLimitPerHost = 20
        let start = Date()
        let r = try h.fetch((0..<10).map { FetchRequest(url: h.server.url("/ok.jpg?i=\($0)")) }, options: o)
        let elapsed = Date().timeIntervalSince(start)
        #expect(r.allSatisfy { $0.info != nil })
        #expect(elapsed >= 0.4, "10 requests at 20/s take ≥ 0.45 s, took \(elapsed)")
    }

    /// Counts reported results from the fetch thread.
    final class Box: @unchecked Sendable { var reported = 0; var error: (any Error)? }

    @Test func cancelStopsARunningFetchPromptly() throws {
        let h = try FetchHarness()
        let fetcher = try ImageFetcher(options: FetchHarness.options(retries: 0))
        let urls = (0..<8).map { FetchRequest(url: h.server.url("/stall?i=\($0)")) }
        let finished = DispatchSemaphore(value: 0)
        let box = Box()
        let thread = Thread {
            do { try fetcher.fetch(urls) { _ in box.reported += 1 } } catch { box.error = error }
            finished.signal()
        }
        thread.start()
        usleep(300_000)
        let cancelledAt = Date()
        fetcher.cancel()
        #expect(finished.wait(timeout: .now() + 3) == .success)
        #expect(Date().timeIntervalSince(cancelledAt) < 0.5, "fetch returns promptly after cancel()")
        #expect(box.reported == 0 && box.error == nil)
        #expect(fetcher.isCancelled)
    }
}
