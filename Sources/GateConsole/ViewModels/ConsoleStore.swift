import Foundation
import GRDB
import GateStore

/// The console's view of the database: opened through GateStore's one reader
/// door (`GateDatabase.openReader`: the same checks and one-line errors as
/// `status` and `report`), polled cheaply for changes (`PRAGMA data_version`),
/// snapshot loading; its writes (acknowledging) go through GateStore too.
public final class ConsoleStore {
    public let path: String
    private var database: GateDatabase?
    private var fileId: (dev: UInt64, ino: UInt64)?
    private var lastDataVersion: Int?
    /// The last snapshot and what each of its parts was read for (see `read`).
    private var cached: ConsoleSnapshot?
    private var partKeys: [Part: [String]] = [:]
    /// The parts the last load read again (for tests and measurements).
    private(set) var lastReadParts: Set<Part> = []

    public init(path: String) { self.path = path }

    /// Opens (or reopens, when the file was replaced) the read connection.
    private func connection() throws -> GateDatabase {
        guard let id = Self.fileIdentity(path) else {
            close()
            // Not there, or a folder on the way is closed to this user: GateStore says which.
            do { _ = try GateDatabase.openReader(path: path, busyTimeout: 0.25) } catch {
                throw ProblemError(problem: Self.classify(error, path: path))
            }
            throw ProblemError(problem: .missing(path))
        }
        if let d = database, let old = fileId, old == id { return d }
        close()
        do {
            let d = try GateDatabase.openReader(path: path, busyTimeout: 0.25)
            database = d; fileId = id
            return d
        } catch {
            throw ProblemError(problem: Self.classify(error, path: path))
        }
    }

    public func close() {
        try? database?.close()
        database = nil; fileId = nil; lastDataVersion = nil
        cached = nil; partKeys = [:]
    }

    /// True when another connection committed since the last call (or the file changed).
    /// Costs one tiny pragma; called a few times a second.
    public func hasChanged() -> Bool {
        do {
            let before = fileId
            let d = try connection()
            let v = try d.readTransaction("check for changes") { try Int.fetchOne($0, sql: "PRAGMA data_version") } ?? 0
            defer { lastDataVersion = v }
            return before == nil || lastDataVersion != v
        } catch {
            return true  // let load() report the problem
        }
    }

    /// Reads what the screens need in one read transaction: only the parts whose
    /// tables (or request, or minute) changed since the last load; the rest is kept.
    public func load(_ req: LoadRequest, now: Int64) -> Result<ConsoleSnapshot, SourceProblem> {
        do {
            let d = try connection()
            var snap = cached ?? ConsoleSnapshot()
            var keys = partKeys
            try d.readTransaction("read console data") { db in try Self.read(db, req: req, now: now, into: &snap, keys: &keys) }
            snap.dbBytes = Self.fileSize(path) + Self.fileSize(path + "-wal")
            lastReadParts = Set(keys.filter { partKeys[$0.key] != $0.value }.map(\.key))
            cached = snap; partKeys = keys
            return .success(snap)
        } catch let e as ProblemError {
            return .failure(e.problem)
        } catch {
            let p = Self.classify(error, path: path)
            switch p { case .missing, .corrupt, .unreadable, .notAFile, .newer: close(); default: break }
            return .failure(p)
        }
    }

    /// Marks an open alert acknowledged (GateStore's short-lived write connection).
    /// A user who may only read the database gets one line saying so.
    public func acknowledge(alertId: Int64, by: String, note: String, now: Int64) throws -> Bool {
        try GateDatabase.acknowledgeAlert(path: path, id: alertId, by: by, note: note, at: now)
    }

    /// Closes a run this console cancelled (its child was stopped before it could): verdict
    /// fail, finished now, counts from its results. Only a run still `running` is touched.
    @discardableResult
    public func closeCancelledRun(id: Int64, now: Int64) throws -> Bool {
        try GateDatabase.closeCancelledRun(path: path, id: id, at: now)
    }

    /// Remembers the `--suites` folders in the database for the next console without `--suites`.
    public func rememberSuiteFolders(_ folders: [String], now: Int64) throws {
        try GateDatabase.rememberSuiteFolders(path: path, folders, at: now)
    }

    public struct ProblemError: Error { public let problem: SourceProblem }

