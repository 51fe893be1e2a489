import CFileShim
import Foundation

/// Element types Vitrine stores in `.npy` files, with their numpy `descr` strings.
public enum NpyDType: String, Sendable, CaseIterable, Codable {
    /// `|u1`
    case uint8 = "|u1"
    /// `<i4`
    case int32 = "<i4"
    /// `<f4`
    case float32 = "<f4"

    /// Bytes per element.
    public var byteSize: Int { self == .uint8 ? 1 : 4 }
}

/// Errors reading or writing `.npy` files.
public enum NpyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file is not a version 1.0/2.0 `.npy` we can read.
    case badHeader(String)
    /// The header's dtype is not the one asked for.
    case wrongDType(expected: NpyDType, found: String)
    /// The element count does not match the shape.
    case shapeMismatch(shape: [Int], count: Int)

    /// A one-line explanation.
    public var description: String {
        switch self {
        case .badHeader(let m): return "npy: bad header: \(m)"
        case .wrongDType(let e, let f): return "npy: expected dtype \(e.rawValue), found \(f)"
        case .shapeMismatch(let s, let c): return "npy: shape \(s) does not hold \(c) elements"
        }
    }
}

/// numpy `.npy` files (format version 1.0, little-endian, C order): write and read uint8, int32
/// and float32 arrays, whole or streamed row by row with `NpyWriter`.
public enum NpyFile {
    /// The full header (magic, version, length, dict, padding) for `dtype` and `shape`; its size is a multiple of 64.
    public static func header(dtype: NpyDType, shape: [Int]) -> Data {
        let dims = shape.map(String.init)
        let shapeText = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var dict = "{'descr': '\(dtype.rawValue)', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + dict.utf8.count + 1
        let padded = (unpadded + 63) / 64 * 64
        dict += String(repeating: " ", count: padded - unpadded) + "\n"
        var out = Data([0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0])
        let len = UInt16(dict.utf8.count)
        out.append(UInt8(len & 0xFF)); out.append(UInt8(len >> 8))
        out.append(contentsOf: Array(dict.utf8))
        return out
    }

    /// Writes a uint8 array of `shape` to `url` atomically.
    public static func write(_ values: [UInt8], shape: [Int], to url: URL) throws {
        try write(values, dtype: .uint8, shape: shape, to: url)
    }
    /// Writes an int32 array of `shape` to `url` atomically.
    public static func write(_ values: [Int32], shape: [Int], to url: URL) throws {
        try write(values, dtype: .int32, shape: shape, to: url)
    }
    /// Writes a float32 array of `shape` to `url` atomically.
    public static func write(_ values: [Float], shape: [Int], to url: URL) throws {
        try write(values, dtype: .float32, shape: shape, to: url)
    }

    private static func write<T>(_ values: [T], dtype: NpyDType, shape: [Int], to url: URL) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw NpyError.shapeMismatch(shape: shape, count: values.count)
        }
        var data = header(dtype: dtype, shape: shape)
        values.withUnsafeBytes { data.append(contentsOf: $0) }  // host is little-endian (x86-64, arm64)
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        try data.write(to: tmp)
        if rename(tmp.path, url.path) != 0 {
            try? FileManager.default.removeItem(at: tmp)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// Reads a uint8 array and its shape.
    public static func readUInt8(from url: URL) throws -> (shape: [Int], values: [UInt8]) {
        try read(url, dtype: .uint8, as: UInt8.self)
    }
    /// Reads an int32 array and its shape.
    public static func readInt32(from url: URL) throws -> (shape: [Int], values: [Int32]) {
        try read(url, dtype: .int32, as: Int32.self)
    }
    /// Reads a float32 array and its shape.
    public static func readFloat32(from url: URL) throws -> (shape: [Int], values: [Float]) {
        try read(url, dtype: .float32, as: Float.self)
    }

    /// The dtype string, shape and data offset of an `.npy` file's header.
    public static func parseHeader(_ data: Data) throws -> (descr: String, shape: [Int], dataOffset: Int) {
        let bytes = [UInt8](data.prefix(12))
        guard bytes.count >= 10, bytes[0] == 0x93, bytes[1...5].elementsEqual("NUMPY".utf8) else {
            throw NpyError.badHeader("missing \\x93NUMPY magic")
        }
        let major = bytes[6]
        let (len, start): (Int, Int)
        if major == 1 { len = Int(bytes[8]) | Int(bytes[9]) << 8; start = 10 }
        else if major == 2 || major == 3, bytes.count >= 12 {
            len = Int(bytes[8]) | Int(bytes[9]) << 8 | Int(bytes[10]) << 16 | Int(bytes[11]) << 24; start = 12
        } else { throw NpyError.badHeader("unsupported version \(major)") }
        guard data.count >= start + len else { throw NpyError.badHeader("header longer than file") }
        let base = data.startIndex
        let text = String(decoding: data[(base + start)..<(base + start + len)], as: UTF8.self)
        guard let descr = field(text, "descr") else { throw NpyError.badHeader("no descr in \(text)") }
        if text.contains("'fortran_order': True") { throw NpyError.badHeader("fortran_order True is not supported") }
        guard let open = text.range(of: "'shape':"), let lp = text[open.upperBound...].firstIndex(of: "("),
              let rp = text[lp...].firstIndex(of: ")") else { throw NpyError.badHeader("no shape in \(text)") }
        let dims = text[text.index(after: lp)..<rp].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
        var shape: [Int] = []
        for d in dims {
            guard let v = Int(d), v >= 0 else { throw NpyError.badHeader("bad dimension '\(d)'") }
            shape.append(v)
        }
        return (descr, shape, start + len)
    }

    private static func field(_ text: String, _ key: String) -> String? {
        guard let r = text.range(of: "'\(key)':") else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " }
        guard rest.first == "'" else { return nil }
        let body = rest.dropFirst()
        guard let end = body.firstIndex(of: "'") else { return nil }
        return String(body[..<end])
    }

    private static func read<T>(_ url: URL, dtype: NpyDType, as: T.Type) throws -> (shape: [Int], values: [T]) {
        let data = try Data(contentsOf: url, options: .mappedIfSafe)
        let (descr, shape, offset) = try parseHeader(data)
        let accepted = dtype == .uint8 ? ["|u1", "<u1", "u1"] : [dtype.rawValue]
        guard accepted.contains(descr) else { throw NpyError.wrongDType(expected: dtype, found: descr) }
        var count = 1
        for d in shape {
            let (m, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw NpyError.badHeader("shape \(shape) overflows") }
            count = m
        }
        guard data.count - offset == count * dtype.byteSize else {
            throw NpyError.shapeMismatch(shape: shape, count: (data.count - offset) / dtype.byteSize)
        }
        let values = [T](unsafeUninitializedCapacity: count) { buf, n in
            data.withUnsafeBytes { raw in
                let src = UnsafeRawBufferPointer(rebasing: raw[offset...])
                UnsafeMutableRawBufferPointer(buf).copyMemory(from: src)
            }
            n = count
        }
        return (shape, values)
    }
}

