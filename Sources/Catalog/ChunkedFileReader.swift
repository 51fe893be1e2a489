#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file through one reusable buffer, a chunk at a time, so loaders stream files of any size.
///
/// Bytes from `mark` on are kept when the buffer is refilled; a caller sets `mark` at the start
/// of the record it is reading, so only the current record (plus one chunk) is ever in memory.
final class ChunkedFileReader {
    /// The file being read, for error messages.
    let path: String
    private let fd: Int32
    private(set) var buf: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// Index of the next unread byte in `buf`.
    var pos = 0
    /// Number of valid bytes in `buf`.
    private(set) var end = 0
    /// Bytes at and after this index survive a refill.
    var mark = 0
    /// File offset of `buf[0]`.
    private(set) var base = 0

    /// Opens `path` for reading.
    init(path: String, chunk: Int = 1 << 20) throws(CatalogError) {
        self.path = path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw CatalogError.io(file: path, reason: String(cString: strerror(errno))) }
        self.fd = fd
        capacity = max(chunk, 64)
        buf = .allocate(capacity: capacity)
    }

    deinit {
        buf.deallocate()
        close(fd)
    }

    /// File offset of the next unread byte.
    var offset: Int { base + pos }

    /// Reads more bytes after `end`; returns false at end of file.
    func fill() throws(CatalogError) -> Bool {
        if mark > 0 {
            let keep = end - mark
            if keep > 0 { memmove(buf, buf + mark, keep) }
            pos -= mark; end = keep; base += mark; mark = 0
        }
        if end == capacity {
            let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity * 2)
            bigger.update(from: buf, count: end)
            buf.deallocate()
            buf = bigger
            capacity *= 2
        }
        while true {
            let n = read(fd, buf + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw CatalogError.io(file: path, reason: "read failed at byte \(base + end): \(String(cString: strerror(errno)))")
            }
            end += n
            return n > 0
        }
    }

    /// The next byte, or nil at end of file.
    @inline(__always) func next() throws(CatalogError) -> UInt8? {
        if pos == end { guard try fill() else { return nil } }
        let c = buf[pos]
        pos += 1
        return c
    }

    /// The next byte without consuming it, or nil at end of file.
    @inline(__always) func peek() throws(CatalogError) -> UInt8? {
        if pos == end { guard try fill() else { return nil } }
        return buf[pos]
    }

    /// The bytes from `mark` up to (not including) index `upTo`.
    func marked(upTo: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: buf + mark, count: max(0, upTo - mark))
    }

    /// Skips a UTF-8 byte-order mark at the very start of the file.
    func skipBOM() throws(CatalogError) {
        while end - pos < 3 { guard try fill() else { break } }
        if end - pos >= 3, buf[pos] == 0xEF, buf[pos + 1] == 0xBB, buf[pos + 2] == 0xBF { pos += 3 }
        mark = pos
    }
}
