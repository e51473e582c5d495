import Foundation
import GRDB
import GateCore

/// Writes done by the pipeline (writer mode only; a reader gets `StoreError.readOnly`).
extension GateDatabase {

    // MARK: - Site

    /// Makes site, gate, feed and line rows match the config: upserts what is
    /// there, deletes gates/feeds/lines that are gone. Crossings keep the ids
    /// they were stored with, so history of a removed line survives.
    /// A camera URL is stored masked (`rtsp://admin:***@…`): only the config
    /// file, which the pipeline reads to connect, holds the password.
    public func syncSite(_ config: SiteConfig, configPath: String?, thresholds: SiteThresholds? = nil,
                         at nowMs: Int64 = currentTimeMs()) throws {
        try write("save site configuration") { db in
            let s = config.site
            let t = thresholds ?? SiteThresholds(alerts: config.alerts)
            try db.execute(sql: """
                INSERT INTO site (id, name, capacity, time_zone, open_minute, close_minute, config_path, updated_ms,
                                  capacity_warning, capacity_critical, stale_seconds, offline_seconds, heartbeat_seconds,
                                  occupancy_reset_minute)
                VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET name = excluded.name, capacity = excluded.capacity,
                    time_zone = excluded.time_zone, open_minute = excluded.open_minute,
                    close_minute = excluded.close_minute, config_path = excluded.config_path,
                    updated_ms = excluded.updated_ms, capacity_warning = excluded.capacity_warning,
                    capacity_critical = excluded.capacity_critical, stale_seconds = excluded.stale_seconds,
                    offline_seconds = excluded.offline_seconds, heartbeat_seconds = excluded.heartbeat_seconds,
                    occupancy_reset_minute = excluded.occupancy_reset_minute
                """, arguments: [s.name, s.capacity, s.timeZone, s.openingHours?.openMinute,
                                 s.openingHours?.closeMinute, configPath, nowMs, t.capacityWarning, t.capacityCritical,
                                 t.staleSeconds, t.offlineSeconds, t.heartbeatSeconds, s.occupancyReset.minuteOfDay])
            try Rollups.follow(zoneName: s.timeZone, db: db)
            let gateIds = config.gates.map(\.id)
            let feedIds = config.feeds.map(\.id)
            let lineIds = config.feeds.flatMap { $0.lines.map(\.id) }
            // Children first, so foreign keys hold at every step.
            try db.execute(sql: "DELETE FROM line WHERE id NOT IN (SELECT value FROM json_each(?))",
                           arguments: [Self.jsonArray(lineIds)])
            try db.execute(sql: "DELETE FROM feed WHERE id NOT IN (SELECT value FROM json_each(?))",
                           arguments: [Self.jsonArray(feedIds)])
            try db.execute(sql: "DELETE FROM gate WHERE id NOT IN (SELECT value FROM json_each(?))",
                           arguments: [Self.jsonArray(gateIds)])
            for (position, gate) in config.gates.enumerated() {
                try GateRow(id: gate.id, name: gate.name, position: position).upsert(db)
                for feed in gate.feeds {
                    try FeedRow(id: feed.id, gateId: gate.id, name: feed.name, source: redactedURL(feed.source),
                                expectedFps: feed.fps, detector: feed.detector.rawValue,
                                detectRegion: feed.detectRegion.argument, cadence: feed.cadence.rawValue).upsert(db)
                    for line in feed.lines {
                        try LineRow(id: line.id, feedId: feed.id, gateId: gate.id, name: line.name,
                                    x1: line.from.x, y1: line.from.y, x2: line.to.x, y2: line.to.y,
                                    insideX: line.inside.x, insideY: line.inside.y).upsert(db)
                    }
                }
            }
        }
    }

