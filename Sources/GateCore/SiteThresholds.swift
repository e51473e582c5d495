import Foundation

// The one set of rules every reader of a site applies (runner, alert engine, console,
// `status`, `check`): when a feed counts as live, stale or offline, when the runner
// counts as not responding, and which capacity level an occupancy is at. The numbers
// come from the site (config, stored with the site row), so every reader of the same
// database decides the same thing from the same numbers.

/// The site's numbers behind those rules.
public struct SiteThresholds: Equatable, Sendable, Codable {
    /// Occupancy share of capacity at which the level is warning…
    public var capacityWarning: Double
    /// …and critical.
    public var capacityCritical: Double
    /// No frame for longer than this: the feed is stale.
    public var staleSeconds: Double
    /// No frame for this long: the feed is offline (the offline alert uses the same figure).
    public var offlineSeconds: Double
    /// No pipeline heartbeat for longer than this: the runner is not responding. The
    /// runner beats about once a second, so a few seconds mean it is killed, paused or hung.
    public var heartbeatSeconds: Double

    public static let defaultStaleSeconds: Double = 3
    public static let defaultHeartbeatSeconds: Double = 5

    public init(capacityWarning: Double = AlertSettings().capacityWarning,
                capacityCritical: Double = AlertSettings().capacityCritical,
                staleSeconds: Double = SiteThresholds.defaultStaleSeconds,
                offlineSeconds: Double = AlertSettings().offlineSeconds,
                heartbeatSeconds: Double = SiteThresholds.defaultHeartbeatSeconds) {
        self.capacityWarning = capacityWarning; self.capacityCritical = capacityCritical
        self.staleSeconds = staleSeconds; self.offlineSeconds = offlineSeconds; self.heartbeatSeconds = heartbeatSeconds
    }

    /// The thresholds of a configured site.
    public init(alerts: AlertSettings, staleSeconds: Double = SiteThresholds.defaultStaleSeconds) {
        self.init(capacityWarning: alerts.capacityWarning, capacityCritical: alerts.capacityCritical,
                  staleSeconds: staleSeconds, offlineSeconds: alerts.offlineSeconds)
    }
}

// MARK: - Capacity

/// How full the site is, as every screen and check shows it.
public enum CapacityLevel: String, Sendable, Codable, Comparable, CaseIterable {
    case normal, warning, critical

    private var rank: Int { self == .normal ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: CapacityLevel, b: CapacityLevel) -> Bool { a.rank < b.rank }

    /// The level of `occupancy` out of `capacity` (none without a capacity). `holding` is
    /// the level already in force: it stays until the share falls `clearMargin` below its
    /// threshold, so a count wandering around a threshold does not flap.
    public static func decide(occupancy: Int, capacity: Int, warning: Double, critical: Double,
                              holding: CapacityLevel = .normal, clearMargin: Double = 0) -> CapacityLevel {
        guard capacity > 0 else { return .normal }
        let share = Double(occupancy) / Double(capacity)
        if share >= critical || (holding == .critical && share >= critical - clearMargin) { return .critical }
        if share >= warning || (holding >= .warning && share >= warning - clearMargin) { return .warning }
        return .normal
    }

    public static func decide(occupancy: Int, capacity: Int, thresholds t: SiteThresholds,
                              holding: CapacityLevel = .normal, clearMargin: Double = 0) -> CapacityLevel {
        decide(occupancy: occupancy, capacity: capacity, warning: t.capacityWarning, critical: t.capacityCritical,
               holding: holding, clearMargin: clearMargin)
    }

    /// What a reader shows: the level of the numbers, never below the capacity alert
    /// still open (the alert clears only after its hold, and the desk must not see a
    /// green gauge beside an open capacity alert).
    public static func shown(occupancy: Int, capacity: Int, thresholds t: SiteThresholds,
                             openAlert: AlertSeverity?) -> CapacityLevel {
        let alert: CapacityLevel = openAlert == .critical ? .critical : openAlert == .warning ? .warning : .normal
        return max(decide(occupancy: occupancy, capacity: capacity, thresholds: t, holding: alert,
                          clearMargin: AlertTuning().capacityClearMargin), alert)
    }

    /// The alert severity of a level (nil: no alert).
    public var severity: AlertSeverity? { self == .critical ? .critical : self == .warning ? .warning : nil }
}

// MARK: - Runner and feed freshness

/// Whether the runner that writes a database is alive, from its stored heartbeat.
public enum PipelineLiveness: String, Sendable, CaseIterable {
    /// No runner ever wrote this database.
    case never
    /// The runner stopped cleanly.
    case stopped
    /// The runner says it is running, but its heartbeat is too old: killed, paused or hung.
    case notResponding = "not_responding"
    case running

    /// `state` and `heartbeatMs` are the stored pipeline row (nil: none).
    public static func decide(state: String?, heartbeatMs: Int64?, nowMs: Int64,
                              thresholds: SiteThresholds) -> PipelineLiveness {
        guard let state, let heartbeatMs else { return .never }
        guard state == "running" else { return .stopped }
        return Double(nowMs - heartbeatMs) / 1000 > thresholds.heartbeatSeconds ? .notResponding : .running
    }

    public var isResponding: Bool { self == .running }
}

extension FeedState {
    /// The one freshness rule: a feed whose newest frame is `seconds` old.
    public static func fresh(frameAgeSeconds seconds: Double, thresholds: SiteThresholds) -> FeedState {
        if seconds >= thresholds.offlineSeconds { return .offline }
        if seconds > thresholds.staleSeconds { return .stale }
        return .live
    }

    /// What a reader of the database should believe about a feed: the state the runner
    /// stored, as fresh as the runner behind it. A killed or paused runner cannot vouch
    /// for any camera (`unknown`); a stopped one shows its feeds `stopped`; a live or stale
    /// row is re-aged from its last frame with the same rule the runner uses.
    public static func observed(stored: String?, lastFrameMs: Int64?, pipeline: PipelineLiveness,
                                nowMs: Int64, thresholds: SiteThresholds) -> FeedState {
        let state = stored.flatMap(FeedState.init(rawValue:))
        switch pipeline {
        case .never, .stopped: return state == .ended ? .ended : .stopped
        case .notResponding: return state == .ended ? .ended : .unknown
        case .running: break
        }
        guard let state else { return stored == nil ? .starting : .unknown }
        guard state == .live || state == .stale, let last = lastFrameMs else { return state }
        return fresh(frameAgeSeconds: Double(nowMs - last) / 1000, thresholds: thresholds)
    }
}
