/// Why an image could not be decoded, resized, encoded or stored; `reason` is a stable short class.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero bytes.
    case empty
    /// Not an image format we recognise (e.g. HTML served as a JPEG); holds a hint of the first bytes.
    case notAnImage(String)
    /// A recognised format we do not decode (WebP, GIF).
    case unsupportedFormat(ImageFormat)
    /// The data stopped before the image did.
    case truncated(String)
    /// The codec rejected the data.
    case corrupt(String)
    /// A PNG chunk's CRC did not match.
    case badChecksum(String)
    /// The header declares more pixels than allowed (a decompression bomb or a broken header).
    case tooLarge(width: Int, height: Int)
    /// Too small to be a product photo (e.g. a 1x1 tracking pixel).
    case tooSmall(width: Int, height: Int)
    /// A colour space we do not convert (e.g. CMYK without an Adobe marker).
    case unsupportedColorSpace(String)
    /// A caller error (bad size, bad buffer).
    case invalidArgument(String)
    /// The encoder failed.
    case encodeFailed(String)
    /// Out of memory inside a codec.
    case outOfMemory

    /// A stable machine-readable failure class for tables and counts.
    public var reason: String {
        switch self {
        case .empty: return "empty"
        case .notAnImage: return "not_an_image"
        case .unsupportedFormat: return "unsupported_format"
        case .truncated: return "truncated"
        case .corrupt: return "corrupt"
        case .badChecksum: return "bad_crc"
        case .tooLarge: return "too_large"
        case .tooSmall: return "too_small"
        case .unsupportedColorSpace: return "unsupported_colorspace"
        case .invalidArgument: return "invalid_argument"
        case .encodeFailed: return "encode_failed"
        case .outOfMemory: return "out_of_memory"
        }
    }

    /// A one-line human explanation.
    public var description: String {
        switch self {
        case .empty: return "empty: zero bytes"
        case .notAnImage(let hint): return "not_an_image: unrecognised leading bytes \(hint)"
        case .unsupportedFormat(let f): return "unsupported_format: \(f.rawValue) is not decoded"
        case .truncated(let m): return "truncated: \(m)"
        case .corrupt(let m): return "corrupt: \(m)"
        case .badChecksum(let m): return "bad_crc: \(m)"
        case .tooLarge(let w, let h): return "too_large: header declares \(w)x\(h) pixels"
        case .tooSmall(let w, let h): return "too_small: \(w)x\(h) pixels"
        case .unsupportedColorSpace(let m): return "unsupported_colorspace: \(m)"
        case .invalidArgument(let m): return "invalid_argument: \(m)"
        case .encodeFailed(let m): return "encode_failed: \(m)"
        case .outOfMemory: return "out_of_memory"
        }
    }
}
