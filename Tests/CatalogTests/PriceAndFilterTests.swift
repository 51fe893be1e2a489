import Foundation
import Testing
@testable import Catalog

@Suite struct PriceAndFilterTests {
    @Test func parsesPrices() {
        #expect(PriceParser.parse("$26.26") == .value(26.26, currency: "USD"))
        #expect(PriceParser.parse(" $1,299.00 ") == .value(1299, currency: "USD"))
        #expect(PriceParser.parse("€12,50") == .value(12.5, currency: "EUR"))
        #expect(PriceParser.parse("1.234,56 EUR") == .value(1234.56, currency: "EUR"))
        #expect(PriceParser.parse("$10.00 - $20.00") == .range(10, 20, currency: "USD"))
        #expect(PriceParser.parse("£5") == .value(5, currency: "GBP"))
        #expect(PriceParser.parse("USD 7.5") == .value(7.5, currency: "USD"))
        #expect(PriceParser.parse("Free") == .invalid("not_a_price"))
        #expect(PriceParser.parse("  ") == .invalid("empty"))
        #expect(PriceParser.parse("$5 - €6") == .invalid("mixed_currencies"))
    }

    @Test func addsAPriceColumnAndReportsProblems() {
        var t = CatalogTable(columns: ["p"], rows: [[.string("$3.50")], [.string("call us")], [.null], [.int(4)]])
        let problems = PriceParser.addPriceColumn(to: &t, from: "p")
        #expect(t.strings("price") == ["3.5", nil, nil, "4.0"])
        #expect(problems == ["not_a_price": 1])
    }

    @Test func dropsNullsAndShortTitles() throws {
        let t = CatalogTable(columns: ["id", "title", "color", "price"], rows: [
            [.string("a"), .string("one two three four five"), .string("red"), .double(1)],
            [.string("b"), .string("one two three four"), .string("red"), .double(1)],
            [.string("c"), .string("one two three four five"), .string("  \t"), .double(1)],
            [.string("d"), .string("one two three four five"), .string("blue"), .null],
            [.string("e"), .string("one two three four five six"), .string("blue"), .double(2)],
        ])
        let (kept, dropped) = try NullFilter(columns: ["price", "color"], minTitleWords: 5).apply(t)
        #expect(kept.strings("id") == ["a", "e"])
        #expect(dropped == ["short_title": 1, "null:color": 1, "null:price": 1])
        #expect(throws: CatalogError.missingColumn("nope")) { try NullFilter(columns: ["nope"]).apply(t) }
    }

    @Test func writesJSONLinesThatReadBack() throws {
        let t = CatalogTable(columns: ["id", "title", "n", "tags"], rows: [
            [.string("a"), .string("quote \" and\nnewline é"), .int(3), .json("[1,2]")],
            [.string("b"), .null, .double(2.5)],
        ])
        let text = String(decoding: JSONLinesWriter.encode(t), as: UTF8.self)
        #expect(text.hasPrefix("{\"id\": \"a\", \"title\": \"quote \\\" and\\nnewline é\", \"n\": 3, \"tags\": [1,2]}\n"))
        let path = try CatalogFixtures.file("rt.jsonl", text)
        let back = try JSONLinesWriter.read(URL(fileURLWithPath: path))
        #expect(back == t)
    }
}
