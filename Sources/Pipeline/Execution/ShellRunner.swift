import Foundation

/// Runs a shell stage's command with `/bin/sh -c`, its log captured, cancellable.
struct ShellRunner {
    let stage: String
    let command: String
    let workingDirectory: URL
    let environment: [String: String]
    let logFile: URL

    /// Runs to completion; throws `StageError.failed` with the exit code and the stderr tail.
    func run() async throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        p.currentDirectoryURL = workingDirectory
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        p.environment = env
        if !FileManager.default.fileExists(atPath: logFile.path) { _ = FileManager.default.createFile(atPath: logFile.path, contents: nil) }
        let log = try FileHandle(forWritingTo: logFile)
        defer { try? log.close() }
        p.standardOutput = log
        p.standardError = log
        p.standardInput = FileHandle.nullDevice
        let started = Date()
        try p.run()
        let pid = p.processIdentifier
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                DispatchQueue.global().async { p.waitUntilExit(); c.resume() }
            }
        } onCancel: {
            kill(pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { if p.isRunning { kill(pid, SIGKILL) } }
        }
        if Task.isCancelled { throw StageError.cancelled(stage: stage) }
        guard p.terminationStatus == 0 else {
            let how = p.terminationReason == .uncaughtSignal ? "was killed by signal \(p.terminationStatus)" : "exited with code \(p.terminationStatus)"
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            throw StageError.failed(stage: stage, item: nil, reason: "command \(how) after \(seconds) s; last output:\n\(Self.tail(of: logFile))")
        }
    }

    /// The last lines (up to 2 KB) of a log file, indented.
    static func tail(of url: URL, bytes: Int = 2048) -> String {
        guard let h = try? FileHandle(forReadingFrom: url) else { return "" }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        let text = String(decoding: (try? h.readToEnd()) ?? Data(), as: UTF8.self)
        return text.split(separator: "\n", omittingEmptySubsequences: false).suffix(12).map { "    " + $0 }.joined(separator: "\n")
    }
}