    static func jsonArray(_ ids: [String]) -> String {
        let data = (try? JSONEncoder().encode(ids)) ?? Data("[]".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    // MARK: - Crossings (used by EventWriter; public for one-off imports and tests)

    /// Inserts crossings and updates their per-minute, hourly and daily rollups in one transaction.
    /// `lastWriteMs`, when given, is stored as the pipeline's write latency.
    public func insertCrossings(_ events: [CrossingEvent], lastWriteMs: Double? = nil) throws {
        if events.isEmpty && lastWriteMs == nil { return }
        try write("write crossings") { db in try Self.insertCrossings(events, lastWriteMs: lastWriteMs, db: db) }
    }

    /// Only the per-minute rollup of `events` (what versions before the hour/day rollups
    /// wrote), for tests of the migration.
    static func insertMinutesOnly(_ events: [CrossingEvent], db: Database) throws {
        for e in events {
            try db.execute(sql: """
                INSERT INTO crossing_minute (minute_ms, line_id, gate_id, ins, outs) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(minute_ms, line_id) DO UPDATE SET ins = ins + excluded.ins, outs = outs + excluded.outs
                """, arguments: [minuteStart(e.timestampMs), e.lineId, e.gateId, e.direction == .in ? 1 : 0,
                                 e.direction == .in ? 0 : 1])
        }
    }

    static func insertCrossings(_ events: [CrossingEvent], lastWriteMs: Double?, db: Database) throws {
        let insert = try db.cachedStatement(sql: """
            INSERT INTO crossing (ts_ms, feed_id, gate_id, line_id, direction, track_id, confidence, frame_index)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        struct Key: Hashable { var minute: Int64; var line: String }
        var rollup: [Key: (gate: String, ins: Int, outs: Int)] = [:]
        var stored: [(id: Int64, event: CrossingEvent)] = []
        for e in events {
            try insert.execute(arguments: [e.timestampMs, e.feedId, e.gateId, e.lineId, e.direction.rawValue,
                                           e.trackId, e.confidence, e.frameIndex])
            stored.append((db.lastInsertedRowID, e))
            let key = Key(minute: minuteStart(e.timestampMs), line: e.lineId)
            var r = rollup[key] ?? (e.gateId, 0, 0)
            if e.direction == .in { r.ins += 1 } else { r.outs += 1 }
            rollup[key] = r
        }
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO crossing_minute (minute_ms, line_id, gate_id, ins, outs) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(minute_ms, line_id) DO UPDATE SET ins = ins + excluded.ins, outs = outs + excluded.outs
            """)
        for (key, r) in rollup {
            try upsert.execute(arguments: [key.minute, key.line, r.gate, r.ins, r.outs])
        }
        try Rollups.add(events, db: db)
        // The batch's webhook event commits with it, or neither does.
        try Outbox.crossingsStored(stored, db: db)
        if let lastWriteMs {
            try db.execute(sql: "UPDATE pipeline SET write_ms = ? WHERE id = 1", arguments: [lastWriteMs])
        }
    }

    // MARK: - Pipeline heartbeat

    /// Records this pipeline as the running one. Refuses (`pipelineRunning`)
    /// when the row names another process that is still alive and whose
    /// heartbeat is younger than `staleAfterMs`, unless `force`. A pipeline
    /// killed with -9 leaves `running` behind, but its heartbeat ages or its
    /// pid is gone, so a restart is never blocked by it.
    public func pipelineStarted(pid: Int = Int(ProcessInfo.processInfo.processIdentifier), version: String,
                                at nowMs: Int64 = currentTimeMs(), staleAfterMs: Int64 = 5_000,
                                force: Bool = false) throws {
        try write("record pipeline start") { db in
            if !force, let other = try StoreQueries.pipeline(db) {
                if other.state == "running", other.pid != pid, nowMs - other.heartbeatMs <= staleAfterMs,
                   kill(pid_t(other.pid), 0) == 0 {
                    throw StoreError.pipelineRunning(path: path, pid: other.pid)
                }
            }
            try db.execute(sql: """
                INSERT INTO pipeline (id, pid, version, started_ms, heartbeat_ms, state, write_ms)
                VALUES (1, ?, ?, ?, ?, 'running', 0)
                ON CONFLICT(id) DO UPDATE SET pid = excluded.pid, version = excluded.version,
                    started_ms = excluded.started_ms, heartbeat_ms = excluded.heartbeat_ms,
                    state = 'running', write_ms = 0, writer_pending = 0, writer_dropped = 0
                """, arguments: [pid, version, nowMs, nowMs])
        }
    }

    /// Call about once a second while the pipeline runs.
    /// The runner's heartbeat, with its write queue's figures when it has them.
    public func pipelineBeat(at nowMs: Int64 = currentTimeMs(), writer: WriterStats? = nil) throws {
        try write("record pipeline heartbeat") { db in
            try db.execute(sql: """
                UPDATE pipeline SET heartbeat_ms = ?, write_ms = COALESCE(?, write_ms),
                    writer_pending = COALESCE(?, writer_pending), writer_dropped = COALESCE(?, writer_dropped)
                WHERE id = 1
                """, arguments: [nowMs, writer?.lastWriteMs, writer?.pending, writer?.dropped])
        }
    }

    public func pipelineStopped(at nowMs: Int64 = currentTimeMs()) throws {
        try write("record pipeline stop") { db in
            try db.execute(sql: "UPDATE pipeline SET heartbeat_ms = ?, state = 'stopped' WHERE id = 1",
                           arguments: [nowMs])
        }
    }

    // MARK: - Feed health

    /// Upserts the feeds' current health and folds each sample into its minute of history.
    public func updateFeedHealth(_ samples: [FeedHealth]) throws {
        if samples.isEmpty { return }
        try write("write feed health") { db in
            for h in samples {
                var current = h
                current.lastError = h.lastError.map(redactedURL)
                try Outbox.feedHealthWriting(current, db: db)
                try current.upsert(db)
                try db.cachedStatement(sql: """
                    INSERT INTO feed_health_minute (minute_ms, feed_id, capture_fps, process_fps, detect_ms, dropped,
                        reconnects, samples, state, frames)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)
                    ON CONFLICT(feed_id, minute_ms) DO UPDATE SET
                        capture_fps = (capture_fps * samples + excluded.capture_fps) / (samples + 1),
                        process_fps = (process_fps * samples + excluded.process_fps) / (samples + 1),
                        detect_ms = (detect_ms * samples + excluded.detect_ms) / (samples + 1),
                        dropped = excluded.dropped, reconnects = excluded.reconnects,
                        state = excluded.state, frames = excluded.frames, samples = samples + 1
                    """).execute(arguments: [minuteStart(h.updatedMs), h.feedId, h.captureFps, h.processFps, h.detectMs,
                                     h.dropped, h.reconnects, h.state, h.frames])
            }
        }
    }

    public func updateFeedHealth(_ sample: FeedHealth) throws { try updateFeedHealth([sample]) }

    // MARK: - Alerts

    /// Opens an alert for (kind, subject), or updates the one already open or
    /// acknowledged: occurrences + 1, updated_ms, severity, message, value.
    /// A rise in severity puts an acknowledged alert back to `open`, since the
    /// operator acknowledged a milder problem. The subject's type is always written
    /// (also over an older row's NULL), so a restart restores it without guessing.
    @discardableResult
    public func raiseOrUpdate(kind: AlertKind, subject: AlertSubject, severity: AlertSeverity, message: String,
                              messageVi: String? = nil,
                              value: Double? = nil, at nowMs: Int64 = currentTimeMs()) throws -> AlertChange {
        guard !subject.id.isEmpty else {
            throw StoreError.invalidArgument(what: "alert", detail: "the \(subject.type.rawValue) id is empty; give the id the alert is about")
        }
        return try write("raise alert") { db in
            if let row = try Row.fetchOne(db, sql: """
                SELECT id, severity, state FROM alert \(Self.unresolvedAlert)
                """, arguments: [kind.rawValue, subject.id, subject.type.rawValue]) {
                let id: Int64 = row["id"]
                // A severity this version does not know never counts as lower (no false escalation).
                let old = AlertSeverity(rawValue: row["severity"]) ?? .critical
                let escalated = severity > old
                try db.execute(sql: """
                    UPDATE alert SET occurrences = occurrences + 1, updated_ms = ?, severity = ?, message = ?,
                        message_vi = ?, value = ?, subject_type = ?, state = CASE WHEN ? THEN 'open' ELSE state END
                    WHERE id = ?
                    """, arguments: [nowMs, severity.rawValue, message, messageVi, value, subject.type.rawValue, escalated, id])
                // Back to open at a higher severity: receivers hear it raised again.
                if escalated { try Outbox.alertChanged(id: id, .alertRaised, db: db) }
                return AlertChange(id: id, opened: false, escalated: escalated)
            }
            try db.execute(sql: """
                INSERT INTO alert (kind, subject, subject_type, severity, state, message, message_vi, value, raised_ms,
                                   updated_ms, occurrences)
                VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, 1)
                """, arguments: [kind.rawValue, subject.id, subject.type.rawValue, severity.rawValue, message, messageVi,
                                 value, nowMs, nowMs])
            let id = db.lastInsertedRowID
            try Outbox.alertChanged(id: id, .alertRaised, db: db)
            return AlertChange(id: id, opened: true, escalated: false)
        }
    }

    /// The unresolved alert of (kind, subject id, subject type); a row from before subject
    /// types were stored (NULL) is the same alert, and the writer fills its type.
    private static let unresolvedAlert = """
        WHERE kind = ? AND subject = ? AND (subject_type = ? OR subject_type IS NULL) AND state != 'resolved'
        ORDER BY subject_type IS NULL LIMIT 1
        """

    /// Marks an open alert acknowledged, with the console's semantics (`acknowledgeOpen`):
    /// false when there is no such alert or it is not open (acknowledged or resolved).
    @discardableResult
    public func acknowledge(id: Int64, by who: String, note: String? = nil,
                            at nowMs: Int64 = currentTimeMs()) throws -> Bool {
        try write("acknowledge alert") { db in try Self.acknowledgeOpen(id: id, by: who, note: note, at: nowMs, db: db) }
    }

    /// Resolves the unresolved alert of (kind, subject) when its cause clears.
    /// Returns its id, or nil when none was open. A later raise opens a new alert.
    @discardableResult
    public func resolve(kind: AlertKind, subject: AlertSubject, at nowMs: Int64 = currentTimeMs()) throws -> Int64? {
        try write("resolve alert") { db in
            guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM alert \(Self.unresolvedAlert)",
                                              arguments: [kind.rawValue, subject.id, subject.type.rawValue]) else { return nil }
            try db.execute(sql: "UPDATE alert SET state = 'resolved', resolved_ms = ?, updated_ms = ? WHERE id = ?",
                           arguments: [nowMs, nowMs, id])
            try Outbox.alertChanged(id: id, .alertResolved, db: db)
            return id
        }
    }

    // MARK: - Acceptance test runs

    /// Starts a run and returns its id.
    public func startTestRun(suite: String, version: String, machine: String, provenanceJSON: String? = nil,
                             at nowMs: Int64 = currentTimeMs()) throws -> Int64 {
        try write("start test run") { db in
            try db.execute(sql: """
                INSERT INTO test_run (suite, started_ms, version, machine, verdict, provenance) VALUES (?, ?, ?, ?, 'running', ?)
                """, arguments: [suite, nowMs, version, machine, provenanceJSON])
            return db.lastInsertedRowID
        }
    }

    /// Adds one scenario's result and keeps the run's passed/failed counts current.
    @discardableResult
    public func addTestResult(runId: Int64, _ r: TestResultRecord) throws -> Int64 {
        guard r.verdict.known != nil else {
            throw StoreError.invalidArgument(what: "test verdict", detail: "'\(r.verdict)' is unknown; use pass, fail or error")
        }
        return try write("add test result") { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM test_run WHERE id = ?", arguments: [runId]) != nil else {
                throw StoreError.invalidArgument(what: "test run", detail: "no run with id \(runId); start a run first")
            }
            var row = r
            row.id = nil; row.runId = runId
            try row.insert(db)
            let id = db.lastInsertedRowID
            try Self.recount(runId: runId, db: db)
            return id
        }
    }

