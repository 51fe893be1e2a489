import Foundation
import Imaging
import Pipeline
import Stages
import Testing
import TestSupport

/// images.prepare on real product photos and real bad files, with a real BlobStore in a temp dir.
@Suite struct PrepareStageTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/images/imaging")

    /// (id, label, split, fixture file or nil for a failed download)
    static let rows: [(String, String, String, String?)] = [
        ("p1", "SHIRT", "train", "myntra_10000.jpg"),
        ("p2", "SHIRT", "test", "myntra_10615.jpg"),
        ("p3", "BOOKS", "train", "rgb_progressive.jpg"),
        ("p4", "BOOKS", "train", "rgba8.png"),
        ("p5", "OTHER", "test", "orient_6.jpg"),
        ("p6", "OTHER", "train", "truncated.jpg"),
        ("p7", "OTHER", "train", "html.jpg"),
        ("p8", "SHIRT", "train", "bad_crc.png"),
        ("p9", "SHIRT", "test", nil),
        ("p10", "BOOKS", "test", "myntra_10000.jpg"),  // same image as p1: decoded once
        ("p11", "OTHER", "val", "gray.jpg"),
    ]

    struct Setup {
        let dir: URL, blobs: BlobStore, products: URL, images: URL
    }

    static func setUp() throws -> Setup {
        let dir = try TempDir.make("prepare")
        let blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
        var products = "", images = ""
        for (id, label, split, file) in rows {
            products += "{\"asin\": \"\(id)\", \"title\": \"t \(id)\", \"label\": \"\(label)\", \"split\": \"\(split)\"}\n"
            if let file {
                let sha = try blobs.put(try Data(contentsOf: fixtures.appendingPathComponent(file)))
                images += "{\"id\": \"\(id)\", \"url\": \"http://x/\(file)\", \"status\": \"ok\", \"sha256\": \"\(sha)\", \"reason\": null}\n"
            } else {
                images += "{\"id\": \"\(id)\", \"url\": \"http://x/gone\", \"status\": \"failed\", \"sha256\": null, \"reason\": \"http_404\", \"detail\": \"Not Found\"}\n"
            }
        }
        let p = dir.appendingPathComponent("products.jsonl"), i = dir.appendingPathComponent("images.jsonl")
        try products.write(to: p, atomically: true, encoding: .utf8)
        try images.write(to: i, atomically: true, encoding: .utf8)
        return Setup(dir: dir, blobs: blobs, products: p, images: i)
    }

    static func run(_ s: Setup, journal: InMemoryJournal, out: String, size: Int = 32, handedOver: [String: Data] = [:]) async throws -> StageContext {
        let params = StageParameters(["input": .string("x"), "images": .string("y"), "id_column": .string("asin"),
                                      "label_column": .string("label"), "split_column": .string("split"), "size": .int(size),
                                      "mode": .string("pad"), "samples_per_class": .int(2), "max_failure_rate": .double(1.0),
                                      "work_ahead": .bool(true)],
                                     stageName: "prepare")
        let staging = s.dir.appendingPathComponent(out)
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let ctx = StageContext(stageName: "prepare", parameters: params, inputs: ["input": [s.products], "images": [s.images]],
                               stagingDirectory: staging, outputSpecs: PrepareStage.outputs, journal: journal, blobs: s.blobs, threads: 2,
                               handedOver: handedOver)
        try await PrepareStage(parameters: params).run(in: ctx)
        return ctx
    }

    @Test func writesAlignedTensorsAndFailures() async throws {
        let s = try Self.setUp(); defer { try? FileManager.default.removeItem(at: s.dir) }
        let ctx = try await Self.run(s, journal: InMemoryJournal(), out: "a")
        let t = s.dir.appendingPathComponent("a/tensors")
        let train = try NpyFile.readUInt8(from: t.appendingPathComponent("train_images.npy"))
        let trainLabels = try NpyFile.readInt32(from: t.appendingPathComponent("train_labels.npy"))
        // train: p1, p3, p4 survive (p6 truncated, p7 html, p8 bad crc); test: p2, p5, p10; val: p11.
        #expect(train.shape == [3, 32, 32, 3])
        #expect(trainLabels.values == [2, 0, 0])  // classes sorted: BOOKS 0, OTHER 1, SHIRT 2
        let test = try NpyFile.readUInt8(from: t.appendingPathComponent("test_images.npy"))
        #expect(test.shape == [3, 32, 32, 3])
        #expect(try NpyFile.readUInt8(from: t.appendingPathComponent("val_images.npy")).shape == [1, 32, 32, 3])
        let trainRows = try String(contentsOf: t.appendingPathComponent("train.jsonl"), encoding: .utf8).split(separator: "\n")
        #expect(trainRows.count == 3 && trainRows[0].hasPrefix("{\"id\": \"p1\", \"label\": \"SHIRT\", \"label_index\": 2, \"sha256\": "))
        // Row 0 of the tensor is exactly the thumbnail of p1's image.
        let expected = try makeThumbnail(try Data(contentsOf: Self.fixtures.appendingPathComponent("myntra_10000.jpg")), size: 32, mode: .pad)
        #expect(Array(train.values[0..<(32 * 32 * 3)]) == expected.pixels)
        let classes = try String(contentsOf: t.appendingPathComponent("classes.json"), encoding: .utf8)
        #expect(classes.hasPrefix("{\"classes\": [\"BOOKS\", \"OTHER\", \"SHIRT\"], \"counts\": {\"train\": {\"BOOKS\": 2, \"OTHER\": 0, \"SHIRT\": 1}"))
        let failures = try String(contentsOf: s.dir.appendingPathComponent("a/failures.jsonl"), encoding: .utf8)
        for (id, reason) in [("p6", "truncated"), ("p7", "not_an_image"), ("p8", "bad_crc"), ("p9", "not_downloaded")] {
            #expect(failures.contains("{\"id\": \"\(id)\", \"sha256\": ") && failures.contains("\"reason\": \"\(reason)\""), "\(id)")
        }
        #expect(failures.split(separator: "\n").count == 4)
        #expect(ctx.summary["failures_by_reason"] == .object(["truncated": .int(1), "not_an_image": .int(1), "bad_crc": .int(1), "not_downloaded": .int(1)]))
        #expect(ctx.summary["decoded"] == .int(9))  // 10 downloaded products; p1 and p10 share an image
        let sheet = try String(contentsOf: s.dir.appendingPathComponent("a/contact_sheet.html"), encoding: .utf8)
        #expect(sheet.contains("data:image/jpeg;base64,") && sheet.contains("<td>bad_crc</td><td>1</td>"))
        // Each image tensor was hashed while it was written; the commit takes these hashes instead of reading the files.
        for split in ["train", "test", "val"] {
            let file = t.appendingPathComponent("\(split)_images.npy")
            let stat = try #require(FileStat.of(file.path))
            #expect(ctx.recordedHash("tensors/\(split)_images.npy", stat: stat) == (try ContentHash.file(at: file)), "\(split)")
        }
    }

    @Test func resumesFromTheJournalWithIdenticalOutputs() async throws {
        let s = try Self.setUp(); defer { try? FileManager.default.removeItem(at: s.dir) }
        let journal = InMemoryJournal()
        _ = try await Self.run(s, journal: journal, out: "first")
        // Simulate a run killed halfway: keep only some journal records.
        let all = try journal.all()
        let partial = InMemoryJournal()
        try partial.write(Array(all.values.sorted { $0.key < $1.key }.prefix(3)))
        let resumed = try await Self.run(s, journal: partial, out: "second")
        #expect(resumed.summary["reused_from_journal"] == .int(3))
        #expect(resumed.summary["decoded"] == .int(6))
        let again = try await Self.run(s, journal: journal, out: "third")
        #expect(again.summary["decoded"] == .int(0))
        for file in ["tensors/train_images.npy", "tensors/test_images.npy", "tensors/train_labels.npy", "tensors/train.jsonl",
                     "tensors/classes.json", "failures.jsonl", "contact_sheet.html"] {
            let a = try Data(contentsOf: s.dir.appendingPathComponent("first/" + file))
            #expect(a == (try Data(contentsOf: s.dir.appendingPathComponent("second/" + file))), "\(file)")
            #expect(a == (try Data(contentsOf: s.dir.appendingPathComponent("third/" + file))), "\(file)")
        }
    }

    /// A thumbnail pack cut short after it was journaled is not trusted: its thumbnails are decoded again and the
    /// tensors come out the same (the rows are then read back from packs on a thread of their own).
    @Test func aThumbnailPackCutShortIsDecodedAgainWithTheSameOutputs() async throws {
        let s = try Self.setUp(); defer { try? FileManager.default.removeItem(at: s.dir) }
        let journal = InMemoryJournal()
        _ = try await Self.run(s, journal: journal, out: "first")
        let done = try journal.all().values.filter { $0.status == .done }
        let pack = try #require(done.first?.outputHash)
        let inPack = done.filter { $0.outputHash == pack }.count
        let path = s.blobs.path(for: pack)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let fd = open(path, O_WRONLY); #expect(fd >= 0); #expect(ftruncate(fd, off_t(size / 2)) == 0); close(fd)
        let again = try await Self.run(s, journal: journal, out: "second")
        #expect(again.summary["decoded"] == .int(inPack), "the cut pack's \(inPack) thumbnails decoded again")
        for file in ["tensors/train_images.npy", "tensors/test_images.npy", "tensors/val_images.npy"] {
            let a = try Data(contentsOf: s.dir.appendingPathComponent("first/" + file))
            #expect(a == (try Data(contentsOf: s.dir.appendingPathComponent("second/" + file))), "\(file)")
        }
    }

    @Test func aDamagedSourceBlobIsAFailureThatALaterRunRetries() async throws {
        let s = try Self.setUp(); defer { try? FileManager.default.removeItem(at: s.dir) }
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("rgb_progressive.jpg"))  // p3's image
        let sha = ContentHash.sha256(original)
        var damaged = original; damaged[damaged.count / 2] ^= 0x55  // same size: only the hash tells
        try damaged.write(to: s.blobs.url(for: sha))
        let journal = InMemoryJournal()
        let first = try await Self.run(s, journal: journal, out: "damaged")
        let failures = try String(contentsOf: s.dir.appendingPathComponent("damaged/failures.jsonl"), encoding: .utf8)
        #expect(failures.contains("{\"id\": \"p3\", \"sha256\": \"\(sha)\", \"reason\": \"missing_blob\""), "\(failures)")
        #expect(first.summary["prepared"] == .int(6))
        // The image is stored again (as a re-download would): the journaled failure is not reused.
        try original.write(to: s.blobs.url(for: sha))
        let second = try await Self.run(s, journal: journal, out: "repaired")
        #expect(second.summary["decoded"] == .int(1) && second.summary["prepared"] == .int(7))
        #expect(!(try String(contentsOf: s.dir.appendingPathComponent("repaired/failures.jsonl"), encoding: .utf8)).contains("missing_blob"))
        // A thumbnail pack cut short is decoded again (every thumbnail in it) rather than copied into the tensor.
        let key = "\(sha):32:pad:v\(PrepareStage.version)"
        let record = try #require(try journal.records(for: [key])[key])
        let pack = try #require(record.outputHash), rows = try #require(record.meta?.objectValue?["rows"]?.intValue)
        #expect(truncate(s.blobs.url(for: pack).path, 10) == 0)
        let third = try await Self.run(s, journal: journal, out: "short-thumbnail")
        #expect(third.summary["decoded"] == .int(rows) && third.summary["prepared"] == .int(7), "\(third.summary)")
        #expect(try Data(contentsOf: s.dir.appendingPathComponent("repaired/tensors/train_images.npy"))
            == (try Data(contentsOf: s.dir.appendingPathComponent("short-thumbnail/tensors/train_images.npy"))))
    }

    @Test func bytesHandedOverAreDecodedInsteadOfTheStoredBlob() async throws {
        // p3's stored blob is damaged, but the download handed its bytes over: those are decoded, the blob not read.
        let s = try Self.setUp(); defer { try? FileManager.default.removeItem(at: s.dir) }
        let original = try Data(contentsOf: Self.fixtures.appendingPathComponent("rgb_progressive.jpg"))
        let sha = ContentHash.sha256(original)
        var damaged = original; damaged[damaged.count / 2] ^= 0x55
        try damaged.write(to: s.blobs.url(for: sha))
        let handed = try await Self.run(s, journal: InMemoryJournal(), out: "handed", handedOver: [sha: original])
        #expect(handed.summary["prepared"] == .int(7), "\(handed.summary)")
        let clean = try Self.setUp(); defer { try? FileManager.default.removeItem(at: clean.dir) }
        _ = try await Self.run(clean, journal: InMemoryJournal(), out: "clean")
        #expect(try Data(contentsOf: s.dir.appendingPathComponent("handed/tensors/train_images.npy"))
            == (try Data(contentsOf: clean.dir.appendingPathComponent("clean/tensors/train_images.npy"))))
    }

    @Test func thumbnailsArePackedAndSingleBlobRecordsOfOlderRunsStillCount() async throws {
        let s = try Self.setUp(); defer { try? FileManager.default.removeItem(at: s.dir) }
        let journal = InMemoryJournal()
        _ = try await Self.run(s, journal: journal, out: "first")
        let done = try journal.all().values.filter { $0.status == .done }
        #expect(done.count == 6)
        let packs = Set(done.compactMap(\.outputHash))
        #expect(packs.count <= 2, "two decoding threads, one pack each: \(packs.count) blobs for 6 thumbnails")
        for r in done {
            let rows = try #require(r.meta?.objectValue?["rows"]?.intValue), row = try #require(r.meta?.objectValue?["row"]?.intValue)
            let pack = try #require(r.outputHash)
            #expect(row < rows && s.blobs.contains(pack, size: rows * 32 * 32 * 3))
        }
        // A record as runs before packs wrote it: one blob per thumbnail, no row metadata.
        let old = try #require(done.first)
        let pixels = try s.blobs.read(try #require(old.outputHash), offset: (old.meta?.objectValue?["row"]?.intValue ?? 0) * 32 * 32 * 3,
                                      count: 32 * 32 * 3)
        try journal.write([ItemRecord(key: old.key, status: .done, outputHash: try s.blobs.put(pixels))])
        let again = try await Self.run(s, journal: journal, out: "second")
        #expect(again.summary["decoded"] == .int(0) && again.summary["reused_from_journal"] == .int(9))
        for file in ["tensors/train_images.npy", "tensors/test_images.npy", "contact_sheet.html"] {
            let a = try Data(contentsOf: s.dir.appendingPathComponent("first/" + file))
            #expect(a == (try Data(contentsOf: s.dir.appendingPathComponent("second/" + file))), "\(file)")
        }
    }

    @Test func rejectsBadParameters() {
        #expect(throws: StageError.self) { try PrepareStage(parameters: StageParameters(["id_column": .string("asin"), "label_column": .string("label"), "split_column": .string("split"), "size": .int(0), "mode": .string("pad"), "samples_per_class": .int(1), "max_failure_rate": .double(1)])) }
        #expect(throws: StageError.self) { try PrepareStage(parameters: StageParameters(["id_column": .string("asin"), "label_column": .string("label"), "split_column": .string("split"), "size": .int(32), "mode": .string("zoom"), "samples_per_class": .int(1), "max_failure_rate": .double(1)])) }
    }

    @Test func tooManyFailuresFailsTheStage() async throws {
        let s = try Self.setUp(); defer { try? FileManager.default.removeItem(at: s.dir) }
        let params = StageParameters(["id_column": .string("asin"), "label_column": .string("label"), "split_column": .string("split"),
                                      "size": .int(16), "mode": .string("crop"), "samples_per_class": .int(0), "max_failure_rate": .double(0.1),
                                      "work_ahead": .bool(true)],
                                     stageName: "prepare")
        let ctx = StageContext(stageName: "prepare", parameters: params, inputs: ["input": [s.products], "images": [s.images]],
                               stagingDirectory: s.dir.appendingPathComponent("x"), outputSpecs: PrepareStage.outputs, blobs: s.blobs)
        try FileManager.default.createDirectory(at: ctx.stagingDirectory, withIntermediateDirectories: true)
        await #expect(throws: StageError.self) { try await PrepareStage(parameters: params).run(in: ctx) }
    }
}

