/// Unaligned 4-, 8- and 16-lane float loads and stores, shared by the engine's vectorised kernels.
enum Lanes {
    /// Loads 4 floats from any address.
    @inline(__always)
    static func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self) }

    /// Sixteen lanes from 16 / `per` runs of `per` (16, 8 or 4) consecutive floats, the runs `step` floats apart.
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>, per: Int, step: Int) -> SIMD16<Float> {
        if per == 16 { return load16(p) }
        if per == 8 { return SIMD16(lowHalf: load8(p), highHalf: load8(p + step)) }
        return SIMD16(lowHalf: SIMD8(lowHalf: load4(p), highHalf: load4(p + step)),
                      highHalf: SIMD8(lowHalf: load4(p + 2 * step), highHalf: load4(p + 3 * step)))
    }

    /// Loads 8 floats from any address.
    @inline(__always)
    static func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self) }

    /// Loads 16 floats from any address.
    @inline(__always)
    static func load16(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }

    /// Stores 4 floats at any address.
    @inline(__always)
    static func store4(_ v: SIMD4<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD4<Float>.self)
    }

    /// Stores 8 floats at any address.
    @inline(__always)
    static func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
    }

    /// Copies `count` floats in 16-, 8- and 4-lane pieces, reading and writing nothing past either end: the short rows
    /// of small planes without a `memmove` call each.
    @inline(__always)
    static func copy(_ src: UnsafePointer<Float>, to dst: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i &+ 16 <= count { store16(load16(src + i), dst + i); i &+= 16 }
        if i &+ 8 <= count { store8(load8(src + i), dst + i); i &+= 8 }
        if i &+ 4 <= count { store4(load4(src + i), dst + i); i &+= 4 }
        while i < count { dst[i] = src[i]; i &+= 1 }
    }

    /// Zeroes `count` floats at `at` — a few floats, as one 16-lane store when `room` (floats writable from `at`,
    /// whose extra ones the caller overwrites later or wants zero) allows, instead of a `memset` call.
    @inline(__always)
    static func zero(_ at: UnsafeMutablePointer<Float>, count: Int, room: Int) {
        if count > 16 || room < 16 { at.update(repeating: 0, count: count) } else if count > 0 { store16(.zero, at) }
    }

    /// Stores 16 floats at any address.
    @inline(__always)
    static func store16(_ v: SIMD16<Float>, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD16<Float>.self)
    }
}
