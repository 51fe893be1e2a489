import Foundation

/// Names of the files the runner adds to every committed output folder.
public enum CommitFiles {
    /// The stage's summary (`ctx.summarize`).
    public static let summary = "summary.json"
    /// The stage's metrics (`ctx.metric`).
    public static let metrics = "metrics.json"
    /// The fingerprint material, for `status` explanations.
    public static let fingerprint = "fingerprint.json"
    /// The output name under which these files are recorded.
    public static let metaOutput = "_meta"
}

extension Executor {
    /// Runs one stage with its retries and time limit, then commits its outputs.
    func execute(_ stage: StageSpec, material: FingerprintMaterial, reason: String,
                 upstream: [String: ExecutionRecord], runID: Int64) async throws -> ExecutionRecord {
        var attempt = 1
        while true {
            let execID = try store.startExecution(runID: runID, stage: stage.name, stageType: stage.typeName, fingerprint: material.fingerprint,
                                                  attempt: attempt, reason: reason, startedAt: Date().timeIntervalSince1970)
            reporter.event(.stageStarted(stage: stage.name, type: stage.typeName, reason: reason, attempt: attempt))
            let staging = layout.staging.appendingPathComponent("\(stage.name).\(execID).\(UUID().uuidString.prefix(8))", isDirectory: true)
            let logDir = layout.logs.appendingPathComponent(String(runID), isDirectory: true)
            let logFile = logDir.appendingPathComponent("\(stage.name).log")
            let started = Date()
            do {
                try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
                try FileManager.default.createDirectory(at: logDir, withIntermediateDirectories: true)
                let ctx = try context(for: stage, upstream: upstream, staging: staging, logFile: logFile, runID: runID,
                                      handedOver: handovers.get(stage.name) ?? [:])
                try await Self.withTimeout(stage.timeout, stage: stage.name) { [self] in
                    try await perform(stage, ctx: ctx, logFile: logFile)
                }
                let record = try commit(stage, executionID: execID, runID: runID, ctx: ctx, material: material, started: started)
                reporter.event(.stageSucceeded(stage: stage.name, seconds: Date().timeIntervalSince(started),
                                               outputDirectory: PipelineLoader.displayPath(layout.absolute(record.outputDirectory ?? ""))))
                return record
            } catch {
                // Measured before the staging folder goes: a full disk is often why the stage failed
                // (and then its own error output could not be logged either).
                let free = Self.freeBytes(at: layout.root)
                try? FileManager.default.removeItem(at: staging)
                let cancelled = Task.isCancelled || { if case StageError.cancelled = error { return true }; return false }()
                var message = cancelled ? StageError.cancelled(stage: stage.name).description : Self.describe(error, stage: stage.name)
                if !cancelled, let free, free < Self.lowSpaceBytes {
                    message += " — No space left on device? the state directory's filesystem had \(free / 1024) KiB free when the stage failed; free space, then resume"
                }
                try? store.failExecution(execID, status: cancelled ? .cancelled : .failed, error: message, finishedAt: Date().timeIntervalSince1970)
                // The error also ends the stage's log, so the log named in the failure message always exists and says why.
                Self.appendLine("\(UTCTimestamp.string()) ERROR \(message)", to: logFile)
                let retry = !cancelled && attempt <= stage.retries
                reporter.event(.stageFailed(stage: stage.name, error: message, willRetry: retry, logFile: layout.relative(logFile)))
                guard retry else { throw cancelled ? StageError.cancelled(stage: stage.name) : error }
                try await Task.sleep(nanoseconds: UInt64(stage.retryDelay * pow(2, Double(attempt - 1)) * 1e9))
                attempt += 1
            }
        }
    }

