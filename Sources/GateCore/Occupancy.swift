/// How full the site is, against the alert thresholds (the one rule: `CapacityLevel`).
public typealias OccupancyLevel = CapacityLevel

/// Site occupancy kept from crossings: ins minus outs, never below zero.
/// Exits that would take it below zero (people already inside when counting
/// started, or a missed entry) are absorbed and counted in `absorbedOuts`.
public struct Occupancy: Equatable, Sendable, Codable {
    public let capacity: Int
    public let warningShare: Double
    public let criticalShare: Double
    public private(set) var count: Int
    public private(set) var ins: Int = 0
    public private(set) var outs: Int = 0
    public private(set) var absorbedOuts: Int = 0

    public init(capacity: Int, warningShare: Double = 0.8, criticalShare: Double = 1.0, initial: Int = 0) {
        self.capacity = capacity; self.warningShare = warningShare; self.criticalShare = criticalShare
        count = max(0, initial)
    }
    public init(capacity: Int, alerts: AlertSettings, initial: Int = 0) {
        self.init(capacity: capacity, warningShare: alerts.capacityWarning, criticalShare: alerts.capacityCritical,
                  initial: initial)
    }

    public mutating func record(_ direction: Direction, count n: Int = 1) {
        guard n > 0 else { return }
        switch direction {
        case .in: ins += n; count += n
        case .out:
            outs += n
            let taken = min(n, count)
            count -= taken
            absorbedOuts += n - taken
        }
    }
    public mutating func record(_ events: [CrossingEvent]) { for e in events { record(e.direction) } }

    /// Set from an outside source (e.g. a manual head count or a restart from the store).
    public mutating func reset(to value: Int) { count = max(0, value) }

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
