import Foundation

/// Wall clock in UTC milliseconds; injected so alert rules and health logic
/// can be tested with a fake clock.
public protocol Clock: Sendable {
    func nowMs() -> Int64
}

public struct SystemClock: Clock {
    public init() {}
    public func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}

/// A clock tests move by hand.
public final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64
    public init(startMs: Int64 = 1_700_000_000_000) { now = startMs }
    public func nowMs() -> Int64 { lock.lock(); defer { lock.unlock() }; return now }
    public func advance(ms: Int64) { lock.lock(); now += ms; lock.unlock() }
    public func advance(seconds: Double) { advance(ms: Int64(seconds * 1000)) }
    public func set(ms: Int64) { lock.lock(); now = ms; lock.unlock() }
}
