import Crypto
import Foundation

/// Content hashes of fetched bytes, as lower-case hex (the blob store's addressing).
public enum ImageDigest {
    /// SHA-256 of `data` in lower-case hex.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
