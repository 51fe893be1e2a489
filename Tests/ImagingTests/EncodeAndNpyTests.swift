import CFileShim
import Foundation
import Testing
import TestSupport
@testable import Imaging

@Suite struct EncodeTests {
    @Test func pngRoundTripIsExact() throws {
        let img = ResampleTests.texture(37, 23)
        let back = try decodeImage(try ImageEncoder.png(img))
        #expect(back == img)
    }

    @Test(arguments: [false, true])
    func jpegRoundTripIsClose(_ progressive: Bool) throws {
        let img = try decodeImage(try Fixtures.data("myntra_10000.jpg"))
        let data = try ImageEncoder.jpeg(img, quality: 95, progressive: progressive)
        #expect(try JPEGDecoder.header(data).progressive == progressive)
        let back = try decodeImage(data)
        #expect(Fixtures.psnr(back, img) > 35)
    }

    @Test func grayJPEGEncode() throws {
        let data = try ImageEncoder.jpeg(pixels: [UInt8](repeating: 128, count: 16 * 16), width: 16, height: 16, components: 1)
        #expect(try JPEGDecoder.header(data).components == 1)
        #expect(throws: ImagingError.self) { try ImageEncoder.jpeg(pixels: [1, 2], width: 16, height: 16, components: 1) }
    }
}

@Suite struct NpyFileTests {
    @Test func writesTheSameBytesAsNumpy() throws {
        let dir = try TempDir.make("npy"); defer { try? FileManager.default.removeItem(at: dir) }
        let u8 = dir.appendingPathComponent("u8.npy"), i4 = dir.appendingPathComponent("i4.npy"), f4 = dir.appendingPathComponent("f4.npy")
        try NpyFile.write((0..<24).map { UInt8($0) }, shape: [2, 3, 4], to: u8)
        try NpyFile.write([Int32(-2), 0, 7, Int32.max], shape: [4], to: i4)
        try NpyFile.write([Float(0.5), -1.25, 3.0], shape: [1, 3], to: f4)
        #expect(try Data(contentsOf: u8) == Fixtures.data("numpy_u8.npy"))
        #expect(try Data(contentsOf: i4) == Fixtures.data("numpy_i4.npy"))
        #expect(try Data(contentsOf: f4) == Fixtures.data("numpy_f4.npy"))
    }

    @Test func readsNumpyFiles() throws {
        let u8 = try NpyFile.readUInt8(from: Fixtures.folder.appendingPathComponent("numpy_u8.npy"))
        #expect(u8.shape == [2, 3, 4] && u8.values == (0..<24).map { UInt8($0) })
        let i4 = try NpyFile.readInt32(from: Fixtures.folder.appendingPathComponent("numpy_i4.npy"))
        #expect(i4.shape == [4] && i4.values == [-2, 0, 7, Int32.max])
        let f4 = try NpyFile.readFloat32(from: Fixtures.folder.appendingPathComponent("numpy_f4.npy"))
        #expect(f4.shape == [1, 3] && f4.values == [0.5, -1.25, 3.0])
        #expect(throws: NpyError.self) { try NpyFile.readFloat32(from: Fixtures.folder.appendingPathComponent("numpy_u8.npy")) }
    }

    @Test func headerIsPaddedTo64() {
        for shape in [[0], [5], [6000, 128, 128, 3], [1, 2, 3, 4, 5, 6]] {
            #expect(NpyFile.header(dtype: .uint8, shape: shape).count % 64 == 0)
        }
    }

    @Test func streamingWriterMatchesWholeWrite() throws {
        let dir = try TempDir.make("npy"); defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.npy"), b = dir.appendingPathComponent("b.npy")
        let rows: [[UInt8]] = (0..<3).map { r in (0..<12).map { UInt8(r * 12 + $0) } }
        let w = try NpyWriter(url: a, dtype: .uint8, shape: [3, 2, 2, 3])
        for r in rows { try w.append(r) }
        try w.finish()
        try NpyFile.write(rows.flatMap { $0 }, shape: [3, 2, 2, 3], to: b)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let short = try NpyWriter(url: dir.appendingPathComponent("c.npy"), dtype: .float32, shape: [2])
        try short.append([Float(1)])
        #expect(throws: NpyError.self) { try short.finish() }
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("c.npy").path))
        #expect(throws: NpyError.self) { try NpyFile.write([UInt8(1), 2, 3], shape: [2, 2], to: b) }
    }

    @Test func writebackShimReachesTheKernel() throws {
        let dir = try TempDir.make("npy"); defer { try? FileManager.default.removeItem(at: dir) }
        let fd = open(dir.appendingPathComponent("w.bin").path, O_WRONLY | O_CREAT, 0o644)
        defer { close(fd) }
        #expect(write(fd, [UInt8](repeating: 1, count: 4096), 4096) == 4096)
        #expect(vitrine_start_writeback(fd, 0, 0) == 0)
        #if os(Linux)
        // sync_file_range itself answers for a closed descriptor: the shim is not a stub here.
        #expect(vitrine_start_writeback(-1, 0, 0) == -1 && errno == EBADF)
        #endif
    }

    @Test func aWriterThatFailsItsSizeCheckOrIsDroppedLeavesNothing() throws {
        let dir = try TempDir.make("npy"); defer { try? FileManager.default.removeItem(at: dir) }
        let b = dir.appendingPathComponent("b.npy")
        let s = try NpyWriter(url: b, dtype: .int32, shape: [3])
        try s.append([Int32(1), 2]); try s.append([Int32(3)])
        try s.finish()
        #expect(try NpyFile.readInt32(from: b).values == [1, 2, 3])
        let short = try NpyWriter(url: dir.appendingPathComponent("c.npy"), dtype: .uint8, shape: [2, 3])
        try [UInt8](repeating: 7, count: 3).withUnsafeBytes { try short.write($0, row: 1) }
        #expect(throws: NpyError.self) { try short.finish() }
        do {
            let dropped = try NpyWriter(url: dir.appendingPathComponent("d.npy"), dtype: .uint8, shape: [2, 3])
            try [UInt8](repeating: 7, count: 3).withUnsafeBytes { try dropped.write($0, row: 0) }
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["b.npy"], "no temporary file left")
    }

    @Test func rowsWrittenOutOfOrderFromSeveralThreadsLandInPlace() throws {
        let dir = try TempDir.make("npy"); defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.npy"), b = dir.appendingPathComponent("b.npy")
        let rows: [[UInt8]] = (0..<64).map { r in (0..<48).map { UInt8((r * 48 + $0) % 251) } }
        let w = try NpyWriter(url: a, dtype: .uint8, shape: [64, 4, 4, 3])
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for r in stride(from: 63 - t, through: 0, by: -4) { try? rows[r].withUnsafeBytes { try w.write($0, row: r) } }
        }
        #expect(!FileManager.default.fileExists(atPath: a.path), "nothing at the final name before finish")
        try w.finish()
        try NpyFile.write(rows.flatMap { $0 }, shape: [64, 4, 4, 3], to: b)
        #expect(try Data(contentsOf: a) == Data(contentsOf: b))
        let missing = try NpyWriter(url: dir.appendingPathComponent("m.npy"), dtype: .uint8, shape: [2, 3])
        try [UInt8](repeating: 7, count: 3).withUnsafeBytes { try missing.write($0, row: 1) }
        #expect(throws: NpyError.self) { try missing.finish() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["a.npy", "b.npy"], "no temporary file left")
    }
}
