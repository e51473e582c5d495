import Foundation
import XCTest
import GateCore
@testable import GateStore

/// A gate with two cameras watching the same people counts as its busiest camera,
/// not the sum; two lines of one camera add up.
final class GateCountRuleTests: XCTestCase {
    func testGateCountsItsBusiestFeedAndLinesOfOneFeedAdd() throws {
        let dir = TempDir()
        let db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        defer { try? db.close() }
        let line = { (id: String) in LineConfig(id: id, name: id, from: Point(0.1, 0.5), to: Point(0.9, 0.5), inside: Point(0.5, 0.9)) }
        let site = SiteConfig(site: SiteInfo(name: "two cameras", capacity: 100), gates: [
            GateConfig(id: "main", name: "Main", feeds: [
                FeedConfig(id: "cam-a", name: "A", source: "a.avi", lines: [line("a-left"), line("a-right")]),
                FeedConfig(id: "cam-b", name: "B", source: "b.avi", lines: [line("b-line")]),
            ]),
            GateConfig(id: "side", name: "Side", feeds: [FeedConfig(id: "cam-s", name: "S", source: "s.avi", lines: [line("s-line")])]),
        ])
        // Mid-minute, so every event falls in one minute of the per-minute series.
        let now = currentTimeMs() / 60_000 * 60_000 + 30_000
        try db.syncSite(site, configPath: nil, at: now)
        var events: [CrossingEvent] = []
        // Camera A: 3 in on one line + 2 in on the other = 5 in, 1 out. Camera B saw 4 in, 2 out.
        for i in 0..<3 { events.append(event(now - 1000 - Int64(i), line: "a-left", gate: "main", feed: "cam-a")) }
        for i in 0..<2 { events.append(event(now - 2000 - Int64(i), line: "a-right", gate: "main", feed: "cam-a")) }
        events.append(event(now - 3000, line: "a-left", gate: "main", feed: "cam-a", .out))
        for i in 0..<4 { events.append(event(now - 1500 - Int64(i), line: "b-line", gate: "main", feed: "cam-b")) }
        for i in 0..<2 { events.append(event(now - 2500 - Int64(i), line: "b-line", gate: "main", feed: "cam-b", .out)) }
        events.append(event(now - 1200, line: "s-line", gate: "side", feed: "cam-s"))
        try db.insertCrossings(events)

        let q = StoreQueries(db)
        let today = try q.today(now: now)
        let main = try XCTUnwrap(today.gates.first { $0.id == "main" })
        XCTAssertEqual(main.ins, 5, "busiest camera in (A: 3+2), not A+B = 9")
        XCTAssertEqual(main.outs, 2, "busiest camera out (B)")
        XCTAssertEqual(today.ins, 6, "site = main 5 + side 1")
        XCTAssertEqual(today.occupancy, 4)

        let series = try q.minuteSeries(minutes: 5, now: now)
        XCTAssertEqual(series.reduce(0) { $0 + $1.ins }, 6)
        let byGate = try q.minuteSeriesByGate(minutes: 5, now: now)
        XCTAssertEqual(byGate["main"]?.reduce(0) { $0 + $1.ins }, 5)

        let day = LocalDate(ms: now, timeZone: try q.siteTimeZone())
        let report = try q.report(by: .day, from: day, to: day, perGate: true)
        XCTAssertEqual(report.rows.map { "\($0.gateId!):\($0.ins)/\($0.outs)" }, ["main:5/2", "side:1/0"])
        XCTAssertEqual(try q.report(by: .day, from: day, to: day).totalIn, 6)
    }
}
