/// Limits and policies for one `ImageFetcher`.
public struct FetchOptions: Sendable, Hashable {
    /// Transfers in flight at once.
    public var concurrency: Int = 16
    /// Transfers in flight per host (also curl's per-host connection cap).
    public var perHost: Int = 8
    /// New requests per second per host; nil = unlimited.
    public var rateLimitPerHost: Double? = nil
    /// Retries after the first attempt for transient failures.
    public var retries: Int = 3
    /// First backoff delay in seconds (doubled per retry, times a jitter in [0.5, 1.5)).
    public var backoffBase: Double = 0.5
    /// Largest backoff delay in seconds.
    public var backoffMax: Double = 30
    /// Longest Retry-After honoured, in seconds; a longer one fails the URL as rate limited.
    public var maxRetryAfter: Double = 120
    /// Connect timeout in seconds.
    public var connectTimeout: Double = 10
    /// Whole-transfer timeout in seconds.
    public var timeout: Double = 30
    /// Seconds below `lowSpeedLimit` bytes/s before a transfer is cut off (stalled bodies).
    public var lowSpeedTime: Int = 10
    /// Bytes per second counted as stalled.
    public var lowSpeedLimit: Int = 1_024
    /// Largest body accepted (after content decoding), in bytes.
    public var maxBytes: Int = 20 << 20
    /// Largest width × height accepted from an image header.
    public var maxPixels: Int = 40_000_000
    /// Redirects followed at most.
    public var maxRedirects: Int = 5
    /// Which addresses may be connected to.
    public var addressPolicy = AddressPolicy()
    /// HTTP(S) proxy URL; nil ignores `http_proxy`/`https_proxy` from the environment (the address policy then
    /// applies to image hosts directly; with a proxy it applies to the proxy's address).
    public var proxy: String? = nil
    /// User-Agent header.
    public var userAgent: String = "vitrine-imagefetch/1.0 (+catalog image indexer)"
    /// Seed of the backoff jitter (a seeded generator, so runs are reproducible).
    public var seed: UInt64 = 0

    /// Default options.
    public init() {}
}
