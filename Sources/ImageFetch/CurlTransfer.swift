import CCurl
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One attempt at one URL: owns a curl easy handle and the state its C callbacks fill in
/// (reached from C through an unretained pointer to this object, which outlives the handle).
final class CurlTransfer {
    let handle: UnsafeMutableRawPointer
    let index: Int
    let host: String
    let attempt: Int
    let request: FetchRequest
    private var headerList: UnsafeMutablePointer<curl_slist>?
    let maxBytes: Int
    let policy: AddressPolicy
    /// Body bytes so far.
    var body = Data()
    /// Set when the write callback refused more bytes.
    var exceededMaxBytes = false
    /// Set when the socket callback refused an address: the address and its range.
    var refusedAddress: String?
    var status = 0
    var etag: String?
    var lastModified: String?
    var retryAfter: String?
    var contentLength: Int?
    /// Content-Encoding of the response (the body is decoded, so Content-Length no longer matches it).
    var contentEncoding: String?

    init(index: Int, host: String, attempt: Int, request: FetchRequest, options: FetchOptions, share: UnsafeMutableRawPointer) throws {
        guard let h = curl_easy_init() else { throw CurlError(call: "curl_easy_init", code: -1, message: "returned NULL") }
        handle = h
        self.index = index; self.host = host; self.attempt = attempt; self.request = request
        maxBytes = options.maxBytes; policy = options.addressPolicy
        try configure(options, share: share)
    }

    deinit {
        curl_easy_cleanup(handle)
        if let headerList { curl_slist_free_all(headerList) }
    }

    private func set(_ o: CURLoption, _ v: Int, _ name: String) throws {
        try CurlError.check(vt_easy_setopt_long(handle, o, v), "curl_easy_setopt(\(name))")
    }

    private func set(_ o: CURLoption, _ v: String, _ name: String) throws {
        try CurlError.check(vt_easy_setopt_string(handle, o, v), "curl_easy_setopt(\(name))")
    }

