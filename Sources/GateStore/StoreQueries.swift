import Foundation
import GRDB
import GateCore

/// Everything consoles, reports and scripts read. Works on a writer or a
/// reader `GateDatabase`; every call is one read transaction (a consistent
/// snapshot while the pipeline writes). Errors are `StoreError`.
public struct StoreQueries: Sendable {
    public let database: GateDatabase
    public init(_ database: GateDatabase) { self.database = database }

    // MARK: - Configuration

    public func site() throws -> SiteRow? {
        try database.read("read site") { try Self.site($0) }
    }

    static func site(_ db: Database) throws -> SiteRow? {
        try SiteRow.fetchOne(db, sql: "SELECT * FROM site WHERE id = 1")
    }

    /// Missing columns (a database not yet migrated, opened read-only) read as the defaults.
    static func thresholds(_ row: Row) -> SiteThresholds {
        let d = SiteThresholds()
        func value(_ column: String, _ fallback: Double) -> Double {
            guard let v = row[column] as Double?, v.isFinite, v >= 0 else { return fallback }
            return v
        }
        return SiteThresholds(capacityWarning: value("capacity_warning", d.capacityWarning),
                              capacityCritical: value("capacity_critical", d.capacityCritical),
                              staleSeconds: value("stale_seconds", d.staleSeconds),
                              offlineSeconds: value("offline_seconds", d.offlineSeconds),
                              heartbeatSeconds: value("heartbeat_seconds", d.heartbeatSeconds))
    }

    public func gates() throws -> [GateRow] {
        try database.read("read gates") { try Self.gates($0) }
    }

    static func gates(_ db: Database) throws -> [GateRow] {
        try GateRow.fetchAll(db.cachedStatement(sql: "SELECT id, name, position FROM gate ORDER BY position, id"))
    }

    public func feeds() throws -> [FeedRow] {
        try database.read("read feeds") { try Self.feeds($0) }
    }

    static func feeds(_ db: Database) throws -> [FeedRow] {
        try FeedRow.fetchAll(db.cachedStatement(sql: """
            SELECT f.* FROM feed f LEFT JOIN gate g ON g.id = f.gate_id ORDER BY g.position, f.gate_id, f.id
            """))
    }

    public func lines() throws -> [LineRow] {
        try database.read("read lines") { try Self.lines($0) }
    }

    static func lines(_ db: Database) throws -> [LineRow] {
        try LineRow.fetchAll(db, sql: """
            SELECT l.* FROM line l LEFT JOIN gate g ON g.id = l.gate_id ORDER BY g.position, l.feed_id, l.id
            """)
    }

    /// The site's time zone (from the site row), or Asia/Ho_Chi_Minh.
    public func siteTimeZone() throws -> TimeZone {
        try database.read("read site") { db in try Self.timeZone(db, override: nil) }
    }

    /// Stored numbers pulled into GateCore's ranges: a hand-edited or foreign row (capacity
    /// 9223372036854775807, fps 1e20, text) must not crash `status`, `check` or a report.
    /// Capacity 0 means unknown; a rate that is not a positive number means none declared.
    static func storedCapacity(_ v: DatabaseValue) -> Int? {
        guard let d = Double.fromDatabaseValue(v) else { return nil }
        return d > 0 ? Limits.capacity.wholeValue(d) : 0
    }

    static func storedFps(_ v: DatabaseValue) -> Double? {
        guard let d = Double.fromDatabaseValue(v), d > 0, !d.isNaN else { return nil }
        return Limits.fps.clamp(d)
    }

    // MARK: - Today

