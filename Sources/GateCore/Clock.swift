import Foundation

/// Wall clock in UTC milliseconds; injected so alert rules and health logic
/// can be tested with a fake clock.
public protocol Clock: Sendable {
    func nowMs() -> Int64
}

public struct SystemClock: Clock {
    public init() {}
    public func nowMs() -> Int64 { currentTimeMs() }
}

/// The wall clock now, in UTC milliseconds (the one conversion; `Date.ms` for any date).
public func currentTimeMs() -> Int64 { Date().ms }

extension Date {
    public init(ms: Int64) { self.init(timeIntervalSince1970: Double(ms) / 1000) }
    /// UTC milliseconds, rounded.
    public var ms: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}

/// Where a site is when its file does not say: Vietnam (the one default zone).
public let defaultSiteTimeZone = "Asia/Ho_Chi_Minh"

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

/// Notices when the whole process stood still (SIGSTOP, a suspended machine, a wall clock
/// stepped forward): a periodic tick that comes far later than its period. Every feed then
/// looks silent at once, which is not a camera outage: callers restart their freshness
/// clocks instead of alerting.
public struct PauseDetector: Sendable {
    /// A gap longer than this between two ticks is a pause.
    public let thresholdMs: Int64
    private var lastMs: Int64?

    /// `periodSeconds`: how often `tick` is called. A pause is a gap of `factor` periods,
    /// and at least `minimumSeconds` (a loaded machine makes ticks a little late).
    public init(periodSeconds: Double, factor: Double = 5, minimumSeconds: Double = 5) {
        let seconds = max(periodSeconds * factor, minimumSeconds)
        thresholdMs = Int64(min(max(seconds, 0.001), 1e9) * 1000)
    }

    /// Call once per tick; returns the gap in milliseconds when the process was paused.
    public mutating func tick(nowMs: Int64) -> Int64? {
        defer { lastMs = nowMs }
        guard let last = lastMs else { return nil }
        let gap = nowMs &- last
        return gap > thresholdMs ? gap : nil
    }
}
