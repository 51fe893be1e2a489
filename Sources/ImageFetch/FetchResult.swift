import Foundation

/// What one request ended as.
public enum FetchOutcome: Sendable {
    /// A validated image: its bytes and header information.
    case image(Data, ImageInfo)
    /// A conditional request answered 304: the stored copy is current.
    case notModified
    /// No image, with the classified reason.
    case failed(FetchFailure)
}

/// The final result for one request, after retries.
public struct FetchResult: Sendable {
    /// Position of the request in the list given to `ImageFetcher.fetch`.
    public let index: Int
    /// The requested URL.
    public let url: String
    /// Image, not-modified or failure.
    public let outcome: FetchOutcome
    /// Attempts made (1 = no retry).
    public let attempts: Int
    /// HTTP status of the last response, if one arrived.
    public let httpStatus: Int?
    /// ETag of the last response.
    public let etag: String?
    /// Last-Modified of the last response.
    public let lastModified: String?
    /// URL after redirects.
    public let effectiveURL: String?
    /// Body bytes received in the last attempt.
    public let bytesReceived: Int

    /// The failure, if the outcome is one.
    public var failure: FetchFailure? { if case .failed(let f) = outcome { return f }; return nil }
}
