import Crypto
import Foundation

/// SHA-256 content hashes as lowercase hex, for artifacts, blobs and fingerprints.
public enum ContentHash {
    /// Hash of bytes.
    public static func sha256(_ data: some DataProtocol) -> String {
        hex(SHA256.hash(data: data))
    }

    /// Hash of a string's UTF-8 bytes.
    public static func sha256(_ string: String) -> String { sha256(Data(string.utf8)) }

    /// Hash of a file's bytes, read in 1 MiB chunks.
    public static func sha256(fileAt url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        let hasher = Stream()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { chunk.withUnsafeBytes { hasher.update($0) } }
        return hasher.hex()
    }

    /// A SHA-256 fed piece by piece, from one thread at a time (e.g. an `NpyWriter`'s follower).
    public final class Stream: @unchecked Sendable {
        private var hasher = SHA256()

        /// An empty hash.
        public init() {}

        /// Adds `bytes`.
        public func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }

        /// The hash of everything added, as lowercase hex.
        public func hex() -> String { ContentHash.hex(hasher.finalize()) }
    }

    fileprivate static func hex(_ digest: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(64)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}
