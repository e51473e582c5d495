import Foundation

/// Reconnect delays, with ± `jitter` share so many cameras that drop together do not all
/// retry in the same instant. Two phases:
/// - quick: for the first `quickSeconds` of an outage (a camera that was live a moment ago,
///   or one just started) the delay grows from `base` but never past `quickCap`, so a
///   stream that comes back is found within a couple of seconds;
/// - long: a camera gone for longer is probed less and less often, doubling from
///   `quickCap` up to `cap`.
/// The outage's age is the sum of the delays handed out since the last success (pure and
/// testable; time spent in failed open attempts only makes the quick phase last longer).
public struct Backoff: Sendable {
    public let base: Double
    public let cap: Double
    public let jitter: Double
    /// Longest delay in the quick phase.
    public let quickCap: Double
    /// How long an outage stays in the quick phase.
    public let quickSeconds: Double
    /// Failures since the last success.
    public private(set) var attempt = 0
    /// Seconds of delay handed out since the last success.
    public private(set) var outageSeconds: Double = 0
    private var longAttempts = 0
    private let random: @Sendable () -> Double

    /// `random` returns a value in 0..<1; tests inject a fixed one.
    public init(base: Double = 1, cap: Double = 30, jitter: Double = 0.2, quickCap: Double = 2,
                quickSeconds: Double = 180, random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.base = base; self.cap = max(cap, base); self.jitter = min(max(jitter, 0), 1)
        self.quickCap = min(max(quickCap, base), self.cap); self.quickSeconds = max(0, quickSeconds)
        self.random = random
    }

    /// Whether the next delay belongs to the quick phase.
    public var isQuick: Bool { outageSeconds < quickSeconds }

    /// The delay before the next attempt, in seconds.
    public mutating func next() -> Double {
        let step: Double, limit: Double
        if isQuick {
            step = min(quickCap, base * pow(2, Double(min(attempt, 30))))
            limit = quickCap
        } else {
            longAttempts += 1
            step = min(cap, quickCap * pow(2, Double(min(longAttempts, 30))))
            limit = cap
        }
        attempt += 1
        let factor = 1 - jitter + 2 * jitter * random()
        let delay = min(limit, max(base, step * factor))
        outageSeconds += delay
        return delay
    }

    /// Call after a successful (re)connection (a frame arrived).
    public mutating func reset() { attempt = 0; longAttempts = 0; outageSeconds = 0 }
}
