/// A dense float tensor: a shape and its values in one contiguous row-major buffer.
///
/// Layout convention inside the engine: image activations are **CNHW** (channel, batch, row,
/// column), so every convolution over a whole batch is one GEMM `W[Cout, Cin·kh·kw] × col[K, N·Ho·Wo]`
/// whose result is already CNHW, 1×1 convolutions need no copy at all, and per-channel work
/// (batch norm, depthwise convolution) runs over one contiguous block. Feature matrices
/// (dense layers, logits) are **[N, F]**. Weights keep torchvision's layouts.
public struct Tensor: Sendable, Equatable {
    /// Extent of each dimension.
    public var shape: [Int]
    /// Values, row-major over `shape`.
    public var data: [Float]

    /// A tensor whose `data.count` must equal the product of `shape`.
    public init(shape: [Int], data: [Float]) throws {
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == data.count else {
            throw NeuralNetError.shapeMismatch(what: "tensor", expected: shape, got: [data.count])
        }
        self.shape = shape; self.data = data
    }

    /// Internal unchecked initialiser for engine code that computed `data` for `shape`.
    init(unchecked shape: [Int], _ data: [Float]) { self.shape = shape; self.data = data }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    /// Number of elements.
    public var count: Int { data.count }
}

/// A named learnable weight or persistent buffer (batch-norm running statistics), with its gradient.
public final class Parameter {
    /// torchvision-style name, e.g. `features.0.0.weight`.
    public let name: String
    /// torchvision shape, e.g. `[32, 3, 3, 3]`.
    public let shape: [Int]
    /// Values.
    public var value: [Float] { didSet { version &+= 1 } }   // no `oldValue`: mutated in place (SE-0268)
    /// Incremented by every change of `value` (lets layers cache what they derive from it).
    public private(set) var version = 0
    /// Accumulated gradient (empty for buffers).
    public var grad: [Float]
    /// Whether the optimiser updates it (false for running statistics and frozen weights).
    public var trainable: Bool
    /// Whether it is stored as int64 in checkpoints (`num_batches_tracked`).
    public let isInteger: Bool
    /// Whether it is a persistent buffer (running statistics) rather than a learnable weight.
    public let isBuffer: Bool

    /// A parameter filled with `value` (or zeros when nil).
    init(_ name: String, _ shape: [Int], value: [Float]? = nil, buffer: Bool = false, isInteger: Bool = false) {
        let trainable = !buffer
        self.name = name; self.shape = shape
        let n = shape.reduce(1, *)
        self.value = value ?? [Float](repeating: 0, count: n)
        self.grad = trainable ? [Float](repeating: 0, count: n) : []
        self.trainable = trainable; self.isInteger = isInteger; self.isBuffer = buffer
    }

    /// Number of elements.
    public var count: Int { value.count }

    /// Sets the gradient to zero.
    public func zeroGrad() {
        if grad.count != value.count { grad = [Float](repeating: 0, count: value.count); return }
        grad.withUnsafeMutableBufferPointer { g in
            guard let base = g.baseAddress else { return }
            Parallel.forEachRange(g.count) { r in (base + r.lowerBound).update(repeating: 0, count: r.count) }
        }
    }
}
