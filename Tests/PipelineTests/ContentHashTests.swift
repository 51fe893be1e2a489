import Foundation
import Testing
import TestSupport
@testable import Pipeline

/// BLAKE3 against hashes from the reference implementation (Tests/Fixtures/hash, made by make_blake3_fixture.py),
/// whole and in pieces, and the tagged file hashes built on it.
@Suite struct ContentHashTests {
    struct Fixture: Decodable {
        struct Entry: Decodable { let length: Int; let blake3: String }
        let hashes: [Entry]
    }

    static let fixture: Fixture = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../Fixtures/hash/blake3_reference.json").standardizedFileURL
        return (try? JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))) ?? Fixture(hashes: [])
    }()

    /// The fixture's input of `n` bytes.
    static func pattern(_ n: Int) -> [UInt8] { (0..<n).map { UInt8($0 % 251) } }

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    /// The hash of `bytes` fed in pieces of the sizes `pieces` cycles through.
    static func hashInPieces(_ bytes: [UInt8], _ pieces: [Int]) -> String {
        var h = Blake3(), at = 0, k = 0
        while at < bytes.count {
            let end = min(bytes.count, at + pieces[k % pieces.count])
            bytes[at..<end].withUnsafeBytes { h.update($0) }
            at = end; k += 1
        }
        return hex(h.finalize())
    }

    @Test func wholeInputsMatchTheReference() {
        #expect(Self.fixture.hashes.count >= 20, "fixture read")
        for e in Self.fixture.hashes {
            let got = Self.pattern(e.length).withUnsafeBytes { Self.hex(Blake3.hash($0)) }
            #expect(got == e.blake3, "\(e.length) bytes")
        }
    }

    @Test(arguments: [[1], [63, 1, 64], [1000], [1024], [4096, 17], [8193], [8192, 8192, 5], [3 << 20]])
    func pieceSizesDoNotChangeTheHash(_ pieces: [Int]) {
        // Pieces that end mid-block, mid-chunk and mid-way through an eight-chunk run, then line up again.
        for e in Self.fixture.hashes where e.length > 0 && e.length <= 1 << 20 {
            #expect(Self.hashInPieces(Self.pattern(e.length), pieces) == e.blake3, "\(e.length) bytes in pieces of \(pieces)")
        }
    }

    @Test func fileHashesAreTaggedAndOlderSHA256HashesStillCheck() throws {
        let dir = try TempDir.make("content-hash")
        let file = dir.appendingPathComponent("f.bin")
        let e = try #require(Self.fixture.hashes.first { $0.length == (1 << 20) + 7 })
        try Data(Self.pattern(e.length)).write(to: file)
        let tagged = try ContentHash.file(at: file)
        #expect(tagged == ContentHash.blake3Tag + e.blake3)
        let stream = ContentHash.Stream()
        Self.pattern(e.length).withUnsafeBytes { stream.update($0) }
        #expect(stream.hex() == tagged)
        // A hash recorded before BLAKE3 (plain SHA-256 hex) is checked with SHA-256, a tagged one with BLAKE3.
        let old = try ContentHash.sha256(fileAt: file)
        #expect(old.count == 64 && !old.hasPrefix(ContentHash.blake3Tag))
        #expect(try ContentHash.file(at: file, like: old) == old)
        #expect(try ContentHash.file(at: file, like: tagged) == tagged)
        #expect(ContentHash.abbreviated(tagged) == String(e.blake3.prefix(12)) && ContentHash.abbreviated(old) == String(old.prefix(12)))
        // One byte changed: both kinds see it.
        var bytes = Self.pattern(e.length); bytes[700_000] ^= 1
        try Data(bytes).write(to: file)
        #expect(try ContentHash.file(at: file, like: old) != old)
        #expect(try ContentHash.file(at: file) != tagged)
    }

    @Test func aBufferedHasherGivesTheHashOfItsBuffersInOrder() {
        // More buffers than the pool holds, of uneven fills: each comes back to the writer only once hashed.
        let e = Self.fixture.hashes.first { $0.length == (1 << 21) + 1000 }
        let bytes = Self.pattern(e?.length ?? 0)
        let hasher = BufferedHasher(buffers: 2, capacity: 100_000)
        var at = 0, k = 0
        while at < bytes.count {
            guard let buffer = hasher.buffer() else { Issue.record("no buffer before stop"); return }
            let n = min(bytes.count - at, [100_000, 1, 65_536, 8_193][k % 4])
            bytes[at..<(at + n)].withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) }
            hasher.submit(buffer, count: n)
            at += n; k += 1
        }
        #expect(k > 10)
        #expect(hasher.hex() == ContentHash.blake3Tag + (e?.blake3 ?? "fixture missing"))
        // A writer that gives up stops the thread; what it had submitted was hashed, and nothing hangs.
        let abandoned = BufferedHasher()
        let ten = Self.pattern(10)
        guard let buffer = abandoned.buffer() else { Issue.record("no buffer before stop"); return }
        ten.withUnsafeBytes { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: 10) }
        abandoned.submit(buffer, count: 10)
        abandoned.stop()
        #expect(abandoned.buffer() == nil, "a stopped hasher hands out no buffer")
        // A filler waiting for a buffer (every one taken) gets nil when the writer gives up and stops the hasher.
        let full = BufferedHasher(buffers: 2, capacity: 16)
        _ = full.buffer(); _ = full.buffer()
        let woke = DispatchSemaphore(value: 0)
        let filler = Thread { if full.buffer() == nil { woke.signal() } }
        filler.start()
        Thread.sleep(forTimeInterval: 0.05)
        full.stop()
        #expect(woke.wait(timeout: .now() + 5) == .success)
        #expect(abandoned.hex() == ContentHash.blake3Tag + ten.withUnsafeBytes { Self.hex(Blake3.hash($0)) })
    }
}