    /// In/out and occupancy since site-local midnight, per site, gate and line,
    /// from the per-minute rollups.
    public func today(now nowMs: Int64 = currentTimeMs()) throws -> TodayCounts {
        try database.read("read today's counts") { db in
            let tz = try Self.timeZone(db, override: nil)
            let dayStart = siteCalendar(tz).startOfDay(for: Date(ms: nowMs)).ms
            let capacity = Self.storedCapacity(try DatabaseValue.fetchOne(db, sql: "SELECT capacity FROM site WHERE id = 1") ?? .null)
            let lineRows = try Row.fetchAll(db, sql: """
                SELECT m.line_id, m.gate_id, COALESCE(l.feed_id, m.line_id) AS feed,
                       SUM(m.ins) AS ins, SUM(m.outs) AS outs, l.name AS name
                FROM crossing_minute m LEFT JOIN line l ON l.id = m.line_id
                WHERE m.minute_ms >= ? GROUP BY m.line_id, m.gate_id
                """, arguments: [dayStart])
            var lineCounts: [String: CountRow] = [:]
            var gateCounts = GateFeedCounts()
            for r in lineRows {
                let id: String = r["line_id"], gate: String = r["gate_id"]
                let ins: Int = r["ins"], outs: Int = r["outs"]
                lineCounts[id] = CountRow(id: id, name: r["name"] ?? id, gateId: gate, ins: ins, outs: outs)
                gateCounts.add(gate: gate, feed: r["feed"], ins: ins, outs: outs)
            }
            var gateTotals = gateCounts.totals()
            // Configured lines and gates first (zeros shown), then any with counts only.
            var lines: [CountRow] = try Self.lines(db).map { l in
                lineCounts.removeValue(forKey: l.id) ?? CountRow(id: l.id, name: l.name, gateId: l.gateId, ins: 0, outs: 0)
            }
            lines += lineCounts.values.sorted { $0.id < $1.id }
            var gates: [CountRow] = try Self.gates(db).map { g in
                let t = gateTotals.removeValue(forKey: g.id) ?? (0, 0)
                return CountRow(id: g.id, name: g.name, gateId: g.id, ins: t.0, outs: t.1)
            }
            gates += gateTotals.keys.sorted().map { id in
                CountRow(id: id, name: id, gateId: id, ins: gateTotals[id]!.0, outs: gateTotals[id]!.1)
            }
            let ins = gates.reduce(0) { $0 + $1.ins }, outs = gates.reduce(0) { $0 + $1.outs }
            let reading = try Self.occupancy(db, now: nowMs)
            return TodayCounts(dayStartMs: dayStart, timeZone: tz.identifier, ins: ins, outs: outs,
                               occupancy: reading.occupancy().count, occupancySinceMs: reading.anchor.atMs,
                               occupancyCorrection: reading.anchor.correction,
                               capacity: capacity, gates: gates, lines: lines)
        }
    }

    // MARK: - Per-minute series

    /// The last `minutes` minutes (ending with the current one), zeros
    /// included, oldest first; for one gate or (nil) the whole site.
    public func minuteSeries(minutes: Int, gateId: String? = nil,
                             now nowMs: Int64 = currentTimeMs()) throws -> [MinutePoint] {
        let all = try minuteSeries(minutes: minutes, groupedByGate: gateId != nil, gateId: gateId, now: nowMs)
        return all[gateId ?? ""] ?? Self.emptySeries(minutes: minutes, now: nowMs)
    }

    /// The last `minutes` minutes for every gate at once (one query), keyed by gate id.
    public func minuteSeriesByGate(minutes: Int, now nowMs: Int64 = currentTimeMs()) throws -> [String: [MinutePoint]] {
        var result = try minuteSeries(minutes: minutes, groupedByGate: true, gateId: nil, now: nowMs)
        for g in try gates() where result[g.id] == nil {
            result[g.id] = Self.emptySeries(minutes: minutes, now: nowMs)
        }
        return result
    }

    private func minuteSeries(minutes: Int, groupedByGate: Bool, gateId: String?,
                              now nowMs: Int64) throws -> [String: [MinutePoint]] {
        let n = max(1, min(minutes, 60 * 24 * 31))
        let last = minuteStart(nowMs)
        let first = last - Int64(n - 1) * 60_000
        let rows = try database.read("read per-minute counts") { db -> [Row] in
            var sql = "SELECT m.minute_ms, m.gate_id, COALESCE(l.feed_id, m.line_id) AS feed, "
                + "SUM(m.ins) AS ins, SUM(m.outs) AS outs "
                + "FROM crossing_minute m LEFT JOIN line l ON l.id = m.line_id WHERE m.minute_ms >= ? AND m.minute_ms <= ?"
            var args: [DatabaseValueConvertible?] = [first, last]
            if let gateId { sql += " AND m.gate_id = ?"; args.append(gateId) }
            sql += " GROUP BY m.minute_ms, m.gate_id, feed"
            return try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }
        var perMinute: [Int64: GateFeedCounts] = [:]
        for r in rows {
            perMinute[r["minute_ms"], default: GateFeedCounts()].add(gate: r["gate_id"], feed: r["feed"], ins: r["ins"], outs: r["outs"])
        }
        var result: [String: [MinutePoint]] = [:]
        for (m, counts) in perMinute {
            let i = Int((m - first) / 60_000)
            for (gate, t) in counts.totals() {
                let key = groupedByGate ? gate : ""
                if result[key] == nil { result[key] = Self.emptySeries(minutes: n, now: nowMs) }
                result[key]![i].ins += t.0; result[key]![i].outs += t.1
            }
        }
        return result
    }

