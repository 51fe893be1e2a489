import Foundation
import Testing
@testable import Pipeline

@Suite struct JSONValueTests {
    @Test func quotedStringsEscapeWhatJSONNeedsAndDecodeBackUnchanged() throws {
        var out = ""
        JSONValue.quote("B00X4WHP5E", into: &out)
        #expect(out == "\"B00X4WHP5E\"")
        out = ""
        JSONValue.quote("a\"b\\c\nd\re\tf\u{01}g", into: &out)
        #expect(out == "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\"")
        let samples = ["", "plain", "café — 東京 👕", "http://127.0.0.1:8080/a b?x=\"1\"", "tab\there", "\u{1F}\u{7F}", "back\\slash",
                       "ends with quote\"", "\"", "ünïcödé\nnewline"]
        for s in samples {
            var q = ""
            JSONValue.quote(s, into: &q)
            let back = try JSONDecoder().decode(String.self, from: Data(q.utf8))
            #expect(back == s, "\(q)")
        }
    }
}