    /// Closes a run: verdict pass when no result failed or erred (a known weakness is
    /// reported, not failed) and at least one passed, fail otherwise. Returns the verdict.
    @discardableResult
    public func finishTestRun(id runId: Int64, at nowMs: Int64 = currentTimeMs()) throws -> TestRunVerdict {
        try write("finish test run") { db in
            try Self.recount(runId: runId, db: db)
            guard let counts = try Row.fetchOne(db, sql: "SELECT passed, failed FROM test_run WHERE id = ?", arguments: [runId]) else {
                throw StoreError.invalidArgument(what: "test run", detail: "no run with id \(runId); start a run first")
            }
            let passed: Int = counts["passed"], failed: Int = counts["failed"]
            let verdict: TestRunVerdict = failed == 0 && passed > 0 ? .pass : .fail
            try db.execute(sql: "UPDATE test_run SET finished_ms = ?, verdict = ? WHERE id = ?",
                           arguments: [nowMs, verdict.rawValue, runId])
            return verdict
        }
    }

    /// Replaces the run's provenance (the load at the end and the run id are known only then).
    public func recordTestProvenance(runId: Int64, json: String) throws {
        try write("record test provenance") { db in
            try db.execute(sql: "UPDATE test_run SET provenance = ? WHERE id = ?", arguments: [json, runId])
        }
    }