    private static func emptySeries(minutes: Int, now nowMs: Int64) -> [MinutePoint] {
        let n = max(1, min(minutes, 60 * 24 * 31))
        let first = minuteStart(nowMs) - Int64(n - 1) * 60_000
        return (0..<n).map { MinutePoint(minuteMs: first + Int64($0) * 60_000, ins: 0, outs: 0) }
    }

    // MARK: - Crossings

    /// Newest first.
    public func latestCrossings(limit: Int = 50, gateId: String? = nil) throws -> [CrossingRow] {
        try database.read("read latest crossings") { db in
            let filter = gateId == nil ? "" : "WHERE gate_id = ?"
            var args: [DatabaseValueConvertible?] = []
            if let gateId { args.append(gateId) }
            args.append(max(0, limit))
            return try CrossingRow.fetchAll(db, sql: "SELECT * FROM crossing \(filter) ORDER BY ts_ms DESC, id DESC LIMIT ?",
                                            arguments: StatementArguments(args))
        }
    }

    /// Crossings with `fromMs <= ts < toMs`, oldest first.
    public func crossings(fromMs: Int64, toMs: Int64, lineId: String? = nil, limit: Int = 100_000) throws -> [CrossingRow] {
        try database.read("read crossings") { db in
            var sql = "SELECT * FROM crossing WHERE ts_ms >= ? AND ts_ms < ?"
            var args: [DatabaseValueConvertible?] = [fromMs, toMs]
            if let lineId { sql += " AND line_id = ?"; args.append(lineId) }
            sql += " ORDER BY ts_ms, id LIMIT ?"; args.append(limit)
            return try CrossingRow.fetchAll(db, sql: sql, arguments: StatementArguments(args))
        }
    }

    /// In/out per line counted from the crossing rows themselves (not the rollups).
    public func countsByLine(fromMs: Int64 = .min, toMs: Int64 = .max) throws -> [CountRow] {
        try database.read("count crossings") { db in
            try Row.fetchAll(db, sql: """
                SELECT c.line_id, c.gate_id, l.name,
                       SUM(c.direction = 1) AS ins, SUM(c.direction = -1) AS outs
                FROM crossing c LEFT JOIN line l ON l.id = c.line_id
                WHERE c.ts_ms >= ? AND c.ts_ms < ? GROUP BY c.line_id, c.gate_id ORDER BY c.line_id
                """, arguments: [fromMs, toMs]).map {
                CountRow(id: $0["line_id"], name: $0["name"] ?? $0["line_id"], gateId: $0["gate_id"],
                         ins: $0["ins"], outs: $0["outs"])
            }
        }
    }

    // MARK: - Reports

