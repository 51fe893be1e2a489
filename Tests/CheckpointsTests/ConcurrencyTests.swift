import Foundation
import Testing
import Checkpoints
import Pipeline
import TestSupport

/// Two store instances on one file (as a run and a `vitrine status` in two processes would be) and many threads
/// writing at once: every write lands, none fails with SQLITE_BUSY.
@Suite struct ConcurrencyTests {
    @Test func concurrentWritersFromTwoStoreInstances() throws {
        let dir = try TempDir.make("conc")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try SQLiteStore(stateDirectory: dir)
        let b = try SQLiteStore(stateDirectory: dir)
        let run = try a.createRun(pipelinePath: "p.yaml", provenance: .object([:]), startedAt: 1)
        let failures = FailureCounter()
        DispatchQueue.concurrentPerform(iterations: 8) { worker in
            let store = worker % 2 == 0 ? a : b
            let journal = store.journal(namespace: "ns\(worker % 2)")
            for i in 0..<40 {
                do {
                    try journal.write([ItemRecord(key: "w\(worker)-\(i)", status: .done, updatedAt: Double(i))])
                    let e = try store.startExecution(runID: run, stage: "s\(worker)", stageType: "t", fingerprint: "f\(i)", attempt: 1,
                                                     reason: nil, startedAt: Double(i))
                    try store.commitExecution(e, outputDirectory: "o/\(worker)/\(i)", artifacts: [], metrics: [
                        MetricPoint(name: "m", step: i, value: Double(i)),
                    ], summary: .object([:]), finishedAt: Double(i))
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        #expect(failures.messages.isEmpty, "\(failures.messages.prefix(3))")
        #expect(try a.journal(namespace: "ns0").all().count + b.journal(namespace: "ns1").all().count == 320)
        #expect(try b.executions(runID: run).count == 320)
        #expect(try a.metrics(runID: run).count == 320)
    }
}

/// Collects error messages from concurrent workers.
final class FailureCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    /// Records one failure.
    func add(_ message: String) { lock.withLock { stored.append(message) } }
    /// All failures so far.
    var messages: [String] { lock.withLock { stored } }
}
