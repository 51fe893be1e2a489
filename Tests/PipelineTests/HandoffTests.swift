import Foundation
import Pipeline
import Testing

/// Handoff between two real threads: order, the end of the stream, and a giver's failure.
@Suite struct HandoffTests {
    struct Broke: Error, Equatable {}

    /// Takes values until the stream ends, collecting them and the error it ended with.
    static func drain(_ h: Handoff<Int>) -> ([Int], (any Error)?) {
        var got: [Int] = []
        do { while let v = try h.take() { got.append(v) } } catch { return (got, error) }
        return (got, nil)
    }

    @Test func valuesArriveInOrderAndThenTheEnd() {
        let h = Handoff<Int>()
        let giver = Thread { for i in 0..<10_000 { h.give(i) }; h.close() }
        giver.start()
        let (got, error) = Self.drain(h)
        #expect(got == Array(0..<10_000) && error == nil)
        #expect((try? h.take()) == .some(nil), "a closed, drained handoff keeps saying it ended")
    }

    @Test func aGiversFailureComesAfterWhatItGaveAndLaterGiftsAreDropped() {
        let h = Handoff<Int>()
        h.give(1); h.give(2); h.close(failing: Broke()); h.give(3); h.close()
        let (got, error) = Self.drain(h)
        #expect(got == [1, 2])
        #expect(error as? Broke == Broke())
    }

    @Test func aWaitingTakerWakesWhenTheStreamCloses() {
        let h = Handoff<Int>(), woke = DispatchSemaphore(value: 0)
        let taker = Thread { _ = Self.drain(h); woke.signal() }
        taker.start()
        Thread.sleep(forTimeInterval: 0.05)
        h.close()
        #expect(woke.wait(timeout: .now() + 5) == .success)
    }
}
