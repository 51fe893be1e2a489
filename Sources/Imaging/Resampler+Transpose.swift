/// The 8×8 float transpose the resampler moves between rows and columns with.
extension Resampler {
    /// Writes the transpose of the 8×8 floats at `source` (rows `rowStride` bytes apart) to `target` as eight
    /// contiguous 8-float rows: target row c holds source column c. Done as four 4×4 quadrant transposes, which
    /// the compiler turns into a few 128-bit shuffles each (an 8-wide formulation came out slower).
    @inline(__always)
    static func transpose8x8(_ source: UnsafeRawPointer, rowStride: Int, into target: UnsafeMutableRawPointer) {
        transpose4x4(source, rowStride: rowStride, into: target)
        transpose4x4(source + 16, rowStride: rowStride, into: target + 128)
        transpose4x4(source + 4 &* rowStride, rowStride: rowStride, into: target + 16)
        transpose4x4(source + (4 &* rowStride &+ 16), rowStride: rowStride, into: target + 144)
    }

    /// Writes the transpose of the 4×4 floats at `source` (rows `rowStride` bytes apart) to `target` (rows 32
    /// bytes apart).
    @inline(__always)
    static func transpose4x4(_ source: UnsafeRawPointer, rowStride: Int, into target: UnsafeMutableRawPointer) {
        func row(_ r: Int) -> SIMD4<Float> { source.loadUnaligned(fromByteOffset: r &* rowStride, as: SIMD4<Float>.self) }
        let a = row(0), b = row(1), c = row(2), d = row(3)
        let ab0 = SIMD4(a[0], b[0], a[1], b[1]), ab1 = SIMD4(a[2], b[2], a[3], b[3])
        let cd0 = SIMD4(c[0], d[0], c[1], d[1]), cd1 = SIMD4(c[2], d[2], c[3], d[3])
        func put(_ r: Int, _ v: SIMD4<Float>) { target.storeBytes(of: v, toByteOffset: r &* 32, as: SIMD4<Float>.self) }
        put(0, SIMD4(ab0[0], ab0[1], cd0[0], cd0[1])); put(1, SIMD4(ab0[2], ab0[3], cd0[2], cd0[3]))
        put(2, SIMD4(ab1[0], ab1[1], cd1[0], cd1[1])); put(3, SIMD4(ab1[2], ab1[3], cd1[2], cd1[3]))
    }
}
