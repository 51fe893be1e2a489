import Foundation
import Pipeline
import Testing
import TestSupport
@testable import Stages

/// Thumbnail packs written by `ThumbnailPack` and read back row by row by `PackReader`, in a real BlobStore.
@Suite struct ThumbnailPackTests {
    @Test func rowsReadBackFromTheirPacksAndAShortPackIsNamed() throws {
        let dir = try TempDir.make("packs"); defer { try? FileManager.default.removeItem(at: dir) }
        let blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
        let rowBytes = 12
        let pack = ThumbnailPack(blobs: blobs, rowBytes: rowBytes)
        var refs: [ThumbnailRef] = []
        for i in 0..<5 {
            pack.fillNextRow { row in for b in 0..<rowBytes { row[b] = UInt8(i * 16 + b) } }
            let stored = try pack.add(sha: "img\(i)", key: "k\(i)")
            refs += stored.map(\.ref)
        }
        refs += try pack.flush().map(\.ref)
        #expect(refs.count == 5 && Set(refs.map(\.blob)).count == 1 && refs.map(\.row) == Array(0..<5))
        let reader = PackReader(blobs: blobs, rowBytes: rowBytes)
        var row = [UInt8](repeating: 0, count: rowBytes)
        for ref in refs.reversed() {
            try row.withUnsafeMutableBytes { try reader.read(ref, into: $0.baseAddress!) }
            #expect(row == (0..<rowBytes).map { UInt8(ref.row * 16 + $0) }, "row \(ref.row)")
        }
        // The pack cut short after 2 rows (as a power loss could leave it): rows past its end are an error naming it.
        let path = blobs.path(for: refs[0].blob)
        #expect(truncate(path, off_t(2 * rowBytes)) == 0)
        let fresh = PackReader(blobs: blobs, rowBytes: rowBytes)
        try row.withUnsafeMutableBytes { try fresh.read(refs[1], into: $0.baseAddress!) }
        let error = #expect(throws: FileIO.Failure.self) { try row.withUnsafeMutableBytes { try fresh.read(refs[3], into: $0.baseAddress!) } }
        #expect(error?.description.contains(path) == true, "\(String(describing: error))")
        let missing = ThumbnailRef(blob: String(repeating: "0", count: 64), row: 0, rows: 1)
        #expect(throws: FileIO.Failure.self) { try row.withUnsafeMutableBytes { try fresh.read(missing, into: $0.baseAddress!) } }
    }
}
