import Foundation
import Pipeline
import Testing
import TestSupport

/// The content-addressed blob store on a real temp dir: writes without fsync, and blobs left short
/// or damaged (as a power loss can leave them) are told apart from whole ones and replaced.
@Suite struct BlobStoreTests {
    @Test func storesOnceByHashAndLeavesNoTemporaryFiles() throws {
        let dir = try TempDir.make("blobs"); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try BlobStore(root: dir)
        let bytes = Data((0..<5000).map { UInt8($0 % 251) })
        let hash = try store.put(bytes)
        #expect(hash == ContentHash.sha256(bytes))
        #expect(try store.data(for: hash) == bytes)
        let inode = try FileManager.default.attributesOfItem(atPath: store.url(for: hash).path)[.systemFileNumber] as? Int
        #expect(try store.put(bytes) == hash)
        #expect(try FileManager.default.attributesOfItem(atPath: store.url(for: hash).path)[.systemFileNumber] as? Int == inode,
                "a whole blob is not written again")
        let names = try FileManager.default.subpathsOfDirectory(atPath: dir.path)
        #expect(names.filter { $0.hasSuffix(".tmp") }.isEmpty && names.count == 2, "\(names)")
        #expect(store.contains(hash) && store.contains(hash, size: 5000) && !store.contains(hash, size: 4999))
        #expect(try store.put(Data("checkpoint".utf8), durable: true) == ContentHash.sha256(Data("checkpoint".utf8)))
    }

    @Test func uniqueBlobsGetFreshNamesShapedLikeHashes() throws {
        let dir = try TempDir.make("blobs"); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try BlobStore(root: dir)
        let bytes = Data((0..<3000).map { UInt8($0 % 253) })
        let (a, b) = (try store.putUnique(bytes), try store.putUnique(bytes))
        #expect(a != b, "the same bytes twice are two blobs")
        for name in [a, b] {
            #expect(name.count == 64 && name.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(name)")
            #expect(store.contains(name, size: 3000))
            #expect(try store.read(name, offset: 1000, count: 5) == bytes[1000..<1005])
            #expect(try store.read(name, offset: 3000, count: 0).isEmpty, "nothing asked, nothing read")
        }
        #expect(throws: FileIO.Failure.self) { try store.read(a, offset: 2998, count: 5) }
        #expect(a != ContentHash.sha256(bytes) && !store.contains(ContentHash.sha256(bytes)), "not content-addressed")
        let names = try FileManager.default.subpathsOfDirectory(atPath: dir.path)
        #expect(names.filter { $0.hasSuffix(".tmp") }.isEmpty, "\(names)")
    }

    @Test func aShortOrDamagedBlobIsNotTakenForTheRealOne() throws {
        let dir = try TempDir.make("blobs"); defer { try? FileManager.default.removeItem(at: dir) }
        let store = try BlobStore(root: dir)
        let bytes = Data((0..<9000).map { UInt8(($0 * 7) % 256) })
        let hash = try store.put(bytes)
        #expect(store.verifiedData(for: hash) == bytes)
        // Cut short, as delayed allocation can leave a file after a power loss.
        #expect(truncate(store.url(for: hash).path, 100) == 0)
        #expect(store.contains(hash) && !store.contains(hash, size: bytes.count))
        #expect(store.verifiedData(for: hash) == nil)
        #expect(try store.put(bytes) == hash)
        #expect(store.verifiedData(for: hash) == bytes, "put replaces a blob of the wrong size")
        // Same size, one byte flipped: only the hash check sees it.
        var damaged = bytes; damaged[4000] ^= 0xFF
        try damaged.write(to: store.url(for: hash))
        #expect(store.contains(hash, size: bytes.count) && store.verifiedData(for: hash) == nil)
        #expect(store.verifiedData(for: String(repeating: "0", count: 64)) == nil)
    }

    @Test func writeNewRefusesToOverwriteAndNamesThePath() throws {
        let dir = try TempDir.make("blobs"); defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("x.bin")
        try FileIO.writeNew(Data([1, 2, 3]), toPath: file.path)
        #expect(try Data(contentsOf: file) == Data([1, 2, 3]))
        do {
            try FileIO.writeNew(Data([9]), toPath: file.path)
            Issue.record("writing over an existing file succeeded")
        } catch let e as FileIO.Failure {
            #expect(e.code == EEXIST && e.description.contains(file.path) && e.description.contains("exists"), "\(e)")
        }
        #expect(try Data(contentsOf: file) == Data([1, 2, 3]), "the existing file is untouched")
        #expect(throws: FileIO.Failure.self) { try FileIO.writeNew(Data([1]), toPath: dir.appendingPathComponent("no/such/dir/f").path) }
    }
}
