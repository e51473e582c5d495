import XCTest
import GRDB
import GateCore
@testable import GateStore
@testable import GateConsole

/// The view-model layer against real SQLite files: counts, change detection,
/// acknowledging, and the missing / corrupt / not-initialised cases.
final class StoreTests: XCTestCase {
    var dir: URL!
    override func setUp() {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-store-\(getpid())-\(UUID().uuidString.prefix(6))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func testCountsTakeBusiestFeedPerGate() throws {
        let p = dir.appendingPathComponent("a.db").path
        try SeedDatabase.create(at: p)
        let s = try ConsoleStore(path: p).load(LoadRequest(), now: SeedDatabase.fixedNow).get()
        XCTAssertEqual(s.site?.name, "Khu du lịch Núi Bà Đen")
        XCTAssertEqual(s.gates.map(\.id), ["cong-chinh", "cong-dong", "cap-treo"])
        // Both cameras of the main gate see the same people; camera 2 misses some, so the gate counts camera 1.
        let reader = try GateDatabase.openReader(path: p)
        let cam1 = try StoreQueries(reader).today(now: SeedDatabase.fixedNow).lines.first { $0.id == "line-cam-chinh-1" }?.ins
        try reader.close()
        XCTAssertEqual(s.gates[0].todayIn, cam1)
        XCTAssertNotEqual(s.gates[0].todayIn, 0)
        XCTAssertEqual(s.todayIn, s.gates.map(\.todayIn).reduce(0, +))
        XCTAssertEqual(s.gates[0].hourlyIn.reduce(0, +), s.gates[0].todayIn)
        XCTAssertEqual(s.gates[0].lastHourIn.count, 60)
        XCTAssertEqual(s.history?.daily.count, 14)
        XCTAssertEqual(s.history?.daily.first?.label, "2026-11-23")
        XCTAssertEqual(s.history?.daily[1].ins, (20 + 3 + 8) + (20 + 3 + 9) + (20 + 3 + 14) + (20 + 3 + 16) + 4 * (5 + 1))
        XCTAssertTrue(s.crossings.allSatisfy { $0.lineId.hasPrefix("line-cam-chinh") })
        XCTAssertEqual(s.crossings.map(\.timestampMs), s.crossings.map(\.timestampMs).sorted(by: >))
        XCTAssertEqual(s.crossings.count, 200)
        XCTAssertTrue(s.pipelineAlive(now: SeedDatabase.fixedNow))
        XCTAssertFalse(s.pipelineAlive(now: SeedDatabase.fixedNow + 10_000))
        // A runner that stopped beating cannot vouch for its cameras (same rule as `status`/`check`).
        XCTAssertEqual(s.feeds.first { $0.id == "cam-chinh-1" }.map { s.feedState($0, now: SeedDatabase.fixedNow + 10_000) }, .unknown)
        XCTAssertEqual(s.testRuns.map(\.verdict.rawValue), ["fail", "pass"])
        XCTAssertEqual(s.testRuns[0].results.count, 3)
    }

    func testChangeDetectionAndAcknowledge() throws {
        let p = dir.appendingPathComponent("b.db").path
        try SeedDatabase.create(at: p)
        let writer = try GateDatabase.openWriter(path: p)
        defer { try? writer.close() }
        let store = ConsoleStore(path: p)
        XCTAssertTrue(store.hasChanged())   // first look
        XCTAssertFalse(store.hasChanged())
        try writer.pipelineBeat(at: SeedDatabase.fixedNow + 1_000)
        XCTAssertTrue(store.hasChanged())
        XCTAssertFalse(store.hasChanged())

        // GateStore's one acknowledge: an open alert once; updated_ms moves once, so every console sees it.
        let now = SeedDatabase.fixedNow + 60_000
        XCTAssertTrue(try store.acknowledge(alertId: 2, by: "Nguyễn Lan", note: "đã gọi kỹ thuật", now: now))
        let row = try XCTUnwrap(try StoreQueries(writer).alert(id: 2))
        XCTAssertEqual(row.state, .known(.acknowledged))
        XCTAssertEqual(row.ackBy, "Nguyễn Lan")
        XCTAssertEqual(row.ackMs, now)
        XCTAssertEqual(row.ackNote, "đã gọi kỹ thuật")
        XCTAssertEqual(row.updatedMs, now)
        XCTAssertFalse(try store.acknowledge(alertId: 2, by: "x", note: "", now: now + 5_000), "already acknowledged")
        XCTAssertEqual(try StoreQueries(writer).alert(id: 2), row, "a refused acknowledge changed the alert")
        XCTAssertTrue(store.hasChanged())
    }

    func testProblems() throws {
        let missing = dir.appendingPathComponent("none.db").path
        guard case .failure(.missing(missing)) = ConsoleStore(path: missing).load(LoadRequest(), now: 0) else { return XCTFail("missing") }
        XCTAssertFalse(FileManager.default.fileExists(atPath: missing), "a read-only console must not create the file")

        let junk = dir.appendingPathComponent("junk.db").path
        try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: junk))
        guard case .failure(.corrupt) = ConsoleStore(path: junk).load(LoadRequest(), now: 0) else { return XCTFail("corrupt") }

