/// A weight read from or written to a file: shape and values (integers stored exactly as floats).
public struct NamedTensor: Sendable, Equatable {
    /// Extent of each dimension ([] for a scalar).
    public var shape: [Int]
    /// Row-major values.
    public var values: [Float]
    /// Whether the file stores it as an integer tensor (int64).
    public var isInteger: Bool

    /// A tensor of `shape` holding `values`.
    public init(shape: [Int], values: [Float], isInteger: Bool = false) {
        self.shape = shape; self.values = values; self.isInteger = isInteger
    }
}

/// Little-endian reading helpers over a byte buffer, each checked against the end of the data.
struct ByteReader {
    let bytes: [UInt8]
    var pos = 0
    let path: String

    init(_ bytes: [UInt8], path: String) { self.bytes = bytes; self.path = path }

    func truncated(_ what: String) -> NeuralNetError { .badWeightFile(path: path, reason: "truncated while reading \(what) at byte \(pos)") }

    mutating func byte() throws -> UInt8 {
        guard pos < bytes.count else { throw truncated("a byte") }
        defer { pos += 1 }
        return bytes[pos]
    }

    mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, n <= bytes.count - pos else { throw truncated("\(n) bytes") }
        defer { pos += n }
        return bytes[pos..<(pos + n)]
    }

    mutating func uint(_ n: Int) throws -> UInt64 {
        var v: UInt64 = 0
        for (i, b) in try take(n).enumerated() { v |= UInt64(b) << (8 * UInt64(i)) }
        return v
    }

    mutating func line() throws -> String {
        guard let end = bytes[pos...].firstIndex(of: 0x0A) else { throw truncated("a line") }
        defer { pos = end + 1 }
        return String(decoding: bytes[pos..<end], as: UTF8.self)
    }
}

/// Converts raw little-endian element bytes of a torch/safetensors dtype to floats.
enum DType: String {
    case f32 = "F32", f64 = "F64", f16 = "F16", bf16 = "BF16", i64 = "I64", i32 = "I32", u8 = "U8"

    var size: Int { switch self { case .f32, .i32: return 4; case .f64, .i64: return 8; case .f16, .bf16: return 2; case .u8: return 1 } }
    var isInteger: Bool { self == .i64 || self == .i32 || self == .u8 }

    /// The dtype of a torch storage class name such as `FloatStorage`.
    init?(storage name: String) {
        switch name {
        case "FloatStorage": self = .f32
        case "DoubleStorage": self = .f64
        case "HalfStorage": self = .f16
        case "BFloat16Storage": self = .bf16
        case "LongStorage": self = .i64
        case "IntStorage": self = .i32
        case "ByteStorage": self = .u8
        default: return nil
        }
    }

    /// Decodes `count` elements starting at `offset` bytes into `bytes`.
    func decode(_ bytes: ArraySlice<UInt8>, count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                switch self {
                case .f32: out[i] = Float(bitPattern: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self).littleEndian)
                case .f64: out[i] = Float(Double(bitPattern: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self).littleEndian))
                case .i64: out[i] = Float(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self)))
                case .i32: out[i] = Float(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
                case .u8: out[i] = Float(raw[i])
                case .bf16: out[i] = Float(bitPattern: UInt32(raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian) << 16)
                case .f16:
                    #if arch(arm64) || arch(x86_64)
                    out[i] = Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self).littleEndian))
                    #endif
                }
            }
        }
        return out
    }
}