    /// GateStore's one-line errors, sorted into what the console's banner says.
    static func classify(_ error: Error, path: String) -> SourceProblem {
        guard let e = error as? StoreError else { return .other("\(path): \(error)") }
        switch e {
        case .notFound: return .missing(path)
        case .fileNotReadable, .readerNeedsWal: return .unreadable(e.description)
        case .isDirectory: return .notAFile(path)
        case .newerSchema: return .newer(path)
        case .locked: return .locked(e.description)
        case .corrupt, .notADatabase: return .corrupt(e.description)
        case .notInitialized: return .notInitialised(e.description)
        case .sqlite(_, _, let m) where m.contains("no such table") || m.contains("no such column"):
            return .notInitialised(e.description)
        default: return .other(e.description)
        }
    }

    static func fileIdentity(_ p: String) -> (dev: UInt64, ino: UInt64)? {
        var st = stat()
        guard stat(p, &st) == 0 else { return nil }
        return (UInt64(st.st_dev), UInt64(st.st_ino))
    }

    static func fileSize(_ p: String) -> Int64 {
        var st = stat()
        return stat(p, &st) == 0 ? Int64(st.st_size) : 0
    }

    // MARK: reading

    struct CountRow { var gate: String; var feed: String; var ms: Int64; var ins: Int; var outs: Int }

    /// Sums crossings by `key`: lines of one feed add up; feeds of one gate watch the same
    /// people, so a gate counts as its busiest feed; gates add up to the site.
    static func aggregate<K: Hashable>(_ rows: [CountRow], key: (Int64) -> K?) -> [K: (ins: Int, outs: Int)] {
        var perFeed: [K: [String: [String: (Int, Int)]]] = [:]
        for r in rows {
            guard let k = key(r.ms) else { continue }
            var g = perFeed[k, default: [:]][r.gate, default: [:]]
            let cur = g[r.feed, default: (0, 0)]
            g[r.feed] = (cur.0 + r.ins, cur.1 + r.outs)
            perFeed[k, default: [:]][r.gate] = g
        }
        var out: [K: (ins: Int, outs: Int)] = [:]
        for (k, gates) in perFeed {
            var ins = 0, outs = 0
            for (_, feeds) in gates {
                ins += feeds.values.map(\.0).max() ?? 0
                outs += feeds.values.map(\.1).max() ?? 0
            }
            out[k] = (ins, outs)
        }
        return out
    }

