import Foundation
import Testing
import TestSupport

/// Failure drills through the CLI: the image server dies in the middle of the download stage, and the
/// state directory's disk fills up in the middle of a stage. Each run fails cleanly, keeps what was
/// committed, and `vitrine resume` finishes the same run once the cause is gone.
@Suite(.serialized) struct FailureDrillTests {
    /// Ids of 120 demo products with a photo (data/demo/images/<id>.jpg).
    static let ids: [Int] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: CLI.root.appendingPathComponent("data/demo/images").path)) ?? []
        return Array(names.compactMap { Int($0.replacingOccurrences(of: ".jpg", with: "")) }.sorted().prefix(120))
    }()

    static let pipeline = """
    params: { server: "http://127.0.0.1:1/" }
    stages:
      load: { uses: catalog.load, with: { path: catalog.csv, format: csv, id_column: id } }
      download:
        uses: images.download
        with: { input: load.products, id_column: id, url_column: image, url_prefix: "${params.server}", allow_loopback: true,
                concurrency: 4, retries: 1, backoff: 0.05, connect_timeout: 2 }
      count:
        run: 'grep -c "\\"status\\":\\"ok\\"" $VITRINE_IN_0 > $VITRINE_OUT/ok.txt'
        inputs: [download.images]
        outputs: [ok.txt]
    """

    /// A server for data/demo that answers slowly enough for the test to stop it mid-stage.
    func server() -> LoopbackHTTPServer {
        let folder = CLI.root.appendingPathComponent("data/demo")
        var routes: [String: LoopbackHTTPHandler] = [:]
        for id in Self.ids {
            let path = "/images/\(id).jpg"
            let body = (try? Data(contentsOf: folder.appendingPathComponent("images/\(id).jpg"))) ?? Data()
            routes[path] = { _, _ in
                usleep(20_000)
                return LoopbackHTTPResponse(status: 200, headers: [("Content-Type", "image/jpeg")], body: body)
            }
        }
        return LoopbackHTTPServer(routes: routes)
    }

    @Test func imageServerDiesMidDownloadThenResumeFetchesOnlyTheRest() throws {
        let dir = try TempDir.make("drill-server")
        try Data(Self.pipeline.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        try Data(("id,image\n" + Self.ids.map { "\($0),images/\($0).jpg\n" }.joined()).utf8).write(to: dir.appendingPathComponent("catalog.csv"))
        let first = server()
        let port = try first.start()
        let set = ["--set", "server=http://127.0.0.1:\(port)/", "--log-format", "plain"]
        let log = dir.appendingPathComponent("run.log")
        let p = try CLI.start(["run", "p.yaml"] + set, in: dir, stdout: log)
        while p.isRunning, first.totalRequests < 30 { usleep(5_000) }
        first.stop()
        let servedBeforeDeath = first.totalRequests
        p.waitUntilExit()
        let text = try String(contentsOf: log, encoding: .utf8)
        #expect(p.terminationStatus == 1, "\(text)")
        #expect(text.contains("vitrine: stage 'download'") && text.contains("failed"), "the failing stage is named: \(text)")
        #expect(text.contains("vitrine resume"), "says what to run next")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent(".vitrine/out/count").path), "nothing downstream ran")

        // The server comes back on the same address; the resumed run fetches only what is missing.
        let second = server()
        try second.start(port: port)
        defer { second.stop() }
        let resumed = try CLI.run(["resume", "p.yaml"] + set, in: dir)
        #expect(resumed.code == 0, "\(resumed.err)")
        #expect(second.totalRequests >= Self.ids.count - servedBeforeDeath, "every image not served before is fetched")
        #expect(second.totalRequests <= Self.ids.count - servedBeforeDeath + 4, "at most the 4 transfers cut off are repeated: \(second.totalRequests)")
        let ok = try String(contentsOf: dir.appendingPathComponent(".vitrine/out/count/ok.txt"), encoding: .utf8)
        #expect(ok.trimmingCharacters(in: .whitespacesAndNewlines) == String(Self.ids.count))
        let runs = try CLI.run(["runs", "--json"], in: dir)
        #expect(runs.out.components(separatedBy: "\"id\"").count == 2, "the resume continued run 1: \(runs.out)")
    }

    /// Mounts a tmpfs of `megabytes` at `dir` (root only); false when this machine does not allow it.
    static func mountTmpfs(_ dir: URL, megabytes: Int, remount: Bool = false) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/mount")
        p.arguments = ["-t", "tmpfs", "-o", (remount ? "remount," : "") + "size=\(megabytes)m", "tmpfs", dir.path]
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }

    static let canMount: Bool = {
        guard getuid() == 0, let dir = try? TempDir.make("tmpfs-probe"), mountTmpfs(dir, megabytes: 1) else { return false }
        _ = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: [dir.path]).waitUntilExit()
        return true
    }()

    @Test(.enabled(if: canMount, "needs root to mount a small tmpfs as the state directory"))
    func fullDiskFailsTheStageCleanlyAndResumeFinishesAfterSpaceIsFreed() throws {
        let dir = try TempDir.make("drill-disk")
        let state = dir.appendingPathComponent("state")
        try FileManager.default.createDirectory(at: state, withIntermediateDirectories: true)
        #expect(Self.mountTmpfs(state, megabytes: 6))
        defer { _ = try? Process.run(URL(fileURLWithPath: "/bin/umount"), arguments: ["-l", state.path]).waitUntilExit() }
        try Data("""
        stages:
          small: { run: 'head -c 1000000 /dev/urandom > $VITRINE_OUT/small.bin', outputs: [small.bin] }
          big:
            run: 'head -c 12000000 /dev/urandom > $VITRINE_OUT/big.bin'
            inputs: [small.small.bin]
            outputs: [big.bin]
        """.utf8).write(to: dir.appendingPathComponent("p.yaml"))
        let full = try CLI.run(["run", "p.yaml", "--state", "state", "--log-format", "plain"], in: dir)
        #expect(full.code == 1, "\(full.err)")
        #expect(full.err.contains("No space left on device"), "the cause is shown: \(full.err)")
        let small = try Data(contentsOf: state.appendingPathComponent("out/small/small.bin"))
        #expect(small.count == 1_000_000, "the committed stage is intact")
        let verify = try CLI.run(["verify", "--state", "state"], in: dir)
        #expect(verify.code == 0 && verify.out.contains("integrity ok"), "\(verify.out) \(verify.err)")

        #expect(Self.mountTmpfs(state, megabytes: 64, remount: true), "space freed")
        let resumed = try CLI.run(["resume", "p.yaml", "--state", "state", "--log-format", "json"], in: dir)
        #expect(resumed.code == 0, "\(resumed.err)")
        #expect(resumed.err.contains("\"stage\":\"small\"") && resumed.err.contains("stage_skipped"), "small is not redone: \(resumed.err)")
        #expect(try Data(contentsOf: state.appendingPathComponent("out/small/small.bin")) == small)
        #expect(try Data(contentsOf: state.appendingPathComponent("out/big/big.bin")).count == 12_000_000)
    }
}
