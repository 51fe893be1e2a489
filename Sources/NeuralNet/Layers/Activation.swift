/// Element-wise ReLU or ReLU6 (clipped at 6, as MobileNetV2 uses).
public final class Activation: Layer {
    /// Which function.
    public enum Kind: Sendable { case relu, relu6 }
    let kind: Kind
    private var output: [Float] = []

    /// An activation of `kind`.
    public init(_ kind: Kind = .relu) { self.kind = kind }

    public var parameters: [Parameter] { [] }

    /// The upper clip (∞ for ReLU).
    var cap: Float { kind == .relu6 ? 6 : .infinity }

    /// Records `y` as this layer's output when a preceding layer applied the function in its own pass.
    func remember(_ y: [Float]) { output = y }

    public func forward(_ x: Tensor, training: Bool) -> Tensor {
        var y = Buffers.uninitialized(x.count)
        let cap: Float = kind == .relu6 ? 6 : .infinity
        x.data.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
            let (src, dst) = (xp.baseAddress!, yp.baseAddress!)
            Parallel.forEachRange(xp.count) { r in Activation.clamp(src, dst, r, cap) }
        }}
        output = y
        return Tensor(unchecked: x.shape, y)
    }

    public func backward(_ grad: Tensor) -> Tensor {
        precondition(output.count == grad.count, "Activation.backward needs the output of a training forward")
        var dx = Buffers.uninitialized(grad.count)
        let cap: Float = kind == .relu6 ? 6 : .infinity
        grad.data.withUnsafeBufferPointer { gp in output.withUnsafeBufferPointer { yp in dx.withUnsafeMutableBufferPointer { dp in
            let (g, y, d) = (gp.baseAddress!, yp.baseAddress!, dp.baseAddress!)
            Parallel.forEachRange(gp.count) { r in Activation.mask(g, y, d, r, cap) }
        }}}
        return Tensor(unchecked: grad.shape, dx)
    }

    /// v clipped to [0, cap] lane by lane; compare-and-replace rather than `clamped`, which would turn NaN into 0
    /// and hide a diverging loss.
    @inline(__always)
    static func clip(_ v: SIMD16<Float>, _ cap: Float) -> SIMD16<Float> {
        let lo = SIMD16<Float>(repeating: 0), hi = SIMD16<Float>(repeating: cap)
        return v.replacing(with: lo, where: v .< lo).replacing(with: hi, where: v .> hi)
    }

    /// dst[i] = src[i]·scale + shift, clipped to [0, cap] when `cap` is given, sixteen lanes at a time.
    static func affine(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, count: Int,
                       scale: Float, shift: Float, cap: Float?) {
        var i = 0
        let s = SIMD16<Float>(repeating: scale), b = SIMD16<Float>(repeating: shift)
        if let cap {
            while i + 16 <= count {
                let v = Lanes.load16(src + i) * s + b
                Lanes.store16(clip(v, cap), dst + i)
                i += 16
            }
            while i < count { dst[i] = min(max(src[i] * scale + shift, 0), cap); i += 1 }
        } else {
            while i + 16 <= count {
                let v = Lanes.load16(src + i) * s + b
                Lanes.store16(v, dst + i)
                i += 16
            }
            while i < count { dst[i] = src[i] * scale + shift; i += 1 }
        }
    }

    /// dst[i] += src[i] over `r`, clipped to [0, cap] when `cap` is given (a residual sum and the ReLU after it).
    static func add(_ src: UnsafePointer<Float>, into dst: UnsafeMutablePointer<Float>, _ r: Range<Int>, cap: Float?) {
        // In blocks of 4,096, clipped while each block is still in cache.
        for start in Swift.stride(from: r.lowerBound, to: r.upperBound, by: 4096) {
            let end = min(r.upperBound, start + 4096)
            var i = start
            while i + 16 <= end {
                let v = Lanes.load16(src + i)
                    + Lanes.load16(dst + i)
                Lanes.store16(v, dst + i)
                i += 16
            }
            while i < end { dst[i] += src[i]; i += 1 }
            if let cap { clamp(UnsafePointer(dst), dst, start..<end, cap) }
        }
    }

    /// dst[i] = min(max(src[i], 0), cap) over `r`, sixteen lanes at a time.
    static func clamp(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ r: Range<Int>, _ cap: Float) {
        var i = r.lowerBound
        while i + 16 <= r.upperBound {
            let v = Lanes.load16(src + i)
            Lanes.store16(clip(v, cap), dst + i)
            i += 16
        }
        while i < r.upperBound { dst[i] = min(max(src[i], 0), cap); i += 1 }
    }

    /// d[i] = g[i] where 0 < y[i] < cap, else 0, over `r`, sixteen lanes at a time.
    static func mask(_ g: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>,
                     _ r: Range<Int>, _ cap: Float) {
        var i = r.lowerBound
        let zero = SIMD16<Float>(repeating: 0), hi = SIMD16<Float>(repeating: cap)
        while i + 16 <= r.upperBound {
            let yv = Lanes.load16(y + i)
            let gv = Lanes.load16(g + i)
            let keep = (yv .> zero) .& (yv .< hi)
            Lanes.store16(zero.replacing(with: gv, where: keep), d + i)
            i += 16
        }
        while i < r.upperBound { d[i] = y[i] > 0 && y[i] < cap ? g[i] : 0; i += 1 }
    }
}