    static func countRows(_ db: Database, from: Int64, to: Int64, bucketMs: Int64) throws -> [CountRow] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT cm.gate_id AS g, COALESCE(l.feed_id, cm.line_id) AS f, (cm.minute_ms / ?) * ? AS b,
                   SUM(cm.ins) AS i, SUM(cm.outs) AS o
            FROM crossing_minute cm LEFT JOIN line l ON l.id = cm.line_id
            WHERE cm.minute_ms >= ? AND cm.minute_ms < ?
            GROUP BY g, f, b
            """), arguments: [bucketMs, bucketMs, from, to]).map {
            CountRow(gate: $0[0], feed: $0[1], ms: $0[2], ins: $0[3], outs: $0[4])   // by position: no name look-ups
        }
    }

    public static func calendar(_ site: SiteVM?) -> Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: site?.timeZone ?? "Asia/Ho_Chi_Minh") ?? TimeZone(identifier: "UTC")!
        return cal
    }

    static func ms(_ d: Date) -> Int64 { Int64((d.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    // MARK: reading, part by part

    /// The parts of a snapshot, each read again only when what it shows may have changed.
    enum Part: Hashable { case site, feeds, counts, alerts, pipeline, tests, crossings, history }

    /// Reads into `s` the parts whose key changed since `keys` (a fresh snapshot and empty
    /// keys read everything). Keys are built from GateStore's per-table change token,
    /// the request and the clock's minute and day, so a runner writing crossings five
    /// times a second costs a few indexed reads of the rollups, not the whole snapshot.
    static func read(_ db: Database, req: LoadRequest, now: Int64,
                     into s: inout ConsoleSnapshot, keys: inout [Part: [String]]) throws {
        let t = try ChangeToken.read(db)
        func due(_ part: Part, _ key: [CustomStringConvertible?]) -> Bool {
            let k = key.map { $0?.description ?? "-" }
            if keys[part] == k { return false }
            keys[part] = k
            return true
        }
        if due(.site, [t.siteUpdatedMs]) {
            s.site = try readSite(db)
            s.rememberedSuites = try StoreQueries.suiteFolders(db)
        }
        let cal = calendar(s.site)
        let todayStart = ms(cal.startOfDay(for: date(now)))
        let minute = now / 60_000
        let rollups = try RollupReads.zone(db) == cal.timeZone.identifier
        if due(.feeds, [t.siteUpdatedMs, t.lastHealthMs, minute]) { s.feeds = try readFeeds(db, now: now) }
        if due(.counts, [t.siteUpdatedMs, t.lastCrossingId, minute, todayStart]) {
            try readCounts(db, into: &s, cal: cal, now: now, rollups: rollups)
        }
        if due(.alerts, [t.lastAlertUpdateMs, t.alertCount, t.lastAckMs]) { s.alerts = try readAlerts(db) }
        if due(.pipeline, [t.heartbeatMs]) { s.pipeline = try readPipeline(db) }
        if due(.tests, [t.lastTestRunChange]) { s.testRuns = try readTestRuns(db) }
        let gid = req.gateId ?? s.gates.first?.id
        if due(.crossings, [t.lastCrossingId, t.siteUpdatedMs, req.crossingLimit, gid]) {
            s.crossings = try gid.map { try readCrossings(db, gateId: $0, limit: req.crossingLimit) } ?? []
        }
        // Only a window that reaches today changes while the runner writes.
        let recent = req.historyDaysBack < historyDays
        if due(.history, [req.historyDaysBack, todayStart, t.siteUpdatedMs, recent ? t.lastCrossingId : 0]) {
            s.history = try readHistory(db, cal: cal, now: now, daysBack: req.historyDaysBack, rollups: rollups)
        }
    }

    static func readSite(_ db: Database) throws -> SiteVM? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT name, capacity, time_zone, open_minute, close_minute FROM site WHERE id = 1")).map { r in
            SiteVM(name: r["name"], capacity: r["capacity"], timeZone: r["time_zone"],
                   openMinute: r["open_minute"], closeMinute: r["close_minute"],
                   thresholds: try StoreQueries.siteThresholds(db))
        }
    }

    /// Feeds with their current health and last hour of frame rates (one indexed
    /// range a feed on the health minutes' primary key, never a scan of the year).
    static func readFeeds(_ db: Database, now: Int64) throws -> [FeedVM] {
        let hourAgo = (now / 60_000 - 59) * 60_000
        let history = try db.cachedStatement(sql: """
            SELECT minute_ms, process_fps FROM feed_health_minute WHERE feed_id = ? AND minute_ms >= ?
            """)
        return try Row.fetchAll(db.cachedStatement(sql: """
            SELECT f.id, f.gate_id, f.name, f.source, f.expected_fps, f.detector,
                   h.updated_ms, h.state, h.capture_fps, h.process_fps, h.decode_ms, h.detect_ms, h.track_ms,
                   h.frames, h.dropped, h.queue_depth, h.last_frame_ms, h.reconnects, h.last_error
            FROM feed f LEFT JOIN feed_health h ON h.feed_id = f.id LEFT JOIN gate g ON g.id = f.gate_id
            ORDER BY g.position, f.gate_id, f.id
            """)).map { r in
            var h: FeedHealthVM?
            if let up: Int64 = r["updated_ms"] {
                h = FeedHealthVM(updatedMs: up, state: r["state"], captureFps: r["capture_fps"], processFps: r["process_fps"],
                                 decodeMs: r["decode_ms"], detectMs: r["detect_ms"], trackMs: r["track_ms"],
                                 frames: r["frames"], dropped: r["dropped"], queueDepth: r["queue_depth"],
                                 reconnects: r["reconnects"], lastFrameMs: r["last_frame_ms"], lastError: r["last_error"])
            }
            let id: String = r["id"]
            var fps = Array(repeating: 0.0, count: 60)
            for m in try Row.fetchAll(history, arguments: [id, hourAgo]) {
                let slot = Int((m["minute_ms"] as Int64 - hourAgo) / 60_000)
                if slot >= 0 && slot < 60 { fps[slot] = m["process_fps"] }
            }
            return FeedVM(id: id, gateId: r["gate_id"], name: r["name"], source: r["source"], expectedFps: r["expected_fps"],
                          detector: r["detector"], health: h, fpsHistory: fps)
        }
    }

    /// Today by gate and by site-local hour (hour rollup), and per minute for the last hour.
    static func readCounts(_ db: Database, into s: inout ConsoleSnapshot, cal: Calendar, now: Int64, rollups: Bool) throws {
        let todayStart = ms(cal.startOfDay(for: date(now)))
        let hourAgo = (now / 60_000 - 59) * 60_000
        let hourRows: [CountRow]
        if rollups {
            let tomorrow = ms(cal.date(byAdding: .day, value: 1, to: date(todayStart))!)
            hourRows = try RollupReads.hours(db, fromMs: todayStart, toMs: tomorrow).map(countRow)
        } else {
            hourRows = try countRows(db, from: todayStart, to: now + 60_000, bucketMs: 900_000)
        }
        let minuteRows = try countRows(db, from: hourAgo, to: now + 60_000, bucketMs: 60_000)
        var byGate: [String: [CountRow]] = [:], minutesByGate: [String: [CountRow]] = [:]
        for r in hourRows { byGate[r.gate, default: []].append(r) }
        for r in minuteRows { minutesByGate[r.gate, default: []].append(r) }
        s.gates = []
        for g in try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name FROM gate ORDER BY position, id")) {
            let id: String = g["id"]
            let gr = byGate[id] ?? []
            let today = aggregate(gr) { $0 >= todayStart ? 0 : nil }[0] ?? (0, 0)
            let minutes = aggregate(minutesByGate[id] ?? []) { ms -> Int? in
                let i = Int((ms - hourAgo) / 60_000); return ms >= hourAgo && i < 60 ? i : nil
            }
            let hours = aggregate(gr) { ms -> Int? in ms >= todayStart ? Int((ms - todayStart) / 3_600_000) : nil }
            s.gates.append(GateVM(id: id, name: g["name"], todayIn: today.ins, todayOut: today.outs,
                                  lastHourIn: (0..<60).map { minutes[$0]?.ins ?? 0 },
                                  hourlyIn: (0..<24).map { hours[$0]?.ins ?? 0 },
                                  hourlyOut: (0..<24).map { hours[$0]?.outs ?? 0 },
                                  feedIds: s.feeds.filter { $0.gateId == id }.map(\.id)))
        }
        let siteToday = aggregate(hourRows) { $0 >= todayStart ? 0 : nil }[0] ?? (0, 0)
        s.todayIn = siteToday.ins; s.todayOut = siteToday.outs
    }

    static func countRow(_ c: PeriodFeedCount) -> CountRow {
        CountRow(gate: c.gateId, feed: c.feedId, ms: c.period, ins: c.ins, outs: c.outs)
    }

    static func readAlerts(_ db: Database) throws -> [AlertVM] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT * FROM alert
            ORDER BY CASE state WHEN 'open' THEN 0 WHEN 'acknowledged' THEN 1 ELSE 2 END,
                     CASE severity WHEN 'critical' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, raised_ms DESC
            LIMIT 500
            """)).map { r in
            AlertVM(id: r["id"], kind: r["kind"], subject: r["subject"], severity: r["severity"], state: r["state"],
                    message: r["message"], messageVi: r["message_vi"], value: r["value"], raisedMs: r["raised_ms"], updatedMs: r["updated_ms"],
                    occurrences: r["occurrences"], ackBy: r["ack_by"], ackMs: r["ack_ms"], ackNote: r["ack_note"],
                    resolvedMs: r["resolved_ms"])
        }
    }

    static func readPipeline(_ db: Database) throws -> PipelineVM? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM pipeline WHERE id = 1")).map { r in
            PipelineVM(pid: r["pid"], version: r["version"], startedMs: r["started_ms"],
                       heartbeatMs: r["heartbeat_ms"], state: r["state"], writeMs: r["write_ms"])
        }
    }

    static func readTestRuns(_ db: Database) throws -> [TestRunVM] {
        let runs = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM test_run ORDER BY started_ms DESC, id DESC LIMIT 50"))
        var results: [Int64: [TestResultVM]] = [:]
        if let oldest: Int64 = runs.map({ $0["id"] as Int64 }).min() {
            for r in try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM test_result WHERE run_id >= ? ORDER BY run_id, id"), arguments: [oldest]) {
                results[r["run_id"], default: []].append(TestResultVM(
                    scenario: r["scenario"], lineId: r["line_id"], expectedIn: r["expected_in"], expectedOut: r["expected_out"],
                    countedIn: r["counted_in"], countedOut: r["counted_out"], tolerance: r["tolerance"], fps: r["fps"],
                    requiredFps: r["required_fps"], verdict: r["verdict"], detail: r["detail"]))
            }
        }
        return runs.map { r in
            let id: Int64 = r["id"]
            return TestRunVM(id: id, suite: r["suite"], startedMs: r["started_ms"], finishedMs: r["finished_ms"],
                             version: r["version"], machine: r["machine"], passed: r["passed"], failed: r["failed"],
                             verdict: r["verdict"], results: results[id] ?? [], reportPath: r["report_path"],
                             plannedScenarios: plannedScenarios(r["provenance"]))
        }
    }

    static func readCrossings(_ db: Database, gateId: String, limit: Int) throws -> [CrossingVM] {
        try Row.fetchAll(db.cachedStatement(sql: """
            SELECT c.ts_ms, c.feed_id, c.line_id, COALESCE(l.name, c.line_id) AS line_name, c.direction, c.track_id, c.confidence
            FROM crossing c LEFT JOIN line l ON l.id = c.line_id
            WHERE c.gate_id = ? ORDER BY c.ts_ms DESC, c.id DESC LIMIT ?
            """), arguments: [gateId, limit]).map { r in
            CrossingVM(tsMs: r[0], feedId: r[1], lineId: r[2], lineName: r[3], direction: r[4], trackId: r[5], confidence: r[6])
        }
    }

    static let historyDays = 14

    /// `plannedScenarios` of the run's provenance JSON (GateRuntime's RunProvenance; the console reads just this field).
    static func plannedScenarios(_ json: String?) -> Int? {
        struct Planned: Decodable { var plannedScenarios: Int? }
        return json.flatMap { try? JSONDecoder().decode(Planned.self, from: Data($0.utf8)) }?.plannedScenarios
    }

    /// The History screen: a day by site-local hour and the 14 days up to it, from the
    /// day and hour rollups (a day step reads ~100 rows); a database without them
    /// (never opened by this version's writer) is read from the per-minute rollup.
    static func readHistory(_ db: Database, cal: Calendar, now: Int64, daysBack: Int, rollups: Bool) throws -> HistoryVM {
        let today = cal.startOfDay(for: date(now))
        let day = cal.date(byAdding: .day, value: -max(0, daysBack), to: today)!
        let dayEnd = cal.date(byAdding: .day, value: 1, to: day)!
        let first = cal.date(byAdding: .day, value: -(historyDays - 1), to: day)!
        let dayStartMs = ms(day), dayEndMs = ms(dayEnd)
        let hours: [Int: (ins: Int, outs: Int)], days: [Int: (ins: Int, outs: Int)]
        if rollups {
            func local(_ d: Date) -> LocalDate {
                let c = cal.dateComponents([.year, .month, .day], from: d)
                return LocalDate(year: c.year!, month: c.month!, day: c.day!)
            }
            let dayRows = try RollupReads.days(db, first: local(first), last: local(day)).map(countRow)
            days = aggregate(dayRows) { Int($0) }
            let hourRows = try RollupReads.hours(db, fromMs: dayStartMs, toMs: dayEndMs).map(countRow)
            hours = aggregate(hourRows) { cal.component(.hour, from: date($0)) }
        } else {
            // 15-minute buckets: every real time zone offset is a multiple of 15 minutes.
            let rows = try countRows(db, from: ms(first), to: dayEndMs, bucketMs: 900_000)
            hours = aggregate(rows) { m -> Int? in
                m >= dayStartMs && m < dayEndMs ? cal.component(.hour, from: date(m)) : nil
            }
            days = aggregate(rows) { m -> Int? in
                cal.dateComponents([.day], from: first, to: cal.startOfDay(for: date(m))).day
            }
        }
        var daily: [DayCount] = []
        for i in (0..<historyDays).reversed() {
            let d = cal.date(byAdding: .day, value: i, to: first)!
            let c = cal.dateComponents([.year, .month, .day], from: d)
            let v = days[i] ?? (0, 0)
            daily.append(DayCount(year: c.year!, month: c.month!, day: c.day!, ins: v.ins, outs: v.outs))
        }
        return HistoryVM(day: daily[0], hourlyIn: (0..<24).map { hours[$0]?.ins ?? 0 },
                         hourlyOut: (0..<24).map { hours[$0]?.outs ?? 0 }, daily: daily)
    }
}
