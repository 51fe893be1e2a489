/// A compressed sparse row matrix of doubles (rows = documents, columns = terms).
public struct SparseMatrix: Sendable, Equatable {
    /// Number of rows.
    public let rowCount: Int
    /// Number of columns.
    public let columnCount: Int
    /// Row `r` occupies `rowStart[r]..<rowStart[r + 1]` of `columns` and `values`.
    public var rowStart: [Int]
    /// Column index of each stored value (ascending within a row).
    public var columns: [Int32]
    /// Stored values.
    public var values: [Double]

    /// A matrix from CSR arrays.
    public init(rowCount: Int, columnCount: Int, rowStart: [Int], columns: [Int32], values: [Double]) {
        self.rowCount = rowCount; self.columnCount = columnCount
        self.rowStart = rowStart; self.columns = columns; self.values = values
    }

    /// Row `r` as (column, value) pairs.
    public func row(_ r: Int) -> [(Int, Double)] {
        (rowStart[r]..<rowStart[r + 1]).map { (Int(columns[$0]), values[$0]) }
    }

    /// The euclidean norm of every row.
    public func rowNorms() -> [Double] {
        (0..<rowCount).map { r in
            var s = 0.0
            for p in rowStart[r]..<rowStart[r + 1] { s += values[p] * values[p] }
            return s.squareRoot()
        }
    }

    /// The matrix with every non-zero row scaled to unit euclidean norm.
    public func l2Normalized() -> SparseMatrix {
        var m = self
        let norms = rowNorms()
        for r in 0..<rowCount where norms[r] > 0 {
            for p in rowStart[r]..<rowStart[r + 1] { m.values[p] /= norms[r] }
        }
        return m
    }

    /// The transpose in CSR form (i.e. this matrix in compressed sparse column form): an inverted index.
    public func transposed() -> SparseMatrix {
        var count = [Int](repeating: 0, count: columnCount + 1)
        for c in columns { count[Int(c) + 1] += 1 }
        for i in 0..<columnCount { count[i + 1] += count[i] }
        var next = count
        var cols = [Int32](repeating: 0, count: columns.count)
        var vals = [Double](repeating: 0, count: values.count)
        for r in 0..<rowCount {
            for p in rowStart[r]..<rowStart[r + 1] {
                let c = Int(columns[p])
                let q = next[c]; next[c] += 1
                cols[q] = Int32(r); vals[q] = values[p]
            }
        }
        return SparseMatrix(rowCount: columnCount, columnCount: rowCount, rowStart: count, columns: cols, values: vals)
    }
}
