/// One URL to fetch, with the validators of a stored copy for a conditional request.
public struct FetchRequest: Sendable, Hashable {
    /// Absolute http(s) URL.
    public let url: String
    /// ETag of the stored copy (sent as If-None-Match).
    public let etag: String?
    /// Last-Modified of the stored copy (sent as If-Modified-Since).
    public let lastModified: String?

    /// A request; pass validators to revalidate a stored copy.
    public init(url: String, etag: String? = nil, lastModified: String? = nil) {
        self.url = url; self.etag = etag; self.lastModified = lastModified
    }

    /// Whether the request is conditional.
    public var isConditional: Bool { etag != nil || lastModified != nil }
}