/// Writes one `.npy` file through a temporary name: rows appended in order (`append`) or written at
/// their index from any thread (`write(_:row:)`), then checked, fsynced and renamed into place.
public final class NpyWriter: @unchecked Sendable {
    private let fd: Int32
    private let temp: URL
    private let url: URL
    private let headerBytes: Int
    private let expectedBytes: Int
    private let lock = NSLock()
    private var written = 0
    private var unflushed = 0
    private var closed = false
    /// Written bytes after which writeback of the file is started, so `finish`'s fsync has little left to wait for.
    static let writebackEvery = 32 << 20

    /// Opens `url` for an array of `dtype` and `shape`; rows follow with `append` or `write(_:row:)`.
    public init(url: URL, dtype: NpyDType, shape: [Int]) throws {
        self.url = url
        temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        expectedBytes = shape.reduce(1, *) * dtype.byteSize
        let header = NpyFile.header(dtype: dtype, shape: shape)
        headerBytes = header.count
        let file = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard file >= 0 else { throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temp.path]) }
        fd = file
        do { try header.withUnsafeBytes { try writeAll($0, at: 0) } } catch { Glibc.close(fd); unlink(temp.path); throw error }
    }

    deinit {
        if !closed { Glibc.close(fd); unlink(temp.path) }
    }

    /// Appends raw element bytes (any number of rows) after what was appended so far.
    public func append(_ bytes: UnsafeRawBufferPointer) throws {
        let offset = lock.withLock { defer { written += bytes.count }; return headerBytes + written }
        try writeAll(bytes, at: offset)
        wrote(bytes.count)
    }

    /// Writes the element bytes of row `row` (every row `bytes.count` long) at its place; safe from several
    /// threads at once, as long as each row is written once.
    public func write(_ bytes: UnsafeRawBufferPointer, row: Int) throws {
        let offset = headerBytes + row * bytes.count
        try writeAll(bytes, at: offset)
        lock.withLock { written += bytes.count }
        wrote(bytes.count)
    }

    /// Counts `n` more bytes written; every `writebackEvery` bytes, starts writing the file back (best effort).
    private func wrote(_ n: Int) {
        let kick = lock.withLock { () -> Bool in
            unflushed += n
            guard unflushed >= Self.writebackEvery else { return false }
            unflushed = 0
            return true
        }
        if kick { _ = vitrine_start_writeback(fd, 0, 0) }
    }

    /// Appends uint8 elements.
    public func append(_ values: [UInt8]) throws { try values.withUnsafeBytes { try append($0) } }
    /// Appends int32 elements.
    public func append(_ values: [Int32]) throws { try values.withUnsafeBytes { try append($0) } }
    /// Appends float32 elements.
    public func append(_ values: [Float]) throws { try values.withUnsafeBytes { try append($0) } }

    /// Checks the size, flushes and renames the file into place.
    public func finish() throws {
        let total = lock.withLock { written }
        closed = true
        guard total == expectedBytes else {
            Glibc.close(fd); unlink(temp.path)
            throw NpyError.shapeMismatch(shape: [expectedBytes], count: total)
        }
        let synced = fsync(fd) == 0
        Glibc.close(fd)
        guard synced, rename(temp.path, url.path) == 0 else {
            unlink(temp.path)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
    }

    /// `pwrite`s all of `bytes` at `offset`.
    private func writeAll(_ bytes: UnsafeRawBufferPointer, at offset: Int) throws {
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset + done))
            if n < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temp.path,
                                 NSLocalizedDescriptionKey: "writing \(temp.path): \(String(cString: strerror(errno)))"])
            }
            done += n
        }
    }
}
