/// A 32-bit word of the compression function, alone (`UInt32`) or one per lane (`SIMD8<UInt32>`), so that one
/// round function serves both.
protocol Blake3Word {
    static func &+ (a: Self, b: Self) -> Self
    static func ^ (a: Self, b: Self) -> Self
    /// The word rotated right by `n` bits.
    func rotatedRight(_ n: UInt32) -> Self
}

extension UInt32: Blake3Word {
    @inline(__always) func rotatedRight(_ n: UInt32) -> UInt32 { (self &>> n) | (self &<< (32 - n)) }
}

extension SIMD8: Blake3Word where Scalar == UInt32 {
    @inline(__always) func rotatedRight(_ n: UInt32) -> SIMD8<UInt32> { (self &>> n) | (self &<< (32 - n)) }
}

extension Blake3 {
    /// The compression function on one block: chaining value `cv`, message `m` (16 words; `length` bytes of it
    /// meaningful, the rest zero), block counter and flags; returns the first half of the output (the next
    /// chaining value, or the hash at the root).
    static func compress(_ cv: SIMD8<UInt32>, words m: UnsafePointer<UInt32>, counter: UInt64, length: Int, flags: UInt32) -> SIMD8<UInt32> {
        let iv = ivWords
        var s: Words16<UInt32> = (cv[0], cv[1], cv[2], cv[3], cv[4], cv[5], cv[6], cv[7], iv[0], iv[1], iv[2], iv[3],
                                  UInt32(truncatingIfNeeded: counter), UInt32(truncatingIfNeeded: counter >> 32), UInt32(length), flags)
        var w: Words16<UInt32> = (m[0], m[1], m[2], m[3], m[4], m[5], m[6], m[7], m[8], m[9], m[10], m[11], m[12], m[13], m[14], m[15])
        rounds(&s, &w)
        return SIMD8(s.0 ^ s.8, s.1 ^ s.9, s.2 ^ s.10, s.3 ^ s.11, s.4 ^ s.12, s.5 ^ s.13, s.6 ^ s.14, s.7 ^ s.15)
    }