    /// Remembers where the run's acceptance report was written, so every console can point to it.
    public func recordTestReport(runId: Int64, path: String) throws {
        try write("record test report") { db in
            try db.execute(sql: "UPDATE test_run SET report_path = ? WHERE id = ?", arguments: [path, runId])
        }
    }

    /// Closes a run that was stopped before its last scenario: it can never pass, whatever
    /// the scenarios finished so far say. Returns false when the run was already closed.
    @discardableResult
    public func interruptTestRun(id runId: Int64, at nowMs: Int64 = currentTimeMs()) throws -> Bool {
        try write("close interrupted test run") { db in
            try Self.recount(runId: runId, db: db)
            try db.execute(sql: "UPDATE test_run SET finished_ms = ?, verdict = 'fail' WHERE id = ? AND verdict = 'running'",
                           arguments: [nowMs, runId])
            return db.changesCount > 0
        }
    }

    private static func recount(runId: Int64, db: Database) throws {
        try db.execute(sql: """
            UPDATE test_run SET
                passed = (SELECT COUNT(*) FROM test_result WHERE run_id = ?1 AND verdict = 'pass'),
                failed = (SELECT COUNT(*) FROM test_result WHERE run_id = ?1 AND verdict IN ('fail', 'error'))
            WHERE id = ?1
            """, arguments: [runId])
    }

