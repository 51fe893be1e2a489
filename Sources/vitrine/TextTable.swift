/// Left-aligned text columns for terminal tables.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    /// The table as lines, columns padded to their widest cell.
    func render() -> String {
        let all = [header] + rows
        let widths = header.indices.map { i in all.map { i < $0.count ? $0[i].count : 0 }.max() ?? 0 }
        return all.enumerated().map { (n, row) in
            let line = row.enumerated().map { i, cell in i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
            return n == 0 ? line + "\n" + widths.map { String(repeating: "─", count: $0) }.joined(separator: "  ") : line
        }.joined(separator: "\n")
    }
}

import Foundation
