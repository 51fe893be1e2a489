import Foundation
import Testing
@testable import Pipeline

/// What the work-ahead of each test saw, by the test's token (tests run in parallel).
final class AheadLog: @unchecked Sendable {
    static let shared = AheadLog()
    private let lock = NSLock()
    private var seen: [String: Int] = [:]
    func add(_ token: String) { lock.withLock { seen[token, default: 0] += 1 } }
    func count(_ token: String) -> Int { lock.withLock { seen[token] ?? 0 } }
}

/// Announces `count` items, then waits up to `wait` seconds for a work-ahead to take them all, and writes
/// how many it saw taken (so a work-ahead that did not overlap the stage shows up as fewer).
struct ProducerStage: Stage {
    static let typeName = "test.produce"
    static let version = 1
    static let summary = "Announces items."
    static let parameters = [
        ParameterSpec("count", .int, doc: "Items to announce."),
        ParameterSpec("token", .string, doc: "Key of this test in AheadLog."),
        ParameterSpec("wait", .double, default: .double(5), doc: "Seconds to wait for the work-ahead."),
        ParameterSpec("fail", .bool, default: .bool(false), doc: "Fail after announcing."),
        ParameterSpec("payload", .bool, default: .bool(false), doc: "Announce each item with bytes."),
    ]
    static let outputs = [OutputSpec("items", file: "items.txt", doc: "One item per line.")]
    let p: StageParameters
    init(parameters: StageParameters) throws { p = parameters }

    func run(in ctx: StageContext) async throws {
        let n = try p.int("count"), token = try p.string("token")
        let payload = try p.bool("payload")
        for i in 0..<n { ctx.announce("item-\(i)", bytes: payload ? Self.bytes("item-\(i)") : nil) }
        let deadline = Date().addingTimeInterval(try p.double("wait"))
        while AheadLog.shared.count(token) < n && Date() < deadline { try await Task.sleep(nanoseconds: 5_000_000) }
        ctx.summarize("taken_while_running", .int(AheadLog.shared.count(token)))
        if try p.bool("fail") { throw StageError.failed(stage: ctx.stageName, item: nil, reason: "asked to fail") }
        try Data((0..<n).map { "item-\($0)\n" }.joined().utf8).write(to: ctx.output("items"))
    }

    /// The bytes announced with `item`.
    static func bytes(_ item: String) -> Data { Data("bytes of \(item)".utf8) }
}

/// Journals each item it works ahead on; its run does (and counts) only the items the journal lacks.
struct ConsumerStage: WorksAhead {
    static let typeName = "test.consume"
    static let version = 1
    static let summary = "Consumes items, ahead when it can."
    static let parameters = [
        ParameterSpec("input", .artifact, doc: "The producer's items."),
        ParameterSpec("token", .string, doc: "Key of this test in AheadLog."),
        ParameterSpec("ahead", .bool, default: .bool(true), doc: "Work ahead."),
        ParameterSpec("after", .artifact, optional: true, doc: "Another upstream, in between."),
        ParameterSpec("fail_after", .int, default: .int(-1), doc: "Throw from the work-ahead after this many items."),
        ParameterSpec("slow", .double, default: .double(0), doc: "Seconds the work-ahead spends on each item."),
    ]
    static let outputs = [OutputSpec("report", file: "report.txt", doc: "What the run did.")]
    static let aheadInput = "input"
    let p: StageParameters
    init(parameters: StageParameters) throws { p = parameters }
    var worksAhead: Bool { (try? p.bool("ahead")) ?? false }

    func workAhead(on feed: ItemFeed, in ctx: StageContext) throws -> Int {
        let token = try p.string("token")
        var n = 0
        let failAfter = try p.int("fail_after")
        while let item = feed.next() {
            if n == failAfter { throw StageError.failed(stage: ctx.stageName, item: item, reason: "disk full, say") }
            Thread.sleep(forTimeInterval: try p.double("slow"))
            try ctx.journal.write([ItemRecord(key: item, status: .done, meta: .object(["run": .int(Int(ctx.runID))]))])
            AheadLog.shared.add(token)
            n += 1
        }
        return n
    }

