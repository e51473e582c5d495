import Foundation
import GRDB
import GateCore

// Results of StoreQueries: plain Sendable values.

public struct SiteRow: Equatable, Sendable, Codable {
    public var name: String
    public var capacity: Int
    public var timeZone: String
    public var openMinute: Int?
    public var closeMinute: Int?
    public var configPath: String?
    public var updatedMs: Int64
    /// Capacity levels and freshness as the runner decides them (defaults for older rows).
    public var thresholds: SiteThresholds = SiteThresholds()
}

public struct GateRow: Equatable, Sendable, Codable {
    public var id: String
    public var name: String
    public var position: Int
    public init(id: String, name: String, position: Int) { self.id = id; self.name = name; self.position = position }
}

public struct FeedRow: Equatable, Sendable, Codable {
    public var id: String
    public var gateId: String
    public var name: String
    public var source: String
    public var expectedFps: Double?
    public var detector: String
    /// `detect_region` as configured (full, auto or x1,y1,x2,y2).
    public var detectRegion: String = "full"
    /// adaptive | fixed
    public var cadence: String = CadenceMode.adaptive.rawValue
}

public struct LineRow: Equatable, Sendable, Codable {
    public var id: String
    public var feedId: String
    public var gateId: String
    public var name: String
    public var x1: Double, y1: Double, x2: Double, y2: Double
    public var insideX: Double, insideY: Double
}

/// In/out of one gate or line over some period.
public struct CountRow: Equatable, Sendable, Codable {
    public var id: String
    public var name: String
    /// The gate of a line; equal to `id` for a gate.
    public var gateId: String
    public var ins: Int
    public var outs: Int
    public var net: Int { ins - outs }
}

/// Counts since site-local midnight.
public struct TodayCounts: Equatable, Sendable, Codable {
    public var dayStartMs: Int64
    public var timeZone: String
    public var ins: Int
    public var outs: Int
    /// People inside: from the day's occupancy reset (or the last correction since), each
    /// gate as its busiest camera, never below zero (GateCore's `Occupancy`).
    public var occupancy: Int
    /// When that occupancy counts from, and the correction it counts from, if any.
    public var occupancySinceMs: Int64 = 0
    public var occupancyCorrection: OccupancyCorrection? = nil
    /// Site capacity, when a site row exists.
    public var capacity: Int?
    /// Every configured gate (zeros included) and any other gate that has counts, in config order.
    public var gates: [CountRow]
    public var lines: [CountRow]
}

public struct MinutePoint: Equatable, Sendable, Codable {
    public var minuteMs: Int64
    public var ins: Int
    public var outs: Int
}

/// A stored crossing: the event as the pipeline wrote it, with its row id. Reads like
/// the event (`row.trackId`); encodes flat, as the `crossing` row's fields.
@dynamicMemberLookup
public struct CrossingRow: Equatable, Sendable, Codable {
    public var id: Int64
    public var event: CrossingEvent
    public init(id: Int64, event: CrossingEvent) { self.id = id; self.event = event }

    public subscript<T>(dynamicMember field: KeyPath<CrossingEvent, T>) -> T { event[keyPath: field] }

    enum CodingKeys: String, CodingKey { case id }
    public init(from decoder: Decoder) throws {
        id = try decoder.container(keyedBy: CodingKeys.self).decode(Int64.self, forKey: .id)
        event = try CrossingEvent(from: decoder)
    }
    public func encode(to encoder: Encoder) throws {
        try event.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
    }
}

/// A calendar day in the site's time zone.
public struct LocalDate: Comparable, Hashable, Sendable, Codable, CustomStringConvertible {
    public var year: Int, month: Int, day: Int
    public init(year: Int, month: Int, day: Int) { self.year = year; self.month = month; self.day = day }

    /// Parses `YYYY-MM-DD`, rejecting dates that do not exist (2026-02-30).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...31).contains(d) else { return nil }
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        guard let date = cal.date(from: DateComponents(year: y, month: m, day: d)),
              cal.component(.day, from: date) == d, cal.component(.month, from: date) == m else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The local date holding the instant `ms` in `timeZone`.
    public init(ms: Int64, timeZone: TimeZone) {
        let cal = siteCalendar(timeZone)
        let c = cal.dateComponents([.year, .month, .day], from: Date(ms: ms))
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }

