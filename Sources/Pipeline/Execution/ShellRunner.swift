import Foundation

/// Runs a shell stage's command with `/bin/sh -c` in its own process group (so cancelling kills
/// the whole pipeline of processes), output captured in the stage's log file.
struct ShellRunner {
    let stage: String
    let command: String
    let workingDirectory: URL
    let environment: [String: String]
    let logFile: URL
    /// Where the running process group is recorded (`StateLayout.processes`).
    let processRecords: URL

    /// Runs to completion; throws `StageError.failed` with the exit code and the log's tail.
    func run() async throws {
        let started = Date()
        let pid = try spawn()
        if let out = environment["VITRINE_OUT"] { LeftoverProcesses.record(pgid: pid, staging: URL(fileURLWithPath: out), in: processRecords) }
        defer { LeftoverProcesses.forget(pgid: pid, in: processRecords) }
        let status: Int32 = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Int32, Never>) in
                Thread.detachNewThread {
                    var st: Int32 = 0
                    while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
                    c.resume(returning: st)
                }
            }
        } onCancel: {
            kill(-pid, SIGTERM)
            DispatchQueue.global().asyncAfter(deadline: .now() + 5) { kill(-pid, SIGKILL) }
        }
        if Task.isCancelled { throw StageError.cancelled(stage: stage) }
        let exited = (status & 0x7f) == 0
        let code = exited ? (status >> 8) & 0xff : status & 0x7f
        guard exited && code == 0 else {
            let how = exited ? "exited with code \(code)" : "was killed by signal \(code)"
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            throw StageError.failed(stage: stage, item: nil, reason: "command \(how) after \(seconds) s; last output:\n\(Self.tail(of: logFile))")
        }
    }

    /// Starts `/bin/sh -c command` as the leader of a new process group, stdout and stderr to the log.
    private func spawn() throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attr = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions); defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawnattr_init(&attr); defer { posix_spawnattr_destroy(&attr) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logFile.path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // The spawning thread (a Swift concurrency/dispatch worker) blocks nearly every signal, and a child inherits
        // its mask: the command would never see SIGCHLD (`wait` hangs), SIGTERM (cancelling waits for the SIGKILL)
        // or SIGPIPE. Start it with nothing blocked and every signal at its default action.
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none); sigfillset(&all)
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &all)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attr, 0)
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        // The shell changes into the pipeline folder itself ($0), then evaluates the command ($1).
        let args: [String] = ["/bin/sh", "-c", "cd -- \"$0\" || exit 125; eval \"$1\"", workingDirectory.path, command]
        var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        argv.append(nil)
        var envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") }
        envp.append(nil)
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, envp)
        guard rc == 0 else {
            throw StageError.failed(stage: stage, item: nil, reason: "cannot start /bin/sh: \(String(cString: strerror(rc)))")
        }
        return pid
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
