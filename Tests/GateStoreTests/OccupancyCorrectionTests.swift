import Foundation
import XCTest
import GateCore
@testable import GateStore

/// The desk sets the head count (people counters drift): stored for audit with who, why and
/// what the counter said; the occupancy counts on from it; the day's reset starts from zero.
final class OccupancyCorrectionTests: XCTestCase {
    private let zone = "Asia/Ho_Chi_Minh"

    private func site(reset: Int = 0) -> SiteConfig {
        let line = LineConfig(id: "l1", name: "l1", from: Point(0.1, 0.5), to: Point(0.9, 0.5), inside: Point(0.5, 0.9))
        return SiteConfig(site: SiteInfo(name: "Chợ đêm", capacity: 100, timeZone: zone,
                                         occupancyReset: OccupancyReset(minuteOfDay: reset)),
                          gates: [GateConfig(id: "g1", name: "Cổng", feeds: [
                              FeedConfig(id: "cam1", name: "cam1", source: "a.avi", lines: [line])])])
    }

    private func crossing(_ ms: Int64, _ d: Direction = .in) -> CrossingEvent {
        CrossingEvent(timestampMs: ms, feedId: "cam1", gateId: "g1", lineId: "l1", direction: d,
                      trackId: Int(ms % 100_000), confidence: 0.9, frameIndex: 0)
    }

    func testCorrectionIsAuditedAndTheCountGoesOnFromIt() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        defer { try? db.close() }
        // 10:00:20 local, mid-minute: the correction falls inside a minute, as at a real desk.
        let tz = try XCTUnwrap(TimeZone(identifier: zone))
        let midnight = OccupancyReset.midnight.periodStart(nowMs: currentTimeMs(), timeZone: tz)
        let t0 = midnight + 10 * 3_600_000 + 20_000
        try db.syncSite(site(), configPath: nil, at: t0)
        try db.insertCrossings((0..<12).map { crossing(t0 - 60_000 + Int64($0) * 1000) } + [crossing(t0 - 500, .out)])
        let q = StoreQueries(db)
        XCTAssertEqual(try q.today(now: t0).occupancy, 11)

        let c = try db.correctOccupancy(count: 40, by: "  Lan ", note: "đếm tay ở cổng", at: t0)
        XCTAssertEqual(c.previous, 11, "what the counter said is kept")
        XCTAssertEqual(c.by, "Lan")
        // Crossings in the same minute before the correction do not count again; after it they do.
        try db.insertCrossings([crossing(t0 + 5_000), crossing(t0 + 6_000), crossing(t0 + 7_000, .out),
                                crossing(t0 + 90_000)])
        let later = t0 + 120_000
        let today = try q.today(now: later)
        XCTAssertEqual(today.occupancy, 40 + 3 - 1)
        XCTAssertEqual(today.occupancySinceMs, t0)
        XCTAssertEqual(today.occupancyCorrection?.by, "Lan")
        XCTAssertEqual(today.ins, 15, "the day's counts are not changed by a correction")
        XCTAssertEqual(try q.occupancyCorrections().map(\.count), [40])
        XCTAssertEqual(try q.lastOccupancyCorrectionId(), c.id)

        // The next day starts from zero: yesterday's correction does not carry over.
        let nextDay = midnight + 86_400_000 + 60_000
        XCTAssertEqual(try q.today(now: nextDay).occupancy, 0)
        XCTAssertNil(try q.today(now: nextDay).occupancyCorrection)
    }

    /// A night market open past midnight resets at 04:00, not at midnight.
    func testDailyResetAtTheConfiguredTime() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        defer { try? db.close() }
        let tz = try XCTUnwrap(TimeZone(identifier: zone))
        let midnight = OccupancyReset.midnight.periodStart(nowMs: currentTimeMs(), timeZone: tz)
        try db.syncSite(site(reset: 4 * 60), configPath: nil, at: midnight)
        // 23:00 yesterday: 5 in; 01:00 today: 2 out.
        try db.insertCrossings((0..<5).map { crossing(midnight - 3_600_000 + Int64($0) * 1000) }
                               + [crossing(midnight + 3_600_000, .out), crossing(midnight + 3_600_100, .out)])
        let q = StoreQueries(db)
        XCTAssertEqual(try q.today(now: midnight + 2 * 3_600_000).occupancy, 3, "still the night that began yesterday")
        XCTAssertEqual(try q.today(now: midnight + 5 * 3_600_000).occupancy, 0, "after 04:00 a new period")
    }

    func testBadCorrectionsAreRefusedWithOneLine() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        defer { try? db.close() }
        try db.syncSite(site(), configPath: nil)
        for (count, by, note) in [(-1, "Lan", "x"), (5, " ", "x"), (5, "Lan", ""), (5, String(repeating: "a", count: 65), "x"),
                                  (Int.max, "Lan", "x")] {
            XCTAssertThrowsError(try db.correctOccupancy(count: count, by: by, note: note)) { error in
                XCTAssertFalse("\(error)".contains("\n"), "\(error)")
            }
        }
        XCTAssertEqual(try StoreQueries(db).occupancyCorrections(), [])
    }
}
