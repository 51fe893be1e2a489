import Foundation

extension Resampler {
    /// Taps computed before, by axis geometry: a catalog's photos come in a few sizes, and computing the taps of
    /// every image again was ~1 % of a download-and-prepare run. Holds at most `limit` geometries (emptied when
    /// full); safe from any thread.
    final class TapsCache: @unchecked Sendable {
        static let shared = TapsCache()
        static let limit = 256

        struct Key: Hashable {
            let sourceCount: Int, regionStart: Double, regionLength: Double, outputCount: Int
        }

        private let lock = NSLock()
        private var taps: [Key: Taps] = [:]

        /// The taps for this geometry, computed once.
        func taps(sourceCount: Int, regionStart: Double, regionLength: Double, outputCount: Int) -> Taps {
            let key = Key(sourceCount: sourceCount, regionStart: regionStart, regionLength: regionLength, outputCount: outputCount)
            if let known = lock.withLock({ taps[key] }) { return known }
            let made = Taps(sourceCount: sourceCount, regionStart: regionStart, regionLength: regionLength, outputCount: outputCount)
            lock.withLock {
                if taps.count >= Self.limit { taps.removeAll(keepingCapacity: true) }
                taps[key] = made
            }
            return made
        }
    }
}