    /// Hourly or daily in/out for the local days `from`…`to` (inclusive), in
    /// `timeZone` (default: the site's, else Asia/Ho_Chi_Minh). Every period
    /// appears, zeros included; `perGate` gives one row per period and gate, else
    /// one site-wide row per period. Read from the hour/day rollups (kept in the
    /// site's zone); another zone is answered from the per-minute rollup.
    public func report(by period: ReportPeriod, from: LocalDate, to: LocalDate,
                       timeZone: String? = nil, perGate: Bool = false) throws -> Report {
        guard from <= to else {
            throw StoreError.invalidArgument(what: "report range", detail: "--from \(from) is after --to \(to); swap them")
        }
        let maxDays = period.maxDays
        guard to.dayNumber - from.dayNumber < maxDays else {
            throw StoreError.invalidArgument(what: "report range",
                                             detail: "\(from)…\(to) is longer than \(maxDays) days for --by \(period.rawValue); shorten it")
        }
        return try database.read("read report") { db in
            let tz = try Self.timeZone(db, override: timeZone)
            let periods = ReportPeriods(period, from: from, to: to, zone: tz)
            let rows = try Self.reportCounts(db, periods: periods, zone: tz)
            var gateOrder: [(id: String, name: String)] = []
            if perGate {
                gateOrder = try Self.gates(db).map { ($0.id, $0.name) }
                let known = Set(gateOrder.map(\.id))
                gateOrder += Set(rows.map(\.gateId)).subtracting(known).sorted().map { ($0, $0) }
            }
            return Self.assemble(rows, periods: periods, gates: perGate ? gateOrder : nil,
                                 report: Report(by: period, from: from, to: to, timeZone: tz.identifier, perGate: perGate, rows: []))
        }
    }

    /// Rollup rows of the report's range, `period` being the index of the report's period.
    private static func reportCounts(_ db: Database, periods: ReportPeriods, zone: TimeZone) throws -> [PeriodFeedCount] {
        let fromRollups = try Rollups.zone(db).identifier == zone.identifier
        switch (fromRollups, periods.by) {
        case (true, .day):
            // Days after the first day asked: already the period's index.
            return try RollupReads.days(db, first: LocalDate(dayNumber: periods.firstDay), last: LocalDate(dayNumber: periods.lastDay))
        case (true, .hour):
            return try RollupReads.hours(db, fromMs: periods.startsMs[0], toMs: periods.endMs).map { periods.indexed($0) }
        case (false, _), (_, .quarterHour):
            // Quarter hours: every zone offset and transition falls on one.
            return try RollupReads.minutes(db, fromMs: periods.startsMs[0], toMs: periods.endMs, bucketMs: 900_000)
                .map { periods.indexed($0) }
        }
    }

    /// A report of counts read elsewhere (the province hub's rollups), assembled by the same
    /// rule as the site's: `counts`' periods are absolute starts (UTC ms) of quarter hours or
    /// hours, or day numbers (days since 1970-01-01) of site-local days.
    public static func report(by period: ReportPeriod, from: LocalDate, to: LocalDate, zone: TimeZone,
                              gates: [(id: String, name: String)]?, counts: [PeriodFeedCount]) -> Report {
        let periods = ReportPeriods(period, from: from, to: to, zone: zone)
        let placed = counts.map { c -> PeriodFeedCount in
            guard period == .day else { return periods.indexed(c) }
            var d = c
            d.period -= periods.firstDay
            return d
        }
        return assemble(placed, periods: periods, gates: gates,
                        report: Report(by: period, from: from, to: to, timeZone: zone.identifier, perGate: gates != nil, rows: []))
    }

    /// Report rows from per-period counts: a gate counts as its busiest feed in each period.
    private static func assemble(_ counts: [PeriodFeedCount], periods: ReportPeriods,
                                 gates: [(id: String, name: String)]?, report: Report) -> Report {
        var perPeriod: [Int: GateFeedCounts] = [:]
        for c in counts where c.period >= 0 && c.period < periods.count {
            perPeriod[Int(c.period), default: GateFeedCounts()].add(gate: c.gateId, feed: c.feedId, ins: c.ins, outs: c.outs)
        }
        var gateIndex: [String: Int] = [:]
        for (i, g) in (gates ?? []).enumerated() { gateIndex[g.id] = i }
        let columns = max(1, gates?.count ?? 1)
        var ins = [Int](repeating: 0, count: periods.count * columns)
        var outs = ins
        for (period, c) in perPeriod {
            for (gate, t) in c.totals() {
                let col = gates == nil ? 0 : gateIndex[gate]!
                ins[period * columns + col] += t.0
                outs[period * columns + col] += t.1
            }
        }
        var out: [ReportRow] = []
        out.reserveCapacity(periods.count * columns)
        for i in 0..<periods.count {
            let s = periods.startsMs[i], e = i + 1 < periods.count ? periods.startsMs[i + 1] : periods.endMs
            let label = periods.label(i)
            if let gates {
                for (c, g) in gates.enumerated() {
                    out.append(ReportRow(period: label, startMs: s, endMs: e, gateId: g.id, gateName: g.name,
                                         ins: ins[i * columns + c], outs: outs[i * columns + c]))
                }
            } else {
                out.append(ReportRow(period: label, startMs: s, endMs: e, gateId: nil, gateName: nil, ins: ins[i], outs: outs[i]))
            }
        }
        var r = report
        r.rows = out
        return r
    }