    /// `compress` on the 64 bytes at `block`.
    static func compress(_ cv: SIMD8<UInt32>, block: UnsafeRawPointer, counter: UInt64, length: Int, flags: UInt32) -> SIMD8<UInt32> {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for i in 0..<16 { m[i] = UInt32(littleEndian: block.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)) }
            return compress(cv, words: m.baseAddress!, counter: counter, length: length, flags: flags)
        }
    }

    /// The chaining value of a parent node over children `left` and `right`.
    static func compressParent(_ left: SIMD8<UInt32>, _ right: SIMD8<UInt32>, flags: UInt32) -> SIMD8<UInt32> {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 16) { m in
            for i in 0..<8 { m[i] = left[i]; m[8 + i] = right[i] }
            return compress(ivWords, words: m.baseAddress!, counter: 0, length: blockLength, flags: flags)
        }
    }

    /// Writes to `out` the chaining values of the eight whole chunks at `p` (8 KiB), numbered from `counter`:
    /// each chunk in a lane.
    static func hashChunks(_ p: UnsafeRawPointer, counter: UInt64, into out: UnsafeMutablePointer<SIMD8<UInt32>>) {
        let iv = ivWords
        var cv = (SIMD8(repeating: iv[0]), SIMD8(repeating: iv[1]), SIMD8(repeating: iv[2]), SIMD8(repeating: iv[3]),
                  SIMD8(repeating: iv[4]), SIMD8(repeating: iv[5]), SIMD8(repeating: iv[6]), SIMD8(repeating: iv[7]))
        let counters = SIMD8<UInt64>(0, 1, 2, 3, 4, 5, 6, 7) &+ counter
        let low = SIMD8<UInt32>(truncatingIfNeeded: counters), high = SIMD8<UInt32>(truncatingIfNeeded: counters &>> 32)
        let blocks = chunkLength / blockLength
        for b in 0..<blocks {
            let at = b &* blockLength
            @inline(__always) func word(_ k: Int) -> SIMD8<UInt32> {
                @inline(__always) func lane(_ j: Int) -> UInt32 {
                    UInt32(littleEndian: p.loadUnaligned(fromByteOffset: j &* chunkLength &+ at &+ 4 &* k, as: UInt32.self))
                }
                return SIMD8(lane(0), lane(1), lane(2), lane(3), lane(4), lane(5), lane(6), lane(7))
            }
            var m: Words16<SIMD8<UInt32>> = (word(0), word(1), word(2), word(3), word(4), word(5), word(6), word(7),
                                              word(8), word(9), word(10), word(11), word(12), word(13), word(14), word(15))
            let flags = (b == 0 ? chunkStart : 0) | (b == blocks - 1 ? chunkEnd : 0)
            var s: Words16<SIMD8<UInt32>> = (cv.0, cv.1, cv.2, cv.3, cv.4, cv.5, cv.6, cv.7,
                                              SIMD8(repeating: iv[0]), SIMD8(repeating: iv[1]), SIMD8(repeating: iv[2]), SIMD8(repeating: iv[3]),
                                              low, high, SIMD8(repeating: UInt32(blockLength)), SIMD8(repeating: flags))
            rounds(&s, &m)
            cv = (s.0 ^ s.8, s.1 ^ s.9, s.2 ^ s.10, s.3 ^ s.11, s.4 ^ s.12, s.5 ^ s.13, s.6 ^ s.14, s.7 ^ s.15)
        }
        for j in 0..<8 { out[j] = SIMD8(cv.0[j], cv.1[j], cv.2[j], cv.3[j], cv.4[j], cv.5[j], cv.6[j], cv.7[j]) }
    }

    /// Sixteen words: the state, or a message block.
    typealias Words16<W> = (W, W, W, W, W, W, W, W, W, W, W, W, W, W, W, W)

    /// The seven rounds on state `s` with message `m` (permuted in place between rounds). Written out, not
    /// looped, so that state and message stay in registers.
    @inline(__always)
    static func rounds<W: Blake3Word>(_ s: inout Words16<W>, _ m: inout Words16<W>) {
        round(&s, m); permute(&m); round(&s, m); permute(&m); round(&s, m); permute(&m); round(&s, m); permute(&m)
        round(&s, m); permute(&m); round(&s, m); permute(&m); round(&s, m)
    }

    /// One round: the columns, then the diagonals.
    @inline(__always)
    static func round<W: Blake3Word>(_ s: inout Words16<W>, _ m: Words16<W>) {
        g(&s.0, &s.4, &s.8, &s.12, m.0, m.1); g(&s.1, &s.5, &s.9, &s.13, m.2, m.3)
        g(&s.2, &s.6, &s.10, &s.14, m.4, m.5); g(&s.3, &s.7, &s.11, &s.15, m.6, m.7)
        g(&s.0, &s.5, &s.10, &s.15, m.8, m.9); g(&s.1, &s.6, &s.11, &s.12, m.10, m.11)
        g(&s.2, &s.7, &s.8, &s.13, m.12, m.13); g(&s.3, &s.4, &s.9, &s.14, m.14, m.15)
    }

    /// The quarter-round mixing `a b c d` with message words `x`, `y`.
    @inline(__always)
    static func g<W: Blake3Word>(_ a: inout W, _ b: inout W, _ c: inout W, _ d: inout W, _ x: W, _ y: W) {
        a = a &+ b &+ x; d = (d ^ a).rotatedRight(16)
        c = c &+ d; b = (b ^ c).rotatedRight(12)
        a = a &+ b &+ y; d = (d ^ a).rotatedRight(8)
        c = c &+ d; b = (b ^ c).rotatedRight(7)
    }

    /// The message permutation applied between rounds.
    @inline(__always)
    static func permute<W>(_ m: inout Words16<W>) {
        m = (m.2, m.6, m.3, m.10, m.7, m.0, m.4, m.13, m.1, m.11, m.12, m.5, m.9, m.14, m.15, m.8)
    }
}
