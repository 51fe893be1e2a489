import Foundation
import Testing
import Checkpoints
import TestSupport

/// The run lock: one holder per state directory, the holder named, freed by release, deinit or the holder's death.
@Suite struct StateLockTests {
    /// A python3 process holding the lock on `lockFile` and writing holder details like vitrine does.
    static let holderScript = """
        import fcntl, json, os, socket, sys, time
        f = open(sys.argv[1], "a+")
        fcntl.flock(f, fcntl.LOCK_EX)
        f.truncate(0)
        f.write(json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": time.time(), "command": "python holder"}))
        f.flush()
        print("locked", flush=True)
        time.sleep(60)
        """

    /// Starts the python holder and waits until it reports the lock taken.
    static func startHolder(lockFile: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", holderScript, lockFile]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var seen = Data()
        while !String(decoding: seen, as: UTF8.self).contains("locked") {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            seen.append(chunk)
        }
        return process
    }

    @Test func secondAcquirerInTheSameProcessIsRefusedThenSucceedsAfterRelease() throws {
        let dir = try TempDir.make("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try StateLock(stateDirectory: dir, command: "vitrine run demo.yaml")
        let contents = try Data(contentsOf: dir.appendingPathComponent("lock"))
        #expect(try JSONDecoder().decode(LockHolder.self, from: contents) == first.holder)
        let error = #expect(throws: StateLockError.self) { try StateLock(stateDirectory: dir, command: "second") }
        guard case .held(let pid, let host, let since, let command) = error else { Issue.record("expected .held"); return }
        #expect(pid == getpid() && host == first.holder.host && command == "vitrine run demo.yaml")
        #expect(abs((since?.timeIntervalSince1970 ?? 0) - first.holder.since) < 0.001)
        #expect(error?.description.contains("pid \(getpid())") == true)
        first.release()
        #expect(!first.isHeld)
        #expect(try Data(contentsOf: dir.appendingPathComponent("lock")).isEmpty)
        do {
            let second = try StateLock(stateDirectory: dir, command: "second")
            #expect(second.isHeld)
        }
        // The second lock went out of scope: deinit released it.
        _ = try StateLock(stateDirectory: dir, command: "third")
    }

    @Test func anotherProcessHoldsTheLockUntilItIsKilled() throws {
        let dir = try TempDir.make("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lockFile = dir.appendingPathComponent("lock").path
        let holder = try Self.startHolder(lockFile: lockFile)
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL); holder.waitUntilExit() } }
        #expect(holder.isRunning, "python3 holder started")
        let error = #expect(throws: StateLockError.self) { try StateLock(stateDirectory: dir, command: "vitrine run") }
        guard case .held(let pid, _, let since, let command) = error else { Issue.record("expected .held"); return }
        #expect(pid == holder.processIdentifier)
        #expect(command == "python holder")
        #expect(abs((since?.timeIntervalSinceNow ?? -99)) < 30)
        kill(holder.processIdentifier, SIGKILL)
        holder.waitUntilExit()
        let lock = try StateLock(stateDirectory: dir, command: "after kill")
        #expect(lock.isHeld)
    }

    @Test func waitingAcquirerGetsTheLockWhenReleased() async throws {
        let dir = try TempDir.make("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try StateLock(stateDirectory: dir, command: "first")
        let waiter = Task {
            try await StateLock.acquire(stateDirectory: dir, command: "waiter", wait: true, pollInterval: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(150))
        first.release()
        let second = try await waiter.value
        #expect(second.isHeld && second.holder.command == "waiter")
        // Without wait, the held lock is an immediate error.
        await #expect(throws: StateLockError.self) {
            _ = try await StateLock.acquire(stateDirectory: dir, command: "impatient", wait: false)
        }
    }

    @Test func waitingCanBeCancelled() async throws {
        let dir = try TempDir.make("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = try StateLock(stateDirectory: dir, command: "first")
        let waiter = Task {
            try await StateLock.acquire(stateDirectory: dir, command: "waiter", wait: true, pollInterval: .milliseconds(10))
        }
        try await Task.sleep(for: .milliseconds(50))
        waiter.cancel()
        await #expect(throws: CancellationError.self) { _ = try await waiter.value }
        #expect(first.isHeld)
    }

    @Test func childProcessesDoNotInheritTheLock() throws {
        let dir = try TempDir.make("lock")
        defer { try? FileManager.default.removeItem(at: dir) }
        let lock = try StateLock(stateDirectory: dir, command: "parent")
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/bin/sleep")
        child.arguments = ["5"]
        try child.run()
        defer { kill(child.processIdentifier, SIGKILL); child.waitUntilExit() }
        lock.release()
        let again = try StateLock(stateDirectory: dir, command: "while the child lives")
        #expect(again.isHeld)
    }
}
