import CCurl

/// Owns a curl multi handle (connection pool, HTTP/2 multiplexing, connection caps) and a share
/// handle (DNS cache) used by every transfer of one fetcher. Used from one thread at a time,
/// except `wakeup`, which libcurl allows from any thread.
final class CurlMulti: @unchecked Sendable {
    let multi: UnsafeMutableRawPointer
    let share: UnsafeMutableRawPointer

    init(options: FetchOptions) throws {
        try CurlMulti.globalInit()
        guard let m = curl_multi_init() else { throw CurlError(call: "curl_multi_init", code: -1, message: "returned NULL") }
        guard let s = curl_share_init() else {
            curl_multi_cleanup(m)
            throw CurlError(call: "curl_share_init", code: -1, message: "returned NULL")
        }
        multi = m; share = s
        try CurlError.check(vt_share_setopt_long(s, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_DNS.rawValue)), "curl_share_setopt(DNS)")
        try CurlError.check(vt_multi_setopt_long(m, CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX)), "curl_multi_setopt(PIPELINING)")
        try CurlError.check(vt_multi_setopt_long(m, CURLMOPT_MAX_TOTAL_CONNECTIONS, max(1, options.concurrency)), "curl_multi_setopt(MAX_TOTAL_CONNECTIONS)")
        try CurlError.check(vt_multi_setopt_long(m, CURLMOPT_MAX_HOST_CONNECTIONS, max(1, options.perHost)), "curl_multi_setopt(MAX_HOST_CONNECTIONS)")
        try CurlError.check(vt_multi_setopt_long(m, CURLMOPT_MAXCONNECTS, max(4, options.concurrency * 2)), "curl_multi_setopt(MAXCONNECTS)")
    }

    deinit {
        curl_multi_cleanup(multi)
        curl_share_cleanup(share)
    }

    func add(_ t: CurlTransfer) throws { try CurlError.check(curl_multi_add_handle(multi, t.handle), "curl_multi_add_handle") }

    func remove(_ t: CurlTransfer) { _ = curl_multi_remove_handle(multi, t.handle) }

    /// Drives transfers; returns how many are still running.
    func perform() throws -> Int {
        var running: Int32 = 0
        try CurlError.check(curl_multi_perform(multi, &running), "curl_multi_perform")
        return Int(running)
    }

    /// Finished transfers since the last call: easy handle and result code.
    func finished() -> [(UnsafeMutableRawPointer, CURLcode)] {
        var out: [(UnsafeMutableRawPointer, CURLcode)] = []
        var left: Int32 = 0
        while let msg = curl_multi_info_read(multi, &left) {
            if msg.pointee.msg == CURLMSG_DONE, let h = msg.pointee.easy_handle {
                out.append((h, vt_msg_result(msg)))
            }
        }
        return out
    }

    /// Waits for socket activity, a wakeup, or `milliseconds`.
    func poll(milliseconds: Int) throws {
        try CurlError.check(curl_multi_poll(multi, nil, 0, Int32(milliseconds), nil), "curl_multi_poll")
    }

    /// Interrupts a `poll` from another thread.
    func wakeup() { _ = curl_multi_wakeup(multi) }

    nonisolated(unsafe) private static var initialized = false
    private static let initLock = NSLockLike()

    /// curl_global_init, once per process (it is not thread-safe itself).
    static func globalInit() throws {
        try initLock.locked {
            if initialized { return }
            try CurlError.check(curl_global_init(Int(CURL_GLOBAL_DEFAULT)), "curl_global_init")
            initialized = true
        }
    }
}
