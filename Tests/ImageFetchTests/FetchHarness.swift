import Foundation
@testable import ImageFetch
import TestSupport

/// Starts the hostile loopback server and fetches paths from it with test-sized limits.
final class FetchHarness {
    let server: LoopbackHTTPServer

    init(extra: [String: LoopbackHTTPHandler] = [:]) throws {
        server = LoopbackHTTPServer(routes: try LoopbackHTTPHostileRoutes.make().merging(extra) { _, b in b })
        try server.start()
    }

    deinit { server.stop() }

    static func options(retries: Int = 2) -> FetchOptions {
        var o = FetchOptions()
        o.addressPolicy = AddressPolicy(allowLoopback: true)
        o.retries = retries
        o.backoffBase = 0.05
        o.backoffMax = 0.2
        o.connectTimeout = 2
        o.timeout = 8
        o.lowSpeedTime = 1
        o.maxBytes = 1 << 20
        o.seed = 7
        return o
    }

    /// Fetches each path once (as separate requests) and returns results in request order.
    func fetch(_ requests: [FetchRequest], options: FetchOptions = FetchHarness.options()) throws -> [FetchResult] {
        let fetcher = try ImageFetcher(options: options)
        var out = [FetchResult?](repeating: nil, count: requests.count)
        try fetcher.fetch(requests) { out[$0.index] = $0 }
        return out.compactMap { $0 }
    }

    func fetch(paths: [String], options: FetchOptions = FetchHarness.options()) throws -> [FetchResult] {
        try fetch(paths.map { FetchRequest(url: server.url($0)) }, options: options)
    }

    func one(_ path: String, options: FetchOptions = FetchHarness.options()) throws -> FetchResult {
        guard let r = try fetch(paths: [path], options: options).first else { throw FetchFailure(.cancelled, "no result") }
        return r
    }
}

extension FetchResult {
    var reason: FailureReason? { failure?.reason }
    var info: ImageInfo? { if case .image(_, let i) = outcome { return i }; return nil }
    var isNotModified: Bool { if case .notModified = outcome { return true }; return false }
}
