import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Compares committed files with the stat recorded at commit: one `fstatat` per file relative to an open directory
/// (no full path walk, no path building), reused while consecutive paths share a folder. Not thread-safe: one per thread.
public struct StatProbe: ~Copyable {
    private let rootPath: [UInt8]
    private var currentDir: [UInt8] = []
    private var dirFD: Int32 = -1
    private var name: [CChar] = []

    /// A probe resolving relative paths against `root`.
    public init(root: URL) {
        let p = root.path
        rootPath = Array((p.hasSuffix("/") ? p : p + "/").utf8)
    }

    deinit { if dirFD >= 0 { close(dirFD) } }

    /// Whether the file at `path` (UTF-8 bytes, relative to the root unless absolute) is missing or its size, mtime
    /// or inode differ from `recorded`.
    public mutating func differs(path: UnsafeBufferPointer<UInt8>, from recorded: FileStat) -> Bool {
        let slash = path.lastIndex(of: UInt8(ascii: "/"))
        let dir = UnsafeBufferPointer(rebasing: path[..<(slash ?? 0)])
        if dirFD < 0 || !currentDir.elementsEqual(dir) {
            if dirFD >= 0 { close(dirFD) }
            currentDir = Array(dir)
            let absolute = path.first == UInt8(ascii: "/")
            var full = absolute ? (currentDir.isEmpty ? [UInt8(ascii: "/")] : currentDir) : rootPath + currentDir
            full.append(0)
            dirFD = full.withUnsafeBufferPointer { b in
                b.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_RDONLY | O_DIRECTORY | O_CLOEXEC) }
            }
        }
        guard dirFD >= 0 else { return true }
        let nameBytes = path[(slash.map { $0 + 1 } ?? 0)...]
        name.removeAll(keepingCapacity: true)
        for b in nameBytes { name.append(CChar(bitPattern: b)) }
        name.append(0)
        var st = stat()
        guard fstatat(dirFD, name, &st, 0) == 0 else { return true }
        #if canImport(Darwin)
        let ns = Int64(st.st_mtimespec.tv_sec) * 1_000_000_000 + Int64(st.st_mtimespec.tv_nsec)
        #else
        let ns = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        #endif
        return FileStat(size: Int64(st.st_size), mtimeNanoseconds: ns, inode: UInt64(st.st_ino)) != recorded
    }
}
