// bench-fetch: fetch a list of image URLs with ImageFetch and store them content-addressed in a
// folder, journaling each finished URL to an append-only file so a killed run resumes without
// re-fetching. Prints one JSON line: images, failed, seconds, images/s, CPU s/image, peak RSS.
//
//   bench-fetch --urls urls.txt --out DIR [--concurrency 16] [--per-host 16] [--journal FILE]
import Foundation
import ImageFetch
#if canImport(Glibc)
import Glibc
#endif

/// Command-line settings.
struct Settings {
    var urls = ""
    var out = ""
    var journal: String?
    var concurrency = 16
    var perHost = 16

    init(_ args: [String]) throws {
        var i = 1
        func value() throws -> String {
            i += 1
            guard i < args.count else { throw BenchError.usage("missing value for \(args[i - 1])") }
            return args[i]
        }
        while i < args.count {
            switch args[i] {
            case "--urls": urls = try value()
            case "--out": out = try value()
            case "--journal": journal = try value()
            case "--concurrency": concurrency = Int(try value()) ?? 16
            case "--per-host": perHost = Int(try value()) ?? 16
            default: throw BenchError.usage("unknown argument \(args[i])")
            }
            i += 1
        }
        if urls.isEmpty || out.isEmpty { throw BenchError.usage("usage: bench-fetch --urls FILE --out DIR [--journal FILE] [--concurrency N] [--per-host N]") }
    }
}

/// Bench failures.
enum BenchError: Error { case usage(String), io(String) }

/// Appends one line per finished URL with write(2), so the line survives a SIGKILL of this process.
final class AppendJournal {
    let fd: Int32
    init(path: String) throws {
        fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        if fd < 0 { throw BenchError.io("open \(path): \(String(cString: strerror(errno)))") }
    }
    deinit { close(fd) }
    func append(_ line: String) {
        var s = line + "\n"
        s.withUTF8 { _ = write(fd, $0.baseAddress, $0.count) }
    }
    static func done(path: String) -> Set<String> {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        var set = Set<String>()
        for line in text.split(separator: "\n") { if let tab = line.firstIndex(of: "\t") { set.insert(String(line[..<tab])) } }
        return set
    }
}

func cpuSeconds() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
}

func peakRSSMiB() -> Double {
    var u = rusage()
    getrusage(RUSAGE_SELF.rawValue, &u)
    return Double(u.ru_maxrss) / 1024
}

do {
    let s = try Settings(CommandLine.arguments)
    let all = try String(contentsOfFile: s.urls, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
    let journalPath = s.journal ?? s.out + "/journal.tsv"
    try FileManager.default.createDirectory(atPath: s.out, withIntermediateDirectories: true)
    let done = AppendJournal.done(path: journalPath)
    let todo = all.filter { !done.contains($0) }
    let journal = try AppendJournal(path: journalPath)
    var o = FetchOptions()
    o.concurrency = s.concurrency
    o.perHost = s.perHost
    o.addressPolicy = AddressPolicy(allowLoopback: true)
    let fetcher = try ImageFetcher(options: o)
    let start = Date()
    var ok = 0, failed = 0, bytes = 0
    let root = URL(fileURLWithPath: s.out)
    let trace = ProcessInfo.processInfo.environment["BENCH_TRACE"] != nil
    try fetcher.fetch(todo.map { FetchRequest(url: $0) }) { r in
        if trace, (ok + failed) % 250 == 0 {
            FileHandle.standardError.write(Data(String(format: "%.3f s: %d done, attempts %d\n", Date().timeIntervalSince(start), ok + failed, r.attempts).utf8))
        }
        switch r.outcome {
        case .image(let data, _):
            let hash = ImageDigest.sha256(data)
            let dir = root.appendingPathComponent(String(hash.prefix(2)))
            let dest = dir.appendingPathComponent(hash)
            if !FileManager.default.fileExists(atPath: dest.path) {
                try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
                let tmp = dir.appendingPathComponent(".\(hash).tmp")
                if (try? data.write(to: tmp)) != nil { rename(tmp.path, dest.path) }
            }
            journal.append("\(r.url)\t\(hash)")
            ok += 1; bytes += data.count
        case .notModified:
            ok += 1
        case .failed(let f):
            journal.append("\(r.url)\tfailed:\(f.reason.rawValue)")
            failed += 1
        }
    }
    let secs = Date().timeIntervalSince(start)
    let cpu = cpuSeconds()
    let perImage = ok > 0 ? cpu / Double(ok) : 0
    print(String(format: "{\"tool\":\"vitrine\",\"skipped\":%d,\"fetched\":%d,\"failed\":%d,\"bytes\":%d,\"seconds\":%.3f,\"images_per_s\":%.1f,\"cpu_s\":%.3f,\"cpu_s_per_image\":%.6f,\"peak_rss_mib\":%.1f}",
                 done.count, ok, failed, bytes, secs, Double(ok) / max(secs, 1e-9), cpu, perImage, peakRSSMiB()))
} catch {
    FileHandle.standardError.write(Data("bench-fetch: \(error)\n".utf8))
    exit(2)
}