    func run(in ctx: StageContext) async throws {
        let items = try String(contentsOf: try ctx.input("input"), encoding: .utf8).split(separator: "\n").map(String.init)
        let known = try ctx.journal.records(for: items)
        let todo = items.filter { known[$0]?.status != .done }
        let ahead = items.filter { known[$0]?.meta?.objectValue?["run"] == .int(Int(ctx.runID)) }.count
        try ctx.journal.write(todo.map { ItemRecord(key: $0, status: .done) })
        let handed = todo.filter { ctx.handedOver[$0] == ProducerStage.bytes($0) }.count
        try Data("reused \(items.count - todo.count) did \(todo.count) ahead \(ahead) handed \(handed)\n".utf8).write(to: ctx.output("report"))
    }
}

let aheadRegistry = StageRegistry([ProducerStage.self, ConsumerStage.self, EchoStage.self])

@Suite struct WorkAheadTests {
    func yaml(_ token: String, count: Int = 5, wait: Double = 5, fail: Bool = false, ahead: Bool = true) -> String {
        """
        stages:
          produce: { uses: test.produce, with: { count: \(count), token: \(token), wait: \(wait), fail: \(fail) } }
          consume: { uses: test.consume, with: { input: produce.items, token: \(token), ahead: \(ahead) } }
        """
    }

    func report(_ ws: Workspace) throws -> String {
        try String(contentsOf: ws.layout.root.appendingPathComponent("out/consume/report.txt"), encoding: .utf8)
    }

    @Test func aDownstreamStageTakesItemsWhileItsUpstreamRuns() async throws {
        let ws = try Workspace(), token = UUID().uuidString
        let outcome = try await ws.run(yaml(token), registry: aheadRegistry)
        #expect(outcome.status == .succeeded && outcome.ran == ["produce", "consume"])
        #expect(AheadLog.shared.count(token) == 5)
        let summary = try String(contentsOf: ws.layout.root.appendingPathComponent("out/produce/summary.json"), encoding: .utf8)
        #expect(summary.contains("\"taken_while_running\":5") || summary.contains("\"taken_while_running\": 5"), "\(summary)")
        #expect(try report(ws) == "reused 5 did 0 ahead 5 handed 0\n")
    }

    @Test func aStageInBetweenDoesNotHoldTheWorkAheadBack() async throws {
        let ws = try Workspace(), token = UUID().uuidString
        let yaml = """
        stages:
          produce: { uses: test.produce, with: { count: 6, token: \(token) } }
          mid: { uses: test.echo, with: { text: mid, input: produce.items } }
          consume: { uses: test.consume, with: { input: produce.items, token: \(token), after: mid.out } }
        """
        let outcome = try await ws.run(yaml, registry: aheadRegistry)
        #expect(outcome.status == .succeeded && outcome.ran == ["produce", "mid", "consume"])
        #expect(AheadLog.shared.count(token) == 6)
        #expect(try report(ws) == "reused 6 did 0 ahead 6 handed 0\n")
    }

    @Test func aWorkAheadThatFailsLeavesTheRestToTheStage() async throws {
        let ws = try Workspace(), token = UUID().uuidString
        let yaml = """
        stages:
          produce: { uses: test.produce, with: { count: 5, token: \(token), wait: 0.2 } }
          consume: { uses: test.consume, with: { input: produce.items, token: \(token), fail_after: 2 } }
        """
        let outcome = try await ws.run(yaml, registry: aheadRegistry)
        #expect(outcome.status == .succeeded && AheadLog.shared.count(token) == 2)
        #expect(try report(ws) == "reused 2 did 3 ahead 2 handed 0\n")
        let log = try String(contentsOf: ws.layout.logs.appendingPathComponent("1/consume.log"), encoding: .utf8)
        #expect(log.contains("working ahead stopped: ") && log.contains("disk full, say"), "\(log)")
    }

    @Test func bytesTheWorkAheadDidNotGetToAreHandedToTheStage() async throws {
        // The work-ahead spends a second on its first item; the producer finishes at once, leaving the rest queued.
        let ws = try Workspace(), token = UUID().uuidString
        let yaml = """
        stages:
          produce: { uses: test.produce, with: { count: 5, token: \(token), wait: 0, payload: true } }
          consume: { uses: test.consume, with: { input: produce.items, token: \(token), slow: 1 } }
        """
        let outcome = try await ws.run(yaml, registry: aheadRegistry)
        #expect(outcome.status == .succeeded)
        let words = try report(ws).split(separator: " ")
        let did = Int(words[3]) ?? -1, handed = Int(words[7].dropLast()) ?? -1
        #expect(did >= 3 && handed == did, "every item left to the stage came with its bytes: \(words)")
    }

