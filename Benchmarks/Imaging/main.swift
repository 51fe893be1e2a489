// bench-imaging: decode + resize image files to square thumbnails with N worker threads.
//
//   bench-imaging DIR [--workers 2] [--size 128] [--mode pad] [--runs 5] [--in-memory] [--all-scales] [--limit N]
//
// Files mode reads each file inside the timed loop (what the Pillow/OpenCV peers do);
// --in-memory preloads the bytes first and times decode + resize alone (the ceiling).
// Prints one line per run and a JSON summary with the median images/s.
import Dispatch
import Foundation
import Imaging

struct Options {
    var dir = ""
    var workers = 2
    var size = 128
    var mode = FitMode.pad
    var runs = 5
    var inMemory = false
    var limit = Int.max
    var allScales = false
}

func parseOptions() -> Options? {
    var o = Options()
    var args = CommandLine.arguments.dropFirst().makeIterator()
    while let a = args.next() {
        switch a {
        case "--workers": o.workers = Int(args.next() ?? "") ?? o.workers
        case "--size": o.size = Int(args.next() ?? "") ?? o.size
        case "--mode": o.mode = FitMode(rawValue: args.next() ?? "") ?? o.mode
        case "--runs": o.runs = Int(args.next() ?? "") ?? o.runs
        case "--limit": o.limit = Int(args.next() ?? "") ?? o.limit
        case "--in-memory": o.inMemory = true
        case "--all-scales": o.allScales = true
        default: o.dir = a
        }
    }
    return o.dir.isEmpty ? nil : o
}

/// Hands out indices to worker threads.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var failures = 0
    private var checksum = 0
    private var cpu = 0.0
    func addCPU(_ seconds: Double) { lock.withLock { cpu += seconds } }
    var cpuSeconds: Double { lock.withLock { cpu } }
    func take() -> Int { lock.withLock { defer { next += 1 }; return next } }
    func record(failed: Bool, sum: Int) { lock.withLock { if failed { failures += 1 }; checksum &+= sum } }
    var result: (failures: Int, checksum: Int) { lock.withLock { (failures, checksum) } }
}

/// Preloaded file bytes shared read-only by the workers.
final class Preloaded: @unchecked Sendable {
    let blobs: [Data]
    init(_ blobs: [Data]) { self.blobs = blobs }
}

guard let opts = parseOptions() else {
    FileHandle.standardError.write(Data("usage: bench-imaging DIR [--workers 2] [--size 128] [--mode pad] [--runs 5] [--in-memory] [--all-scales] [--limit N]\n".utf8))
    exit(2)
}
let dirURL = URL(fileURLWithPath: opts.dir)
let names = ((try? FileManager.default.contentsOfDirectory(atPath: opts.dir)) ?? [])
    .filter { $0.hasSuffix(".jpg") || $0.hasSuffix(".jpeg") || $0.hasSuffix(".png") }.sorted().prefix(opts.limit)
let paths = names.map { dirURL.appendingPathComponent($0) }
guard !paths.isEmpty else { print("no images in \(opts.dir)"); exit(2) }
let preloaded = Preloaded(opts.inMemory ? paths.compactMap { try? Data(contentsOf: $0) } : [])
let thumbnailer = Thumbnailer(size: opts.size, mode: opts.mode, simdScalesOnly: !opts.allScales)

/// Per-thread CPU clock.
enum CPUClock {
    /// CPU time consumed by the calling thread, in seconds.
    static func thread() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

var rates: [Double] = []
var cpuRates: [Double] = []
for run in 1...max(1, opts.runs) {
    let counter = Counter()
    let start = DispatchTime.now().uptimeNanoseconds
    DispatchQueue.concurrentPerform(iterations: opts.workers) { _ in
        let cpu0 = CPUClock.thread()
        defer { counter.addCPU(CPUClock.thread() - cpu0) }
        while true {
            let i = counter.take()
            if i >= paths.count { return }
            do {
                let data = opts.inMemory ? preloaded.blobs[i] : try readImageFile(paths[i].path)
                let t = try thumbnailer.thumbnail(data)
                counter.record(failed: false, sum: Int(t.pixels[t.pixels.count / 2]))
            } catch {
                counter.record(failed: true, sum: 0)
            }
        }
    }
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    let rate = Double(paths.count) / seconds
    rates.append(rate)
    cpuRates.append(Double(paths.count) / max(1e-9, counter.cpuSeconds))
    let r = counter.result
    print(String(format: "run %d: %d images in %.3f s = %.1f img/s, %.1f img per CPU-second (failures %d, checksum %d)",
                 run, paths.count, seconds, rate, cpuRates.last ?? 0, r.failures, r.checksum))
}
func median(_ v: [Double]) -> Double {
    let s = v.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
print("{\"tool\": \"vitrine\", \"images\": \(paths.count), \"workers\": \(opts.workers), \"in_memory\": \(opts.inMemory), "
      + "\"median_images_per_second\": \(String(format: "%.1f", median(rates))), "
      + "\"median_images_per_cpu_second\": \(String(format: "%.1f", median(cpuRates)))}")
