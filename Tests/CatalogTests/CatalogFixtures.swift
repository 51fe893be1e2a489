import Foundation
import TestSupport

/// Paths to the shared real data and helpers for writing bad-input files.
enum CatalogFixtures {
    /// The real 17,593-product Amazon apparel catalog (JSON Lines).
    static var amazonJSONL: URL {
        SharedData.url("amazon-apparel-17k.jsonl")
    }

    /// The real Myntra products CSV (2,099 rows).
    static var myntraCSV: URL {
        SharedData.url("myntra-products-2k/products.csv")
    }

    /// Writes `bytes` to a fresh temp file named `name` and returns its path.
    static func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let dir = try TempDir.make("catalog")
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// Writes `text` (UTF-8) to a fresh temp file named `name`.
    static func file(_ name: String, _ text: String) throws -> String { try file(name, Array(text.utf8)) }
}