    private func configure(_ o: FetchOptions, share: UnsafeMutableRawPointer) throws {
        let me = Unmanaged.passUnretained(self).toOpaque()
        try set(CURLOPT_URL, request.url, "URL")
        try set(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try set(CURLOPT_PROTOCOLS_STR, "http,https", "PROTOCOLS_STR")
        try set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https", "REDIR_PROTOCOLS_STR")
        try set(CURLOPT_FOLLOWLOCATION, 1, "FOLLOWLOCATION")
        try set(CURLOPT_MAXREDIRS, o.maxRedirects, "MAXREDIRS")
        try set(CURLOPT_CONNECTTIMEOUT_MS, Int(o.connectTimeout * 1000), "CONNECTTIMEOUT_MS")
        try set(CURLOPT_TIMEOUT_MS, Int(o.timeout * 1000), "TIMEOUT_MS")
        try set(CURLOPT_LOW_SPEED_LIMIT, o.lowSpeedLimit, "LOW_SPEED_LIMIT")
        try set(CURLOPT_LOW_SPEED_TIME, o.lowSpeedTime, "LOW_SPEED_TIME")
        try set(CURLOPT_USERAGENT, o.userAgent, "USERAGENT")
        try set(CURLOPT_PROXY, o.proxy ?? "", "PROXY")
        try set(CURLOPT_ACCEPT_ENCODING, "", "ACCEPT_ENCODING")
        try set(CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS), "HTTP_VERSION")
        // Wait for a possibly multiplexed HTTP/2 connection only over TLS; on plain HTTP/1.1 it serialises transfers.
        if request.url.lowercased().hasPrefix("https:") { try set(CURLOPT_PIPEWAIT, 1, "PIPEWAIT") }
        if o.maxBytes < Int(Int32.max) { try set(CURLOPT_MAXFILESIZE, o.maxBytes, "MAXFILESIZE") }
        try CurlError.check(vt_easy_setopt_share(handle, share), "curl_easy_setopt(SHARE)")
        try CurlError.check(vt_easy_setopt_data_callback(handle, CURLOPT_WRITEFUNCTION, curlWriteBody), "curl_easy_setopt(WRITEFUNCTION)")
        try CurlError.check(vt_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, me), "curl_easy_setopt(WRITEDATA)")
        try CurlError.check(vt_easy_setopt_data_callback(handle, CURLOPT_HEADERFUNCTION, curlWriteHeader), "curl_easy_setopt(HEADERFUNCTION)")
        try CurlError.check(vt_easy_setopt_pointer(handle, CURLOPT_HEADERDATA, me), "curl_easy_setopt(HEADERDATA)")
        try CurlError.check(vt_easy_setopt_opensocket(handle, curlOpenSocket), "curl_easy_setopt(OPENSOCKETFUNCTION)")
        try CurlError.check(vt_easy_setopt_pointer(handle, CURLOPT_OPENSOCKETDATA, me), "curl_easy_setopt(OPENSOCKETDATA)")
        var headers: [String] = []
        if let etag = request.etag { headers.append("If-None-Match: \(etag)") }
        if let lm = request.lastModified { headers.append("If-Modified-Since: \(lm)") }
        for line in headers { headerList = curl_slist_append(headerList, line) }
        if let headerList {
            try CurlError.check(vt_easy_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList), "curl_easy_setopt(HTTPHEADER)")
        }
    }

    /// Appends body bytes; refuses (aborting the transfer) past `maxBytes`.
    func receive(_ p: UnsafeRawPointer, _ n: Int) -> Bool {
        if body.count + n > maxBytes { exceededMaxBytes = true; return false }
        if body.isEmpty, let cl = contentLength, cl > 0, cl <= maxBytes { body.reserveCapacity(cl) }
        body.append(p.assumingMemoryBound(to: UInt8.self), count: n)
        return true
    }

    /// Records one header line; a status line starts a new response (redirects, 100 Continue).
    func header(_ line: String) {
        if line.hasPrefix("HTTP/") {
            status = 0; etag = nil; lastModified = nil; retryAfter = nil; contentLength = nil; contentEncoding = nil
            let parts = line.split(separator: " ")
            if parts.count >= 2, let s = Int(parts[1]) { status = s }
            return
        }
        guard let colon = line.firstIndex(of: ":") else { return }
        let name = line[..<colon].lowercased()
        let value = Self.trimmed(line[line.index(after: colon)...])
        switch name {
        case "etag": etag = value
        case "last-modified": lastModified = value
        case "retry-after": retryAfter = value
        case "content-length": contentLength = Int(value)
        case "content-encoding": contentEncoding = value.lowercased() == "identity" ? nil : value
        default: break
        }
    }

    /// `text` without leading and trailing spaces, tabs, CR and LF (HTTP's whitespace; Foundation's
    /// `trimmingCharacters` goes through NSString and cost a tenth of the download thread).
    static func trimmed(_ text: Substring) -> String {
        func blank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0A }
        let u = text.utf8
        guard let first = u.firstIndex(where: { !blank($0) }), let last = u.lastIndex(where: { !blank($0) }) else { return "" }
        return String(Substring(u[first...last]))
    }

    /// Checks a resolved address against the policy before curl connects to it.
    func admits(_ address: UnsafeMutablePointer<curl_sockaddr>) -> Bool {
        let family = address.pointee.family
        guard let offset = MemoryLayout<curl_sockaddr>.offset(of: \curl_sockaddr.addr) else {
            refusedAddress = "an address curl did not describe"
            return false
        }
        let raw = UnsafeMutableRawPointer(address) + offset
        let range: AddressPolicy.Range
        let text: String
        if family == AF_INET {
            let sin = raw.assumingMemoryBound(to: sockaddr_in.self).pointee
            let v = UInt32(bigEndian: sin.sin_addr.s_addr)
            let b = [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
            range = AddressPolicy.classify(ipv4: b[0], b[1], b[2], b[3])
            text = b.map(String.init).joined(separator: ".")
        } else if family == AF_INET6 {
            var sin6 = raw.assumingMemoryBound(to: sockaddr_in6.self).pointee
            let bytes = withUnsafeBytes(of: &sin6.sin6_addr) { Array($0) }
            range = AddressPolicy.classify(ipv6: bytes)
            text = stride(from: 0, to: 16, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }.joined(separator: ":")
        } else {
            refusedAddress = "address family \(family)"
            return false
        }
        if policy.allows(range) { return true }
        refusedAddress = "\(text) (\(range.rawValue))"
        return false
    }
}

/// CURLOPT_WRITEFUNCTION: hands body bytes to the transfer.
private let curlWriteBody: vt_data_callback = { ptr, size, count, user in
    guard let ptr, let user else { return 0 }
    let t = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    return t.receive(UnsafeRawPointer(ptr), n) ? n : 0
}

/// CURLOPT_HEADERFUNCTION: hands header lines to the transfer.
private let curlWriteHeader: vt_data_callback = { ptr, size, count, user in
    guard let ptr, let user else { return 0 }
    let t = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
    t.header(CurlTransfer.trimmed(Substring(line)))
    return n
}

/// CURLOPT_OPENSOCKETFUNCTION: refuses addresses the policy forbids, otherwise opens the socket.
private let curlOpenSocket: vt_opensocket_callback = { user, _, address in
    guard let user, let address else { return CURL_SOCKET_BAD }
    let t = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    guard t.admits(address) else { return CURL_SOCKET_BAD }
    return socket(address.pointee.family, address.pointee.socktype, address.pointee.protocol)
}
