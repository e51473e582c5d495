import Foundation
import GateCore
import GateStore

/// The console's view of the database: opened through GateStore's one reader
/// door (`GateDatabase.openReader`: the same checks and one-line errors as
/// `status` and `report`), polled cheaply for changes (SQLite's commit counter),
/// read part by part through GateStore's typed `SnapshotReads` (no SQL here);
/// its writes (acknowledging) go through GateStore too.
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
            let v = try StoreQueries(d).commitCounter()
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
            try d.readSnapshot("read console data") { db in try Self.read(db, req: req, now: now, into: &snap, keys: &keys) }
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
    /// Sets the head count by hand (audited); returns what was stored.
    public func correctOccupancy(count: Int, by: String, note: String, now: Int64) throws -> OccupancyCorrection {
        try GateDatabase.correctOccupancy(path: path, count: count, by: by, note: note, at: now)
    }

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

    /// Sums crossings by `key`: lines of one feed add up; feeds of one gate watch the same
    /// people, so a gate counts as its busiest feed (GateCore's `GateFeedCounts`); gates add up to the site.
    static func aggregate<K: Hashable>(_ rows: [PeriodFeedCount], key: (Int64) -> K?) -> [K: (ins: Int, outs: Int)] {
        var perKey: [K: GateFeedCounts] = [:]
        for r in rows {
            guard let k = key(r.period) else { continue }
            perKey[k, default: GateFeedCounts()].add(gate: r.gateId, feed: r.feedId, ins: r.ins, outs: r.outs)
        }
        return perKey.mapValues(\.site)
    }

    public static func calendar(_ site: SiteRow?) -> Calendar {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: site?.timeZone ?? defaultSiteTimeZone) ?? TimeZone(identifier: "UTC")!
        return cal
    }

    static func ms(_ d: Date) -> Int64 { d.ms }
    static func date(_ ms: Int64) -> Date { Date(timeIntervalSince1970: Double(ms) / 1000) }

    // MARK: reading, part by part

    /// The parts of a snapshot, each read again only when what it shows may have changed.
    enum Part: Hashable { case site, feeds, counts, alerts, pipeline, tests, crossings, history }

    /// Reads into `s` the parts whose key changed since `keys` (a fresh snapshot and empty
    /// keys read everything). Keys are built from GateStore's per-table change token,
    /// the request and the clock's minute and day, so a runner writing crossings five
    /// times a second costs a few indexed reads of the rollups, not the whole snapshot.
    static func read(_ db: SnapshotReads, req: LoadRequest, now: Int64,
                     into s: inout ConsoleSnapshot, keys: inout [Part: [String]]) throws {
        let t = try db.changeToken()
        func due(_ part: Part, _ key: [CustomStringConvertible?]) -> Bool {
            let k = key.map { $0?.description ?? "-" }
            if keys[part] == k { return false }
            keys[part] = k
            return true
        }
        if due(.site, [t.siteUpdatedMs]) {
            s.site = try db.site()
            s.rememberedSuites = try db.suiteFolders()
            s.lines = try db.lines()
            s.lastReloadMs = try db.lastAppliedReloadMs()
        }
        let cal = calendar(s.site)
        let todayStart = ms(cal.startOfDay(for: date(now)))
        let minute = now / 60_000
        let rollups = try db.rollupZone() == cal.timeZone.identifier
        if due(.feeds, [t.siteUpdatedMs, t.lastHealthMs, minute]) { s.feeds = try readFeeds(db, now: now) }
        if due(.counts, [t.siteUpdatedMs, t.lastCrossingId, t.lastCorrectionId, minute, todayStart]) {
            try readCounts(db, into: &s, cal: cal, now: now, rollups: rollups)
            let reading = try db.occupancy(now: now)
            s.peopleInside = reading.occupancy().count
            s.occupancyCorrection = reading.anchor.correction
        }
        if due(.alerts, [t.lastAlertUpdateMs, t.alertCount, t.lastAckMs]) { s.alerts = try db.alertsByUrgency(limit: 500) }
        if due(.pipeline, [t.heartbeatMs]) {
            s.pipeline = try db.pipeline()
            s.webhooks = try db.webhookBacklog()
        }
        if due(.tests, [t.lastTestRunChange]) { s.testRuns = try readTestRuns(db) }
        let gid = req.gateId ?? s.gates.first?.id
        if due(.crossings, [t.lastCrossingId, t.siteUpdatedMs, req.crossingLimit, gid]) {
            s.crossings = try gid.map { try db.latestCrossings(gateId: $0, limit: req.crossingLimit) } ?? []
            s.lineCountsFromMs = max(s.lastReloadMs ?? 0, todayStart)
            s.lineCounts = try gid.map { try db.lineCounts(gateId: $0, fromMs: s.lineCountsFromMs) } ?? [:]
        }
        // Only a window that reaches today changes while the runner writes.
        let recent = req.historyDaysBack < historyDays
        if due(.history, [req.historyDaysBack, todayStart, t.siteUpdatedMs, recent ? t.lastCrossingId : 0]) {
            s.history = try readHistory(db, cal: cal, now: now, daysBack: req.historyDaysBack, rollups: rollups)
        }
    }

    /// Feeds with their current health and last hour of frame rates (one indexed
    /// range a feed on the health minutes' primary key, never a scan of the year).
    static func readFeeds(_ db: SnapshotReads, now: Int64) throws -> [FeedVM] {
        let hourAgo = (now / 60_000 - 59) * 60_000
        let health = Dictionary(try db.feedHealth().map { ($0.feedId, $0) }, uniquingKeysWith: { a, _ in a })
        let linesByFeed = Dictionary(grouping: try db.lines(), by: \.feedId)
        return try db.feeds().map { f in
            var fps = Array(repeating: 0.0, count: 60)
            for m in try db.feedHealthHistory(feedId: f.id, fromMs: hourAgo) {
                let slot = Int((m.minuteMs - hourAgo) / 60_000)
                if slot >= 0 && slot < 60 { fps[slot] = m.processFps }
            }
            let region = (try? ConfigLoader.detectRegionArgument(f.detectRegion))?
                .normalised(lines: linesByFeed[f.id]?.map(\.config) ?? [])
            return FeedVM(feed: f, health: health[f.id], fpsHistory: fps, regionRect: region)
        }
    }

    /// Today by gate and by site-local hour (hour rollup), and per minute for the last hour.
    static func readCounts(_ db: SnapshotReads, into s: inout ConsoleSnapshot, cal: Calendar, now: Int64, rollups: Bool) throws {
        let todayStart = ms(cal.startOfDay(for: date(now)))
        let hourAgo = (now / 60_000 - 59) * 60_000
        let hourRows: [PeriodFeedCount]
        if rollups {
            let tomorrow = ms(cal.date(byAdding: .day, value: 1, to: date(todayStart))!)
            hourRows = try db.hourCounts(fromMs: todayStart, toMs: tomorrow)
        } else {
            hourRows = try db.minuteCounts(fromMs: todayStart, toMs: now + 60_000, bucketMs: 900_000)
        }
        let minuteRows = try db.minuteCounts(fromMs: hourAgo, toMs: now + 60_000, bucketMs: 60_000)
        var byGate: [String: [PeriodFeedCount]] = [:], minutesByGate: [String: [PeriodFeedCount]] = [:]
        for r in hourRows { byGate[r.gateId, default: []].append(r) }
        for r in minuteRows { minutesByGate[r.gateId, default: []].append(r) }
        s.gates = try db.gates().map { g in
            let gr = byGate[g.id] ?? []
            let today = aggregate(gr) { $0 >= todayStart ? 0 : nil }[0] ?? (0, 0)
            let minutes = aggregate(minutesByGate[g.id] ?? []) { ms -> Int? in
                let i = Int((ms - hourAgo) / 60_000); return ms >= hourAgo && i < 60 ? i : nil
            }
            let hours = aggregate(gr) { ms -> Int? in ms >= todayStart ? Int((ms - todayStart) / 3_600_000) : nil }
            return GateVM(gate: g, todayIn: today.ins, todayOut: today.outs,
                          lastHourIn: (0..<60).map { minutes[$0]?.ins ?? 0 },
                          hourlyIn: (0..<24).map { hours[$0]?.ins ?? 0 },
                          hourlyOut: (0..<24).map { hours[$0]?.outs ?? 0 },
                          feedIds: s.feeds.filter { $0.gateId == g.id }.map(\.id))
        }
        let siteToday = aggregate(hourRows) { $0 >= todayStart ? 0 : nil }[0] ?? (0, 0)
        s.todayIn = siteToday.ins; s.todayOut = siteToday.outs
    }

    static func readTestRuns(_ db: SnapshotReads) throws -> [TestRunVM] {
        let runs = try db.testRuns(limit: 50)
        var results: [Int64: [TestResultRecord]] = [:]
        if let oldest = runs.map(\.id).min() {
            for r in try db.testResults(fromRunId: oldest) { results[r.runId ?? 0, default: []].append(r) }
        }
        return runs.map { r in
            TestRunVM(run: r, results: results[r.id] ?? [], plannedScenarios: plannedScenarios(r.provenanceJSON))
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
    static func readHistory(_ db: SnapshotReads, cal: Calendar, now: Int64, daysBack: Int, rollups: Bool) throws -> HistoryVM {
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
            days = aggregate(try db.dayCounts(first: local(first), last: local(day))) { Int($0) }
            hours = aggregate(try db.hourCounts(fromMs: dayStartMs, toMs: dayEndMs)) { cal.component(.hour, from: date($0)) }
        } else {
            // 15-minute buckets: every real time zone offset is a multiple of 15 minutes.
            let rows = try db.minuteCounts(fromMs: ms(first), toMs: dayEndMs, bucketMs: 900_000)
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