    public var description: String {
        // Not String(format:): a year's hourly report formats 8760 of these.
        let y = String(year)
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + twoDigits(Int64(month)) + "-" + twoDigits(Int64(day))
    }
    public static func < (a: LocalDate, b: LocalDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    /// This date moved by `days` (negative goes back).
    public func adding(days: Int) -> LocalDate { LocalDate(dayNumber: dayNumber + Int64(days)) }
}

public enum ReportPeriod: String, Sendable, Codable, CaseIterable {
    /// Quarter hours: every zone offset and transition falls on one, so they are absolute.
    case quarterHour = "15min"
    case hour, day

    /// How many site-local days one report of this period may cover.
    public var dayLimit: NumericLimit {
        self == .quarterHour ? Limits.reportDaysByQuarterHour : self == .hour ? Limits.reportDaysByHour : Limits.reportDaysByDay
    }
    public var maxDays: Int { Int(dayLimit.max) }
    public var lengthMs: Int64 { self == .quarterHour ? 900_000 : 3_600_000 }
}

public struct ReportRow: Equatable, Sendable, Codable {
    /// Site-local start of the period: `2026-11-23 07:00` for hours, `2026-11-23` for days.
    public var period: String
    public var startMs: Int64
    public var endMs: Int64
    /// nil in a site-wide report.
    public var gateId: String?
    public var gateName: String?
    public var ins: Int
    public var outs: Int
    public var net: Int { ins - outs }
}

public struct Report: Equatable, Sendable {
    public var by: ReportPeriod
    public var from: LocalDate
    public var to: LocalDate
    public var timeZone: String
    public var perGate: Bool
    /// Every period in the range (zeros included), by period then gate order.
    public var rows: [ReportRow]
    public var totalIn: Int { rows.reduce(0) { $0 + $1.ins } }
    public var totalOut: Int { rows.reduce(0) { $0 + $1.outs } }
}

public struct DatabaseSize: Equatable, Sendable, Codable {
    public var fileBytes: Int64
    public var walBytes: Int64
    public var pageSize: Int
    public var pageCount: Int
    public var freePages: Int
    public var totalBytes: Int64 { fileBytes + walBytes }
}

/// Cheap fingerprint of what consoles show; when it is unchanged, nothing
/// worth redrawing was committed.
public struct ChangeToken: Equatable, Sendable {
    public var lastCrossingId: Int64
    public var lastAlertUpdateMs: Int64
    public var alertCount: Int
    public var lastAckMs: Int64
    public var lastHealthMs: Int64
    public var heartbeatMs: Int64
    public var siteUpdatedMs: Int64
    public var lastTestRunChange: Int64
    public var lastCorrectionId: Int64 = 0
}


func siteCalendar(_ tz: TimeZone) -> Calendar {
    var cal = Calendar(identifier: .gregorian)
    cal.timeZone = tz
    return cal
}


extension ChangeToken {
    /// One row of indexed look-ups, inside the caller's read transaction: compare it
    /// with the previous one to re-read only the tables that changed.
    static func read(_ db: Database) throws -> ChangeToken {
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT COALESCE(MAX(id), 0) FROM crossing) AS c,
                   (SELECT COALESCE(MAX(updated_ms), 0) FROM alert) AS a,
                   (SELECT COUNT(*) FROM alert) AS n,
                   (SELECT COALESCE(MAX(ack_ms), 0) FROM alert) AS k,
                   (SELECT COALESCE(MAX(updated_ms), 0) FROM feed_health) AS h,
                   (SELECT COALESCE(MAX(heartbeat_ms), 0) FROM pipeline) AS p,
                   (SELECT COALESCE(MAX(updated_ms), 0) FROM site) AS s,
                   (SELECT COALESCE(MAX(id), 0) * 1000003 + COALESCE(SUM(passed + failed), 0)
                      + COALESCE(SUM(finished_ms IS NOT NULL), 0) * 1009 + COALESCE(SUM(report_path IS NOT NULL), 0) * 31
                      FROM test_run) AS t
            """))!
        // A reader may open a database written before corrections existed.
        let corrections = try db.tableExists("occupancy_correction")
            ? Int64.fetchOne(db.cachedStatement(sql: "SELECT COALESCE(MAX(id), 0) FROM occupancy_correction")) ?? 0 : 0
        return ChangeToken(lastCrossingId: row[0], lastAlertUpdateMs: row[1], alertCount: row[2], lastAckMs: row[3],
                           lastHealthMs: row[4], heartbeatMs: row[5], siteUpdatedMs: row[6], lastTestRunChange: row[7],
                           lastCorrectionId: corrections)
    }
}

extension LineRow {
    /// The line as the config describes it (the editor starts from the recorded lines).
    public var config: LineConfig {
        LineConfig(id: id, name: name, from: Point(x: x1, y: y1), to: Point(x: x2, y: y2), inside: Point(x: insideX, y: insideY))
    }
}
