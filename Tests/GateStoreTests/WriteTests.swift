import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

final class WriteTests: XCTestCase {
    var dir: TempDir!
    var db: GateDatabase!
    override func setUpWithError() throws {
        dir = TempDir()
        db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        try db.syncSite(demoConfig(), configPath: "site.yaml", at: nov23UTC)
    }
    override func tearDownWithError() throws { try db.close() }

    /// Rollups computed from the rows themselves, to compare with crossing_minute.
    func rollupsFromRows() throws -> [String] {
        try db.reader.read { db in
            try String.fetchAll(db, sql: """
                SELECT ((ts_ms / 60000) * 60000) || '|' || line_id || '|' || gate_id || '|' ||
                       SUM(direction = 1) || '|' || SUM(direction = -1) AS r
                FROM crossing GROUP BY ts_ms / 60000, line_id, gate_id ORDER BY r
                """)
        }
    }
    func rollupsStored() throws -> [String] {
        try db.reader.read { db in
            try String.fetchAll(db, sql: """
                SELECT minute_ms || '|' || line_id || '|' || gate_id || '|' || ins || '|' || outs
                AS r FROM crossing_minute ORDER BY r
                """)
        }
    }

    func testBatchedWritesAndRollupsAgree() throws {
        let writer = try EventWriter(database: db, flushInterval: 10, maxBatch: 500)
        var events: [CrossingEvent] = []
        var rng = SplitMix(seed: 42)
        for i in 0..<2345 {
            let gate = rng.next() % 2 == 0 ? "g1" : "g2"
            events.append(event(nov23UTC + Int64(rng.next() % 180_000), line: "\(gate)-l1", gate: gate,
                                feed: "\(gate)-cam", rng.next() % 3 == 0 ? .out : .in, track: i))
        }
        // From several threads at once, as the feed workers do.
        DispatchQueue.concurrentPerform(iterations: 5) { k in
            writer.append(contentsOf: Array(events[(k * 469)..<min(events.count, (k + 1) * 469)]))
        }
        try writer.flush()
        let stats = writer.statistics
        XCTAssertEqual(stats.eventsWritten, 2345)
        XCTAssertEqual(stats.pending, 0)
        XCTAssertGreaterThanOrEqual(stats.batches, 5, "batches are capped at 500 events")
        XCTAssertEqual(stats.lastError, nil)
        print("event writer: \(stats.batches) batches, mean \(String(format: "%.2f", stats.meanWriteMs)) ms, max \(String(format: "%.2f", stats.maxWriteMs)) ms a batch")
        let q = StoreQueries(db)
        let counts = try q.countsByLine()
        XCTAssertEqual(counts.reduce(0) { $0 + $1.ins }, events.filter { $0.direction == .in }.count)
        XCTAssertEqual(counts.reduce(0) { $0 + $1.outs }, events.filter { $0.direction == .out }.count)
        let fromRows = try rollupsFromRows()
        XCTAssertEqual(fromRows.count, 6, "3 minutes x 2 lines")
        XCTAssertEqual(try rollupsStored(), fromRows)
        // Rows carry what the event said.
        let first = try q.crossings(fromMs: 0, toMs: .max, lineId: "g1-l1").first!
        let source = events.filter { $0.lineId == "g1-l1" }.sorted { $0.timestampMs < $1.timestampMs }.first!
        XCTAssertEqual(first.timestampMs, source.timestampMs)
        XCTAssertEqual(first.frameIndex, source.frameIndex)
        // The pipeline row gets the write latency once it exists.
        try db.pipelineStarted(version: "test", at: nov23UTC)
        writer.append(event(nov23UTC + 5))
        try writer.flush()
        XCTAssertGreaterThan(try q.pipeline()!.writeMs, 0)
        try writer.close()
        writer.append(event(nov23UTC + 6))   // after close: refused
        XCTAssertEqual(writer.statistics.pending, 0)
    }

