/// How full the site is, against the alert thresholds (the one rule: `CapacityLevel`).
public typealias OccupancyLevel = CapacityLevel

/// Site occupancy kept from crossings: the day's ins minus outs, shown never below zero.
/// The same rule as the store's `TodayCounts.occupancy` (max(0, ins − outs) since the site's
/// midnight), so the alert engine, `status` and the console agree; the signed `net` is kept,
/// so exits before any entry (people inside before counting started, a missed entry) are
/// owed back by later entries exactly as the store counts them.
public struct Occupancy: Equatable, Sendable, Codable {
    public let capacity: Int
    public let warningShare: Double
    public let criticalShare: Double
    /// Ins minus outs (with the starting value); may be negative.
    public private(set) var net: Int
    public private(set) var ins: Int = 0
    public private(set) var outs: Int = 0
    public var count: Int { max(0, net) }
    /// Exits beyond the entries so far.
    public var absorbedOuts: Int { max(0, -net) }

    /// `initial` is the signed net to start from (the store's ins − outs for today).
    public init(capacity: Int, warningShare: Double = 0.8, criticalShare: Double = 1.0, initial: Int = 0) {
        self.capacity = capacity; self.warningShare = warningShare; self.criticalShare = criticalShare
        net = initial
    }
    public init(capacity: Int, alerts: AlertSettings, initial: Int = 0) {
        self.init(capacity: capacity, warningShare: alerts.capacityWarning, criticalShare: alerts.capacityCritical,
                  initial: initial)
    }

    public mutating func record(_ direction: Direction, count n: Int = 1) {
        guard n > 0 else { return }
        switch direction {
        case .in: ins += n; net += n
        case .out: outs += n; net -= n
        }
    }
    public mutating func record(_ events: [CrossingEvent]) { for e in events { record(e.direction) } }

    /// Set from an outside source: the store's signed net at a restart or a new day.
    public mutating func reset(to value: Int) { net = value }

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