    static func timeZone(_ db: Database, override: String?) throws -> TimeZone {
        if let override {
            guard let tz = TimeZone(identifier: override) else {
                throw StoreError.invalidArgument(what: "time zone", detail: "'\(override)' is not an IANA time zone; use a name such as Asia/Ho_Chi_Minh")
            }
            return tz
        }
        let name = try String.fetchOne(db, sql: "SELECT time_zone FROM site WHERE id = 1")
        return name.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: defaultSiteTimeZone)!
    }

    // MARK: - Alerts

    /// Newest update first.
    public func alerts(_ filter: AlertFilter = .all) throws -> [AlertRow] {
        var sql = "SELECT * FROM alert WHERE 1"
        var args: [DatabaseValueConvertible?] = []
        if filter.unresolvedOnly { sql += " AND state != 'resolved'" }
        if let states = filter.states {
            sql += " AND state IN (SELECT value FROM json_each(?))"; args.append(GateDatabase.jsonArray(states.map(\.rawValue)))
        }
        if let kinds = filter.kinds {
            sql += " AND kind IN (SELECT value FROM json_each(?))"; args.append(GateDatabase.jsonArray(kinds.map(\.rawValue)))
        }
        if let subjectId = filter.subjectId { sql += " AND subject = ?"; args.append(subjectId) }
        if let minSeverity = filter.minSeverity {
            let allowed = AlertSeverity.allCases.filter { $0 >= minSeverity }.map(\.rawValue)
            sql += " AND severity IN (SELECT value FROM json_each(?))"; args.append(GateDatabase.jsonArray(allowed))
        }
        if let text = filter.text, !text.isEmpty {
            sql += " AND (instr(lower(kind), lower(?)) OR instr(lower(subject), lower(?)) OR instr(lower(message), lower(?)))"
            args += [text, text, text]
        }
        if let since = filter.sinceMs { sql += " AND updated_ms >= ?"; args.append(since) }
        if let from = filter.raisedFromMs { sql += " AND raised_ms >= ?"; args.append(from) }
        if let to = filter.raisedToMs { sql += " AND raised_ms < ?"; args.append(to) }
        sql += " ORDER BY updated_ms DESC, id DESC LIMIT ?"; args.append(max(0, filter.limit))
        return try database.read("read alerts") { db in
            try Row.fetchAll(db, sql: sql, arguments: StatementArguments(args)).map(Self.alert)
        }
    }

    public func alert(id: Int64) throws -> AlertRow? {
        try database.read("read alert") { db in
            try Row.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id]).map(Self.alert)
        }
    }

    /// Open first, then acknowledged, then resolved; critical first; newest raised first.
    static func alertsByUrgency(_ db: Database, limit: Int) throws -> [AlertRow] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM alert
            ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END,
                     CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, raised_ms DESC
            LIMIT ?
            """), arguments: [max(0, limit)]).map(Self.alert)
    }

    static func alert(_ r: Row) -> AlertRow {
        AlertRow(id: r["id"], kind: r.stored("kind"), subjectId: r["subject"],
                 subjectType: (r["subject_type"] as String?).map(StoredValue.init(rawValue:)),
                 severity: r.stored("severity"), state: r.stored("state"), message: r["message"],
                 messageVi: r["message_vi"], value: r["value"], raisedMs: r["raised_ms"], updatedMs: r["updated_ms"],
                 occurrences: r["occurrences"], ackBy: r["ack_by"], ackMs: r["ack_ms"], ackNote: r["ack_note"],
                 resolvedMs: r["resolved_ms"])
    }

    // MARK: - Health and pipeline

    /// Current health of every feed that reported, in config order.
    public func feedHealth() throws -> [FeedHealth] {
        try database.read("read feed health") { try Self.feedHealth($0) }
    }

    static func feedHealth(_ db: Database) throws -> [FeedHealth] {
        try FeedHealth.fetchAll(db.cachedStatement(sql: """
            SELECT h.* FROM feed_health h LEFT JOIN feed f ON f.id = h.feed_id LEFT JOIN gate g ON g.id = f.gate_id
            ORDER BY g.position, f.gate_id, h.feed_id
            """))
    }

    /// Per-minute health of one feed over the last `minutes` minutes (only minutes with samples), oldest first.
    public func feedHealthHistory(feedId: String, minutes: Int = 60,
                                  now nowMs: Int64 = currentTimeMs()) throws -> [FeedHealthMinute] {
        let first = minuteStart(nowMs) - Int64(max(1, minutes) - 1) * 60_000
        return try database.read("read feed health history") { try Self.feedHealthHistory($0, feedId: feedId, fromMs: first) }
    }

    /// One indexed range of the health minutes' primary key (feed_id, minute_ms), never a scan of the year.
    static func feedHealthHistory(_ db: Database, feedId: String, fromMs: Int64) throws -> [FeedHealthMinute] {
        try FeedHealthMinute.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM feed_health_minute WHERE feed_id = ? AND minute_ms >= ? ORDER BY minute_ms
            """), arguments: [feedId, fromMs])
    }

    /// nil when no pipeline ever ran on this database.
    public func pipeline() throws -> PipelineStatus? {
        try database.read("read pipeline heartbeat") { try Self.pipeline($0) }
    }

    static func pipeline(_ db: Database) throws -> PipelineStatus? {
        try PipelineStatus.fetchOne(db.cachedStatement(sql: "SELECT * FROM pipeline WHERE id = 1"))
    }

    // MARK: - Test runs

    /// Newest first.
    public func testRuns(limit: Int = 50) throws -> [TestRunRow] {
        try database.read("read test runs") { try Self.testRuns($0, limit: limit) }
    }

    static func testRuns(_ db: Database, limit: Int) throws -> [TestRunRow] {
        try TestRunRow.fetchAll(db.cachedStatement(sql: "SELECT * FROM test_run ORDER BY started_ms DESC, id DESC LIMIT ?"),
                                arguments: [max(0, limit)])
    }

    public func testRun(id: Int64) throws -> TestRunRow? {
        try database.read("read test run") { db in
            try TestRunRow.fetchOne(db, sql: "SELECT * FROM test_run WHERE id = ?", arguments: [id])
        }
    }

    /// In the order they were added.
    public func testResults(runId: Int64) throws -> [TestResultRecord] {
        try database.read("read test results") { db in
            try TestResultRecord.fetchAll(db, sql: "SELECT * FROM test_result WHERE run_id = ? ORDER BY id", arguments: [runId])
        }
    }

    /// Results of every run from `runId` on, by run then in the order they were added.
    static func testResults(_ db: Database, fromRunId runId: Int64) throws -> [TestResultRecord] {
        try TestResultRecord.fetchAll(db.cachedStatement(sql: "SELECT * FROM test_result WHERE run_id >= ? ORDER BY run_id, id"),
                                      arguments: [runId])
    }

    // MARK: - Size and change detection

    public func databaseSize() throws -> DatabaseSize {
        let (pageSize, pageCount, free) = try database.read("read database size") { db in
            (try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0,
             try Int.fetchOne(db, sql: "PRAGMA page_count") ?? 0,
             try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
        }
        func size(_ p: String) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return DatabaseSize(fileBytes: size(database.path), walBytes: size(database.path + "-wal"),
                            pageSize: pageSize, pageCount: pageCount, freePages: free)
    }

    /// A few indexed lookups; compare with the previous token to skip redraws.
    public func changeToken() throws -> ChangeToken {
        try database.read("check for changes") { db in try ChangeToken.read(db) }
    }

    /// SQLite's commit counter of other connections (`PRAGMA data_version`): one tiny
    /// pragma, changed by any commit elsewhere; the cheapest "read again?" for a poller.
    public func commitCounter() throws -> Int {
        try database.read("check for changes") { try Int.fetchOne($0, sql: "PRAGMA data_version") ?? 0 }
    }
}
