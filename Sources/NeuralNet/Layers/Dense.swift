/// Fully connected layer on `[N, in]` features, torchvision `Linear` layout (`weight` [out, in], `bias` [out]).
public final class Dense: Layer {
    /// Weight [out, in] and bias [out].
    public let weight: Parameter, bias: Parameter
    let inFeatures: Int, outFeatures: Int
    private var input = Tensor(zeros: [0])

    /// A dense layer named `name`.
    public init(_ name: String, _ inFeatures: Int, _ outFeatures: Int) {
        self.inFeatures = inFeatures; self.outFeatures = outFeatures
        weight = Parameter(name + ".weight", [outFeatures, inFeatures])
        bias = Parameter(name + ".bias", [outFeatures])
    }

    public var parameters: [Parameter] { [weight, bias] }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        input = x
        let n = x.shape[0]
        var y = [Float](repeating: 0, count: n * outFeatures)
        y.withUnsafeMutableBufferPointer { yp in
            for b in 0..<n { yp.baseAddress!.advanced(by: b * outFeatures).update(from: bias.value, count: outFeatures) }
            x.data.withUnsafeBufferPointer { xp in weight.value.withUnsafeBufferPointer { wp in
                BLAS.gemm(transB: true, m: n, n: outFeatures, k: inFeatures, a: xp.baseAddress!, lda: inFeatures,
                          b: wp.baseAddress!, ldb: inFeatures, beta: 1, c: yp.baseAddress!, ldc: outFeatures)
            }}
        }
        return Tensor(unchecked: [n, outFeatures], y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        let n = input.shape[0]
        var dx = [Float](repeating: 0, count: n * inFeatures)
        grad.data.withUnsafeBufferPointer { gp in
            for b in 0..<n { for o in 0..<outFeatures { bias.grad[o] += gp[b * outFeatures + o] } }
            input.data.withUnsafeBufferPointer { xp in weight.grad.withUnsafeMutableBufferPointer { dwp in
                BLAS.gemm(transA: true, m: outFeatures, n: inFeatures, k: n, a: gp.baseAddress!, lda: outFeatures,
                          b: xp.baseAddress!, ldb: inFeatures, beta: 1, c: dwp.baseAddress!, ldc: inFeatures)
            }}
            weight.value.withUnsafeBufferPointer { wp in dx.withUnsafeMutableBufferPointer { dp in
                BLAS.gemm(m: n, n: inFeatures, k: outFeatures, a: gp.baseAddress!, lda: outFeatures,
                          b: wp.baseAddress!, ldb: inFeatures, beta: 0, c: dp.baseAddress!, ldc: inFeatures)
            }}
        }
        return Tensor(unchecked: input.shape, dx)
    }
}
