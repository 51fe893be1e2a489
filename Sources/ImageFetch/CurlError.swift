import CCurl

/// A libcurl call that failed while setting up transfers (not a per-URL failure), with context.
public struct CurlError: Error, Sendable, CustomStringConvertible {
    /// The call or option that failed.
    public let call: String
    /// libcurl's numeric code.
    public let code: Int
    /// libcurl's message for the code.
    public let message: String

    /// A readable one-liner.
    public var description: String { "libcurl \(call) failed (\(code)): \(message)" }

    static func check(_ rc: CURLcode, _ call: @autoclosure () -> String) throws {
        if rc != CURLE_OK {
            throw CurlError(call: call(), code: Int(rc.rawValue), message: String(cString: curl_easy_strerror(rc)))
        }
    }

    static func check(_ rc: CURLMcode, _ call: @autoclosure () -> String) throws {
        if rc != CURLM_OK {
            throw CurlError(call: call(), code: Int(rc.rawValue), message: String(cString: curl_multi_strerror(rc)))
        }
    }

    static func check(_ rc: CURLSHcode, _ call: @autoclosure () -> String) throws {
        if rc != CURLSHE_OK {
            throw CurlError(call: call(), code: Int(rc.rawValue), message: String(cString: curl_share_strerror(rc)))
        }
    }
}
