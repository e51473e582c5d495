import Foundation
import XCTest
import GateCore
@testable import GateStore

final class QueryTests: XCTestCase {
    var dir: TempDir!
    var db: GateDatabase!
    override func setUpWithError() throws {
        dir = TempDir()
        db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        try db.syncSite(demoConfig(), configPath: nil, at: nov23UTC)
    }
    override func tearDownWithError() throws { try db.close() }

    // Local (UTC+7) 2026-11-23 00:00 is 2026-11-22 17:00 UTC.
    let localMidnight23 = nov23UTC - 7 * hour

    func testReportAcrossDayBoundaryInHoChiMinh() throws {
        try db.insertCrossings([
            event(localMidnight23 - 30_000),                       // 22nd 23:59:30 local
            event(localMidnight23 - 1, line: "g2-l1", gate: "g2", .out), // 22nd 23:59:59.999 local
            event(localMidnight23),                                // 23rd 00:00:00 local
            event(localMidnight23 + 30_000, .out),                 // 23rd 00:00:30 local
            event(localMidnight23 + 7 * hour + 5 * minute, line: "g2-l1", gate: "g2"), // 23rd 07:05 local = 00:05 UTC
            event(nov23UTC + 20 * hour),                           // 24th 03:00 local, still the 23rd in UTC
        ])
        let q = StoreQueries(GateDatabase.openReaderForTest(db.path))
        let days = try q.report(by: .day, from: LocalDate("2026-11-22")!, to: LocalDate("2026-11-24")!)
        XCTAssertEqual(days.timeZone, "Asia/Ho_Chi_Minh")
        XCTAssertEqual(days.rows.map(\.period), ["2026-11-22", "2026-11-23", "2026-11-24"])
        XCTAssertEqual(days.rows.map(\.ins), [1, 2, 1])
        XCTAssertEqual(days.rows.map(\.outs), [1, 1, 0])
        XCTAssertEqual(days.rows[1].startMs, localMidnight23)
        XCTAssertEqual(days.rows[1].endMs, localMidnight23 + 24 * hour)

        let hours = try q.report(by: .hour, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-23")!)
        XCTAssertEqual(hours.rows.count, 24)
        XCTAssertEqual(hours.rows[0].period, "2026-11-23 00:00")
        XCTAssertEqual(hours.rows[0].startMs, localMidnight23)
        XCTAssertEqual(hours.rows[0].ins, 1); XCTAssertEqual(hours.rows[0].outs, 1)
        XCTAssertEqual(hours.rows[7].period, "2026-11-23 07:00"); XCTAssertEqual(hours.rows[7].ins, 1)
        XCTAssertEqual(hours.totalIn, 2, "the 24th 03:00 local crossing is not in the 23rd")
        XCTAssertEqual(hours.rows.filter { $0.ins + $0.outs > 0 }.count, 2)

        let perGate = try q.report(by: .day, from: LocalDate("2026-11-22")!, to: LocalDate("2026-11-22")!, perGate: true)
        XCTAssertEqual(perGate.rows.map { "\($0.gateId!):\($0.ins)/\($0.outs)" }, ["g1:1/0", "g2:0/1"])

        // The same data read in UTC puts the boundary elsewhere.
        let utc = try q.report(by: .day, from: LocalDate("2026-11-22")!, to: LocalDate("2026-11-23")!, timeZone: "UTC")
        XCTAssertEqual(utc.rows.map(\.ins), [2, 2])

        XCTAssertThrowsError(try q.report(by: .day, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-22")!)) {
            assertOneLine($0, contains: "is after")
        }
        XCTAssertThrowsError(try q.report(by: .day, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-23")!, timeZone: "Mars/Base")) {
            assertOneLine($0, contains: "IANA")
        }
    }

    func testHalfHourZoneReport() throws {
        // India is UTC+5:30: local hours start at :30 UTC; quarter-hour grouping keeps them exact.
        try db.syncSite(demoConfig(timeZone: "Asia/Kolkata"), configPath: nil)
        try db.insertCrossings([event(nov23UTC + 29 * minute), event(nov23UTC + 30 * minute)])
        let r = try StoreQueries(db).report(by: .hour, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-23")!)
        XCTAssertEqual(r.rows[5].period, "2026-11-23 05:00")
        XCTAssertEqual(r.rows[5].ins, 1)
        XCTAssertEqual(r.rows[6].ins, 1)
    }

    func testTodayOccupancyFromLocalMidnight() throws {
        try db.insertCrossings([
            event(localMidnight23 - minute),                          // yesterday: not counted
            event(localMidnight23 + minute), event(localMidnight23 + 2 * minute),
            event(localMidnight23 + 3 * minute, line: "g2-l1", gate: "g2"),
            event(localMidnight23 + 4 * minute, .out),
        ])
        let q = StoreQueries(db)
        let t = try q.today(now: localMidnight23 + hour)
        XCTAssertEqual(t.dayStartMs, localMidnight23)
        XCTAssertEqual(t.ins, 3); XCTAssertEqual(t.outs, 1); XCTAssertEqual(t.occupancy, 2); XCTAssertEqual(t.capacity, 100)
        XCTAssertEqual(t.gates.map { "\($0.id):\($0.ins)/\($0.outs)" }, ["g1:2/1", "g2:1/0"])
        XCTAssertEqual(t.lines.map(\.id), ["g1-l1", "g2-l1"])
        XCTAssertEqual(t.gates[0].name, "Cổng 1, \"chính\"")
        // More out than in since midnight (people who came in yesterday): never negative.
        try db.insertCrossings((0..<5).map { event(localMidnight23 + 10 * minute + Int64($0), .out) })
        XCTAssertEqual(try q.today(now: localMidnight23 + hour).occupancy, 0)
        // A gate without crossings is listed with zeros.
        try db.syncSite(demoConfig(gates: ["g1", "g2", "g3"]), configPath: nil)
        XCTAssertEqual(try q.today(now: localMidnight23 + hour).gates.last, CountRow(id: "g3", name: "Cổng 3, \"chính\"", gateId: "g3", ins: 0, outs: 0))
    }

    func testMinuteSeries() throws {
        let now = nov23UTC + 30 * minute + 15_000
        try db.insertCrossings([
            event(now), event(now - 1000, .out),
            event(now - 2 * minute, line: "g2-l1", gate: "g2"),
            event(now - 59 * minute), event(now - 60 * minute),   // the last one is outside a 60-minute window
        ])
        let q = StoreQueries(db)
        let site = try q.minuteSeries(minutes: 60, now: now)
        XCTAssertEqual(site.count, 60)
        XCTAssertEqual(site.last!.minuteMs, nov23UTC + 30 * minute)
        XCTAssertEqual(site.last!.ins, 1); XCTAssertEqual(site.last!.outs, 1)
        XCTAssertEqual(site[57].ins, 1); XCTAssertEqual(site[0].ins, 1)
        XCTAssertEqual(site.reduce(0) { $0 + $1.ins }, 3)
        let g2 = try q.minuteSeries(minutes: 60, gateId: "g2", now: now)
        XCTAssertEqual(g2.reduce(0) { $0 + $1.ins }, 1)
        let byGate = try q.minuteSeriesByGate(minutes: 10, now: now)
        XCTAssertEqual(Set(byGate.keys), ["g1", "g2"])
        XCTAssertEqual(byGate["g1"]!.map(\.ins).reduce(0, +), 1)
        XCTAssertEqual(byGate["g2"]![7].ins, 1)
        let empty = try q.minuteSeries(minutes: 5, gateId: "nope", now: now)
        XCTAssertEqual(empty.map(\.ins), [0, 0, 0, 0, 0])
    }

    func testLatestCrossings() throws {
        try db.insertCrossings([event(nov23UTC, track: 1), event(nov23UTC + 2, line: "g2-l1", gate: "g2", track: 2),
                                event(nov23UTC + 1, .out, track: 3)])
        let q = StoreQueries(db)
        XCTAssertEqual(try q.latestCrossings(limit: 10).map(\.trackId), [2, 3, 1])
        XCTAssertEqual(try q.latestCrossings(limit: 10, gateId: "g1").map(\.trackId), [3, 1])
        XCTAssertEqual(try q.latestCrossings(limit: 10, gateId: "g1").first?.direction, .out)
        XCTAssertEqual(try q.latestCrossings(limit: 1).count, 1)
    }

    /// A stored crossing is its event plus the row id: read back whole, and encoded flat
    /// (the crossing row's fields, not an `event` object inside).
    func testCrossingRowIsTheEventWithItsId() throws {
        let written = event(nov23UTC, track: 7)
        try db.insertCrossings([written])
        let row = try XCTUnwrap(try StoreQueries(db).latestCrossings(limit: 1).first)
        XCTAssertEqual(row.event, written)
        XCTAssertEqual(row.id, 1)
        XCTAssertEqual(Export.encode(row), #"{"confidence":0.9,"direction":1,"feedId":"g1-cam","frameIndex":\#(written.frameIndex),"#
                       + #""gateId":"g1","id":1,"lineId":"g1-l1","timestampMs":\#(nov23UTC),"trackId":7}"#)
        XCTAssertEqual(try JSONDecoder().decode(CrossingRow.self, from: Data(Export.encode(row).utf8)), row)
    }

    func testSizeAndChangeToken() throws {
        let q = StoreQueries(db)
        let t0 = try q.changeToken()
        XCTAssertEqual(try q.changeToken(), t0)
        try db.insertCrossings([event(nov23UTC)])
        let t1 = try q.changeToken()
        XCTAssertNotEqual(t1, t0)
        _ = try db.raiseOrUpdate(kind: .surge, subject: .site, severity: .info, message: "m", at: nov23UTC)
        XCTAssertNotEqual(try q.changeToken(), t1)
        let size = try q.databaseSize()
        XCTAssertGreaterThan(size.pageCount, 5)
        XCTAssertEqual(size.pageSize, 4096)
        XCTAssertGreaterThan(size.totalBytes, 0)
    }

    func testLocalDate() {
        XCTAssertEqual(LocalDate("2026-11-23"), LocalDate(year: 2026, month: 11, day: 23))
        XCTAssertNil(LocalDate("2026-02-30"))
        XCTAssertNil(LocalDate("2026-2-3"))
        XCTAssertNil(LocalDate("yesterday"))
        XCTAssertEqual(LocalDate("2024-02-28")!.adding(days: 1).description, "2024-02-29")
        XCTAssertEqual(LocalDate("2026-01-01")!.adding(days: -1).description, "2025-12-31")
        XCTAssertEqual(LocalDate(ms: nov23UTC - 7 * hour, timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh")!).description, "2026-11-23")
        XCTAssertEqual(LocalDate(ms: nov23UTC - 7 * hour - 1, timeZone: TimeZone(identifier: "Asia/Ho_Chi_Minh")!).description, "2026-11-22")
    }

    func testExportCSVAndJSON() throws {
        try db.insertCrossings([event(localMidnight23 + minute), event(localMidnight23 + 2 * minute, .out)])
        let report = try StoreQueries(db).report(by: .day, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-24")!, perGate: true)
        let csv = Export.csv(report)
        let lines = csv.components(separatedBy: "\r\n")
        XCTAssertEqual(lines[0], "period,start_utc,gate_id,gate_name,in,out,net")
        XCTAssertEqual(lines[1], "2026-11-23,2026-11-22T17:00:00Z,g1,\"Cổng 1, \"\"chính\"\"\",1,1,0")
        XCTAssertEqual(lines.count, 1 + 4 + 1, "header, 2 days x 2 gates, and the empty string after the last CRLF")
        XCTAssertEqual(lines.last, "")
        XCTAssertEqual(Export.csvField("a\nb"), "\"a\nb\"")
        XCTAssertEqual(Export.csvField("plain"), "plain")

        let json = Export.json(report)
        let obj = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        XCTAssertEqual(obj["by"] as? String, "day")
        XCTAssertEqual(obj["time_zone"] as? String, "Asia/Ho_Chi_Minh")
        XCTAssertEqual(obj["total_in"] as? Int, 1)
        let rows = obj["rows"] as! [[String: Any]]
        XCTAssertEqual(rows.count, 4)
        XCTAssertEqual(rows[0]["gate_name"] as? String, "Cổng 1, \"chính\"")
        XCTAssertEqual(rows[0]["in"] as? Int, 1)
        XCTAssertEqual(rows[0]["start_ms"] as? Int, Int(localMidnight23))
        // Any result struct encodes too.
        let alerts = Export.encode(try StoreQueries(db).alerts())
        XCTAssertEqual(alerts, "[]")
    }
}

extension GateDatabase {
    static func openReaderForTest(_ path: String) -> GateDatabase { try! openReader(path: path) }
}
