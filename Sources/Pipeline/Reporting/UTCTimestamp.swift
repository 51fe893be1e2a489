import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// RFC 3339 UTC timestamps (`2026-11-26T03:48:09Z`, what `ISO8601DateFormatter` writes by default) from the C
/// library: a formatter object costs milliseconds to create (time zone files), and every log line needs one.
public enum UTCTimestamp {
    /// `date` as `YYYY-MM-DDTHH:MM:SSZ`.
    public static func string(from date: Date = Date()) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
                      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
