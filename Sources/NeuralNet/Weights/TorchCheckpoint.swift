import Foundation

/// Reads PyTorch `.pth` state dicts without PyTorch: the legacy (non-zip) format — pickled magic,
/// version, system info, the state dict, the storage keys, then each storage's raw bytes — and
/// the zip format (`archive/data.pkl` + `archive/data/<key>`, stored uncompressed).
public enum TorchCheckpoint {
    /// The state dict in `url`, names → tensors (a top-level `state_dict`/`model` entry is unwrapped).
    public static func read(_ url: URL) throws -> [String: NamedTensor] {
        let bytes: [UInt8]
        do { bytes = [UInt8](try Data(contentsOf: url)) } catch {
            throw NeuralNetError.badWeightFile(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        if bytes.starts(with: [0x50, 0x4B, 0x03, 0x04]) { return try readZip(bytes, path: url.path) }
        return try readLegacy(bytes, path: url.path)
    }

    static func readLegacy(_ bytes: [UInt8], path: String) throws -> [String: NamedTensor] {
        var u = Unpickler(ByteReader(bytes, path: path))
        // The legacy magic number 0x1950a86a20f9469cfc6c, pickled as a 10-byte little-endian LONG1.
        guard case .bytes(let magic) = try u.load(), magic == [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19] else {
            throw NeuralNetError.badWeightFile(path: path, reason: "not a torch checkpoint (bad magic number)")
        }
        guard case .int(let version) = try u.load(), version == 1001 else {
            throw NeuralNetError.badWeightFile(path: path, reason: "unsupported legacy protocol version")
        }
        _ = try u.load()                           // sys_info
        let root = try u.load()
        guard let keys = try u.load().items?.compactMap(\.string) else {
            throw NeuralNetError.badWeightFile(path: path, reason: "missing storage key list")
        }
        var r = u.r
        let tensors = stateDict(root)
        var dtypes: [String: String] = [:]
        for (_, t) in tensors { if case .tensor(let key, let dtype, _, _, _) = t { dtypes[key] = dtype } }
        var storages: [String: [Float]] = [:]
        for key in keys {
            let count = Int(clamping: try r.uint(8))
            guard let dt = DType(storage: dtypes[key] ?? "FloatStorage") else {
                throw NeuralNetError.badWeightFile(path: path, reason: "unsupported storage type \(dtypes[key] ?? "?")")
            }
            guard count <= (bytes.count - r.pos) / dt.size else { throw r.truncated("storage \(key)") }
            storages[key] = dt.decode(try r.take(count * dt.size), count: count)
        }
        return try materialise(tensors, storages: storages, path: path)
    }

    static func readZip(_ bytes: [UInt8], path: String) throws -> [String: NamedTensor] {
        let zip = try ZipArchive(bytes, path: path)
        guard let pkl = zip.names.first(where: { $0.hasSuffix("/data.pkl") || $0 == "data.pkl" }) else {
            throw NeuralNetError.badWeightFile(path: path, reason: "zip checkpoint has no data.pkl")
        }
        let prefix = String(pkl.dropLast("data.pkl".count))
        var u = Unpickler(ByteReader(Array(try zip.contents(of: pkl)), path: path))
        let tensors = stateDict(try u.load())
        var storages: [String: [Float]] = [:]
        for (_, t) in tensors {
            guard case .tensor(let key, let dtype, _, _, _) = t, storages[key] == nil else { continue }
            guard let dt = DType(storage: dtype) else {
                throw NeuralNetError.badWeightFile(path: path, reason: "unsupported storage type \(dtype)")
            }
            let raw = try zip.contents(of: prefix + "data/" + key)
            storages[key] = dt.decode(raw, count: raw.count / dt.size)
        }
        return try materialise(tensors, storages: storages, path: path)
    }

    /// The name → tensor entries of the state dict (unwrapping `{"state_dict": ...}` / `{"model": ...}`).
    static func stateDict(_ root: PickleValue) -> [(String, PickleValue)] {
        guard case .dict(let pairs) = root else { return [] }
        for (k, v) in pairs where ["state_dict", "model", "model_state_dict"].contains(k.string ?? "") {
            if case .dict = v { return stateDict(v) }
        }
        return pairs.compactMap { k, v in
            guard let name = k.string, case .tensor = v else { return nil }
            return (name, v)
        }
    }

    static func materialise(_ entries: [(String, PickleValue)], storages: [String: [Float]], path: String) throws -> [String: NamedTensor] {
        var out: [String: NamedTensor] = [:]
        for (name, v) in entries {
            guard case .tensor(let key, let dtype, let offset, let shape, let stride) = v, let storage = storages[key] else {
                throw NeuralNetError.badWeightFile(path: path, reason: "tensor '\(name)' refers to a missing storage")
            }
            let count = shape.reduce(1, *)
            var values = [Float](repeating: 0, count: count)
            if count > 0 {
                let last = offset + zip(shape, stride).reduce(0) { $0 + ($1.0 - 1) * $1.1 }
                guard offset >= 0, last < storage.count, stride.allSatisfy({ $0 >= 0 }) else {
                    throw NeuralNetError.badWeightFile(path: path, reason: "tensor '\(name)' lies outside its storage")
                }
                var index = [Int](repeating: 0, count: shape.count)
                for i in 0..<count {
                    var src = offset
                    for d in 0..<shape.count { src += index[d] * stride[d] }
                    values[i] = storage[src]
                    var d = shape.count - 1
                    while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
                }
            }
            out[name] = NamedTensor(shape: shape, values: values, isInteger: DType(storage: dtype)?.isInteger ?? false)
        }
        return out
    }
}
