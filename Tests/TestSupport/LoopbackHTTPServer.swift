import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Errors from the loopback test server's socket calls.
public struct LoopbackHTTPError: Error, CustomStringConvertible {
    /// What failed, with errno text.
    public let description: String
    init(_ call: String) { description = "\(call): \(String(cString: strerror(errno)))" }
}

/// A small real HTTP/1.1 server on 127.0.0.1 for tests and demos: POSIX sockets, an ephemeral
/// port, one thread per connection, keep-alive, per-path request counts, and routes that can
/// misbehave on purpose. It only ever listens on loopback and never connects anywhere.
///
/// ```swift
/// let server = LoopbackHTTPServer(routes: ["/a.jpg": { _, _ in .ok(jpeg, contentType: "image/jpeg") }])
/// let port = try server.start()
/// // ... fetch "http://127.0.0.1:\(port)/a.jpg" ...
/// #expect(server.requestCount("/a.jpg") == 1)
/// server.stop()
/// ```
public final class LoopbackHTTPServer: @unchecked Sendable {
    private let lock = NSLock()
    private var routes: [String: LoopbackHTTPHandler]
    private let folder: URL?
    private var counts: [String: Int] = [:]
    private var listenFD: Int32 = -1
    private var openFDs: Set<Int32> = []
    private var liveThreads = 0
    private var stopping = false
    /// The bound port (0 before `start`).
    public private(set) var port: Int = 0

    /// A server answering `routes` (exact paths) and, for other paths, files under `folder`.
    public init(routes: [String: LoopbackHTTPHandler] = [:], folder: URL? = nil) {
        self.routes = routes
        self.folder = folder?.standardizedFileURL
    }

    deinit { stop() }

    /// Adds or replaces a route (allowed while running).
    public func route(_ path: String, _ handler: @escaping LoopbackHTTPHandler) {
        lock.withLock { routes[path] = handler }
    }

    /// Binds 127.0.0.1 on `port` (0: an ephemeral one), starts accepting, and returns the port.
    @discardableResult
    public func start(port wanted: Int = 0) throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw LoopbackHTTPError("socket") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(wanted).bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { let e = LoopbackHTTPError("bind"); close(fd); throw e }
        guard listen(fd, 512) == 0 else { let e = LoopbackHTTPError("listen"); close(fd); throw e }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        let p = Int(UInt16(bigEndian: addr.sin_port))
        lock.withLock { listenFD = fd; port = p; stopping = false; liveThreads += 1 }
        let thread = Thread { [self] in acceptLoop(fd) }
        thread.name = "loopback-http-accept"
        thread.start()
        return p
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    /// How many requests `path` (without query) has received.
    public func requestCount(_ path: String) -> Int { lock.withLock { counts[path, default: 0] } }

    /// Requests received on every path together.
    public var totalRequests: Int { lock.withLock { counts.values.reduce(0, +) } }

    /// Forgets all request counts.
    public func resetCounts() { lock.withLock { counts.removeAll() } }

    /// Stops accepting, cuts open connections and waits (up to 5 s) for every server thread to end.
    public func stop() {
        let fds: [Int32] = lock.withLock {
            stopping = true
            return Array(openFDs)
        }
        for fd in fds { shutdown(fd, Int32(SHUT_RDWR)) }
        let deadline = Date().addingTimeInterval(5)
        while lock.withLock({ liveThreads }) > 0, Date() < deadline { usleep(2_000) }
        lock.withLock {
            if listenFD >= 0 { close(listenFD); listenFD = -1 }
        }
    }

    private var isStopping: Bool { lock.withLock { stopping } }

