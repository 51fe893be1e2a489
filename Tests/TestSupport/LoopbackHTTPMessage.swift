import Foundation

/// One parsed HTTP/1.1 request as the loopback server saw it.
public struct LoopbackHTTPRequest: Sendable {
    /// Request method, e.g. `GET`.
    public let method: String
    /// Path without the query string, e.g. `/images/1.jpg`.
    public let path: String
    /// The raw query string (without `?`), empty when absent.
    public let query: String
    /// Header fields with lower-cased names.
    public let headers: [String: String]

    /// The value of header `name` (case-insensitive), if sent.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }
}

/// What the loopback server sends back, including deliberate misbehaviour.
public struct LoopbackHTTPResponse: Sendable {
    /// How the body is delivered.
    public enum Behavior: Sendable {
        /// Headers then the whole body.
        case normal
        /// Headers (with the full Content-Length), `bytes` of the body, then a TCP reset.
        case resetAfter(bytes: Int)
        /// Headers (with the full Content-Length), `bytes` of the body, then an orderly close (short body).
        case closeAfter(bytes: Int)
        /// Headers (with the full Content-Length), then silence for up to `seconds` (or until the client leaves).
        case stallAfterHeaders(seconds: Double)
        /// Headers without a length, then `body` repeated until the client leaves or `maxBytes` is sent.
        case endless(maxBytes: Int)
    }

    /// Status code.
    public var status: Int
    /// Header fields in send order (Content-Length is added unless already present or endless).
    public var headers: [(String, String)]
    /// Body bytes.
    public var body: Data
    /// Delivery mode.
    public var behavior: Behavior

    /// A response with the given status, headers, body and behaviour.
    public init(status: Int, headers: [(String, String)] = [], body: Data = Data(), behavior: Behavior = .normal) {
        self.status = status; self.headers = headers; self.body = body; self.behavior = behavior
    }

    /// 200 with `body` and a Content-Type.
    public static func ok(_ body: Data, contentType: String) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: 200, headers: [("Content-Type", contentType)], body: body)
    }

    /// A bare status with a short text body.
    public static func status(_ code: Int, headers: [(String, String)] = []) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: code, headers: [("Content-Type", "text/plain")] + headers, body: Data("status \(code)\n".utf8))
    }

    /// A redirect (302 by default) to `location`.
    public static func redirect(to location: String, status: Int = 302) -> LoopbackHTTPResponse {
        LoopbackHTTPResponse(status: status, headers: [("Location", location)])
    }

    /// 200 with ETag and Last-Modified, or 304 when the request's validators match.
    public static func conditional(_ body: Data, contentType: String, etag: String, lastModified: String,
                                   request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        let validators = [("ETag", etag), ("Last-Modified", lastModified)]
        if request.header("If-None-Match") == etag || (request.header("If-None-Match") == nil && request.header("If-Modified-Since") == lastModified) {
            return LoopbackHTTPResponse(status: 304, headers: validators)
        }
        return LoopbackHTTPResponse(status: 200, headers: [("Content-Type", contentType)] + validators, body: body)
    }

    /// The reason phrase for common codes.
    static func reason(_ code: Int) -> String {
        switch code {
        case 200: return "OK"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 400: return "Bad Request"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 410: return "Gone"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 503: return "Service Unavailable"
        default: return "Status"
        }
    }
}

/// Handles one request; `count` is how many requests this path has received, this one included.
public typealias LoopbackHTTPHandler = @Sendable (_ request: LoopbackHTTPRequest, _ count: Int) -> LoopbackHTTPResponse