    func testTimerFlushesWithoutBeingAsked() throws {
        let committed = Locked<[Int64]>([])
        let writer = try EventWriter(database: db, flushInterval: 0.05, maxBatch: 500,
                                     onCommit: { events, _ in committed.mutate { $0 += events.map(\.timestampMs) } })
        writer.append(contentsOf: [event(nov23UTC), event(nov23UTC + 1, .out), event(nov23UTC + 2)])
        let reader = try GateDatabase.openReader(path: db.path)
        let deadline = Date().addingTimeInterval(5)
        var seen = 0
        while Date() < deadline {
            seen = try StoreQueries(reader).latestCrossings().count
            if seen == 3 { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        XCTAssertEqual(seen, 3, "the timer should have written the batch")
        XCTAssertEqual(committed.value.sorted(), [nov23UTC, nov23UTC + 1, nov23UTC + 2])
        try writer.close()
    }

    func testSyncSiteUpsertsAndRemoves() throws {
        let q = StoreQueries(db)
        XCTAssertEqual(try q.site(), SiteRow(name: "Chùa Hương", capacity: 100, timeZone: "Asia/Ho_Chi_Minh",
                                             openMinute: 360, closeMinute: 1080, configPath: "site.yaml", updatedMs: nov23UTC))
        XCTAssertEqual(try q.feeds().map(\.id), ["g1-cam", "g2-cam"])
        XCTAssertEqual(try q.lines().first?.insideY, 0.9)
        var config = demoConfig(gates: ["g2", "g3"])
        config.site.capacity = 250
        try db.syncSite(config, configPath: nil, at: nov23UTC + 1)
        XCTAssertEqual(try q.gates().map(\.id), ["g2", "g3"])
        XCTAssertEqual(try q.lines().map(\.id), ["g2-l1", "g3-l1"])
        XCTAssertEqual(try q.site()?.capacity, 250)
        XCTAssertNil(try q.site()?.configPath)
    }

    func testHeartbeat() throws {
        let q = StoreQueries(db)
        XCTAssertNil(try q.pipeline())
        try db.pipelineStarted(pid: 4242, version: "0.1", at: nov23UTC)
        try db.pipelineBeat(at: nov23UTC + 1000, writer: WriterStats(pending: 7, dropped: 2, lastWriteMs: 1.5))
        var p = try q.pipeline()!
        XCTAssertEqual(p.pid, 4242); XCTAssertEqual(p.writeMs, 1.5); XCTAssertEqual(p.heartbeatMs, nov23UTC + 1000)
        XCTAssertEqual(p.writerPending, 7); XCTAssertEqual(p.writerDropped, 2)
        try db.pipelineBeat(at: nov23UTC + 1500)
        XCTAssertEqual(try q.pipeline()!.writerPending, 7, "a beat without the writer's figures keeps the last ones")
        p = try q.pipeline()!
        XCTAssertTrue(p.isAlive(nowMs: nov23UTC + 3000))
        XCTAssertFalse(p.isAlive(nowMs: nov23UTC + 60_000), "a killed pipeline's heartbeat gets old")
        try db.pipelineStopped(at: nov23UTC + 2000)
        p = try q.pipeline()!
        XCTAssertEqual(p.state, "stopped")
        XCTAssertFalse(p.isAlive(nowMs: nov23UTC + 2000))
    }

    func testSecondLivePipelineIsRefused() throws {
        let me = Int(getpid())
        try db.pipelineStarted(pid: me, version: "0.1", at: nov23UTC)
        try db.pipelineBeat(at: nov23UTC + 1000)
        // Another process starting while this one beats: refused with its one line.
        XCTAssertThrowsError(try db.pipelineStarted(pid: me + 1, version: "0.1", at: nov23UTC + 2000)) {
            XCTAssertEqual($0 as? StoreError, .pipelineRunning(path: db.path, pid: me))
            assertOneLine($0, contains: "pid \(me)", path: db.path)
        }
        // Heartbeat gone stale (the old one hangs or was killed): allowed.
        XCTAssertNoThrow(try db.pipelineStarted(pid: me + 1, version: "0.1", at: nov23UTC + 60_000))
        // Fresh heartbeat but the pid no longer exists (kill -9 then restart at once): allowed.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run(); gone.waitUntilExit()
        try db.pipelineStarted(pid: Int(gone.processIdentifier), version: "0.1", at: nov23UTC + 70_000, force: true)
        XCTAssertNoThrow(try db.pipelineStarted(pid: me, version: "0.1", at: nov23UTC + 70_500))
        XCTAssertEqual(try StoreQueries(db).pipeline()?.pid, me)
    }

    func testFlushFromCommitHandlerDoesNotDeadlock() throws {
        let box = Locked<EventWriter?>(nil)
        let writer = try EventWriter(database: db, flushInterval: 0.02, onCommit: { _, _ in try? box.value?.flush() })
        box.mutate { $0 = writer }
        writer.append(event(nov23UTC))
        try writer.flush()
        Thread.sleep(forTimeInterval: 0.1)
        writer.append(event(nov23UTC + 1))
        try writer.close()
        XCTAssertEqual(writer.statistics.eventsWritten, 2)
        box.mutate { $0 = nil }
    }

    /// Prints write throughput (debug build, synchronous=FULL: each batch is one fsync).
    func testWriteThroughputFigures() throws {
        let writer = try EventWriter(database: db, flushInterval: 0.2, maxBatch: 500)
        let n = 20_000
        let events = (0..<n).map { event(nov23UTC + Int64($0) * 50, $0 % 2 == 0 ? .in : .out, track: $0) }
        let start = Date()
        for chunk in stride(from: 0, to: n, by: 100) { writer.append(contentsOf: Array(events[chunk..<chunk + 100])) }
        try writer.flush()
        let seconds = Date().timeIntervalSince(start)
        let s = writer.statistics
        print(String(format: "event writer throughput: %d events in %.3f s = %.0f events/s; %d batches, mean %.2f ms, max %.2f ms a batch",
                     n, seconds, Double(n) / seconds, s.batches, s.meanWriteMs, s.maxWriteMs))
        XCTAssertEqual(try StoreQueries(db).countsByLine().reduce(0) { $0 + $1.ins + $1.outs }, n)
        let t = Date()
        let q = StoreQueries(db)
        _ = try q.today(now: nov23UTC + 3_600_000)
        _ = try q.minuteSeriesByGate(minutes: 60, now: nov23UTC + 1_000_000)
        _ = try q.report(by: .hour, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-23")!, perGate: true)
        print(String(format: "queries: today + 60-minute series + hourly report in %.2f ms", Date().timeIntervalSince(t) * 1000))
        try writer.close()
    }

    func testFeedHealthCurrentAndHistory() throws {
        let q = StoreQueries(db)
        let t0 = nov23UTC + 10 * minute
        for (i, fps) in [10.0, 8.0, 6.0].enumerated() {
            try db.updateFeedHealth(FeedHealth(feedId: "g1-cam", updatedMs: t0 + Int64(i) * 1000, state: "live",
                                               captureFps: fps, processFps: fps, detectMs: 20, frames: 100 * (i + 1),
                                               dropped: i, lastFrameMs: t0 + Int64(i) * 1000, reconnects: 0))
        }
        try db.updateFeedHealth(FeedHealth(feedId: "g1-cam", updatedMs: t0 + minute, state: "offline",
                                           reconnects: 1, lastError: "no frame for 20 s"))
        let now = try q.feedHealth()
        XCTAssertEqual(now.count, 1)
        XCTAssertEqual(now[0].state, "offline"); XCTAssertEqual(now[0].lastError, "no frame for 20 s")
        let hist = try q.feedHealthHistory(feedId: "g1-cam", minutes: 5, now: t0 + minute)
        XCTAssertEqual(hist.count, 2)
        XCTAssertEqual(hist[0].samples, 3)
        XCTAssertEqual(hist[0].captureFps, 8.0, accuracy: 1e-9, "mean of the minute's samples")
        XCTAssertEqual(hist[0].dropped, 2, "running total at the last sample")
        XCTAssertEqual(hist[1].state, "offline"); XCTAssertEqual(hist[1].reconnects, 1)
    }

    func testAlertLifecycle() throws {
        let q = StoreQueries(db)
        let a = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .warning,
                                     message: "no frame for 20 s", value: 20, at: nov23UTC)
        XCTAssertTrue(a.opened)
        // The same cause again updates the open alert.
        let b = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .warning,
                                     message: "no frame for 25 s", value: 25, at: nov23UTC + 5000)
        XCTAssertEqual(b, AlertChange(id: a.id, opened: false, escalated: false))
        // Another subject is another alert.
        let other = try db.raiseOrUpdate(kind: .offline, subject: .feed("g2-cam"), severity: .warning, message: "x", at: nov23UTC)
        XCTAssertNotEqual(other.id, a.id)
        var row = try q.alert(id: a.id)!
        XCTAssertEqual(row.occurrences, 2); XCTAssertEqual(row.message, "no frame for 25 s")
        XCTAssertEqual(row.updatedMs, nov23UTC + 5000); XCTAssertEqual(row.raisedMs, nov23UTC); XCTAssertEqual(row.value, 25)

        XCTAssertTrue(try db.acknowledge(id: a.id, by: "Lan", note: "đã gọi kỹ thuật", at: nov23UTC + 6000))
        row = try q.alert(id: a.id)!
        XCTAssertEqual(row.state, .known(.acknowledged)); XCTAssertEqual(row.ackBy, "Lan")
        XCTAssertEqual(row.ackNote, "đã gọi kỹ thuật"); XCTAssertEqual(row.ackMs, nov23UTC + 6000)
        // Still the same cause: updates the acknowledged alert, stays acknowledged...
        _ = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .warning, message: "m", at: nov23UTC + 7000)
        XCTAssertEqual(try q.alert(id: a.id)!.state, .known(.acknowledged))
        // ...unless it gets worse.
        let worse = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .critical, message: "m", at: nov23UTC + 8000)
        XCTAssertEqual(worse, AlertChange(id: a.id, opened: false, escalated: true))
        XCTAssertEqual(try q.alert(id: a.id)!.state, .known(.open))
        XCTAssertEqual(try q.alerts(.unresolved).count, 2)

