import CCurl
import Foundation
import Randomness

/// Fetches many image URLs concurrently over one libcurl multi handle: total and per-host
/// concurrency, per-host rate limit, timeouts, body and pixel bounds, restricted protocols and
/// addresses, conditional requests, and retries with seeded exponential backoff.
///
/// `fetch` runs the event loop on the calling thread and reports each URL once, as it finishes.
/// `cancel()` may be called from any thread; it makes `fetch` return soon, leaving unfinished
/// URLs unreported.
public final class ImageFetcher: @unchecked Sendable {
    /// The options this fetcher was made with.
    public let options: FetchOptions
    private let curl: CurlMulti
    private let cancelState = NSLockLike()
    private var cancelled = false

    /// A fetcher; throws `CurlError` when libcurl cannot be initialised.
    public init(options: FetchOptions = FetchOptions()) throws {
        self.options = options
        curl = try CurlMulti(options: options)
    }

    /// Asks a running `fetch` to stop; safe from any thread.
    public func cancel() {
        cancelState.locked { cancelled = true }
        curl.wakeup()
    }

    /// Whether `cancel()` was called.
    public var isCancelled: Bool { cancelState.locked { cancelled } }

    private struct Job { let index: Int; let attempt: Int }

    private struct HostQueue {
        var jobs: [Job] = []
        var head = 0
        var active = 0
        var nextStart = 0.0
        var isEmpty: Bool { head >= jobs.count }
        mutating func pop() -> Job { defer { head += 1; if head > 1024, head * 2 > jobs.count { jobs.removeFirst(head); head = 0 } }; return jobs[head] }
    }

    /// Fetches `requests`, calling `onResult` on this thread once per request that finishes
    /// (all of them unless cancelled). Throws only when libcurl itself fails.
    public func fetch(_ requests: [FetchRequest], onResult: (FetchResult) -> Void) throws {
        var rng = SeededGenerator(seed: options.seed, stream: "imagefetch.backoff")
        var hosts: [String: HostQueue] = [:]
        var hostOrder: [String] = []
        var delayed: [(due: Double, host: String, job: Job)] = []
        var active: [UnsafeMutableRawPointer: CurlTransfer] = [:]
        let perHost = max(1, options.perHost)
        let concurrency = max(1, options.concurrency)
        let rateGap = options.rateLimitPerHost.map { $0 > 0 ? 1 / $0 : 0 } ?? 0

        for (i, r) in requests.enumerated() {
            switch Self.host(of: r.url) {
            case .failure(let f):
                onResult(FetchResult(index: i, url: r.url, outcome: .failed(f), attempts: 0, httpStatus: nil, etag: nil,
                                     lastModified: nil, effectiveURL: nil, bytesReceived: 0))
            case .success(let h):
                if hosts[h] == nil { hostOrder.append(h) }
                hosts[h, default: HostQueue()].jobs.append(Job(index: i, attempt: 1))
            }
        }
        var pendingCount = hosts.values.reduce(0) { $0 + $1.jobs.count }
        defer { for t in active.values { curl.remove(t) } }

        while pendingCount > 0 || !active.isEmpty || !delayed.isEmpty {
            if isCancelled { return }
            let now = Self.now()
            // Retries whose backoff has passed go to the front of their host's queue.
            if !delayed.isEmpty {
                var still: [(due: Double, host: String, job: Job)] = []
                for d in delayed {
                    if d.due <= now, var q = hosts[d.host] {
                        q.jobs.insert(d.job, at: q.head)
                        hosts[d.host] = q
                        pendingCount += 1
                    } else { still.append(d) }
                }
                delayed = still
            }
            // Start what the global, per-host and rate limits allow, round-robin over hosts.
            var progressed = true
            while active.count < concurrency, pendingCount > 0, progressed {
                progressed = false
                for h in hostOrder where active.count < concurrency {
                    guard var q = hosts[h], !q.isEmpty, q.active < perHost, q.nextStart <= now else { continue }
                    let job = q.pop()
                    q.active += 1
                    q.nextStart = max(q.nextStart, now) + rateGap
                    hosts[h] = q
                    pendingCount -= 1
                    let t = try CurlTransfer(index: job.index, host: h, attempt: job.attempt, request: requests[job.index],
                                             options: options, share: curl.share)
                    try curl.add(t)
                    active[t.handle] = t
                    progressed = true
                }
            }
            _ = try curl.perform()
            let completed = curl.finished()
            for (handle, code) in completed {
                guard let t = active.removeValue(forKey: handle) else { continue }
                curl.remove(t)
                hosts[t.host]?.active -= 1
                let result = finish(t, code)
                if let f = result.failure, f.reason.isTransient, f.reason != .cancelled, t.attempt <= options.retries,
                   let wait = backoff(after: t, failure: f, rng: &rng) {
                    delayed.append((due: Self.now() + wait, host: t.host, job: Job(index: t.index, attempt: t.attempt + 1)))
                } else {
                    onResult(result)
                }
            }
            // Freed slots are refilled at once; otherwise wait for sockets, a wakeup or the next due retry.
            if !completed.isEmpty && pendingCount > 0 { continue }
            var waitMs = 100
            if active.isEmpty, let next = delayed.map(\.due).min() {
                waitMs = max(1, min(100, Int((next - Self.now()) * 1000)))
            }
            if rateGap > 0 { waitMs = min(waitMs, max(1, Int(rateGap * 1000))) }
            try curl.poll(milliseconds: waitMs)
        }
    }

