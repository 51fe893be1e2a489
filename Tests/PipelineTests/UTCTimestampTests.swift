import Foundation
import Testing
import Pipeline

/// Log timestamps read exactly as `ISO8601DateFormatter` writes them.
@Suite struct UTCTimestampTests {
    @Test(arguments: [0.0, 951_782_400.5, 1_795_665_290.999, 1_798_761_599.0, 4_102_444_800.0])
    func matchesFoundationsFormatter(seconds: Double) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(UTCTimestamp.string(from: date) == ISO8601DateFormatter().string(from: date))
    }
}
