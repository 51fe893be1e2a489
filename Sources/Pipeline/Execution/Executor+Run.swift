import Foundation

/// The result of a run.
public struct RunOutcome: Sendable {
    public let runID: Int64
    public let status: RunStatus
    /// Stages that ran and succeeded, skipped as up to date, failed, or were not run because an upstream failed.
    public let ran: [String], skipped: [String], failed: [String: String], blocked: [String]
}

/// What a stage's child task hands back to the scheduler.
final class StageCompletion: Sendable {
    let stage: String
    let result: Result<ExecutionRecord, any Error>
    init(_ stage: String, _ result: Result<ExecutionRecord, any Error>) { self.stage = stage; self.result = result }
}

extension Executor {
    /// Runs the selected stages under run `runID`; returns when every stage is done, failed or blocked.
    public func run(runID: Int64, resumed: Bool = false) async -> RunOutcome {
        let started = Date()
        let order = dag.topologicalOrder()
        let sel = selected
        reporter.event(.runStarted(runID: runID, pipeline: spec.file.lastPathComponent, stages: sel.count, resumed: resumed))
        var resolved: [String: ExecutionRecord] = [:]
        var ran: [String] = [], skipped: [String] = [], blocked: [String] = []
        var failed: [String: String] = [:]
        var launched = Set<String>()
        var stopScheduling = false
        prefetch(stages: sel)
        // Stages outside the selection feed the selection from their latest committed outputs.
        for s in order where !sel.contains(s.name) {
            if let prev = try? store.latestSucceeded(stage: s.name, fingerprint: nil) { resolved[s.name] = prev }
        }
        if let only = options.only, let stage = spec.stage(only), let missing = stage.needs.first(where: { resolved[$0] == nil }) {
            let msg = "--only \(only): upstream '\(missing)' has never run; run it first (vitrine run --until \(missing))"
            failed[only] = msg
            reporter.event(.stageFailed(stage: only, error: msg, willRetry: false, logFile: nil))
            try? store.finishRun(runID, status: .failed, error: msg, finishedAt: Date().timeIntervalSince1970)
            reporter.event(.runFinished(runID: runID, status: .failed, seconds: 0, hint: nil))
            return RunOutcome(runID: runID, status: .failed, ran: [], skipped: [], failed: failed, blocked: [])
        }

        // One scheduling pass in topological order: a skip or a block settles a stage at once, so later
        // stages in the same pass already see it. Child tasks return a class instance: with a
        // `(String, Result<ExecutionRecord, any Error>)` child result, the release build's `group.next()`
        // returned nil while a child was still pending (Swift 6.3), ending runs after their first stage.
        var ahead: [String: WorkAheadTask] = [:]
        await withTaskGroup(of: StageCompletion.self) { group in
            var running = 0
            while true {
                var index = 0
                while index < order.count, !stopScheduling, !Task.isCancelled, running < max(1, options.jobs) {
                    let stage = order[index]
                    index += 1
                    guard sel.contains(stage.name), !launched.contains(stage.name) else { continue }
                    if let bad = stage.needs.first(where: { failed[$0] != nil || blocked.contains($0) }) {
                        launched.insert(stage.name); blocked.append(stage.name)
                        reporter.event(.stageBlocked(stage: stage.name, by: bad))
                        continue
                    }
                    guard stage.needs.allSatisfy({ resolved[$0] != nil }) else { continue }
                    launched.insert(stage.name)
                    let upstream = resolved
                    do {
                        let state = try check(stage, upstream: upstream)
                        if case .upToDate(let e) = state {
                            resolved[stage.name] = e; skipped.append(stage.name)
                            if let dir = e.outputDirectory { try? layout.ensureLatest(stage: stage.name, at: layout.absolute(dir)) }
                            try? store.recordSkip(runID: runID, stage: stage.name, stageType: stage.typeName, fingerprint: e.fingerprint, reusing: e.id, at: Date().timeIntervalSince1970)
                            reporter.event(.stageSkipped(stage: stage.name, reason: "fingerprint \(e.fingerprint.prefix(12)) matches"))
                            continue
                        }
                        guard case .willRun(let reason) = state else { continue }
                        let material = try self.material(for: stage, upstream: upstream)
                        openFeed(for: stage.name, order: order, selected: sel, launched: launched)
                        running += 1
                        group.addTask { [self] in
                            do { return StageCompletion(stage.name, .success(try await execute(stage, material: material, reason: reason, upstream: upstream, runID: runID))) }
                            catch { return StageCompletion(stage.name, .failure(error)) }
                        }
                    } catch {
                        failed[stage.name] = "\(error)"
                        reporter.event(.stageFailed(stage: stage.name, error: "\(error)", willRetry: false, logFile: nil))
                        if !options.keepGoing { stopScheduling = true }
                    }
                }
                if !stopScheduling { startWorkAheads(order: order, selected: sel, launched: launched, resolved: resolved, runID: runID, tasks: &ahead) }
                guard running > 0, let done = await group.next() else { break }
                running -= 1
                let name = done.stage
                handovers.remove(name)
                await finishFeed(of: name, tasks: &ahead)
                switch done.result {
                case .success(let e): resolved[name] = e; ran.append(name)
                case .failure(let error):
                    failed[name] = "\(error)"
                    if !options.keepGoing { stopScheduling = true }
                }
            }
        }

        for producer in Set(ahead.values.map(\.producer)) { await finishFeed(of: producer, tasks: &ahead) }
        let cancelled = Task.isCancelled || failed.values.contains { $0.contains(": cancelled") }
        let status: RunStatus = cancelled ? .interrupted : (failed.isEmpty ? .succeeded : .failed)
        for s in order where sel.contains(s.name) && !launched.contains(s.name) && status != .succeeded { blocked.append(s.name) }
        let firstFailure = failed.sorted { $0.key < $1.key }.first
        try? store.finishRun(runID, status: status, error: firstFailure.map { "\($0.key): \($0.value)" }, finishedAt: Date().timeIntervalSince1970)
        let hint: String? = status == .succeeded ? nil : "fix the cause, then `vitrine resume` continues run \(runID) from where it stopped"
        reporter.event(.runFinished(runID: runID, status: status, seconds: Date().timeIntervalSince(started), hint: hint))
        return RunOutcome(runID: runID, status: status, ran: ran, skipped: skipped, failed: failed, blocked: blocked)
    }
}
