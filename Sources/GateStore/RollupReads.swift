import Foundation
import GRDB

/// In/out of one feed of one gate in one period of a rollup.
public struct PeriodFeedCount: Equatable, Sendable {
    /// Day rollup: days after the first day asked; hour rollup: absolute start of the local hour.
    public var period: Int64
    public var gateId: String
    public var feedId: String
    public var ins: Int
    public var outs: Int

    public init(period: Int64, gateId: String, feedId: String, ins: Int, outs: Int) {
        self.period = period; self.gateId = gateId; self.feedId = feedId; self.ins = ins; self.outs = outs
    }
}

/// Typed reads of the per-minute, hour and day rollups for readers that group counts
/// themselves (the console, through `SnapshotReads`), inside their read transaction.
/// Columns are read by position: these run several times a second, no name look-ups.
enum RollupReads {
    /// The zone the hour/day rollups are in; nil for a database no writer of this
    /// version has opened yet (read the per-minute rollup instead).
    static func zone(_ db: Database) throws -> String? {
        guard try db.tableExists("rollup_zone") else { return nil }
        return try Rollups.zoneName(db)
    }

    /// Per local day `first`…`last`, gate and feed; `period` counts days from `first`.
    static func days(_ db: Database, first: LocalDate, last: LocalDate) throws -> [PeriodFeedCount] {
        let base = first.dayNumber
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT r.day AS p, r.gate_id, COALESCE(l.feed_id, r.line_id) AS feed, SUM(r.ins) AS ins, SUM(r.outs) AS outs
            FROM crossing_day r LEFT JOIN line l ON l.id = r.line_id
            WHERE r.day >= ? AND r.day <= ? GROUP BY p, r.gate_id, feed
            """), arguments: [base, last.dayNumber]).map {
            PeriodFeedCount(period: ($0[0] as Int64) - base, gateId: $0[1], feedId: $0[2], ins: $0[3], outs: $0[4])
        }
    }

    /// Per local hour starting in `fromMs..<toMs`, gate and feed; `period` is the hour's absolute start.
    static func hours(_ db: Database, fromMs: Int64, toMs: Int64) throws -> [PeriodFeedCount] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT r.hour_ms AS p, r.gate_id, COALESCE(l.feed_id, r.line_id) AS feed, SUM(r.ins) AS ins, SUM(r.outs) AS outs
            FROM crossing_hour r LEFT JOIN line l ON l.id = r.line_id
            WHERE r.hour_ms >= ? AND r.hour_ms < ? GROUP BY p, r.gate_id, feed
            """), arguments: [fromMs, toMs]).map {
            PeriodFeedCount(period: $0[0], gateId: $0[1], feedId: $0[2], ins: $0[3], outs: $0[4])
        }
    }

    /// Per bucket of `bucketMs` starting in `fromMs..<toMs` (from the per-minute rollup), gate and
    /// feed; `period` is the bucket's absolute start. For databases without hour/day rollups.
    static func minutes(_ db: Database, fromMs: Int64, toMs: Int64, bucketMs: Int64) throws -> [PeriodFeedCount] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT (m.minute_ms / ?) * ? AS p, m.gate_id, COALESCE(l.feed_id, m.line_id) AS feed,
                   SUM(m.ins) AS ins, SUM(m.outs) AS outs
            FROM crossing_minute m LEFT JOIN line l ON l.id = m.line_id
            WHERE m.minute_ms >= ? AND m.minute_ms < ?
            GROUP BY p, m.gate_id, feed
            """), arguments: [bucketMs, bucketMs, fromMs, toMs]).map {
            PeriodFeedCount(period: $0[0], gateId: $0[1], feedId: $0[2], ins: $0[3], outs: $0[4])
        }
    }
}