    /// Appends one line to a log file (created when missing); best effort.
    static func appendLine(_ line: String, to file: URL) {
        let fd = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Below this much free space at a failure, the message says the disk was full.
    static let lowSpaceBytes: UInt64 = 8 << 20

    /// Bytes available to this user on the filesystem holding `url`, if it can be asked.
    static func freeBytes(at url: URL) -> UInt64? {
        var st = statvfs()
        guard statvfs(url.path, &st) == 0 else { return nil }
        return UInt64(st.f_bavail) * UInt64(st.f_frsize)
    }

    /// A one-line description of an error that names the stage.
    static func describe(_ error: any Error, stage: String) -> String {
        if let e = error as? StageError { return e.description }
        if let e = error as? PipelineError { return e.description }
        return "stage '\(stage)': \(error)"
    }

    /// Builds the stage's context: resolved input paths, staging folder, journal, blobs.
    func context(for stage: StageSpec, upstream: [String: ExecutionRecord], staging: URL, logFile: URL, runID: Int64,
                 handedOver: [String: Data] = [:]) throws -> StageContext {
        var inputs: [String: [URL]] = [:]
        for (param, refs) in stage.inputs {
            inputs[param] = refs.map { ref in
                switch ref {
                case .path(let p): return p.hasPrefix("/") ? URL(fileURLWithPath: p) : spec.directory.appendingPathComponent(p)
                case .artifact(let s, let o):
                    let dir = layout.absolute(upstream[s]?.outputDirectory ?? "missing")
                    return dir.appendingPathComponent(outputFile(stage: s, output: o))
                }
            }
        }
        var params: [String: JSONValue] = [:]
        var outputs: [OutputSpec] = []
        switch stage.body {
        case .builtin(let t, let p):
            params = p
            outputs = registry.type(named: t)?.outputs ?? []
        case .shell(let sh): outputs = sh.outputs.map { OutputSpec($0, file: $0, doc: "") }
        }
        let previous = try store.latestSucceeded(stage: stage.name, fingerprint: nil)?.outputDirectory.map { layout.absolute($0) }
        return StageContext(stageName: stage.name, parameters: StageParameters(params, stageName: stage.name), inputs: inputs,
                            stagingDirectory: staging, outputSpecs: outputs, journal: store.journal(namespace: stage.name), blobs: blobs,
                            previousOutputs: previous, seed: spec.seed, threads: options.threads, shard: options.shard,
                            pipelineDirectory: spec.directory, reporter: LogTee(file: logFile, next: reporter), runID: runID,
                            feed: feeds.get(stage.name), handedOver: handedOver)
    }

    /// The file name of `output` inside stage `stage`'s folder.
    func outputFile(stage: String, output: String) -> String {
        guard let s = spec.stage(stage), case .builtin(let t, _) = s.body,
              let o = registry.type(named: t)?.outputs.first(where: { $0.name == output }) else { return output }
        return o.file
    }

    /// Runs the stage body: a built-in's `run`, or the shell command.
    func perform(_ stage: StageSpec, ctx: StageContext, logFile: URL) async throws {
        switch stage.body {
        case .builtin(let t, _):
            guard let type = registry.type(named: t) else { throw StageError.failed(stage: stage.name, item: nil, reason: "unknown stage type \(t)") }
            let instance = try type.init(parameters: ctx.parameters)
            try await instance.run(in: ctx)
        case .shell(let sh):
            var env = sh.env
            env["VITRINE_OUT"] = ctx.stagingDirectory.path
            env["VITRINE_STAGE"] = stage.name
            env["VITRINE_SEED"] = String(spec.seed)
            env["VITRINE_THREADS"] = String(options.threads)
            for (name, urls) in ctx.inputs {
                env["VITRINE_IN_" + name.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()] = urls.map(\.path).joined(separator: ":")
            }
            try await ShellRunner(stage: stage.name, command: sh.command, workingDirectory: spec.directory, environment: env, logFile: logFile,
                            processRecords: layout.processes).run()
        }
    }

    /// Races `body` against a time limit.
    static func withTimeout(_ seconds: Double?, stage: String, _ body: @escaping @Sendable () async throws -> Void) async throws {
        guard let seconds else { return try await body() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(nanoseconds: UInt64(seconds * 1e9))
                throw StageError.timedOut(stage: stage, seconds: seconds)
            }
            defer { group.cancelAll() }
            try await group.next()
        }
    }
}

/// Copies a stage's log lines into its log file and passes them on.
struct LogTee: StageReporter {
    let file: URL
    let next: any RunReporter

    func log(stage: String, level: LogLevel, _ message: String) {
        let line = "\(LineReporter.timestamp()) \(level.rawValue) \(message)\n"
        if !FileManager.default.fileExists(atPath: file.path) { _ = FileManager.default.createFile(atPath: file.path, contents: nil) }
        if let h = try? FileHandle(forWritingTo: file) {
            _ = try? h.seekToEnd(); h.write(Data(line.utf8)); try? h.close()
        }
        next.log(stage: stage, level: level, message)
    }

    func progress(stage: String, done: Int, total: Int, unit: String, note: String?) {
        next.progress(stage: stage, done: done, total: total, unit: unit, note: note)
    }
}
