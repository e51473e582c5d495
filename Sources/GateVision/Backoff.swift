import Foundation

/// Reconnect delays: exponential from `base` to `cap` seconds with ± `jitter` share,
/// so many cameras that drop together do not all retry in the same instant.
public struct Backoff: Sendable {
    public let base: Double
    public let cap: Double
    public let jitter: Double
    /// Failures since the last success.
    public private(set) var attempt = 0
    private let random: @Sendable () -> Double

    /// `random` returns a value in 0..<1; tests inject a fixed one.
    public init(base: Double = 1, cap: Double = 30, jitter: Double = 0.2,
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.base = base; self.cap = max(cap, base); self.jitter = min(max(jitter, 0), 1); self.random = random
    }

    /// The delay before the next attempt, in seconds; each call doubles the underlying step.
    public mutating func next() -> Double {
        let step = min(cap, base * pow(2, Double(min(attempt, 30))))
        attempt += 1
        let factor = 1 - jitter + 2 * jitter * random()
        return min(cap, max(base, step * factor))
    }

    /// Call after a successful (re)connection.
    public mutating func reset() { attempt = 0 }
}
