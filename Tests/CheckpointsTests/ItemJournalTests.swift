import Foundation
import Testing
import Checkpoints
import Pipeline
import TestSupport

/// The SQLite item journal: batched writes, chunked lookups, removal, and durability across store instances.
@Suite struct ItemJournalTests {
    @Test func roundTripsEveryField() throws {
        let dir = try TempDir.make("journal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        let journal = store.journal(namespace: "download")
        let record = ItemRecord(key: "B00XYZ", status: .failed, attempts: 3, errorClass: "http_404", errorDetail: "Not Found",
                                outputHash: nil, meta: .object(["etag": .string("\"abc\""), "width": .int(224)]), updatedAt: 1234.5)
        let done = ItemRecord(key: "B00ABC", status: .done, outputHash: String(repeating: "c", count: 64), updatedAt: 1)
        try journal.write([record, done])
        #expect(try journal.all() == ["B00XYZ": record, "B00ABC": done])
        #expect(try journal.records(for: ["B00XYZ", "missing"]) == ["B00XYZ": record])
        // Another namespace is separate; replacing a record keeps one row.
        let other = store.journal(namespace: "embed")
        try other.write([ItemRecord(key: "B00XYZ", status: .pending, updatedAt: 2)])
        var again = record
        again.status = .done; again.attempts = 4; again.errorClass = nil
        try journal.write([again])
        #expect(try journal.all()["B00XYZ"] == again)
        #expect(try other.all().count == 1)
        try journal.remove(["B00XYZ", "not-there"])
        #expect(try journal.all().keys.sorted() == ["B00ABC"])
        #expect(try store.journalNamespaces() == ["download": 1, "embed": 1])
    }

    @Test func recordsOfAKilledBatcherAreReplayedFromTheSpill() throws {
        let dir = try TempDir.make("journal-spill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        let journal = store.itemJournal(namespace: "download@x")
        let spill = try #require(journal.spill)
        let batcher = JournalBatcher(journal, maxCount: 1000, maxAge: 3600)
        let records = (0..<5).map { ItemRecord(key: "url-\($0)", status: .done, outputHash: String(repeating: "a", count: 64),
                                              meta: .object(["etag": .string("e\($0)")]), updatedAt: Double($0)) }
        for r in records { try batcher.add(r) }
        // "Killed" before the batch was committed: the database has nothing, the spill has all five.
        #expect(try journal.counts().isEmpty)
        #expect(spill.records() == records)
        // Opening the namespace again (as the resumed stage does) replays and clears the spill.
        let reopened = try SQLiteStore(stateDirectory: dir).journal(namespace: "download@x")
        #expect(try reopened.all() == Dictionary(uniqueKeysWithValues: records.map { ($0.key, $0) }))
        #expect(!FileManager.default.fileExists(atPath: spill.file.path))
        // A torn last line (a write cut short) is skipped, the rest replayed.
        try Data((String(decoding: try JSONEncoder().encode(records[0]), as: UTF8.self) + "\n{\"key\": \"tor").utf8).write(to: spill.file)
        #expect(try SQLiteStore(stateDirectory: dir).journal(namespace: "download@x").all().count == 5)
        // A flush commits and empties the spill.
        let b2 = JournalBatcher(store.journal(namespace: "prepare"), maxCount: 2, maxAge: 3600)
        try b2.add(records[0]); try b2.add(records[1])
        #expect(store.journal(namespace: "prepare").spill.map { FileManager.default.fileExists(atPath: $0.file.path) } == false)
        #expect(try store.journal(namespace: "prepare").all().count == 2)
    }

    @Test func spillLinesReadBackAsTheSameRecords() throws {
        let dir = try TempDir.make("journal-spill-lines")
        defer { try? FileManager.default.removeItem(at: dir) }
        let spill = JournalSpill(file: dir.appendingPathComponent("s/spill.jsonl"))
        let records = [
            ItemRecord(key: "https://x/é \"q\"\n\u{1}", status: .failed, attempts: 3, errorClass: "http_404",
                       errorDetail: "Not \\ Found\r\n\t", meta: .object(["a": .array([.int(-1), .double(0.1), .null, .bool(true)]),
                                                                         "b": .object(["c": .string("✓")])]), updatedAt: 1764172800.123456),
            ItemRecord(key: "k", status: .done, outputHash: String(repeating: "f", count: 64), updatedAt: 1e-300),
            ItemRecord(key: "", status: .pending, attempts: 0, updatedAt: 0),
        ]
        for r in records { try spill.append(r) }
        #expect(spill.records() == records)
        for r in records {
            #expect(try JSONDecoder().decode(ItemRecord.self, from: Data(r.spillLine.utf8)) == r)
            #expect(r.spillLine.filter { $0 == "\n" }.count == 1 && r.spillLine.hasSuffix("\n"), "one line per record")
        }
        spill.clear()
        #expect(spill.records().isEmpty)
        try spill.append(records[1])
        #expect(spill.records() == [records[1]], "appending after clear starts a new file")
    }

    @Test func metadataRoundTripsExactly() throws {
        let dir = try TempDir.make("journal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let store = try SQLiteStore(stateDirectory: dir)
        let journal = store.journal(namespace: "meta")
        let values: [JSONValue] = [
            .object([:]), .array([]), .null, .bool(true), .int(-42), .int(Int.max), .double(0.1), .double(-1.5e-7), .double(1e300),
            .string("quote\" back\\ slash\n tab\t ctl\u{1} emoji 😀 é / end"),
            .object(["etag": .string("W/\"x\""), "sizes": .array([.int(1), .double(2.5), .null, .bool(false)]),
                     "nested": .object(["deep": .array([.object(["k": .string("ü")])])])]),
        ]
        let records = values.enumerated().map { ItemRecord(key: "k\($0.offset)", status: .done, meta: $0.element, updatedAt: 5) }
        try journal.write(records)
        let back = try journal.all()
        for r in records { #expect(back[r.key]?.meta == r.meta, "meta \(r.key)") }
    }

    /// "item-" and the zero-padded number (six digits).
    static func key(_ i: Int) -> String {
        let digits = String(i)
        return "item-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    @Test func hundredThousandRecordsInBatchesSurviveReopen() throws {
        let dir = try TempDir.make("journal")
        defer { try? FileManager.default.removeItem(at: dir) }
        let count = 100_000
        let records = (0..<count).map { i in
            let status: ItemStatus = i % 10 == 0 ? .failed : (i % 10 == 1 ? .pending : .done)
            return ItemRecord(key: Self.key(i), status: status, attempts: 1 + i % 3, errorClass: status == .failed ? "timeout" : nil,
                              outputHash: status == .done ? "h\(i)" : nil,
                              meta: i % 10 == 2 ? .object(["width": .int(224), "etag": .string("e\(i)")]) : nil, updatedAt: Double(i))
        }
        let started = Date()
        do {
            let store = try SQLiteStore(stateDirectory: dir)
            let journal = store.journal(namespace: "images.download")
            let batcher = JournalBatcher(journal, maxCount: 1_000, maxAge: 60)
            for r in records { try batcher.add(r) }
            try batcher.flush()
            try store.close()
        }
        let writeSeconds = Date().timeIntervalSince(started)
        let reopened = try SQLiteStore(stateDirectory: dir)
        let journal = reopened.itemJournal(namespace: "images.download")
        let readStart = Date()
        let all = try journal.all()
        let readSeconds = Date().timeIntervalSince(readStart)
        print("journal: wrote \(count) records (10% with meta) in 100 batches in \(String(format: "%.3f", writeSeconds)) s; "
              + "all() read them back in \(String(format: "%.3f", readSeconds)) s")
        #expect(all.count == count)
        #expect(all["item-012345"]?.outputHash == "h12345" && all["item-012345"]?.attempts == 1 + 12345 % 3)
        #expect(all["item-000012"]?.meta == .object(["width": .int(224), "etag": .string("e12")]))
        #expect(all["item-000010"]?.errorClass == "timeout" && all["item-000010"]?.updatedAt == 10)
        #expect(try journal.counts() == [.done: 80_000, .failed: 10_000, .pending: 10_000])
        let left = try journal.keys(status: .failed) + journal.keys(status: .pending)
        #expect(left.count == 20_000 && left.first == "item-000000")
        // Lookups cross several IN-list chunks (500 keys each).
        let wanted = (0..<2_345).map { Self.key($0 * 37) } + ["absent"]
        let found = try journal.records(for: wanted)
        #expect(found.count == 2_345 && found["absent"] == nil && found["item-000037"]?.status == .done)
        try journal.remove(Array(left))
        #expect(try journal.all().count == 80_000)
        try journal.removeAll()
        #expect(try journal.all().isEmpty)
    }
}
