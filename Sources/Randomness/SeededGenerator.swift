/// A deterministic random generator (xoshiro256**, seeded through SplitMix64) that gives the
/// same stream on every machine and Swift version, unlike the system generator.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The four words of xoshiro256** state; exposed so a checkpoint can save and restore it.
    public private(set) var state: [UInt64]

    /// A generator for `seed`, optionally on a named independent stream (e.g. "shuffle", "dropout").
    public init(seed: UInt64, stream: String = "") {
        var mix = seed ^ SeededGenerator.fnv1a(stream)
        state = (0..<4).map { _ in SeededGenerator.splitMix64(&mix) }
        if state.allSatisfy({ $0 == 0 }) { state[0] = 1 }
    }

    /// Restores a generator from a saved `state` (four words).
    public init?(state: [UInt64]) {
        guard state.count == 4, !state.allSatisfy({ $0 == 0 }) else { return nil }
        self.state = state
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(state[1] &* 5, 7) &* 9
        let t = state[1] << 17
        state[2] ^= state[0]
        state[3] ^= state[1]
        state[1] ^= state[2]
        state[0] ^= state[3]
        state[2] ^= t
        state[3] = rotl(state[3], 45)
        return result
    }

    /// A uniform integer in `0..<bound` (Lemire's nearly-divisionless method), 0 when bound is 0.
    public mutating func nextInt(below bound: Int) -> Int {
        guard bound > 1 else { return 0 }
        let b = UInt64(bound)
        var m = next().multipliedFullWidth(by: b)
        if m.low < b {
            let threshold = (0 &- b) % b
            while m.low < threshold { m = next().multipliedFullWidth(by: b) }
        }
        return Int(m.high)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A uniform float in [0, 1) with 24 random bits.
    public mutating func nextFloat() -> Float {
        Float(next() >> 40) * 0x1.0p-24
    }

    /// A standard normal sample (Box–Muller, one value per call).
    public mutating func nextGaussian() -> Double {
        var u = nextDouble()
        while u <= .leastNonzeroMagnitude { u = nextDouble() }
        let v = nextDouble()
        return (-2 * _log(u)).squareRoot() * _cos(2 * Double.pi * v)
    }

    /// Shuffles `array` in place with Fisher–Yates, using only this generator's draws.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    /// `count` distinct indices from `0..<population`, in draw order (partial Fisher–Yates).
    public mutating func sample(_ count: Int, from population: Int) -> [Int] {
        var pool = Array(0..<population)
        let k = min(max(count, 0), population)
        for i in 0..<k {
            let j = i + nextInt(below: population - i)
            pool.swapAt(i, j)
        }
        return Array(pool[0..<k])
    }

    /// SplitMix64 step, used to expand a seed into state words.
    static func splitMix64(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64-bit FNV-1a of a stream name, so named streams are independent and stable.
    static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        return h
    }
}

@inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
