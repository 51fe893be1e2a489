import Foundation
import GRDB
import Pipeline

/// A remembered content hash with the file stat it was computed for.
public struct CachedHash: Sendable, Hashable {
    /// Stat of the file when it was hashed.
    public var stat: FileStat
    /// Content hash of the file's bytes (`ContentHash.file`; plain SHA-256 hex when cached before 2026-11-27).
    public var sha256: String

    /// A cached hash.
    public init(stat: FileStat, sha256: String) { self.stat = stat; self.sha256 = sha256 }
}

/// The whole stat cache loaded in one query, for checking many files without a query each.
public struct StatCacheSnapshot: Sendable {
    /// Entries by path.
    public var entries: [String: CachedHash]

    /// A snapshot of the given entries.
    public init(entries: [String: CachedHash]) { self.entries = entries }

    /// The cached hash of `path` when its stat still matches `stat`.
    public func hash(path: String, stat: FileStat) -> String? {
        guard let e = entries[path], e.stat == stat else { return nil }
        return e.sha256
    }
}

extension SQLiteStore {
    /// The cached hash of `path` if its size, mtime and inode still match `stat`.
    public func cachedHash(path: String, stat: FileStat) throws -> String? {
        try read("read stat cache") { db in
            try String.fetchOne(db.cachedStatement(sql: """
                SELECT sha256 FROM stat_cache WHERE path = ? AND size = ? AND mtime_ns = ? AND inode = ?
                """), arguments: [path, stat.size, stat.mtimeNanoseconds, Int64(bitPattern: stat.inode)])
        }
    }

    /// Remembers hashes with their stats, in one transaction.
    public func cacheHashes(_ entries: [(path: String, stat: FileStat, sha256: String)]) throws {
        if entries.isEmpty { return }
        try write("write stat cache") { db in
            let insert = try db.cachedStatement(sql: """
                INSERT OR REPLACE INTO stat_cache(path, size, mtime_ns, inode, sha256) VALUES (?, ?, ?, ?, ?)
                """)
            for e in entries {
                insert.setUncheckedArguments([e.path, e.stat.size, e.stat.mtimeNanoseconds, Int64(bitPattern: e.stat.inode), e.sha256])
                try insert.execute()
            }
        }
    }

    /// Loads the whole stat cache (or the paths under `prefix`) in one query.
    public func loadStatCache(prefix: String? = nil) throws -> StatCacheSnapshot {
        try read("load stat cache") { db in
            var entries: [String: CachedHash] = [:]
            let sql = "SELECT path, size, mtime_ns, inode, sha256 FROM stat_cache"
            let (filter, arguments): (String, StatementArguments) = if let prefix {
                (" WHERE path >= ? AND path < ?", [prefix, prefix + "\u{10FFFF}"])
            } else {
                ("", [])
            }
            try db.forEachRawRow(sql + filter, arguments: arguments) { row in
                let stat = FileStat(size: row.int64(1), mtimeNanoseconds: row.int64(2), inode: UInt64(bitPattern: row.int64(3)))
                entries[row.text(0)] = CachedHash(stat: stat, sha256: row.text(4))
            }
            return StatCacheSnapshot(entries: entries)
        }
    }

    /// Forgets cached hashes of paths (files deleted by gc).
    public func removeCachedHashes(_ paths: [String]) throws {
        if paths.isEmpty { return }
        try write("prune stat cache") { db in
            let delete = try db.cachedStatement(sql: "DELETE FROM stat_cache WHERE path = ?")
            for p in paths { delete.setUncheckedArguments([p]); try delete.execute() }
        }
    }
}