        // Raw SQL on purpose: a SQLite file some other program made, which GateStore never writes.
        let empty = dir.appendingPathComponent("empty.db").path
        _ = try DatabaseQueue(path: empty).write { try $0.execute(sql: "CREATE TABLE other(x)") }
        guard case .failure(.notInitialised) = ConsoleStore(path: empty).load(LoadRequest(), now: 0) else { return XCTFail("schema") }

        // The file appears later: the same store recovers.
        let later = dir.appendingPathComponent("later.db").path
        let store = ConsoleStore(path: later)
        guard case .failure(.missing) = store.load(LoadRequest(), now: 0) else { return XCTFail("later missing") }
        try SeedDatabase.create(at: later)
        XCTAssertNoThrow(try store.load(LoadRequest(), now: SeedDatabase.fixedNow).get())
    }

    /// The console opens through GateStore's reader door: each refusal names its cause
    /// (not "not found" for an unreadable file, not "disk I/O error" for a folder), and a
    /// newer schema is refused as `status` and `run` refuse it.
    func testOpeningProblemsNameTheirCause() throws {
        guard case .failure(.notAFile(dir.path)) = ConsoleStore(path: dir.path).load(LoadRequest(), now: 0) else {
            return XCTFail("directory")
        }
        let newer = dir.appendingPathComponent("newer.db").path
        try SeedDatabase.create(at: newer)
        // Raw SQL on purpose: a migration this version does not know, as a newer GateWatch leaves it.
        try DatabaseQueue(path: newer).write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99-future')")
        }
        guard case .failure(.newer(newer)) = ConsoleStore(path: newer).load(LoadRequest(), now: 0) else {
            return XCTFail("newer schema")
        }
        XCTAssertTrue(Strings(.en).problem(.newer(newer)).contains("newer GateWatch"))

        let locked = dir.appendingPathComponent("unreadable.db").path
        try SeedDatabase.create(at: locked)
        let r = try Self.asOtherUser(locked, readable: false) { ConsoleStore(path: locked).load(LoadRequest(), now: 0) }
        guard case .failure(.unreadable(let line)) = r else { return XCTFail("unreadable: \(r)") }
        XCTAssertTrue(line.contains("not readable"), line)
    }

    /// A user who may only read watches the pipeline's database (stopped: no -wal/-shm,
    /// which this user could not create); acknowledging says it needs write access.
    func testReadOnlyUserWatchesAndIsToldWhyNotAcknowledge() throws {
        let p = dir.appendingPathComponent("ro.db").path
        let w = try GateDatabase.openWriter(path: p)
        try w.syncSite(SiteConfig(site: SiteInfo(name: "Chùa Hương", capacity: 50, timeZone: "Asia/Ho_Chi_Minh"),
                                  gates: [GateConfig(id: "g", name: "Cổng", feeds: [])]), configPath: nil)
        try w.raiseOrUpdate(kind: .capacity, subject: .site, severity: .warning, message: "near capacity")
        try w.close()
        try Self.asOtherUser(p) {
            let store = ConsoleStore(path: p)
            let s = try store.load(LoadRequest(), now: currentTimeMs()).get()
            XCTAssertEqual(s.site?.name, "Chùa Hương")
            XCTAssertEqual(s.alerts.count, 1)
            XCTAssertThrowsError(try store.acknowledge(alertId: s.alerts[0].id, by: "Lan", note: "", now: 1)) {
                XCTAssertTrue("\($0)".contains("needs write access"), "\($0)")
            }
        }
    }

    /// As root (which ignores mode bits) the body runs as `nobody`; else write bits go away.
    static func asOtherUser<T>(_ path: String, readable: Bool = true, _ body: () throws -> T) throws -> T {
        let dir = (path as NSString).deletingLastPathComponent
        let files = [path, path + "-wal", path + "-shm"].filter { FileManager.default.fileExists(atPath: $0) }
        if getuid() == 0 {
            for f in files { chmod(f, readable ? 0o644 : 0o600) }
            chmod(dir, 0o755)
            precondition(setegid(65534) == 0 && seteuid(65534) == 0, "cannot become nobody")
            defer { _ = seteuid(0); _ = setegid(0) }
            return try body()
        }
        for f in files { chmod(f, readable ? 0o444 : 0o000) }
        chmod(dir, 0o555)
        defer { chmod(dir, 0o700); for f in files { chmod(f, 0o600) } }
        return try body()
    }

    /// With a runner writing, a load re-reads only what changed: a heartbeat re-reads the
    /// pipeline row, a crossing the counts, the gate's crossings and a History window that
    /// reaches today; alerts, test runs and an old History day are kept from the last read.
    func testLoadRereadsOnlyWhatChanged() throws {
        let p = dir.appendingPathComponent("parts.db").path
        try SeedDatabase.create(at: p)
        let g = try GateDatabase.openWriter(path: p)
        let store = ConsoleStore(path: p)
        let now = SeedDatabase.fixedNow
        _ = try store.load(LoadRequest(historyDaysBack: 3), now: now).get()
        XCTAssertEqual(store.lastReadParts, [.site, .feeds, .counts, .alerts, .pipeline, .tests, .crossings, .history])
        _ = try store.load(LoadRequest(historyDaysBack: 3), now: now).get()
        XCTAssertEqual(store.lastReadParts, [])
        try g.pipelineBeat(at: now + 1_000)
        _ = try store.load(LoadRequest(historyDaysBack: 3), now: now).get()
        XCTAssertEqual(store.lastReadParts, [.pipeline])
        let before = try store.load(LoadRequest(), now: now).get()
        XCTAssertEqual(store.lastReadParts, [.history], "another day asked")
        try g.insertCrossings([CrossingEvent(timestampMs: now - 5_000, feedId: "cam-chinh-1", gateId: "cong-chinh",
                                             lineId: "line-cam-chinh-1", direction: .in, trackId: 99, confidence: 0.9, frameIndex: 0)])
        let after = try store.load(LoadRequest(), now: now).get()
        XCTAssertEqual(store.lastReadParts, [.counts, .crossings, .history])
        XCTAssertEqual(after.todayIn, before.todayIn + 1)
        XCTAssertEqual(after.history?.daily.first?.ins, (before.history?.daily.first?.ins ?? 0) + 1)
        XCTAssertEqual(after.crossings.first?.trackId, 99)
        XCTAssertEqual(after.alerts, before.alerts)
        try g.close()
    }

    /// History reads the day and hour rollups: equal to counting the per-minute rollup.
    func testHistoryFromRollupsMatchesMinutes() throws {
        let p = dir.appendingPathComponent("hist.db").path
        try SeedDatabase.create(at: p)
        for back in [0, 1, 5, 13, 20] {
            let fromRollups = try ConsoleStore(path: p).load(LoadRequest(historyDaysBack: back), now: SeedDatabase.fixedNow).get().history
            let q = try GateDatabase.openReader(path: p)
            let fromMinutes = try q.readSnapshot("test") { db in
                try ConsoleStore.readHistory(db, cal: ConsoleStore.calendar(SiteRow(name: "", capacity: 1, timeZone: "Asia/Ho_Chi_Minh", updatedMs: 0)),
                                             now: SeedDatabase.fixedNow, daysBack: back, rollups: false)
            }
            try q.close()
            XCTAssertEqual(fromRollups, fromMinutes, "\(back) days back")
        }
    }

    func testLockedDatabaseIsReported() throws {
        let p = dir.appendingPathComponent("c.db").path
        try SeedDatabase.create(at: p)
        // Raw SQL on purpose: an exclusive lock held by another connection (the seeded file is at
        // rest in rollback journal mode), which GateStore's writer never takes; readers get SQLITE_BUSY.
        let w = try DatabaseQueue(path: p)
        let sem = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? w.inDatabase { db in
                try db.execute(sql: "BEGIN EXCLUSIVE")
                sem.signal()
                done.wait()
                try db.execute(sql: "ROLLBACK")
            }
        }
        sem.wait()
        let r = ConsoleStore(path: p).load(LoadRequest(), now: 0)
        done.signal()
        guard case .failure(.locked) = r else { return XCTFail("expected locked, got \(r)") }
    }

    func testCSV() throws {
        let p = dir.appendingPathComponent("d.db").path
        try SeedDatabase.create(at: p)
        let h = try XCTUnwrap(try ConsoleStore(path: p).load(LoadRequest(historyDaysBack: 1), now: SeedDatabase.fixedNow).get().history)
        let hourly = HistoryCSV.hourly(h).split(separator: "\n")
        XCTAssertEqual(hourly.count, 25)
        // 08:00 main gate (20+3+8 in, 15+2+8 out) plus the east gate at 08:15 (5+1 in, 4+1 out).
        XCTAssertEqual(hourly[9], "2026-11-22,08,37,30,7")
        XCTAssertEqual(HistoryCSV.daily(h).split(separator: "\n").last.map(String.init)?.hasPrefix("2026-11-22,"), true)
    }
}