    // MARK: - Retention

    /// Deletes crossing rows, feed-health minutes and resolved alerts older
    /// than `days` days. The per-minute crossing rollups are kept by default:
    /// they hold only counts (no track ids), are small (at most 1440 rows a
    /// line a day) and keep the yearly reports whole; pass
    /// `keepRollups: false` to cut them at the same age.
    /// Deletes in chunks of `batchSize` rows (each its own short transaction, with
    /// `pauseSeconds` between them) so readers, the event writer and the heartbeat are
    /// never held long; `keepGoing` is asked before each chunk (a stopping runner says no).
    @discardableResult
    public func applyRetention(days: Int, keepRollups: Bool = true, now nowMs: Int64 = currentTimeMs(),
                               batchSize: Int = 5000, pauseSeconds: Double = 0,
                               keepGoing: () -> Bool = { true }) throws -> RetentionResult {
        guard days >= 1 else {
            throw StoreError.invalidArgument(what: "retention", detail: "days must be at least 1, got \(days); set 1 or more, or leave retention out to keep everything")
        }
        let (daysMs, overflow) = Int64(days).multipliedReportingOverflow(by: 86_400_000)
        let cutoff = overflow ? Int64.min : nowMs &- daysMs
        let batch = max(1, batchSize)
        var result = RetentionResult(crossingsDeleted: 0, healthMinutesDeleted: 0, alertsDeleted: 0, rollupsDeleted: 0)
        /// Deletes `table`'s rows matching `condition`, one chunk per transaction.
        func chunks(_ table: String, _ condition: String) throws -> Int {
            var total = 0
            while keepGoing() {
                let n = try write("delete old rows of \(table)") { db -> Int in
                    try db.execute(sql: "DELETE FROM \(table) WHERE rowid IN (SELECT rowid FROM \(table) WHERE \(condition) LIMIT ?)",
                                   arguments: [cutoff, batch])
                    return db.changesCount
                }
                total += n
                if n < batch { break }
                if pauseSeconds > 0 { Thread.sleep(forTimeInterval: pauseSeconds) }
            }
            return total
        }
        result.crossingsDeleted = try chunks("crossing", "ts_ms < ?")
        // Health minutes are keyed by feed first: delete feed by feed on the key, not by a scan.
        result.healthMinutesDeleted = try deleteOldHealthMinutes(before: cutoff, batch: batch, keepGoing: keepGoing)
        result.alertsDeleted = try chunks("alert", "state = 'resolved' AND resolved_ms < ?")
        if !keepRollups {
            result.rollupsDeleted = try chunks("crossing_minute", "minute_ms < ?")
            // Whole hours and days only: a period the cutoff splits keeps its count.
            result.rollupsDeleted += try chunks("crossing_hour", "hour_ms + 3600000 <= ?")
            result.rollupsDeleted += try chunks("crossing_day", "(day + 1) * 86400000 + 86400000 <= ?")
        }
        return result
    }
}

