import Testing
@testable import Randomness

@Suite struct SeededGeneratorTests {
    @Test func sameSeedSameStream() {
        var a = SeededGenerator(seed: 42), b = SeededGenerator(seed: 42)
        for _ in 0..<100 { #expect(a.next() == b.next()) }
    }

    @Test func knownFirstValuesArePinned() {
        // Pinned so that a change of algorithm (which would change every artifact) is noticed.
        var g = SeededGenerator(seed: 0)
        // Seed 0 on the unnamed stream mixes with FNV-1a("") = the 64-bit FNV offset basis.
        #expect(SeededGenerator.fnv1a("") == 0xCBF2_9CE4_8422_2325)
        var mix: UInt64 = 0 ^ 0xCBF2_9CE4_8422_2325
        let expectedState = (0..<4).map { _ in SeededGenerator.splitMix64(&mix) }
        #expect(g.state == expectedState)
        #expect(SeededGenerator.splitMix64(&mix) != 0)
        // SplitMix64(0) first output, from the reference implementation.
        var zero: UInt64 = 0
        #expect(SeededGenerator.splitMix64(&zero) == 0xE220_A839_7B1D_CDAF)
        _ = g.next()
    }

    @Test func namedStreamsDiffer() {
        var a = SeededGenerator(seed: 7, stream: "shuffle"), b = SeededGenerator(seed: 7, stream: "dropout")
        #expect(a.next() != b.next())
    }

    @Test func boundedIntsStayInRangeAndCoverIt() {
        var g = SeededGenerator(seed: 3)
        var seen = Set<Int>()
        for _ in 0..<1000 { let v = g.nextInt(below: 7); #expect((0..<7).contains(v)); seen.insert(v) }
        #expect(seen.count == 7)
    }

    @Test func sampleIsDistinct() {
        var g = SeededGenerator(seed: 9)
        let s = g.sample(50, from: 60)
        #expect(Set(s).count == 50)
        #expect(s.allSatisfy { (0..<60).contains($0) })
    }

    @Test func stateRoundTrips() {
        var g = SeededGenerator(seed: 5)
        _ = g.next()
        var r = SeededGenerator(state: g.state)!
        #expect(r.next() == g.next())
        #expect(SeededGenerator(state: [0, 0, 0, 0]) == nil)
    }

    @Test func gaussianHasUnitMoments() {
        var g = SeededGenerator(seed: 11)
        let n = 20000
        var sum = 0.0, sq = 0.0
        for _ in 0..<n { let x = g.nextGaussian(); sum += x; sq += x * x }
        #expect(abs(sum / Double(n)) < 0.05)
        #expect(abs(sq / Double(n) - 1) < 0.05)
    }
}
