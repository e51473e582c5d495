import Foundation
import GateCore
import GateStore
import PostgresNIO
import XCTest
@testable import GateHub

/// The hub's ingest against a real PostgreSQL (scripts/test starts a throw-away cluster and
/// passes its URL in GATEWATCH_TEST_PG); each test gets a database of its own.
final class HubIngestTests: XCTestCase {
    private var store: HubStore!
    private var runTask: Task<Void, Never>!
    private var key = ""
    private let now: Int64 = 1_796_000_000_000

    override func setUp() async throws {
        guard let base = ProcessInfo.processInfo.environment["GATEWATCH_TEST_PG"] else {
            if ProcessInfo.processInfo.environment["GATEWATCH_REQUIRE_ALL_CHECKS"] != nil {
                XCTFail("GATEWATCH_TEST_PG is not set: scripts/test starts PostgreSQL for these tests")
            }
            throw XCTSkip("no PostgreSQL (GATEWATCH_TEST_PG unset); scripts/test starts one")
        }
        store = try await Self.freshStore(base: base)
        runTask = Task { [store] in await store!.client.run() }
        try await store.migrate()
        key = try await store.addSite(name: "site-a")
        _ = try await store.addSite(name: "site-b")
    }

    override func tearDown() async throws { runTask?.cancel() }

