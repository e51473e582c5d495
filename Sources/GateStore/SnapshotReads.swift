import Foundation
import GRDB
import GateCore

/// Typed reads for a reader that polls and redraws (the console), all inside one read
/// transaction so the parts of a screen agree with each other (`GateDatabase.readSnapshot`).
/// The SQL stays here: callers see plain values, never a GRDB type.
public struct SnapshotReads {
    let db: Database

    /// GateStore's per-table fingerprint: which parts changed since the last read.
    public func changeToken() throws -> ChangeToken { try ChangeToken.read(db) }

    public func site() throws -> SiteRow? { try StoreQueries.site(db) }

    /// The `--suites` folders a console last remembered; nil when none (or an older database).
    public func suiteFolders() throws -> [String]? { try StoreQueries.suiteFolders(db) }

    /// The zone the hour/day rollups are in; nil for a database no writer of this version
    /// has opened yet (read `minuteCounts` instead).
    public func rollupZone() throws -> String? { try RollupReads.zone(db) }

    /// Gates in config order.
    public func gates() throws -> [GateRow] { try StoreQueries.gates(db) }

    /// Feeds in config order (gate position, then id).
    public func feeds() throws -> [FeedRow] { try StoreQueries.feeds(db) }

    /// The current health of every feed that reported.
    public func feedHealth() throws -> [FeedHealth] { try StoreQueries.feedHealth(db) }

    /// One feed's health minutes from `fromMs` on, oldest first.
    public func feedHealthHistory(feedId: String, fromMs: Int64) throws -> [FeedHealthMinute] {
        try StoreQueries.feedHealthHistory(db, feedId: feedId, fromMs: fromMs)
    }

    /// Per bucket of `bucketMs` (absolute start) in `fromMs..<toMs`, gate and feed, from the per-minute rollup.
    public func minuteCounts(fromMs: Int64, toMs: Int64, bucketMs: Int64) throws -> [PeriodFeedCount] {
        try RollupReads.minutes(db, fromMs: fromMs, toMs: toMs, bucketMs: bucketMs)
    }

    /// Per local hour starting in `fromMs..<toMs` (absolute start), gate and feed.
    public func hourCounts(fromMs: Int64, toMs: Int64) throws -> [PeriodFeedCount] {
        try RollupReads.hours(db, fromMs: fromMs, toMs: toMs)
    }

    /// Per local day `first`…`last` (days after `first`), gate and feed.
    public func dayCounts(first: LocalDate, last: LocalDate) throws -> [PeriodFeedCount] {
        try RollupReads.days(db, first: first, last: last)
    }

    /// The alerts an operator works through: open first, then acknowledged, then resolved;
    /// the most severe first; newest raised first.
    public func alertsByUrgency(limit: Int) throws -> [AlertRow] {
        try StoreQueries.alertsByUrgency(db, limit: limit)
    }

    public func pipeline() throws -> PipelineStatus? { try StoreQueries.pipeline(db) }

    /// The occupancy as `status` and the runner count it (the day's reset or the last
    /// correction since, then the crossings since, each gate as its busiest camera).
    public func occupancy(now: Int64) throws -> OccupancyReading { try StoreQueries.occupancy(db, now: now) }

    /// The newest runs, newest first.
    public func testRuns(limit: Int) throws -> [TestRunRow] { try StoreQueries.testRuns(db, limit: limit) }

    /// Results of every run from `runId` on, by run then in the order they were added.
    public func testResults(fromRunId runId: Int64) throws -> [TestResultRecord] {
        try StoreQueries.testResults(db, fromRunId: runId)
    }

    /// Every counting line, as the runner last recorded them (a reload records them again).
    public func lines() throws -> [LineRow] { try StoreQueries.lines(db) }

    /// Each line's ins and outs on one gate from `fromMs` on (the line editor's live counts).
    public func lineCounts(gateId: String, fromMs: Int64) throws -> [String: LineTotals] {
        var out: [String: LineTotals] = [:]
        for r in try Row.fetchAll(db.cachedStatement(sql: """
            SELECT line_id, SUM(direction = 1) AS ins, SUM(direction = -1) AS outs
            FROM crossing WHERE gate_id = ? AND ts_ms >= ? GROUP BY line_id
            """), arguments: [gateId, fromMs]) {
            out[r["line_id"]] = LineTotals(ins: r["ins"], outs: r["outs"])
        }
        return out
    }

    /// When a reload last changed the counting lines (nil: never).
    public func lastAppliedReloadMs() throws -> Int64? {
        guard try db.tableExists("config_reload") else { return nil }
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(at_ms) FROM config_reload WHERE outcome = 'applied'"))
    }

    /// One gate's newest crossings with the name of their line (its id when the line is gone).
    public func latestCrossings(gateId: String, limit: Int) throws -> [NamedCrossing] {
        try NamedCrossing.fetchAll(db.cachedStatement(sql: """
            SELECT c.*, COALESCE(l.name, c.line_id) AS line_name
            FROM crossing c LEFT JOIN line l ON l.id = c.line_id
            WHERE c.gate_id = ? ORDER BY c.ts_ms DESC, c.id DESC LIMIT ?
            """), arguments: [gateId, max(0, limit)])
    }
}

/// A crossing with its line's name, as a list of recent crossings shows it (reads like the
/// event: `named.trackId`).
@dynamicMemberLookup
public struct NamedCrossing: Equatable, Sendable, FetchableRecord {
    public var crossing: CrossingRow
    public var lineName: String

    public subscript<T>(dynamicMember field: KeyPath<CrossingEvent, T>) -> T { crossing.event[keyPath: field] }

    public init(row: Row) throws {
        crossing = try CrossingRow(row: row)
        lineName = row["line_name"]
    }
}

extension GateDatabase {
    /// One read transaction of typed reads (a consistent snapshot while the pipeline writes);
    /// errors are `StoreError`.
    public func readSnapshot<T>(_ operation: String, _ body: (SnapshotReads) throws -> T) throws -> T {
        try read(operation) { try body(SnapshotReads(db: $0)) }
    }
}
