/// The entries of a zip file whose members are stored uncompressed (as `torch.save` writes them).
struct ZipArchive {
    private let bytes: [UInt8]
    private let path: String
    private var entries: [String: (offset: Int, size: Int, method: Int)] = [:]

    /// Entry names.
    var names: [String] { entries.keys.sorted() }

    /// Parses the central directory.
    init(_ bytes: [UInt8], path: String) throws {
        self.bytes = bytes; self.path = path
        func u16(_ p: Int) -> Int { Int(bytes[p]) | Int(bytes[p + 1]) << 8 }
        func u32(_ p: Int) -> Int { u16(p) | u16(p + 2) << 16 }
        guard bytes.count >= 22 else { throw NeuralNetError.badWeightFile(path: path, reason: "zip too short") }
        var eocd = bytes.count - 22
        while eocd >= 0 && !(bytes[eocd] == 0x50 && bytes[eocd + 1] == 0x4B && bytes[eocd + 2] == 5 && bytes[eocd + 3] == 6) { eocd -= 1 }
        guard eocd >= 0 else { throw NeuralNetError.badWeightFile(path: path, reason: "zip end record not found (truncated?)") }
        var p = u32(eocd + 16)
        let count = u16(eocd + 10)
        for _ in 0..<count {
            guard p + 46 <= bytes.count, u32(p) == 0x02014b50 else {
                throw NeuralNetError.badWeightFile(path: path, reason: "zip central directory is damaged")
            }
            let method = u16(p + 10), size = u32(p + 20), nameLen = u16(p + 28)
            let extraLen = u16(p + 30), commentLen = u16(p + 32), local = u32(p + 42)
            guard p + 46 + nameLen <= bytes.count else { throw NeuralNetError.badWeightFile(path: path, reason: "zip entry name truncated") }
            let name = String(decoding: bytes[(p + 46)..<(p + 46 + nameLen)], as: UTF8.self)
            guard local + 30 <= bytes.count else { throw NeuralNetError.badWeightFile(path: path, reason: "zip entry \(name) truncated") }
            let dataStart = local + 30 + u16(local + 26) + u16(local + 28)
            entries[name] = (dataStart, size, method)
            p += 46 + nameLen + extraLen + commentLen
        }
    }

    /// The bytes of a stored (uncompressed) entry.
    func contents(of name: String) throws -> ArraySlice<UInt8> {
        guard let e = entries[name] else { throw NeuralNetError.badWeightFile(path: path, reason: "zip has no entry \(name)") }
        guard e.method == 0 else { throw NeuralNetError.badWeightFile(path: path, reason: "zip entry \(name) is compressed (method \(e.method))") }
        guard e.offset + e.size <= bytes.count else { throw NeuralNetError.badWeightFile(path: path, reason: "zip entry \(name) truncated") }
        return bytes[e.offset..<(e.offset + e.size)]
    }
}
