import Foundation

/// Reads and writes the safetensors format: an 8-byte little-endian header length, a JSON header
/// `{name: {dtype, shape, data_offsets}}` (+ `__metadata__`), then the raw little-endian data.
public enum Safetensors {
    /// Serialises tensors (names sorted, F32 or I64) with string metadata.
    public static func encode(_ tensors: [String: NamedTensor], metadata: [String: String] = [:]) -> Data {
        var header = "{"
        if !metadata.isEmpty {
            header += "\"__metadata__\":{" + metadata.keys.sorted().map { k in
                var s = ""; jsonQuote(k, &s); s += ":"; jsonQuote(metadata[k]!, &s); return s
            }.joined(separator: ",") + "},"
        }
        var offset = 0
        var entries: [String] = []
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            let size = t.values.count * (t.isInteger ? 8 : 4)
            var s = ""; jsonQuote(name, &s)
            s += ":{\"dtype\":\"\(t.isInteger ? "I64" : "F32")\",\"shape\":[\(t.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + size)]}"
            entries.append(s); offset += size
        }
        header += entries.joined(separator: ",") + "}"
        while (header.utf8.count + 8) % 8 != 0 { header += " " }
        var data = Data(capacity: 8 + header.utf8.count + offset)
        withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: Array(header.utf8))
        for name in names {
            let t = tensors[name]!
            if t.isInteger {
                var ints = t.values.map { Int64($0).littleEndian }
                ints.withUnsafeMutableBytes { data.append(contentsOf: $0) }
            } else {
                var bits = t.values.map { $0.bitPattern.littleEndian }
                bits.withUnsafeMutableBytes { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes tensors to `url` atomically (temporary file + rename).
    public static func write(_ tensors: [String: NamedTensor], metadata: [String: String] = [:], to url: URL) throws {
        let tmp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        try encode(tensors, metadata: metadata).write(to: tmp)
        if rename(tmp.path, url.path) != 0 {
            throw NeuralNetError.badWeightFile(path: url.path, reason: "cannot rename into place: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads a safetensors file.
    public static func read(_ url: URL) throws -> (tensors: [String: NamedTensor], metadata: [String: String]) {
        try decode([UInt8](try Data(contentsOf: url)), path: url.path)
    }

    /// Parses safetensors bytes; `path` names the source in errors.
    public static func decode(_ bytes: [UInt8], path: String) throws -> (tensors: [String: NamedTensor], metadata: [String: String]) {
        var r = ByteReader(bytes, path: path)
        let n = Int(clamping: try r.uint(8))
        let headerBytes = try r.take(n)
        guard let header = try? JSONSerialization.jsonObject(with: Data(headerBytes)) as? [String: Any] else {
            throw NeuralNetError.badWeightFile(path: path, reason: "header is not a JSON object")
        }
        let base = 8 + n
        var tensors: [String: NamedTensor] = [:]
        var metadata: [String: String] = [:]
        for (name, value) in header {
            if name == "__metadata__" { metadata = value as? [String: String] ?? [:]; continue }
            guard let e = value as? [String: Any], let dt = e["dtype"] as? String, let dtype = DType(rawValue: dt),
                  let shape = e["shape"] as? [Int], let offs = e["data_offsets"] as? [Int], offs.count == 2 else {
                throw NeuralNetError.badWeightFile(path: path, reason: "bad header entry for '\(name)' (dtype must be F32/F64/F16/BF16/I64/I32/U8)")
            }
            let count = shape.reduce(1, *)
            guard offs[0] >= 0, offs[1] - offs[0] == count * dtype.size, base + offs[1] <= bytes.count else {
                throw NeuralNetError.badWeightFile(path: path, reason: "'\(name)': data_offsets \(offs) do not fit shape \(shape) \(dt) in \(bytes.count) bytes")
            }
            tensors[name] = NamedTensor(shape: shape, values: dtype.decode(bytes[(base + offs[0])..<(base + offs[1])], count: count),
                                        isInteger: dtype.isInteger)
        }
        return (tensors, metadata)
    }

    private static func jsonQuote(_ s: String, _ out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        out += "\""
    }
}
