// bench-search: all-pairs exact top-k over seeded random unit vectors, timed; writes the data
// and our neighbour indices as .npy so the Python peers (FAISS, numpy) search the same matrix.
import CBLAS
import Foundation
import Randomness
import VectorSearch

/// Command-line options: --rows N --dim D --k K --threads T --repeat R --out DIR.
struct Options {
    var rows = 20_000, dim = 1_280, k = 10, threads = 2, repeats = 3
    var out: String?
    var queryBlock = 512, indexBlock = 4096
    var floor = false

    init(_ args: [String]) {
        var i = 1
        func next() -> String? { i += 1; return i < args.count ? args[i] : nil }
        while i < args.count {
            switch args[i] {
            case "--rows": rows = next().flatMap(Int.init) ?? rows
            case "--dim": dim = next().flatMap(Int.init) ?? dim
            case "--k": k = next().flatMap(Int.init) ?? k
            case "--threads": threads = next().flatMap(Int.init) ?? threads
            case "--repeat": repeats = next().flatMap(Int.init) ?? repeats
            case "--query-block": queryBlock = next().flatMap(Int.init) ?? queryBlock
            case "--index-block": indexBlock = next().flatMap(Int.init) ?? indexBlock
            case "--out": out = next()
            case "--floor": floor = true
            default: FileHandle.standardError.write(Data("unknown option \(args[i])\n".utf8)); exit(2)
            }
            i += 1
        }
    }
}

/// Writes a C-order .npy (format 1.0) with the given dtype descriptor and shape.
func writeNpy(_ path: String, descr: String, shape: [Int], bytes: UnsafeRawBufferPointer) throws {
    let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
    var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
    let unpadded = 10 + header.utf8.count + 1
    header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
    let len = UInt16(header.utf8.count)
    data.append(contentsOf: [UInt8(len & 0xff), UInt8(len >> 8)])
    data.append(contentsOf: Array(header.utf8))
    data.append(contentsOf: bytes)
    try data.write(to: URL(fileURLWithPath: path))
}

let opts = Options(CommandLine.arguments)
var gen = SeededGenerator(seed: 42, stream: "bench-search")
var values = [Float](repeating: 0, count: opts.rows * opts.dim)
for i in values.indices { values[i] = Float(gen.nextGaussian()) }
let matrix = try EmbeddingMatrix(rows: opts.rows, dimension: opts.dim, values: values).l2Normalized()
BLASThreads.set(opts.threads)
let index = ExactSearchIndex(matrix, metric: .cosine, queryBlock: opts.queryBlock, indexBlock: opts.indexBlock)

/// The sgemm floor: the same all-pairs product as plain sgemm calls (4,096-row slabs, OpenBLAS threads), no selection.
func sgemmFloor() -> Double {
    let n = opts.rows, d = opts.dim, slab = 4096
    var c = [Float](repeating: 0, count: slab * n)
    let start = DispatchTime.now().uptimeNanoseconds
    matrix.values.withUnsafeBufferPointer { x in
        c.withUnsafeMutableBufferPointer { cb in
            var r0 = 0
            while r0 < n {
                let m = min(slab, n - r0)
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(n), Int32(d), 1,
                            x.baseAddress! + r0 * d, Int32(d), x.baseAddress!, Int32(d), 0, cb.baseAddress!, Int32(n))
                r0 += m
            }
        }
    }
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
if opts.floor {
    let gflop = 2.0 * Double(opts.rows) * Double(opts.rows) * Double(opts.dim) / 1e9
    for run in 0..<opts.repeats {
        let t = sgemmFloor()
        print(String(format: "sgemm floor run %d: %.3f s (%.1f GFLOP/s)", run + 1, t, gflop / t))
    }
}

var times: [Double] = []
var table: NeighborTable?
for run in 0..<opts.repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    table = try index.allPairs(k: opts.k, threads: opts.threads)
    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    times.append(seconds)
    print(String(format: "run %d: %.3f s", run + 1, seconds))
}
let median = times.sorted()[times.count / 2]
let gflop = 2.0 * Double(opts.rows) * Double(opts.rows) * Double(opts.dim) / 1e9
print(String(format: "vitrine all-pairs top-%d %dx%d threads=%d: median %.3f s (%.1f GFLOP/s)",
             opts.k, opts.rows, opts.dim, opts.threads, median, gflop / median))
if let out = opts.out, let table {
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
    try matrix.values.withUnsafeBytes { try writeNpy(out + "/vectors.npy", descr: "<f4", shape: [opts.rows, opts.dim], bytes: $0) }
    try table.indices.withUnsafeBytes { try writeNpy(out + "/ours_indices.npy", descr: "<i4", shape: [table.rows, table.k], bytes: $0) }
    try Data(String(format: "%.6f\n", median).utf8).write(to: URL(fileURLWithPath: out + "/ours_median.txt"))
}
