import Foundation
import Testing
@testable import Catalog

/// Issue 3's "bad input gets" list: every case is quarantined with a reason or a clear error naming file and position.
@Suite struct BadInputTests {
    private func load(_ name: String, _ bytes: [UInt8], _ options: LoadOptions = LoadOptions(idColumn: "id", errorBudget: 1)) throws -> LoadResult {
        try CatalogLoader(options: options).load(path: try CatalogFixtures.file(name, bytes))
    }

    @Test func nonUTF8BytesAreQuarantinedWithTheField() throws {
        let bytes = Array("{\"id\": \"a\", \"title\": \"ok\"}\n{\"id\": \"b\", \"title\": \"bad ".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
        for (name, data) in [("x.jsonl", bytes)] {
            let r = try load(name, data)
            #expect(r.table.count == 1)
            #expect(r.quarantine.count == 1)
            #expect(r.quarantine.first?.reason == "invalid_utf8")
            #expect(r.quarantine.first?.field == "title")
            #expect(r.quarantine.first?.line == 2)
        }
        let csv = Array("id,title\n1,fine\n2,caf".utf8) + [0xE9] + Array("\n".utf8)
        let c = try load("x.csv", csv)
        #expect(c.table.count == 1)
        #expect(c.quarantine.first?.reason == "invalid_utf8")
        #expect(c.quarantine.first?.field == "title")
    }

    @Test func byteOrderMarkIsSkipped() throws {
        let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
        #expect(try load("b.jsonl", bom + Array("{\"id\": \"a\"}\n".utf8)).table.count == 1)
        #expect(try load("b.json", bom + Array("[{\"id\": \"a\"}]".utf8)).table.count == 1)
        let csv = try load("b.csv", bom + Array("id,t\n1,x\n".utf8))
        #expect(csv.table.columns == ["id", "t"])
    }

    @Test func crlfLineEndsAreAccepted() throws {
        let r = try load("c.jsonl", Array("{\"id\": \"a\"}\r\n{\"id\": \"b\"}\r\n".utf8))
        #expect(r.table.count == 2)
        #expect(r.quarantine.isEmpty)
        let a = try load("c.json", Array("[\r\n{\"id\": \"a\"},\r\n{\"id\": \"b\"}\r\n]\r\n".utf8))
        #expect(a.table.count == 2)
    }

    @Test func missingFieldsAndWrongTypesAreQuarantined() throws {
        let text = """
        {"id": "a", "title": "Shirt one two three", "formatted_price": "$1.00"}
        {"id": "b", "title": "No price here at all"}
        {"id": "c", "title": "Price as number", "formatted_price": 12}
        {"id": "d", "title": ["an", "array"], "formatted_price": "$2.00"}
        """
        let options = LoadOptions(columns: ["id", "title", "formatted_price"], types: ["title": .string, "formatted_price": .string],
                                  idColumn: "id", errorBudget: 1)
        let r = try load("m.jsonl", Array(text.utf8), options)
        #expect(r.table.count == 1)
        #expect(r.quarantine.map(\.reason) == ["missing_field", "wrong_type", "wrong_type"])
        #expect(r.quarantine.map(\.field) == ["formatted_price", "formatted_price", "title"])
        #expect(r.quarantine.map(\.line) == [2, 3, 4])
        #expect(r.quarantine[2].detail.contains("got array"))
    }

    @Test func aOneMegabyteTitleIsQuarantined() throws {
        let big = String(repeating: "x", count: 1 << 20)
        let text = "{\"id\": \"a\", \"title\": \"\(big)\"}\n{\"id\": \"b\", \"title\": \"short\"}\n"
        let r = try load("big.jsonl", Array(text.utf8))
        #expect(r.table.count == 1)
        #expect(r.quarantine.first?.reason == "field_too_long")
        #expect(r.quarantine.first?.field == "title")
        #expect(r.quarantine.first?.excerpt.count == 200)
    }

    @Test func duplicateIdsKeepTheFirst() throws {
        let r = try load("d.jsonl", Array("{\"id\": \"a\", \"v\": 1}\n{\"id\": \"a\", \"v\": 2}\n{\"v\": 3}\n".utf8))
        #expect(r.table.count == 1)
        #expect(r.table.value(0, "v") == .int(1))
        #expect(r.quarantine.map(\.reason) == ["duplicate_id", "missing_id"])
        #expect(r.quarantine[0].detail.contains("record 1"))
    }

    @Test func emptyFilesAreAClearError() throws {
        for name in ["e.json", "e.jsonl", "e.csv"] {
            let path = try CatalogFixtures.file(name, [UInt8]())
            #expect(throws: CatalogError.emptyInput(file: path)) { try CatalogLoader().load(path: path) }
        }
        let ws = try CatalogFixtures.file("w.jsonl", " \n\r\n")
        #expect(throws: CatalogError.emptyInput(file: ws)) { try CatalogLoader().load(path: ws) }
    }

    @Test func aTruncatedArrayQuarantinesTheCutRecord() throws {
        let r = try load("t.json", Array("[{\"id\": \"a\"}, {\"id\": \"b\", \"ti".utf8))
        #expect(r.table.count == 1)
        #expect(r.quarantine.count == 1)
        #expect(r.quarantine[0].reason == "truncated")
        #expect(r.quarantine[0].record == 2)
        #expect(r.quarantine[0].offset == 14)
        let afterComma = try load("t2.json", Array("[{\"id\": \"a\"},\n".utf8))
        #expect(afterComma.quarantine.map(\.reason) == ["truncated"])
    }

    @Test func syntaxErrorsInsideAnArrayElementAreQuarantined() throws {
        let r = try load("s.json", Array("[{\"id\": \"a\"},\n {\"id\": \"b\" \"x\": 1},\n {\"id\": \"c\"}]".utf8))
        #expect(r.table.count == 2)
        #expect(r.quarantine.map(\.reason) == ["syntax"])
        #expect(r.quarantine[0].line == 2)
    }

    @Test func brokenFramingNamesFileAndPosition() throws {
        let path = try CatalogFixtures.file("f.json", "\n\n{\"id\": 1}")
        #expect(throws: CatalogError.syntax(file: path, line: 3, offset: 2, reason: "expected a JSON array starting with '['")) {
            try CatalogLoader(options: LoadOptions(format: .json)).load(path: path)
        }
        let trailing = try CatalogFixtures.file("g.json", "[{\"id\": 1}] x")
        #expect(throws: CatalogError.self) { try CatalogLoader().load(path: trailing) }
    }

    @Test func deepNestingIsQuarantinedNotRecursed() throws {
        let deep = "{\"id\": \"a\", \"x\": " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "}\n"
        let r = try load("deep.jsonl", Array((deep + "{\"id\": \"b\"}\n").utf8))
        #expect(r.table.count == 1)
        #expect(r.quarantine.map(\.reason) == ["too_deep"])
        #expect(r.quarantine.first?.field == "x")
    }

    @Test func theErrorBudgetFailsTheLoad() throws {
        let text = "{\"id\": \"a\"}\nnot json\n{\"id\": \"c\"}\n"
        let path = try CatalogFixtures.file("budget.jsonl", text)
        #expect(throws: CatalogError.errorBudgetExceeded(file: path, quarantined: 1, records: 3, budget: 0.1)) {
            try CatalogLoader(options: LoadOptions(errorBudget: 0.1)).load(path: path)
        }
        #expect(try CatalogLoader(options: LoadOptions(errorBudget: 0.5)).load(path: path).table.count == 2)
    }
}