    /// A new database on the test cluster, named after a random number.
    static func freshStore(base: String) async throws -> HubStore {
        let settings = try HubDatabaseSettings(url: base)
        let name = "hub_test_\(UInt32.random(in: 0...UInt32.max))"
        let admin = try await PostgresConnection.connect(configuration: settings.connectionConfiguration, id: 1,
                                                         logger: Logger(label: "test"))
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Logger(label: "test"))
        try await admin.close()
        var fresh = settings
        fresh.database = name
        return HubStore(settings: fresh)
    }

    private func crossingEvent(_ seq: Int64, site: String = "site-a", ids: [Int64], atMs: Int64? = nil) -> String {
        let at = atMs ?? now - 60_000
        let xs = ids.map { id in
            """
            {"confidence":0.9,"direction":"\(id % 2 == 0 ? "out" : "in")","feed_id":"f1","gate_id":"g1","id":\(id),"line_id":"l1","time":{"local":"x","ms":\(at + id)},"track_id":\(id)}
            """
        }
        return """
            {"created":{"local":"x","ms":\(at)},"data":{"crossings":[\(xs.joined(separator: ","))]},"sequence":\(seq),"site":"\(site)","type":"crossings"}
            """
    }

    private func batch(_ events: [String], site: String = "site-a", sentMs: Int64? = nil) -> Data {
        Data("{\"site\":\"\(site)\",\"sent_ms\":\(sentMs ?? now),\"status\":null,\"events\":[\(events.joined(separator: ","))]}".utf8)
    }

    private func count(_ sql: String) async throws -> Int {
        try await store.client.query(PostgresQuery(unsafeSQL: sql)).collect().first!.decode(Int.self)
    }

    func testABatchIsStoredOnceAndItsResendIsAcknowledgedWithoutStoringTwice() async throws {
        let body = batch([crossingEvent(1, ids: [1, 2, 3]), crossingEvent(4, ids: [4])])
        let first = try await store.ingest(body: body, presentedKey: key, nowMs: now)
        XCTAssertEqual(first, HubAck(acknowledged_through: 4, stored: 2, duplicates: 0))
        // The ack was lost (link cut after the commit): the site sends the same batch again.
        let again = try await store.ingest(body: body, presentedKey: key, nowMs: now)
        XCTAssertEqual(again, HubAck(acknowledged_through: 4, stored: 0, duplicates: 2))
        let crossings = try await count("SELECT count(*)::int FROM hub_crossing")
        XCTAssertEqual(crossings, 4)
        let minuteTotal = try await count("SELECT (sum(ins) + sum(outs))::int FROM hub_minute")
        XCTAssertEqual(minuteTotal, 4, "the rollup counts each crossing once")
        let hourTotal = try await count("SELECT (sum(ins) + sum(outs))::int FROM hub_hour")
        XCTAssertEqual(hourTotal, 4)
    }

    func testEachRefusedBatchSaysWhyAndStoresNothing() async throws {
        _ = try await store.ingest(body: batch([crossingEvent(1, ids: [1])]), presentedKey: key, nowMs: now)
        let cases: [(String, Data, String?, String)] = [
            ("no key", batch([crossingEvent(2, ids: [2])]), nil, "missing_key"),
            ("a made-up key", batch([crossingEvent(2, ids: [2])]), "gws_00000000_nope", "unknown_key"),
            ("the batch names another site", batch([crossingEvent(2, site: "site-b", ids: [2])], site: "site-b"), key, "other_site"),
            ("an event of another site inside", batch([crossingEvent(2, ids: [2]), crossingEvent(3, site: "site-b", ids: [3])]), key, "foreign_rows"),
            ("replayed a week later", batch([crossingEvent(2, ids: [2])], sentMs: now - 7 * 86_400_000), key, "replay"),
            ("not JSON", Data("{\"site\": ".utf8), key, "malformed_batch"),
            ("a crossing without a time", Data("""
                {"site":"site-a","sent_ms":\(now),"events":[{"created":{"local":"x","ms":1},"data":{"crossings":[{"id":9}]},"sequence":2,"site":"site-a","type":"crossings"}]}
                """.utf8), key, "malformed_batch"),
            ("sequence 1 again with other content", batch([crossingEvent(1, ids: [7])]), key, "sequence_conflict"),
        ]
        for (what, body, presented, code) in cases {
            do {
                _ = try await store.ingest(body: body, presentedKey: presented, nowMs: now)
                XCTFail("\(what): taken")
            } catch let r as HubRejection {
                XCTAssertEqual(r.code, code, what)
                XCTAssertFalse(r.description.isEmpty)
            }
        }
        let crossings = try await count("SELECT count(*)::int FROM hub_crossing")
        XCTAssertEqual(crossings, 1, "nothing of a refused batch is stored")
        let lastSeq = try await count("SELECT last_seq::int FROM hub_site WHERE name = 'site-a'")
        XCTAssertEqual(lastSeq, 1)
        let audited = try await count("SELECT count(*)::int FROM hub_rejection")
        XCTAssertEqual(audited, cases.count, "every refusal is in the hub's audit")
    }

    func testARevokedSiteIsRefusedWithTheReason() async throws {
        try await store.revokeSite(name: "site-a")
        do {
            _ = try await store.ingest(body: batch([crossingEvent(1, ids: [1])]), presentedKey: key, nowMs: now)
            XCTFail("a revoked key was taken")
        } catch let r as HubRejection {
            XCTAssertEqual(r, .revokedKey(site: "site-a"))
            XCTAssertTrue(r.description.contains("revoked"), r.description)
        }
        do { try await store.revokeSite(name: "site-a"); XCTFail("revoked twice") } catch let e as HubError {
            XCTAssertTrue(e.description.contains("already revoked"), e.description)
        }
    }

    func testCrossingsOfSeveralMonthsGoToTheirPartitions() async throws {
        let december = Int64(1_796_083_200_000)   // 2026-12-01 00:00 UTC
        let body = batch([crossingEvent(1, ids: [1], atMs: december - 120_000), crossingEvent(2, ids: [2], atMs: december + 60_000)])
        _ = try await store.ingest(body: body, presentedKey: key, nowMs: december + 120_000)
        let partitions = try await count("SELECT count(*)::int FROM pg_inherits WHERE inhparent = 'hub_crossing'::regclass")
        XCTAssertEqual(partitions, 2)
        let november = try await count("SELECT count(*)::int FROM hub_crossing_y2026m11")
        XCTAssertEqual(november, 1)
    }

    /// The hub's side of the sync lag alert: raised for a site not heard from beyond the limit, one
    /// open at a time, cleared under half of it, and read like the sites' alerts (numbered below zero).
    func testASiteNotHeardFromRaisesTheHubsLagAlertUntilItIsBack() async throws {
        _ = try await store.ingest(body: batch([crossingEvent(1, ids: [1])]), presentedKey: key, nowMs: now)
        let heard = currentTimeMs()
        var open = try await store.checkLagAlerts(lagAlertSeconds: 600, nowMs: heard + 60_000)
        XCTAssertEqual(open, 0, "a minute behind is within the limit")
        open = try await store.checkLagAlerts(lagAlertSeconds: 600, nowMs: heard + 900_000)
        XCTAssertEqual(open, 1, "site-a, 15 min behind; site-b never synced has no lag to speak of")
        open = try await store.checkLagAlerts(lagAlertSeconds: 600, nowMs: heard + 960_000)
        XCTAssertEqual(open, 1)
        let rows = try await count("SELECT count(*)::int FROM hub_lag_alert")
        XCTAssertEqual(rows, 1, "one alert while it lasts, not one a check")
        var alerts = try await store.alertPayloads(HubAlertQuery(site: "site-a", kind: "sync_lag", limit: 10))
        XCTAssertEqual(alerts.count, 1)
        XCTAssertLessThan(alerts[0].alert.id, 0)
        XCTAssertEqual(alerts[0].alert.state, "open")
        XCTAssertTrue(alerts[0].alert.message.en.contains("15 min behind (limit 10 min)"), alerts[0].alert.message.en)
        open = try await store.checkLagAlerts(lagAlertSeconds: 600, nowMs: heard + 400_000)
        XCTAssertEqual(open, 1, "between half and the limit it stays open")
        open = try await store.checkLagAlerts(lagAlertSeconds: 600, nowMs: heard + 10_000)
        XCTAssertEqual(open, 0)
        alerts = try await store.alertPayloads(HubAlertQuery(site: "site-a", states: ["resolved"], kind: "sync_lag", limit: 10))
        XCTAssertEqual(alerts.map(\.alert.state), ["resolved"])
        let none = try await store.alertPayloads(HubAlertQuery(site: "site-b", limit: 10))
        XCTAssertTrue(none.isEmpty)
    }

    /// Hours are the site's own: in a zone half an hour off UTC (Asia/Kolkata) a crossing at
    /// 10:10 local is in 10:00–11:00, not in the UTC hour's 09:30–10:30.
    func testHoursAreTheSitesOwnInAZoneOffUTCByHalfAnHour() async throws {
        let zone = TimeZone(identifier: "Asia/Kolkata")!
        let day = LocalDate(ms: now, timeZone: zone)
        let midnight = midnightMs(zone: zone, day: day)
        let at = midnight + 10 * 3_600_000 + 10 * 60_000
        let status = """
            {"occupancy":0,"capacity":0,"ins_today":0,"outs_today":0,"time_zone":"Asia/Kolkata","backlog":0,"open_alerts":0,"feeds_offline":0,"feeds":1}
            """
        let body = Data("{\"site\":\"site-a\",\"sent_ms\":\(now),\"status\":\(status),\"events\":[\(crossingEvent(1, ids: [1], atMs: at - 1))]}".utf8)
        _ = try await store.ingest(body: body, presentedKey: key, nowMs: now)
        let site = try await XCTUnwrapAsync(try await store.siteForReads(name: "site-a"))
        XCTAssertEqual(site.zone.identifier, "Asia/Kolkata")
        let from = midnight, to = midnight + 86_400_000
        let counts = try await store.periodCounts(siteId: site.id, by: .hour, fromMs: from, toMs: to, zone: zone)
        let report = StoreQueries.report(by: .hour, from: day, to: day, zone: zone, gates: nil, counts: counts)
        XCTAssertEqual(report.rows.filter { $0.ins > 0 }.map(\.period), ["\(day) 10:00"])
    }

    private func midnightMs(zone: TimeZone, day: LocalDate) -> Int64 {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = zone
        return Int64(cal.date(from: DateComponents(year: day.year, month: day.month, day: day.day))!.timeIntervalSince1970 * 1000)
    }

    private func XCTUnwrapAsync<T>(_ value: T?) async throws -> T { try XCTUnwrap(value) }

    func testSitesAreListedWithWhatNeedsAttentionFirst() async throws {
        let status = """
            {"occupancy":1200,"capacity":1000,"ins_today":1300,"outs_today":100,"time_zone":"Asia/Ho_Chi_Minh","backlog":0,"open_alerts":1,"feeds_offline":0,"feeds":2}
            """
        let body = Data("{\"site\":\"site-a\",\"sent_ms\":\(now),\"status\":\(status),\"events\":[]}".utf8)
        _ = try await store.ingest(body: body, presentedKey: key, nowMs: now)
        let sites = try await store.siteSummaries(lagAlertSeconds: 900)
        XCTAssertEqual(sites.map(\.name), ["site-b", "site-a"], "a site that never synced comes first")
        XCTAssertEqual(sites[0].attention, [HubAttention.neverSynced])
        XCTAssertEqual(sites[1].attention, [HubAttention.capacity, HubAttention.alerts])
        XCTAssertEqual(sites[1].occupancy, 1200)
    }
}
