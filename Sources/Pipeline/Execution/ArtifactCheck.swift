import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Fast intact checks of committed files against the stat recorded at commit: one `fstatat` per file relative to an
/// open directory (no full path walk, no path building), spread over the CPU cores.
public enum ArtifactCheck {
    /// Artifacts whose file under `root` (for relative paths) is missing or whose size, mtime or inode changed.
    public static func changed(_ artifacts: [ArtifactRecord], root: URL) -> [ArtifactRecord] {
        let n = artifacts.count
        if n == 0 { return [] }
        let rootPath = root.path.hasSuffix("/") ? root.path : root.path + "/"
        let chunks = max(1, min(ProcessInfo.processInfo.activeProcessorCount, n / 2_000))
        var changed = [Bool](repeating: false, count: n)
        changed.withUnsafeMutableBufferPointer { flags in
            nonisolated(unsafe) let out = flags
            DispatchQueue.concurrentPerform(iterations: chunks) { c in
                let range = (n * c / chunks)..<(n * (c + 1) / chunks)
                checkRange(artifacts, range, rootPath: rootPath, into: out)
            }
        }
        var result: [ArtifactRecord] = []
        for i in 0..<n where changed[i] { result.append(artifacts[i]) }
        return result
    }

    /// Checks `artifacts[range]`, reusing the directory handle while consecutive files share a folder.
    private static func checkRange(_ artifacts: [ArtifactRecord], _ range: Range<Int>, rootPath: String,
                                   into flags: UnsafeMutableBufferPointer<Bool>) {
        var currentDir = ""
        var dirFD: Int32 = -1
        defer { if dirFD >= 0 { close(dirFD) } }
        for i in range {
            let a = artifacts[i]
            let utf8 = a.path.utf8
            let slash = utf8.lastIndex(of: UInt8(ascii: "/"))
            let dir = slash.map { String(a.path[..<$0]) } ?? ""
            if dir != currentDir || dirFD < 0 {
                if dirFD >= 0 { close(dirFD) }
                currentDir = dir
                let full = a.path.hasPrefix("/") ? (dir.isEmpty ? "/" : dir) : rootPath + dir
                dirFD = open(full, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            }
            guard dirFD >= 0 else { flags[i] = true; continue }
            let nameOffset = slash.map { utf8.distance(from: utf8.startIndex, to: $0) + 1 } ?? 0
            var st = stat()
            let rc = a.path.withCString { fstatat(dirFD, $0 + nameOffset, &st, 0) }
            guard rc == 0 else { flags[i] = true; continue }
            #if canImport(Darwin)
            let ns = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
            #else
            let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
            #endif
            let now = FileStat(size: Int64(st.st_size), mtimeNanoseconds: ns, inode: UInt64(st.st_ino))
            flags[i] = now != a.stat
        }
    }
}
