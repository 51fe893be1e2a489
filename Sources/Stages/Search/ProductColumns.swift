import Foundation
import Pipeline

/// Which product-table columns hold the id, title, type, brand and price (Amazon defaults).
public struct ProductColumns: Sendable, Hashable {
    /// Id column (`asin`).
    public var id: String
    /// Title column (`title`).
    public var title: String
    /// Product type column (`product_type_name`).
    public var type: String
    /// Brand column (`brand`).
    public var brand: String
    /// Price column (`price`, the parsed number).
    public var price: String

    /// Columns by name.
    public init(id: String = "asin", title: String = "title", type: String = "product_type_name", brand: String = "brand",
                price: String = "price") {
        self.id = id; self.title = title; self.type = type; self.brand = brand; self.price = price
    }

    /// The Amazon apparel catalog's columns.
    public static let amazon = ProductColumns()
    /// The Myntra sample's columns.
    public static let myntra = ProductColumns(id: "id", title: "productDisplayName", type: "articleType", brand: "brand", price: "price")
}

/// One product's display fields.
public struct ProductInfo: Sendable, Hashable, Codable {
    /// Product id.
    public var id: String
    /// Title ("" when absent).
    public var title: String
    /// Product type ("" when absent).
    public var type: String
    /// Brand, when known.
    public var brand: String?
    /// Price, when known.
    public var price: Double?

    /// Reads a products table (a .jsonl file, or a folder holding products.jsonl) keyed by id.
    static func load(_ location: URL, columns: ProductColumns) throws -> [String: ProductInfo] {
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: location.path, isDirectory: &isDir)
        let file = isDir.boolValue ? location.appendingPathComponent("products.jsonl") : location
        var out: [String: ProductInfo] = [:]
        for row in try JSONLinesRows.read(file) {
            guard let id = JSONLinesRows.text(row, columns.id) else { continue }
            out[id] = ProductInfo(id: id, title: JSONLinesRows.text(row, columns.title) ?? "",
                                  type: JSONLinesRows.text(row, columns.type) ?? "", brand: JSONLinesRows.text(row, columns.brand),
                                  price: row[columns.price]?.doubleValue)
        }
        return out
    }
}