extension GateDatabase {
    /// Next feed id in the health minutes after `after` (one primary-key seek).
    static let nextHealthFeedSQL = "SELECT feed_id FROM feed_health_minute WHERE feed_id > ? ORDER BY feed_id LIMIT 1"
    /// One chunk of one feed's old health minutes, found on the primary key (feed_id, minute_ms).
    static let deleteHealthChunkSQL = """
        DELETE FROM feed_health_minute WHERE rowid IN
            (SELECT rowid FROM feed_health_minute WHERE feed_id = ? AND minute_ms < ? LIMIT ?)
        """

    /// Health minutes older than `cutoff`, feed by feed and in chunks of 5000, each
    /// chunk its own short transaction: a year holds millions of rows, and one
    /// `DELETE … WHERE minute_ms < ?` scanned them all while holding the write lock.
    func deleteOldHealthMinutes(before cutoff: Int64, batch: Int, keepGoing: () -> Bool) throws -> Int {
        var deleted = 0
        var feed = ""
        while keepGoing(), let next = try read("find feeds with health history", { db in
            try String.fetchOne(db, sql: Self.nextHealthFeedSQL, arguments: [feed])
        }) {
            feed = next
            while keepGoing() {
                let n = try write("delete old feed health") { db -> Int in
                    try db.execute(sql: Self.deleteHealthChunkSQL, arguments: [feed, cutoff, batch])
                    return db.changesCount
                }
                deleted += n
                if n < batch { break }
            }
        }
        return deleted
    }
}

/// Start of the UTC minute holding `ms` (floor, also for times before 1970).
func minuteStart(_ ms: Int64) -> Int64 {
    let m = ms / 60_000
    return (ms % 60_000 < 0 ? m - 1 : m) * 60_000
}
