/// Why one URL produced no image; the raw value is the short class stored in tables and journals.
public enum FailureReason: String, Sendable, Codable, CaseIterable {
    case notFound = "http_404"
    case gone = "http_410"
    case rateLimited = "http_429"
    case clientError = "http_4xx"
    case serverError = "http_5xx"
    case unexpectedStatus = "unexpected_status"
    case timeout
    case connectError = "connect_error"
    case dnsError = "dns_error"
    case networkError = "network_error"
    case tooManyRedirects = "too_many_redirects"
    case blockedProtocol = "blocked_protocol"
    case blockedAddress = "blocked_address"
    case invalidURL = "invalid_url"
    case tooLarge = "too_large"
    case tooManyPixels = "too_many_pixels"
    case notAnImage = "not_an_image"
    case htmlPage = "html_page"
    case truncated
    case emptyBody = "empty_body"
    case badHeader = "bad_header"
    case cancelled
    case curlError = "curl_error"

    /// Whether a later attempt may succeed (connect errors, timeouts, 429, 5xx, dropped connections).
    public var isTransient: Bool {
        switch self {
        case .rateLimited, .serverError, .timeout, .connectError, .dnsError, .networkError, .cancelled: return true
        default: return false
        }
    }
}

/// A classified failure with a human-readable detail (status line, curl message, header values).
public struct FetchFailure: Sendable, Hashable, Error, CustomStringConvertible {
    /// The failure class.
    public let reason: FailureReason
    /// What exactly happened.
    public let detail: String

    /// A failure of class `reason`.
    public init(_ reason: FailureReason, _ detail: String) { self.reason = reason; self.detail = detail }

    /// `reason: detail`.
    public var description: String { "\(reason.rawValue): \(detail)" }
}