    private func acceptLoop(_ fd: Int32) {
        defer { lock.withLock { liveThreads -= 1 } }
        while !isStopping {
            var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&pfd, 1, 50) <= 0 { continue }
            let client = accept(fd, nil, nil)
            if client < 0 { continue }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            var tv = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
            let accepted: Bool = lock.withLock {
                if stopping { return false }
                openFDs.insert(client); liveThreads += 1
                return true
            }
            guard accepted else { close(client); break }
            let thread = Thread { [self] in serve(client) }
            thread.name = "loopback-http-conn"
            thread.start()
        }
    }

    private func serve(_ fd: Int32) {
        defer {
            lock.withLock { openFDs.remove(fd); liveThreads -= 1 }
            close(fd)
        }
        var buffer = [UInt8]()
        while !isStopping {
            guard let request = readRequest(fd, &buffer) else { return }
            let handler: LoopbackHTTPHandler? = lock.withLock { routes[request.path] }
            let count = lock.withLock { () -> Int in
                let c = counts[request.path, default: 0] + 1
                counts[request.path] = c
                return c
            }
            let response = handler?(request, count) ?? serveFile(request)
            let keepAlive = write(response, to: fd, closeAfter: request.header("Connection")?.lowercased() == "close")
            if !keepAlive { return }
        }
    }

    /// Reads one request head (bodies of GET/HEAD are not expected; a Content-Length body is skipped).
    private func readRequest(_ fd: Int32, _ buffer: inout [UInt8]) -> LoopbackHTTPRequest? {
        let terminator: [UInt8] = [13, 10, 13, 10]
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            if let end = find(terminator, in: buffer) {
                let head = String(decoding: buffer[..<end], as: UTF8.self)
                buffer.removeFirst(end + 4)
                return parse(head)
            }
            if buffer.count > 65_536 || isStopping { return nil }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return nil }
            buffer.append(contentsOf: chunk[0..<n])
        }
    }

    private func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for i in 0...(haystack.count - needle.count) where haystack[i] == needle[0] {
            if haystack[i..<(i + needle.count)].elementsEqual(needle) { return i }
        }
        return nil
    }

    private func parse(_ head: String) -> LoopbackHTTPRequest? {
        let lines = head.components(separatedBy: "\r\n")
        let parts = lines.first?.split(separator: " ") ?? []
        guard parts.count >= 2 else { return nil }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let target = String(parts[1])
        let pathEnd = target.firstIndex(of: "?") ?? target.endIndex
        let query = pathEnd < target.endIndex ? String(target[target.index(after: pathEnd)...]) : ""
        return LoopbackHTTPRequest(method: String(parts[0]), path: String(target[..<pathEnd]), query: query, headers: headers)
    }

    /// Serves a regular file under `folder`, with ETag/Last-Modified and 304 handling; 404 otherwise.
    private func serveFile(_ request: LoopbackHTTPRequest) -> LoopbackHTTPResponse {
        guard let folder else { return .status(404) }
        let decoded = request.path.removingPercentEncoding ?? request.path
        let components = decoded.split(separator: "/")
        guard !components.contains(where: { $0 == ".." || $0 == "." }) else { return .status(403) }
        let file = components.reduce(folder) { $0.appendingPathComponent(String($1)) }
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: file.path),
              attrs[.type] as? FileAttributeType == .typeRegular,
              let body = try? Data(contentsOf: file) else { return .status(404) }
        let mtime = (attrs[.modificationDate] as? Date) ?? Date(timeIntervalSince1970: 0)
        let etag = "\"\(body.count)-\(Int(mtime.timeIntervalSince1970))\""
        return .conditional(body, contentType: Self.contentType(file.pathExtension), etag: etag,
                            lastModified: Self.httpDate(mtime), request: request)
    }

    /// An RFC 7231 date, e.g. `Wed, 25 Nov 2026 21:00:00 GMT`.
    public static func httpDate(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "GMT")
        f.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return f.string(from: date)
    }

    private static func contentType(_ ext: String) -> String {
        switch ext.lowercased() {
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "html": return "text/html"
        case "csv": return "text/csv"
        case "json", "jsonl": return "application/json"
        default: return "application/octet-stream"
        }
    }

    /// Sends a response according to its behaviour; returns whether the connection may be reused.
    private func write(_ r: LoopbackHTTPResponse, to fd: Int32, closeAfter: Bool) -> Bool {
        var head = "HTTP/1.1 \(r.status) \(LoopbackHTTPResponse.reason(r.status))\r\n"
        var names = Set<String>()
        for (k, v) in r.headers { head += "\(k): \(v)\r\n"; names.insert(k.lowercased()) }
        var close = closeAfter
        switch r.behavior {
        case .endless: close = true
        default:
            if !names.contains("content-length") { head += "Content-Length: \(r.body.count)\r\n" }
        }
        if case .normal = r.behavior {} else { close = true }
        head += close ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n"
        guard sendAll(fd, Data(head.utf8)) else { return false }
        switch r.behavior {
        case .normal:
            return sendAll(fd, r.body) && !close
        case .closeAfter(let bytes):
            _ = sendAll(fd, r.body.prefix(bytes))
            return false
        case .resetAfter(let bytes):
            _ = sendAll(fd, r.body.prefix(bytes))
            var lin = linger(l_onoff: 1, l_linger: 0)
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &lin, socklen_t(MemoryLayout<linger>.size))
            return false
        case .stallAfterHeaders(let seconds):
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline, !isStopping {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 20) > 0 {
                    var b: UInt8 = 0
                    if recv(fd, &b, 1, Int32(MSG_DONTWAIT)) <= 0 { break }
                }
            }
            return false
        case .endless(let maxBytes):
            let piece = r.body.isEmpty ? Data(repeating: 0x41, count: 16_384) : r.body
            var sent = 0
            while sent < maxBytes, !isStopping, sendAll(fd, piece) { sent += piece.count }
            return false
        }
    }

    private func sendAll(_ fd: Int32, _ data: Data) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            guard let base = raw.baseAddress else { return true }
            var off = 0
            while off < raw.count {
                #if canImport(Glibc)
                let n = send(fd, base + off, raw.count - off, Int32(MSG_NOSIGNAL))
                #else
                let n = send(fd, base + off, raw.count - off, 0)
                #endif
                if n <= 0 { return false }
                off += n
            }
            return true
        }
    }
}
