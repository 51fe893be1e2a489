import Foundation
import Testing
import TestSupport
@testable import Catalog

@Suite struct CatalogLoaderTests {
    @Test func loadsTheRealCatalogFromJSONLines() throws {
        let result = try CatalogLoader(options: LoadOptions(idColumn: "asin", priceColumn: "formatted_price"))
            .load(path: CatalogFixtures.amazonJSONL.path)
        #expect(result.format == .jsonl)
        #expect(result.table.count == 17_593)
        #expect(result.quarantine.isEmpty)
        #expect(result.table.columns == ["asin", "brand", "color", "medium_image_url", "product_type_name", "title", "formatted_price", "price"])
        #expect(result.table.value(0, "asin") == .string("B004GSI2OS"))
        #expect(result.table.value(0, "price") == .double(26.26))
        let nullBrands = result.table.strings("brand").filter { $0 == nil }.count
        #expect(nullBrands == 50)
        let shirts = result.table.strings("product_type_name").filter { $0 == "SHIRT" }.count
        #expect(shirts == 13_980)
    }

    @Test func jsonArrayAndJSONLinesGiveTheSameTable() throws {
        let lines = try String(contentsOf: CatalogFixtures.amazonJSONL, encoding: .utf8)
            .split(separator: "\n").prefix(500)
        let array = "[\n" + lines.joined(separator: ",\n") + "\n]\n"
        let path = try CatalogFixtures.file("export.json", array)
        let a = try CatalogLoader().load(path: path)
        let jsonlPath = try CatalogFixtures.file("part.jsonl", lines.joined(separator: "\n"))
        let b = try CatalogLoader().load(path: jsonlPath)
        #expect(a.format == .json)
        #expect(a.table.count == 500)
        #expect(a.table == b.table)
    }

    @Test func streamsAnArrayLargerThanTheReadBuffer() throws {
        var text = "["
        for i in 0..<3000 { text += (i > 0 ? "," : "") + "{\"id\": \"p\(i)\", \"n\": \(i), \"tags\": [1, {\"a\": \"x y\"}]}" }
        text += "]"
        let path = try CatalogFixtures.file("big.json", text)
        let state = try CatalogLoader(options: LoadOptions(idColumn: "id")).load(path: path)
        #expect(state.table.count == 3000)
        #expect(state.table.value(2999, "n") == .int(2999))
        #expect(state.table.value(5, "tags") == .json("[1,{\"a\":\"x y\"}]"))
    }

    @Test func loadsTheRealMyntraCSV() throws {
        let result = try CatalogLoader(options: LoadOptions(idColumn: "id", priceColumn: nil))
            .load(path: CatalogFixtures.myntraCSV.path)
        #expect(result.format == .csv)
        #expect(result.table.count == 2_099)
        #expect(result.quarantine.isEmpty)
        #expect(result.table.columns.first == "id")
        #expect(result.table.columns.contains("subCategory"))
        let topwear = result.table.strings("subCategory").filter { $0 == "Topwear" }.count
        #expect(topwear == 1_231)
    }

    @Test func csvQuotedNewlinesCRLFAndTypes() throws {
        let text = "id,title,price,stock\r\n1,\"Shirt, \"\"blue\"\"\nsecond line\",12.5,3\r\n2,Plain,7,x\r\n3,\"open\n"
        let path = try CatalogFixtures.file("t.csv", text)
        let r = try CatalogLoader(options: LoadOptions(types: ["price": .double, "stock": .int], errorBudget: 1)).load(path: path)
        #expect(r.table.count == 1)
        #expect(r.table.value(0, "title") == .string("Shirt, \"blue\"\nsecond line"))
        #expect(r.table.value(0, "price") == .double(12.5))
        #expect(r.table.value(0, "stock") == .int(3))
        #expect(r.quarantine.map(\.reason) == ["wrong_type", "truncated"])
        #expect(r.quarantine[0].field == "stock")
        #expect(r.quarantine[0].record == 2)
        #expect(r.quarantine[0].line == 4)
        #expect(r.quarantine[1].line == 5)
    }
}

@Suite struct CatalogStreamingTests {
    @Test func streamingWritesTheSameTableAsLoading() throws {
        let options = LoadOptions(idColumn: "asin", priceColumn: "formatted_price")
        let loaded = try CatalogLoader(options: options).load(path: CatalogFixtures.amazonJSONL.path)
        let dir = try TempDir.make("stream")
        let out = dir.appendingPathComponent("products.jsonl")
        let writer = try JSONLinesStreamWriter(url: out)
        let streamed = try CatalogLoader(options: options).stream(path: CatalogFixtures.amazonJSONL.path) { columns, row in
            try writer.write(columns: columns, row: row)
        }
        try writer.finish()
        #expect(streamed.table.count == 0)
        #expect(streamed.table.columns == loaded.table.columns)
        #expect(writer.rows == 17_593)
        #expect(try JSONLinesWriter.read(out) == loaded.table)
        #expect(try Data(contentsOf: out) == JSONLinesWriter.encode(loaded.table))
    }
}
