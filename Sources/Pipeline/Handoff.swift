import Foundation

/// Values passed in order from one thread to another: the taker blocks while none is waiting; the giver ends
/// the stream with `close`, passing along the error that stopped it, if any.
public final class Handoff<Value>: @unchecked Sendable {
    private let condition = NSCondition()
    private var values: [Value] = []
    private var head = 0
    private var closed = false
    private var failure: (any Error)?

    /// An open, empty handoff.
    public init() {}

    /// Passes `value` on (ignored once closed).
    public func give(_ value: Value) {
        condition.lock(); defer { condition.unlock() }
        guard !closed else { return }
        values.append(value)
        condition.signal()
    }

    /// Ends the stream: the taker gets what was given, then nil — or `failure`, when given.
    public func close(failing failure: (any Error)? = nil) {
        condition.lock(); defer { condition.unlock() }
        guard !closed else { return }
        closed = true; self.failure = failure
        condition.broadcast()
    }

    /// The next value given; nil once the stream is closed and every value taken; throws the giver's failure
    /// after the values given before it.
    public func take() throws -> Value? {
        condition.lock(); defer { condition.unlock() }
        while head == values.count && !closed { condition.wait() }
        if head < values.count {
            let value = values[head]
            head += 1
            if head == values.count { values.removeAll(keepingCapacity: true); head = 0 }
            return value
        }
        if let failure { throw failure }
        return nil
    }
}
