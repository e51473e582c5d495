import XCTest
@testable import GateConsole

/// The province view as a person at the operations centre uses it: `console --hub` against
/// a real hub on PostgreSQL (GATEWATCH_TEST_PG), a site synced into it; the list, Enter into
/// the site's screens, `p` back, `q` with the terminal restored.
extension TmuxEndToEndTests {
    func testTheProvinceViewListsTheHubsSitesAndOpensOne() throws {
        guard let base = ProcessInfo.processInfo.environment["GATEWATCH_TEST_PG"] else {
            if ProcessInfo.processInfo.environment["GATEWATCH_REQUIRE_ALL_CHECKS"] != nil {
                XCTFail("GATEWATCH_TEST_PG is not set: scripts/test starts PostgreSQL for these tests")
            }
            throw XCTSkip("no PostgreSQL (GATEWATCH_TEST_PG unset); scripts/test starts one")
        }
        let db = "hub_tmux_\(UInt32.random(in: 0...UInt32.max))"
        XCTAssertEqual(sh("psql -X -q \(q(base)) -c 'CREATE DATABASE \(db)'").status, 0)
        let pg = base.replacingOccurrences(of: #"/[^/]+$"#, with: "/\(db)", options: .regularExpression)
        let port = 20_000 + Int(getpid() % 20_000)
        let hubLog = dir.appendingPathComponent("hub.log").path
        let started = sh("GATEWATCH_HUB_PG=\(q(pg)) \(Self.binary) hub --listen 127.0.0.1:\(port) > \(hubLog) 2>&1 & echo $!")
        let hubPid = Int32(started.out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        defer { kill(hubPid, SIGTERM) }
        XCTAssertEqual(sh("for i in $(seq 50); do curl -fs http://127.0.0.1:\(port)/healthz && exit 0; sleep 0.2; done; exit 1").status, 0)
        let added = sh("\(Self.binary) hub site add 'Bái Đính' --pg \(q(pg))").out
        let siteKey = added.split(separator: "\n").last.map { String($0.split(separator: " ").last ?? "") } ?? ""
        _ = sh("\(Self.binary) hub site add 'Tam Cốc' --pg \(q(pg))")
        let reader = sh("\(Self.binary) hub reader add desk --pg \(q(pg))").out.split(separator: "\n").last.map(String.init) ?? ""
        // A batch as the site's sync worker sends it: its status and two crossings.
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        // Two crossings now and three a day ago (History steps back to them through the hub's counts).
        let dayAgo = now - 86_400_000
        let crossing = { (id: Int, dir: String, at: Int64) in
            "{\"confidence\":0.9,\"direction\":\"\(dir)\",\"feed_id\":\"f1\",\"gate_id\":\"g1\",\"id\":\(id),\"line_id\":\"l1\",\"time\":{\"local\":\"\",\"ms\":\(at)},\"track_id\":\(id)}"
        }
        let batch = """
            {"site":"Bái Đính","sent_ms":\(now),"status":{"occupancy":4200,"capacity":5000,"ins_today":4300,"outs_today":100,"time_zone":"Asia/Ho_Chi_Minh","backlog":0,"open_alerts":0,"feeds_offline":0,"feeds":1},
             "events":[{"created":{"local":"","ms":\(now - 5000)},"data":{"crossings":[\(crossing(3, "in", dayAgo)),\(crossing(4, "in", dayAgo)),\(crossing(5, "in", dayAgo)),\(crossing(1, "in", now - 5000)),\(crossing(2, "out", now - 5000))]},"sequence":1,"site":"Bái Đính","type":"crossings"}]}
            """
        try batch.write(to: dir.appendingPathComponent("batch.json"), atomically: true, encoding: .utf8)
        let posted = sh("curl -fs -H 'Authorization: Bearer \(siteKey)' -H 'Content-Type: application/json' --data-binary @\(dir.appendingPathComponent("batch.json").path) http://127.0.0.1:\(port)/v1/sync/batches")
        XCTAssertTrue(posted.out.contains("\"acknowledged_through\":1"), posted.out)

        let session = "province"
        _ = try startWrapped(session, "console --hub http://127.0.0.1:\(port) --key \(reader) --lang en", ready: "Province · 2 sites")
        var screen = capture(session)
        XCTAssertTrue(screen.contains("Tam Cốc") && screen.contains("never synced"), screen)
        XCTAssertTrue(screen.contains("4200 / 5000"), screen)
        XCTAssertLessThan(screen.range(of: "Tam Cốc")!.lowerBound, screen.range(of: "Bái Đính")!.lowerBound,
                          "a site never heard from comes first:\n\(screen)")
        keys(session, "Down Enter")
        XCTAssertTrue(waitFor(session, "GateWatch · Bái Đính"), capture(session))
        XCTAssertTrue(waitFor(session, "Occupancy"), capture(session))
        screen = capture(session)
        XCTAssertTrue(screen.contains("4200 / 5000") && screen.contains("In today: 4300"), screen)
        // History: today, then a day back, from the hub's hourly and daily counts.
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"; day.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let yesterday = day.string(from: Date(timeIntervalSince1970: Double(dayAgo) / 1000))
        keys(session, "4")
        XCTAssertTrue(waitFor(session, "Hourly for \(day.string(from: Date()))"), capture(session))
        keys(session, "Left")
        XCTAssertTrue(waitFor(session, "Hourly for \(yesterday)"), capture(session))
        screen = capture(session)
        let total = screen.split(separator: "\n").first { $0.contains("Total") }.map(String.init) ?? ""
        XCTAssertTrue(total.range(of: #"Total\s+3\s+0\s+3"#, options: .regularExpression) != nil, "yesterday's three crossings:\n\(screen)")
        keys(session, "a")
        keys(session, "p")
        XCTAssertTrue(waitFor(session, "Province · 2 sites"), capture(session))
        keys(session, "q")
        assertRestored(session, status: 0)
    }
}
