import Foundation

/// How full the site is, against the alert thresholds (the one rule: `CapacityLevel`).
public typealias OccupancyLevel = CapacityLevel

/// Crossings per gate and feed, and the one rule for a gate with several cameras. Cameras of
/// one gate watch the same people (the disagreement alert compares them), so a gate counts as
/// its busiest feed in each direction, never the sum; lines of one feed add up. Sites whose
/// cameras cover different lanes configure each lane as its own gate. Used by the store's
/// reports and by the in-memory occupancy alike.
public struct GateFeedCounts: Equatable, Sendable {
    private var feeds: [String: [String: InOut]] = [:]
    public struct InOut: Equatable, Sendable { public var ins = 0, outs = 0 }

    public init() {}

    public mutating func add(gate: String, feed: String, ins: Int, outs: Int) {
        feeds[gate, default: [:]][feed, default: InOut()].ins += ins
        feeds[gate, default: [:]][feed, default: InOut()].outs += outs
    }
    public mutating func add(_ e: CrossingEvent) {
        add(gate: e.gateId, feed: e.feedId, ins: e.direction == .in ? 1 : 0, outs: e.direction == .out ? 1 : 0)
    }

    /// Gate id → (ins, outs) of its busiest feed in each direction.
    public func totals() -> [String: (Int, Int)] {
        feeds.mapValues { byFeed in
            (byFeed.values.map(\.ins).max() ?? 0, byFeed.values.map(\.outs).max() ?? 0)
        }
    }
    /// The site's ins and outs: the sum of every gate's busiest feed.
    public var site: (ins: Int, outs: Int) {
        totals().values.reduce((0, 0)) { ($0.0 + $1.0, $0.1 + $1.1) }
    }
}

/// A head count set by hand at the desk (people counters drift): who set it, why, and what
/// the counter said before. Kept for audit; the occupancy counts on from it.
public struct OccupancyCorrection: Equatable, Sendable, Codable {
    public var id: Int64
    public var atMs: Int64
    /// The head count set.
    public var count: Int
    /// What the occupancy was just before.
    public var previous: Int
    public var by: String
    public var note: String
    public init(id: Int64, atMs: Int64, count: Int, previous: Int, by: String, note: String) {
        self.id = id; self.atMs = atMs; self.count = count; self.previous = previous; self.by = by; self.note = note
    }

    /// Longest name and note kept (the rest is cut, with a clear error at input).
    public static let maxNameLength = 64
    public static let maxNoteLength = 500
}

/// When the occupancy starts again from zero: once a day, at a site-local time (midnight
/// unless `occupancy_reset` says otherwise; a night market that closes at 02:00 resets
/// after it). Between resets the last correction, if any, is the starting point.
public struct OccupancyReset: Equatable, Sendable {
    /// Minutes after site-local midnight, 0..<1440.
    public var minuteOfDay: Int
    public init(minuteOfDay: Int = 0) { self.minuteOfDay = ((minuteOfDay % 1440) + 1440) % 1440 }
    public static let midnight = OccupancyReset()

    /// The last reset at or before `nowMs`, in the site's zone (daylight-saving safe).
    public func periodStart(nowMs: Int64, timeZone: TimeZone) -> Int64 {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = timeZone
        let now = Date(ms: nowMs)
        let midnight = cal.startOfDay(for: now)
        let today = cal.date(byAdding: .minute, value: minuteOfDay, to: midnight) ?? midnight
        if today <= now { return today.ms }
        let yesterday = cal.date(byAdding: .day, value: -1, to: today) ?? today
        return yesterday.ms
    }

    /// "HH:MM".
    public var text: String { String(format: "%02d:%02d", minuteOfDay / 60, minuteOfDay % 60) }
}

/// Where the current occupancy counts from: the day's reset (from zero) or the last
/// correction since (from its head count).
public struct OccupancyAnchor: Equatable, Sendable, Codable {
    public var atMs: Int64
    public var base: Int
    public var correction: OccupancyCorrection?
    public init(atMs: Int64, base: Int = 0, correction: OccupancyCorrection? = nil) {
        self.atMs = atMs; self.base = base; self.correction = correction
    }
    public static func after(reset periodStartMs: Int64, correction: OccupancyCorrection?) -> OccupancyAnchor {
        if let c = correction, c.atMs >= periodStartMs { return OccupancyAnchor(atMs: c.atMs, base: c.count, correction: c) }
        return OccupancyAnchor(atMs: periodStartMs)
    }
}

/// Site occupancy: the anchor's head count plus the ins minus the outs since it (each gate as
/// its busiest camera), shown never below zero. The store computes its figure with this same
/// type from the same crossings, so the alert engine, `status` and the console agree; the
/// signed `net` is kept, so exits before any entry (people inside before counting started, a
/// missed entry) are owed back by later entries exactly as the store counts them.
public struct Occupancy: Equatable, Sendable {
    public let capacity: Int
    public let warningShare: Double
    public let criticalShare: Double
    public private(set) var anchor: OccupancyAnchor
    public private(set) var counts: GateFeedCounts

    public init(capacity: Int, warningShare: Double = 0.8, criticalShare: Double = 1.0,
                anchor: OccupancyAnchor = OccupancyAnchor(atMs: 0), counts: GateFeedCounts = GateFeedCounts()) {
        self.capacity = capacity; self.warningShare = warningShare; self.criticalShare = criticalShare
        self.anchor = anchor; self.counts = counts
    }
    public init(capacity: Int, alerts: AlertSettings, anchor: OccupancyAnchor = OccupancyAnchor(atMs: 0),
                counts: GateFeedCounts = GateFeedCounts()) {
        self.init(capacity: capacity, warningShare: alerts.capacityWarning, criticalShare: alerts.capacityCritical,
                  anchor: anchor, counts: counts)
    }

    public var ins: Int { counts.site.ins }
    public var outs: Int { counts.site.outs }
    /// The anchor's head count plus ins minus outs since it; may be negative.
    public var net: Int { let s = counts.site; return anchor.base + s.ins - s.outs }
    public var count: Int { max(0, net) }
    /// Exits beyond the entries so far.
    public var absorbedOuts: Int { max(0, -net) }

    public mutating func record(_ event: CrossingEvent) { counts.add(event) }
    public mutating func record(_ events: [CrossingEvent]) { for e in events { record(e) } }

    /// Starts again from the record: at start, a new period, or a correction.
    public mutating func restart(anchor: OccupancyAnchor, counts: GateFeedCounts) {
        self.anchor = anchor; self.counts = counts
    }

    /// Occupancy as a share of capacity (0 when capacity is not positive).
    public var share: Double { capacity > 0 ? Double(count) / Double(capacity) : 0 }
    public var level: OccupancyLevel {
        CapacityLevel.decide(occupancy: count, capacity: capacity, warning: warningShare, critical: criticalShare)
    }
    public static func level(count: Int, capacity: Int, alerts: AlertSettings) -> OccupancyLevel {
        CapacityLevel.decide(occupancy: count, capacity: capacity, warning: alerts.capacityWarning,
                             critical: alerts.capacityCritical)
    }
}
