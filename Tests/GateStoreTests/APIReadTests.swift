import Foundation
import XCTest
import GateCore
@testable import GateStore

/// The reads the site HTTP API adds: reports by 15 minutes, crossings paged by row id,
/// alerts by the range they were raised in, and unresolved alerts counted for metrics.
final class APIReadTests: XCTestCase {
    var dir: TempDir!
    var db: GateDatabase!
    override func setUpWithError() throws {
        dir = TempDir()
        db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        try db.syncSite(demoConfig(), configPath: nil, at: nov23UTC)
    }
    override func tearDownWithError() throws { try db.close() }

    let localMidnight23 = nov23UTC - 7 * hour

    func testReportByQuarterHourHasEveryQuarterInTheSiteZone() throws {
        try db.insertCrossings([
            event(localMidnight23 + 14 * minute), event(localMidnight23 + 15 * minute, .out),
            event(localMidnight23 + 7 * hour + 50 * minute, line: "g2-l1", gate: "g2"),
        ])
        let q = StoreQueries(GateDatabase.openReaderForTest(db.path))
        let r = try q.report(by: .quarterHour, from: LocalDate("2026-11-23")!, to: LocalDate("2026-11-23")!)
        XCTAssertEqual(r.rows.count, 96)
        XCTAssertEqual(r.rows[0].period, "2026-11-23 00:00"); XCTAssertEqual(r.rows[0].ins, 1); XCTAssertEqual(r.rows[0].outs, 0)
        XCTAssertEqual(r.rows[1].period, "2026-11-23 00:15"); XCTAssertEqual(r.rows[1].outs, 1)
        XCTAssertEqual(r.rows[31].period, "2026-11-23 07:45"); XCTAssertEqual(r.rows[31].ins, 1)
        XCTAssertEqual(r.rows[1].endMs - r.rows[1].startMs, 15 * minute)
        XCTAssertEqual(r.totalIn, 2); XCTAssertEqual(r.totalOut, 1)
        XCTAssertThrowsError(try q.report(by: .quarterHour, from: LocalDate("2026-11-01")!, to: LocalDate("2026-12-02")!)) {
            assertOneLine($0, contains: "31")
        }
    }

    func testCrossingsPageByRowIdOncePerRow() throws {
        try db.insertCrossings((0..<5).map { event(localMidnight23 + Int64($0) * minute) }
                               + [event(localMidnight23, line: "g2-l1", gate: "g2")])
        let q = StoreQueries(db)
        let first = try q.crossings(afterId: 0, limit: 4)
        XCTAssertEqual(first.map(\.id), [1, 2, 3, 4])
        let rest = try q.crossings(afterId: first.last!.id, limit: 4)
        XCTAssertEqual(rest.map(\.id), [5, 6], "ids, not times: the g2 crossing stamped first comes last")
        XCTAssertEqual(try q.crossings(afterId: 6, limit: 4), [])
        XCTAssertEqual(try q.crossings(afterId: 0, limit: 10, gateId: "g2").map(\.gateId), ["g2"])
    }

    func testAlertsByRaisedRangeAndTallies() throws {
        try db.raiseOrUpdate(kind: .offline, subject: .feed("f1"), severity: .critical, message: "off", at: localMidnight23 + hour)
        try db.raiseOrUpdate(kind: .surge, subject: .gate("g1"), severity: .warning, message: "surge", at: localMidnight23 + 25 * hour)
        try db.raiseOrUpdate(kind: .frozen, subject: .feed("f1"), severity: .warning, message: "frozen", at: localMidnight23 + 2 * hour)
        _ = try db.resolve(kind: .frozen, subject: .feed("f1"), at: localMidnight23 + 3 * hour)
        let q = StoreQueries(db)
        var day23 = AlertFilter()
        day23.raisedFromMs = localMidnight23; day23.raisedToMs = localMidnight23 + 24 * hour
        XCTAssertEqual(Set(try q.alerts(day23).map(\.kind.rawValue)), ["offline", "frozen"])
        let tallies = try q.unresolvedAlertTallies()
        XCTAssertEqual(tallies, [AlertTally(severity: "critical", state: "open", count: 1),
                                 AlertTally(severity: "warning", state: "open", count: 1)])
    }
}
