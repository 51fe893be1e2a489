import Foundation

/// One downstream stage working ahead on its upstream's items, on a thread of its own.
final class WorkAheadTask: @unchecked Sendable {
    /// The stage working ahead, and the stage whose items it takes.
    let consumer: String, producer: String
    private let lock = NSLock()
    private var finished = false
    private var waiter: CheckedContinuation<Void, Never>?

    /// Starts `stage.workAhead` on `feed` at once.
    init(consumer: String, producer: String, stage: any WorksAhead, feed: ItemFeed, ctx: StageContext) {
        self.consumer = consumer; self.producer = producer
        let thread = Thread { [self] in
            ctx.log("working ahead on items from '\(producer)' while it runs")
            var n = 0
            do { n = try stage.workAhead(on: feed, in: ctx) } catch {
                ctx.log("working ahead stopped: \(error); the stage itself does the rest", level: .warning)
            }
            feed.finish()  // after an early stop, what the producer still announces is dropped, not queued
            ctx.log("\(n) items done ahead of '\(producer)'")
            let w: CheckedContinuation<Void, Never>? = lock.withLock { finished = true; defer { waiter = nil }; return waiter }
            w?.resume()
        }
        thread.name = "\(consumer).ahead"
        thread.start()
    }

    /// Waits (without blocking a thread) until the work-ahead returns.
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done: Bool = lock.withLock { if !finished { waiter = c }; return finished }
            if done { c.resume() }
        }
    }
}

extension Executor {
    /// The type and input of `stage` when it is a built-in that can work ahead on `producer`'s items.
    func aheadType(of stage: StageSpec, producer: String) -> (any WorksAhead.Type)? {
        guard case .builtin(let t, _) = stage.body, let type = registry.type(named: t) as? any WorksAhead.Type,
              let refs = stage.inputs[type.aheadInput],
              refs.contains(where: { if case .artifact(let s, _) = $0 { return s == producer }; return false }) else { return nil }
        return type
    }

    /// Opens a feed for `producer` (before it starts) when a selected stage not yet launched can work ahead on its items.
    func openFeed(for producer: String, order: [StageSpec], selected: Set<String>, launched: Set<String>) {
        if order.contains(where: { selected.contains($0.name) && !launched.contains($0.name) && aheadType(of: $0, producer: producer) != nil }) {
            feeds.set(producer, ItemFeed(byteBudget: options.feedByteBudget))
        }
    }

    /// Starts the work-ahead of every waiting stage whose producer is running with a feed. Its other inputs need not be
    /// ready (a work-ahead reads only the feed): `images.prepare` decodes while `images.download` runs, even when the
    /// balance and split stages between them are still to come.
    func startWorkAheads(order: [StageSpec], selected: Set<String>, launched: Set<String>, resolved: [String: ExecutionRecord],
                         runID: Int64, tasks: inout [String: WorkAheadTask]) {
        for stage in order where selected.contains(stage.name) && !launched.contains(stage.name) && tasks[stage.name] == nil {
            for producer in stage.needs where resolved[producer] == nil && launched.contains(producer) {
                guard let feed = feeds.get(producer), let type = aheadType(of: stage, producer: producer) else { continue }
                let logDir = layout.logs.appendingPathComponent(String(runID), isDirectory: true)
                try? FileManager.default.createDirectory(at: logDir, withIntermediateDirectories: true)
                guard let ctx = try? context(for: stage, upstream: resolved, staging: layout.staging.appendingPathComponent("\(stage.name).ahead"),
                                             logFile: logDir.appendingPathComponent("\(stage.name).log"), runID: runID),
                      let instance = try? type.init(parameters: ctx.parameters), instance.worksAhead else { continue }
                tasks[stage.name] = WorkAheadTask(consumer: stage.name, producer: producer, stage: instance, feed: feed, ctx: ctx)
                break
            }
        }
    }

    /// Closes `producer`'s feed once it has finished and waits for the work-aheads on it (so the consumer's own run
    /// finds everything they journaled); the bytes still queued are kept for the consumers' own runs.
    func finishFeed(of producer: String, tasks: inout [String: WorkAheadTask]) async {
        let left = feeds.get(producer)?.finishKeepingBytes() ?? [:]
        feeds.remove(producer)
        for (name, task) in tasks where task.producer == producer {
            await task.wait()
            if !left.isEmpty { handovers.set(name, left) }
            tasks[name] = nil
        }
    }
}