    @Test func aFeedHandsOutItemsInOrderUntilFinished() {
        let feed = ItemFeed()
        for i in 0..<5000 { feed.send("i\(i)") }
        var got: [String] = []
        for _ in 0..<4500 { got.append(feed.next()!) }
        #expect(got == (0..<4500).map { "i\($0)" })
        // A consumer waiting on an empty feed is woken by the next item, and by finish.
        for _ in 0..<500 { _ = feed.next() }
        let waiter = Thread { feed.send("late") }
        waiter.start()
        #expect(feed.next() == "late")
        feed.send("dropped?")
        feed.finish()
        #expect(feed.next() == nil, "finish drops what is queued")
        feed.send("after")
        #expect(feed.next() == nil && feed.count == 5002, "sends after finish are ignored")
    }

    @Test func aFeedHoldsBytesUpToItsBudgetAndFreesThemWhenTaken() {
        let feed = ItemFeed(byteBudget: 10)
        feed.send("a", bytes: Data(repeating: 1, count: 6))
        feed.send("b", bytes: Data(repeating: 2, count: 6))   // 12 > 10: the item goes out without its bytes
        feed.send("c", bytes: Data(repeating: 3, count: 4))
        feed.send("d")
        #expect(feed.heldBytes == 10)
        let a = feed.take()
        #expect(a?.item == "a" && a?.bytes == Data(repeating: 1, count: 6) && feed.heldBytes == 4)
        feed.send("e", bytes: Data(repeating: 5, count: 6))   // room again once "a" was taken
        let rest = (0..<4).compactMap { _ in feed.take() }
        #expect(rest.map(\.item) == ["b", "c", "d", "e"])
        #expect(rest.map { $0.bytes?.count } == [nil, 4, nil, 6] && feed.heldBytes == 0)
        feed.send("f", bytes: Data(count: 3))
        feed.finish()
        #expect(feed.heldBytes == 0 && feed.take() == nil, "finish drops queued bytes with their items")
        // Finished keeping the bytes: what was still queued, by item; taken items and byteless ones are not there.
        let kept = ItemFeed()
        kept.send("x", bytes: Data([1])); kept.send("y", bytes: Data([2])); kept.send("z")
        _ = kept.take()
        #expect(kept.finishKeepingBytes() == ["y": Data([2])] && kept.heldBytes == 0 && kept.take() == nil)
    }

    @Test func turnedOffOrNotSelectedNothingWorksAhead() async throws {
        let ws = try Workspace(), token = UUID().uuidString
        let off = try await ws.run(yaml(token, wait: 0.05, ahead: false), registry: aheadRegistry)
        #expect(off.status == .succeeded && AheadLog.shared.count(token) == 0)
        #expect(try report(ws) == "reused 0 did 5 ahead 0 handed 0\n")
        let ws2 = try Workspace(), token2 = UUID().uuidString
        let until = try await ws2.run(yaml(token2, wait: 0.05), registry: aheadRegistry) { $0.until = "produce" }
        #expect(until.status == .succeeded && until.ran == ["produce"] && AheadLog.shared.count(token2) == 0)
    }

    @Test func workDoneAheadOfAFailedUpstreamIsKeptForTheNextRun() async throws {
        let ws = try Workspace(), token = UUID().uuidString
        let failed = try await ws.run(yaml(token, count: 7, fail: true), registry: aheadRegistry)
        #expect(failed.status == .failed && failed.blocked == ["consume"])
        #expect(AheadLog.shared.count(token) == 7)
        // The next run's producer announces nothing new the journal lacks; the consumer's run reuses all 7.
        let token2 = UUID().uuidString
        let again = try await ws.run(yaml(token2, count: 7, wait: 0.05, ahead: false), registry: aheadRegistry)
        #expect(again.status == .succeeded)
        #expect(try report(ws) == "reused 7 did 0 ahead 0 handed 0\n")
    }
}