    /// Seconds to wait before retrying, or nil when the failure should be reported instead.
    private func backoff(after t: CurlTransfer, failure: FetchFailure, rng: inout SeededGenerator) -> Double? {
        let exp = options.backoffBase * pow(2, Double(t.attempt - 1))
        var wait = min(options.backoffMax, exp) * (0.5 + rng.nextDouble())
        if failure.reason == .rateLimited, let ra = t.retryAfter {
            guard let seconds = Self.retryAfterSeconds(ra), seconds <= options.maxRetryAfter else { return nil }
            wait = max(wait, seconds)
        }
        return wait
    }

    /// Parses Retry-After as delta seconds or an HTTP date.
    static func retryAfterSeconds(_ value: String) -> Double? {
        if let s = Double(value.trimmingCharacters(in: .whitespaces)) { return max(0, s) }
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let d = f.date(from: value) else { return nil }
        return max(0, d.timeIntervalSinceNow)
    }

    /// Turns a finished transfer into a result: curl code, HTTP status, then the body checks.
    private func finish(_ t: CurlTransfer, _ code: CURLcode) -> FetchResult {
        var effective: UnsafeMutablePointer<CChar>?
        _ = vt_easy_getinfo_string(t.handle, CURLINFO_EFFECTIVE_URL, &effective)
        var status = 0
        _ = vt_easy_getinfo_long(t.handle, CURLINFO_RESPONSE_CODE, &status)
        if status == 0 { status = t.status }
        let outcome: FetchOutcome
        if code != CURLE_OK {
            outcome = .failed(classify(code, t))
        } else if status == 304 && t.request.isConditional {
            outcome = .notModified
        } else if let f = Self.statusFailure(status) {
            outcome = .failed(f)
        } else if t.contentEncoding == nil, let cl = t.contentLength, cl != t.body.count, t.body.count > 0 {
            outcome = .failed(FetchFailure(.truncated, "Content-Length \(cl) but \(t.body.count) bytes arrived"))
        } else {
            let maxPixels = options.maxPixels
            let checked = t.body.withUnsafeBytes { ImageValidator.validate($0, maxPixels: maxPixels) }
            switch checked {
            case .success(let info): outcome = .image(t.body, info)
            case .failure(let f): outcome = .failed(f)
            }
        }
        return FetchResult(index: t.index, url: t.request.url, outcome: outcome, attempts: t.attempt,
                           httpStatus: status == 0 ? nil : status, etag: t.etag, lastModified: t.lastModified,
                           effectiveURL: effective.map { String(cString: $0) }, bytesReceived: t.body.count)
    }

    /// The failure an HTTP status means, or nil for 200-class success.
    static func statusFailure(_ status: Int) -> FetchFailure? {
        switch status {
        case 200, 203: return nil
        case 404: return FetchFailure(.notFound, "HTTP 404")
        case 410: return FetchFailure(.gone, "HTTP 410")
        case 429: return FetchFailure(.rateLimited, "HTTP 429")
        case 400...499: return FetchFailure(.clientError, "HTTP \(status)")
        case 500...599: return FetchFailure(.serverError, "HTTP \(status)")
        default: return FetchFailure(.unexpectedStatus, "HTTP \(status)")
        }
    }

    /// Maps a libcurl result code (plus what the callbacks saw) to a failure class.
    private func classify(_ code: CURLcode, _ t: CurlTransfer) -> FetchFailure {
        let message = String(cString: curl_easy_strerror(code))
        if let refused = t.refusedAddress {
            return FetchFailure(.blockedAddress, "refused to connect to \(refused)")
        }
        if t.exceededMaxBytes || code == CURLE_FILESIZE_EXCEEDED {
            return FetchFailure(.tooLarge, "body larger than \(t.maxBytes) bytes")
        }
        let detail = "curl \(code.rawValue): \(message)"
        switch code {
        case CURLE_OPERATION_TIMEDOUT: return FetchFailure(.timeout, detail)
        case CURLE_COULDNT_CONNECT: return FetchFailure(.connectError, detail)
        case CURLE_COULDNT_RESOLVE_HOST: return FetchFailure(.dnsError, detail)
        case CURLE_TOO_MANY_REDIRECTS: return FetchFailure(.tooManyRedirects, detail)
        case CURLE_UNSUPPORTED_PROTOCOL: return FetchFailure(.blockedProtocol, detail)
        case CURLE_URL_MALFORMAT: return FetchFailure(.invalidURL, detail)
        case CURLE_PARTIAL_FILE, CURLE_RECV_ERROR, CURLE_SEND_ERROR, CURLE_GOT_NOTHING, CURLE_HTTP2,
             CURLE_HTTP2_STREAM, CURLE_SSL_CONNECT_ERROR:
            return FetchFailure(.networkError, detail)
        case CURLE_BAD_CONTENT_ENCODING: return FetchFailure(.notAnImage, detail)
        default: return FetchFailure(.curlError, detail)
        }
    }

    /// The lower-cased host of an http(s) URL, or why the URL is unusable.
    static func host(of url: String) -> Result<String, FetchFailure> {
        guard let u = URLComponents(string: url), let scheme = u.scheme?.lowercased() else {
            return .failure(FetchFailure(.invalidURL, "not an absolute URL: \(url.prefix(200))"))
        }
        guard scheme == "http" || scheme == "https" else {
            return .failure(FetchFailure(.blockedProtocol, "scheme \(scheme) is not http or https"))
        }
        guard let h = u.host, !h.isEmpty else { return .failure(FetchFailure(.invalidURL, "no host in \(url.prefix(200))")) }
        return .success(h.lowercased())
    }

    static func now() -> Double { Date().timeIntervalSinceReferenceDate }
}