        XCTAssertEqual(try db.resolve(kind: .offline, subject: .feed("g1-cam"), at: nov23UTC + 9000), a.id)
        XCTAssertNil(try db.resolve(kind: .offline, subject: .feed("g1-cam"), at: nov23UTC + 9500), "nothing left to resolve")
        row = try q.alert(id: a.id)!
        XCTAssertEqual(row.state, .known(.resolved)); XCTAssertEqual(row.resolvedMs, nov23UTC + 9000)
        XCTAssertFalse(try db.acknowledge(id: a.id, by: "Lan", at: nov23UTC + 9600), "resolved alerts are not acknowledged")
        // The cause returns: a new alert.
        let again = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .warning, message: "again", at: nov23UTC + 10_000)
        XCTAssertTrue(again.opened); XCTAssertNotEqual(again.id, a.id)
        XCTAssertEqual(try q.alert(id: again.id)!.occurrences, 1)

        // Filters.
        XCTAssertEqual(try q.alerts(.all).map(\.id), [again.id, a.id, other.id])
        XCTAssertEqual(try q.alerts(.unresolved).map(\.id), [again.id, other.id])
        XCTAssertEqual(try q.alerts(AlertFilter(states: [.resolved])).map(\.id), [a.id])
        XCTAssertEqual(try q.alerts(AlertFilter(subjectId: "g2-cam")).map(\.id), [other.id])
        XCTAssertEqual(try q.alerts(AlertFilter(minSeverity: .critical)).map(\.id), [a.id])
        XCTAssertEqual(try q.alerts(AlertFilter(text: "AGAIN")).map(\.id), [again.id])
        XCTAssertEqual(try q.alerts(AlertFilter(kinds: [.capacity])).count, 0)
        XCTAssertEqual(try q.alerts(AlertFilter(limit: 1)).count, 1)

        XCTAssertThrowsError(try db.raiseOrUpdate(kind: .offline, subject: .feed(""), severity: .warning, message: "m")) {
            assertOneLine($0, contains: "the feed id is empty")
        }
        // The database itself refuses a second open alert for one cause.
        XCTAssertThrowsError(try db.pool!.write { db in
            try db.execute(sql: "INSERT INTO alert (kind, subject, subject_type, severity, state, message, raised_ms, updated_ms) VALUES ('offline', 'g1-cam', 'feed', 'info', 'open', 'dup', 0, 0)")
        })
    }

    /// One acknowledge semantics for the pipeline's writer and the console's short write:
    /// only an open alert, a second acknowledge is refused and changes nothing, and
    /// `updated_ms` moves exactly once (so every console sees the first one).
    func testAcknowledgeTwiceIsRefusedAndUpdatedMovesOnce() throws {
        let q = StoreQueries(db)
        let viaWriter = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .warning, message: "m", at: nov23UTC)
        let viaConsole = try db.raiseOrUpdate(kind: .offline, subject: .feed("g2-cam"), severity: .warning, message: "m", at: nov23UTC)
        let acks: [(Int64, (Int64, Int64) throws -> Bool)] = [
            (viaWriter.id, { id, at in try self.db.acknowledge(id: id, by: "Lan", note: "đã gọi", at: at) }),
            (viaConsole.id, { id, at in try GateDatabase.acknowledgeAlert(path: self.db.path, id: id, by: "Lan", note: "đã gọi", at: at) }),
        ]
        for (id, acknowledge) in acks {
            XCTAssertTrue(try acknowledge(id, nov23UTC + 1000))
            let first = try XCTUnwrap(try q.alert(id: id))
            XCTAssertEqual(first.state, .known(.acknowledged))
            XCTAssertEqual(first.updatedMs, nov23UTC + 1000, "updated_ms moves with the acknowledge")
            XCTAssertEqual(first.ackMs, nov23UTC + 1000)
            XCTAssertFalse(try acknowledge(id, nov23UTC + 2000), "a second acknowledge is refused")
            XCTAssertEqual(try q.alert(id: id), first, "a refused acknowledge changed the alert")
        }
    }

    func testTestRuns() throws {
        let q = StoreQueries(db)
        XCTAssertEqual(try q.testRuns(), [])
        let run = try db.startTestRun(suite: "samples/acceptance", version: "0.1", machine: "ci", at: nov23UTC)
        XCTAssertEqual(try q.testRun(id: run)?.verdict, .known(.running))
        try db.addTestResult(runId: run, TestResultRecord(scenario: "pairs", lineId: "l1", expectedIn: 10, expectedOut: 4,
                                                          countedIn: 10, countedOut: 4, tolerance: 0, fps: 80, requiredFps: 50,
                                                          verdict: .pass, frames: 300, seconds: 3.75))
        try db.addTestResult(runId: run, TestResultRecord(scenario: "vtest", expectedIn: 20, countedIn: 17, tolerance: 0.1,
                                                          verdict: .fail, detail: "in 17, expected 20 ± 10%"))
        XCTAssertEqual(try q.testRun(id: run)?.passed, 1)
        XCTAssertEqual(try db.finishTestRun(id: run, at: nov23UTC + 60_000), .fail)
        let r = try q.testRun(id: run)!
        XCTAssertEqual(r.failed, 1); XCTAssertEqual(r.finishedMs, nov23UTC + 60_000)
        let results = try q.testResults(runId: run)
        XCTAssertEqual(results.map(\.scenario), ["pairs", "vtest"])
        XCTAssertEqual(results.map(\.verdict), [.known(.pass), .known(.fail)])
        XCTAssertEqual(results[0].seconds, 3.75); XCTAssertEqual(results[0].runId, run)
        XCTAssertEqual(results[1].detail, "in 17, expected 20 ± 10%")
        let run2 = try db.startTestRun(suite: "s", version: "0.1", machine: "ci", at: nov23UTC + 1)
        try db.addTestResult(runId: run2, TestResultRecord(scenario: "a", verdict: .pass))
        // A known weakness is reported, not failed: neither passed nor failed, and the run passes.
        try db.addTestResult(runId: run2, TestResultRecord(scenario: "far", verdict: .knownWeakness, detail: "in 2, expected 6"))
        XCTAssertEqual(try db.finishTestRun(id: run2), .pass)
        XCTAssertEqual(try q.testRun(id: run2)?.failed, 0)
        XCTAssertEqual(try q.testResults(runId: run2).map(\.verdict), [.known(.pass), .known(.knownWeakness)])
        XCTAssertEqual(try q.testRun(id: run2)?.verdict, .known(.pass))
        XCTAssertEqual(try q.testRuns().map(\.id), [run2, run])
        XCTAssertThrowsError(try db.addTestResult(runId: 999, TestResultRecord(scenario: "a", verdict: .pass))) {
            assertOneLine($0, contains: "no run with id 999")
        }
        var unknown = TestResultRecord(scenario: "a", verdict: .pass)
        unknown.verdict = .unknown("skipped")
        XCTAssertThrowsError(try db.addTestResult(runId: run2, unknown)) { assertOneLine($0, contains: "'skipped' is unknown") }
    }

    /// Retention finds old health minutes on the primary key, never by scanning a year of them.
    func testRetentionSearchesHealthMinutesByKey() throws {
        let statements: [(String, StatementArguments)] = [(GateDatabase.nextHealthFeedSQL, ["f"]),
                                                          (GateDatabase.deleteHealthChunkSQL, ["f", 1, 500])]
        for (sql, args) in statements {
            let plan = try db.read("plan") { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: args).map { $0["detail"] as String }
            }
            XCTAssertFalse(plan.contains { $0.hasPrefix("SCAN feed_health_minute") }, "\(plan)")
            XCTAssertTrue(plan.contains { $0.contains("SEARCH feed_health_minute USING") && $0.contains("PRIMARY KEY") || $0.contains("sqlite_autoindex_feed_health_minute") }, "\(plan)")
        }
        // Several feeds, more than a chunk each: everything old goes, nothing recent.
        let now = nov23UTC
        try db.write("seed") { db in
            for feed in ["a", "b", "c"] {
                try db.execute(sql: """
                    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 5099)
                    INSERT INTO feed_health_minute (minute_ms, feed_id, capture_fps, process_fps, detect_ms, dropped, reconnects)
                    SELECT ? + i * 60000, ?, 10, 10, 30, 0, 0 FROM n
                    """, arguments: [now - 40 * 86_400_000, feed])
            }
        }
        try db.updateFeedHealth(["a", "b", "c"].map { FeedHealth(feedId: $0, updatedMs: now - 60_000, state: "live") })
        XCTAssertEqual(try db.applyRetention(days: 30, now: now).healthMinutesDeleted, 3 * 5100)
        XCTAssertEqual(try StoreQueries(db).feedHealthHistory(feedId: "b", minutes: 10, now: now).count, 1)
    }

    func testRetentionKeepsRollups() throws {
        let now = nov23UTC + 40 * 86_400_000
        try db.insertCrossings([event(nov23UTC), event(nov23UTC + 1, .out), event(now - hour)])
        _ = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .warning, message: "m", at: nov23UTC)
        try db.resolve(kind: .offline, subject: .feed("g1-cam"), at: nov23UTC + 1)
        _ = try db.raiseOrUpdate(kind: .capacity, subject: .site, severity: .warning, message: "still open", at: nov23UTC)
        try db.updateFeedHealth(FeedHealth(feedId: "g1-cam", updatedMs: nov23UTC, state: "live"))
        let r = try db.applyRetention(days: 30, now: now)
        XCTAssertEqual(r, RetentionResult(crossingsDeleted: 2, healthMinutesDeleted: 1, alertsDeleted: 1, rollupsDeleted: 0))
        let q = StoreQueries(db)
        XCTAssertEqual(try q.latestCrossings().count, 1)
        XCTAssertEqual(try q.alerts().map(\.kind), [.known(.capacity)], "open alerts are never deleted")
        // Reports of old days still work from the rollups.
        let old = try q.report(by: .day, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-23")!)
        XCTAssertEqual(old.totalIn, 1); XCTAssertEqual(old.totalOut, 1)
        let r2 = try db.applyRetention(days: 30, keepRollups: false, now: now)
        XCTAssertEqual(r2.rollupsDeleted, 3, "the old minute, hour and day rollup rows")
        XCTAssertThrowsError(try db.applyRetention(days: 0)) { assertOneLine($0, contains: "at least 1") }
    }
}

/// Deterministic generator for test data.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> Int {
        state &+= 0x9E3779B97F4A7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
        z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
        return Int(truncatingIfNeeded: (z ^ (z >> 31)) >> 1)
    }
}

final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var v: T
    init(_ v: T) { self.v = v }
    var value: T { lock.lock(); defer { lock.unlock() }; return v }
    func mutate(_ f: (inout T) -> Void) { lock.lock(); f(&v); lock.unlock() }
}