/// images.prepare over real Myntra product photos (`SharedData`; skipped when absent).
@Suite struct PrepareStageRealDataTests {
    static let myntra = SharedData.url("myntra-products-2k")

    @Test(.enabled(if: FileManager.default.fileExists(atPath: myntra.appendingPathComponent("products.csv").path)))
    func preparesRealPhotos() async throws {
        let dir = try TempDir.make("prepare-real"); defer { try? FileManager.default.removeItem(at: dir) }
        let blobs = try BlobStore(root: dir.appendingPathComponent("blobs"))
        let csv = try String(contentsOf: Self.myntra.appendingPathComponent("products.csv"), encoding: .utf8)
        var products = "", images = "", n = 0
        for line in csv.split(whereSeparator: \.isNewline).dropFirst().prefix(240) {
            let cols = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cols.count > 4 else { continue }
            let id = String(cols[0]), path = String(cols[1]), label = String(cols[4])
            let sha = try blobs.put(try Data(contentsOf: Self.myntra.appendingPathComponent(path)))
            products += "{\"id\": \(id), \"label\": \"\(label)\", \"split\": \"\(n % 10 < 7 ? "train" : "test")\"}\n"
            images += "{\"id\": \"\(id)\", \"url\": \"\(path)\", \"status\": \"ok\", \"sha256\": \"\(sha)\"}\n"
            n += 1
        }
        let p = dir.appendingPathComponent("products.jsonl"), i = dir.appendingPathComponent("images.jsonl")
        try products.write(to: p, atomically: true, encoding: .utf8)
        try images.write(to: i, atomically: true, encoding: .utf8)
        let params = StageParameters(["id_column": .string("id"), "label_column": .string("label"), "split_column": .string("split"),
                                      "size": .int(64), "mode": .string("pad"), "samples_per_class": .int(4), "max_failure_rate": .double(0),
                                      "work_ahead": .bool(true)],
                                     stageName: "prepare")
        let staging = dir.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let ctx = StageContext(stageName: "prepare", parameters: params, inputs: ["input": [p], "images": [i]],
                               stagingDirectory: staging, outputSpecs: PrepareStage.outputs, blobs: blobs, threads: 2)
        try await PrepareStage(parameters: params).run(in: ctx)
        let train = try NpyFile.readUInt8(from: staging.appendingPathComponent("tensors/train_images.npy"))
        let test = try NpyFile.readUInt8(from: staging.appendingPathComponent("tensors/test_images.npy"))
        #expect(n == 240 && train.shape[0] + test.shape[0] == n && train.shape.dropFirst() == [64, 64, 3])
        #expect(ctx.summary["failed"] == .int(0))
        // Product photos are mostly light backgrounds: the mean pixel is bright but not blank.
        let mean = Double(train.values.reduce(0) { $0 + Int($1) }) / Double(train.values.count)
        #expect(mean > 120 && mean < 250)
    }
}
