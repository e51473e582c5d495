import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// Hourly and daily rollups in the site's zone: kept with the crossings, equal to
/// counting the crossings on Foundation's calendar, rebuilt when the zone changes.
final class RollupTests: XCTestCase {
    /// Crossings every 7 min 13 s from 2026-03-27 to 2026-04-01: over Berlin's spring-forward
    /// night (2026-03-29, a 23-hour day), alternating lines, gates and directions.
    private func events() -> [CrossingEvent] {
        let start: Int64 = 1_774_569_600_000   // 2026-03-27 00:00 UTC
        return (0..<1000).map { i in
            let g = i % 3 == 0 ? "g2" : "g1"
            return event(start + Int64(i) * 433_000, line: "\(g)-l1", gate: g, feed: "\(g)-cam", i % 4 == 0 ? .out : .in, track: i)
        }
    }

    /// (ins, outs) per local day and per local hour start, counted with Foundation's calendar.
    private func expected(_ evs: [CrossingEvent], zone: String) -> (days: [String: (Int, Int)], hours: [Int64: (Int, Int)]) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: zone)!
        var days: [String: (Int, Int)] = [:], hours: [Int64: (Int, Int)] = [:]
        for e in evs {
            let d = Date(timeIntervalSince1970: Double(e.timestampMs) / 1000)
            let c = cal.dateComponents([.year, .month, .day], from: d)
            let key = String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
            let h = Int64(cal.dateInterval(of: .hour, for: d)!.start.timeIntervalSince1970 * 1000)
            let isIn = e.direction == .in
            days[key, default: (0, 0)].0 += isIn ? 1 : 0; days[key, default: (0, 0)].1 += isIn ? 0 : 1
            hours[h, default: (0, 0)].0 += isIn ? 1 : 0; hours[h, default: (0, 0)].1 += isIn ? 0 : 1
        }
        return (days, hours)
    }

    private func check(_ db: GateDatabase, zone: String, _ evs: [CrossingEvent], file: StaticString = #filePath, line: UInt = #line) throws {
        let want = expected(evs, zone: zone)
        let q = StoreQueries(db)
        let daily = try q.report(by: .day, from: LocalDate("2026-03-26")!, to: LocalDate("2026-04-02")!)
        XCTAssertEqual(daily.timeZone, zone, file: file, line: line)
        for r in daily.rows {
            let w = want.days[r.period] ?? (0, 0)
            XCTAssertEqual([r.ins, r.outs], [w.0, w.1], "day \(r.period)", file: file, line: line)
        }
        let hourly = try q.report(by: .hour, from: LocalDate("2026-03-26")!, to: LocalDate("2026-04-02")!)
        for r in hourly.rows {
            let w = want.hours[r.startMs] ?? (0, 0)
            XCTAssertEqual([r.ins, r.outs], [w.0, w.1], "hour \(r.period)", file: file, line: line)
        }
        XCTAssertEqual(hourly.totalIn, evs.filter { $0.direction == .in }.count, file: file, line: line)
        // The rollup tables themselves hold the site's local days.
        let stored = try db.read("test") { try Int.fetchOne($0, sql: "SELECT SUM(ins) + SUM(outs) FROM crossing_day") }
        XCTAssertEqual(stored, evs.count, file: file, line: line)
    }

    func testRollupsFollowTheSiteZoneAcrossDSTAndZoneChanges() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        try db.syncSite(demoConfig(timeZone: "Europe/Berlin"), configPath: nil)
        let evs = events()
        try db.insertCrossings(Array(evs[..<400]))
        try db.insertCrossings(Array(evs[400...]))
        try check(db, zone: "Europe/Berlin", evs)
        let berlin = try StoreQueries(db).report(by: .hour, from: LocalDate("2026-03-29")!, to: LocalDate("2026-03-29")!)
        XCTAssertEqual(berlin.rows.count, 23, "spring-forward day has 23 hours")
        XCTAssertEqual(berlin.rows[2].period, "2026-03-29 03:00")
        // The site moves to another zone (half-hour offset): the history is rebuilt in it.
        try db.syncSite(demoConfig(timeZone: "Asia/Kolkata"), configPath: nil)
        try check(db, zone: "Asia/Kolkata", evs)
        try db.syncSite(demoConfig(timeZone: "Asia/Ho_Chi_Minh"), configPath: nil)
        try check(db, zone: "Asia/Ho_Chi_Minh", evs)
        // A report in another zone than the site's is still right (from the minutes).
        let other = try StoreQueries(db).report(by: .day, from: LocalDate("2026-03-26")!, to: LocalDate("2026-04-02")!,
                                                timeZone: "Europe/Berlin")
        XCTAssertEqual(other.rows.map(\.ins), try StoreQueries(db).report(by: .day, from: LocalDate("2026-03-26")!,
                       to: LocalDate("2026-04-02")!).rows.indices.map { i in
                           expected(evs, zone: "Europe/Berlin").days[other.rows[i].period]?.0 ?? 0 })
        try db.close()
    }

    /// A database from before the rollups gets them filled from its per-minute rollup.
    func testMigrationFillsRollupsFromMinutes() throws {
        let dir = TempDir()
        let path = dir.path("gw.sqlite")
        let evs = events()
        try makeOlderDatabase(at: path, upTo: "v2-masked-feed-source") { db in
            try db.execute(sql: "INSERT INTO site (id, name, capacity, time_zone, updated_ms) VALUES (1, 'x', 10, 'Europe/Berlin', 0)")
            try GateDatabase.insertMinutesOnly(evs, db: db)
        }
        let db = try GateDatabase.openWriter(path: path)
        try check(db, zone: "Europe/Berlin", evs)
        try db.close()
    }

    func testLocalDateArithmetic() {
        for (text, n) in [("1970-01-01", 0), ("2026-11-23", 20_780), ("2000-02-29", 11_016), ("0000-03-01", -719_468)] {
            XCTAssertEqual(LocalDate(text)!.dayNumber, Int64(n), text)
            XCTAssertEqual(LocalDate(dayNumber: Int64(n)).description, text)
        }
        XCTAssertEqual(LocalDate("2026-12-31")!.adding(days: 1).description, "2027-01-01")
        XCTAssertEqual(LocalDate("2028-03-01")!.adding(days: -1).description, "2028-02-29")
    }

    /// Year 0 exists in the proleptic calendar: three days are three rows (was 368).
    func testReportInYearZeroHasTheDaysAsked() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        let r = try StoreQueries(db).report(by: .day, from: LocalDate("0000-01-01")!, to: LocalDate("0000-01-03")!)
        XCTAssertEqual(r.rows.map(\.period), ["0000-01-01", "0000-01-02", "0000-01-03"])
        try db.close()
    }
}
