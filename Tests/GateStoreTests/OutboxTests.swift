import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// The webhook outbox: events commit with the data they describe (or neither does), in
/// sequence order per endpoint, only in the categories an endpoint wants; delivery moves
/// a cursor; a dead letter keeps the event and the error.
final class OutboxTests: XCTestCase {
    var dir: TempDir!
    var db: GateDatabase!
    let secret = WebhookSecret("0123456789abcdef-secret")

    override func setUpWithError() throws {
        dir = TempDir()
        db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        try db.syncSite(demoConfig(), configPath: "site.yaml", at: nov23UTC)
    }
    override func tearDownWithError() throws { try db.close() }

    func endpoint(_ id: String, _ events: [WebhookEventKind]) -> WebhookEndpoint {
        WebhookEndpoint(id: id, url: "http://127.0.0.1:9/\(id)", events: events, secret: secret)
    }

    func body(_ e: OutboxEvent) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(e.body.utf8)) as? [String: Any])
    }

    func count(_ table: String) throws -> Int {
        try db.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    func testNoEndpointWritesNoEvent() throws {
        try db.syncWebhookEndpoints([])
        try db.insertCrossings([event(nov23UTC + 1000)])
        try db.raiseOrUpdate(kind: .capacity, subject: .site, severity: .warning, message: "m", at: nov23UTC)
        XCTAssertEqual(try count("outbox_event"), 0)
        XCTAssertEqual(try count("crossing"), 1)
    }

    /// One event per stored batch, with the crossings' row ids, in the API's shapes.
    func testCrossingBatchIsOneEventWithTheStoredIds() throws {
        try db.syncWebhookEndpoints([endpoint("ioc", [.crossings])])
        try db.insertCrossings([event(nov23UTC + 1000, track: 7), event(nov23UTC + 2000, .out, track: 8)])
        let events = try db.webhookEvents(endpointId: "ioc", limit: 10)
        XCTAssertEqual(events.count, 1)
        XCTAssertEqual(events[0].type, "crossings")
        let b = try body(events[0])
        XCTAssertEqual(b["sequence"] as? Int, Int(events[0].seq))
        XCTAssertEqual(b["type"] as? String, "crossings")
        XCTAssertEqual(b["site"] as? String, "Chùa Hương")
        let crossings = try XCTUnwrap((b["data"] as? [String: Any])?["crossings"] as? [[String: Any]])
        let ids = try db.reader.read { try Int64.fetchAll($0, sql: "SELECT id FROM crossing ORDER BY id") }
        XCTAssertEqual(crossings.compactMap { ($0["id"] as? NSNumber)?.int64Value }, ids)
        XCTAssertEqual(crossings.map { $0["direction"] as? String }, ["in", "out"])
        let time = try XCTUnwrap(crossings[0]["time"] as? [String: Any])
        XCTAssertEqual((time["ms"] as? NSNumber)?.int64Value, nov23UTC + 1000)
        XCTAssertEqual(time["local"] as? String, "2026-11-23T07:00:01.000+07:00")
    }

    /// A write that fails leaves neither the crossings nor their event.
    func testFailedOutboxWriteRollsBackTheCrossings() throws {
        try db.syncWebhookEndpoints([endpoint("ioc", [.crossings])])
        try db.write("test trigger") { db in
            try db.execute(sql: "CREATE TRIGGER no_room BEFORE INSERT ON outbox_event BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        XCTAssertThrowsError(try db.insertCrossings([event(nov23UTC + 1000)]))
        XCTAssertEqual(try count("crossing"), 0)
        XCTAssertEqual(try count("crossing_minute"), 0)
        XCTAssertEqual(try count("outbox_event"), 0)
        try db.write("test trigger") { try $0.execute(sql: "DROP TRIGGER no_room") }
        // And the other way round: crossings that cannot be written leave no event.
        try db.write("test trigger") { db in
            try db.execute(sql: "CREATE TRIGGER no_crossing BEFORE INSERT ON crossing BEGIN SELECT RAISE(ABORT, 'disk full'); END")
        }
        XCTAssertThrowsError(try db.insertCrossings([event(nov23UTC + 1000)]))
        XCTAssertEqual(try count("outbox_event"), 0)
    }

    /// Alerts raised, acknowledged and resolved, feed states that change: in order, each
    /// endpoint seeing only its categories, a repeated state no event.
    func testOrderAndCategoriesPerEndpoint() throws {
        try db.syncWebhookEndpoints([endpoint("ops", [.alerts]), endpoint("noc", [.feeds, .alerts])])
        let change = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1-cam"), severity: .critical,
                                          message: "offline", messageVi: "mất", at: nov23UTC)
        try db.updateFeedHealth(FeedHealth(feedId: "g1-cam", updatedMs: nov23UTC + 1, state: "live"))
        try db.updateFeedHealth(FeedHealth(feedId: "g1-cam", updatedMs: nov23UTC + 2, state: "live"))
        XCTAssertTrue(try db.acknowledge(id: change.id, by: "Lan", note: "đang xem", at: nov23UTC + 3))
        try db.updateFeedHealth(FeedHealth(feedId: "g1-cam", updatedMs: nov23UTC + 4, state: "offline", lastError: "rtsp://a:pw@h/s"))
        try db.resolve(kind: .offline, subject: .feed("g1-cam"), at: nov23UTC + 5)
        let ops = try db.webhookEvents(endpointId: "ops", limit: 100)
        XCTAssertEqual(ops.map(\.type), ["alert.raised", "alert.acknowledged", "alert.resolved"])
        let noc = try db.webhookEvents(endpointId: "noc", limit: 100)
        XCTAssertEqual(noc.map(\.type), ["alert.raised", "feed.state", "alert.acknowledged", "feed.state", "alert.resolved"])
        XCTAssertEqual(noc.map(\.seq), noc.map(\.seq).sorted())
        let ack = try XCTUnwrap(try body(ops[1])["data"] as? [String: Any])
        XCTAssertEqual(ack["state"] as? String, "acknowledged")
        XCTAssertEqual((ack["acknowledged"] as? [String: Any])?["by"] as? String, "Lan")
        XCTAssertEqual((ack["message"] as? [String: Any])?["vi"] as? String, "mất")
        let offline = try XCTUnwrap(try body(noc[3])["data"] as? [String: Any])
        XCTAssertEqual(offline["previous_state"] as? String, "live")
        XCTAssertFalse(noc[3].body.contains("pw@"), "a camera password in a webhook: \(noc[3].body)")
        // Reading is bounded.
        XCTAssertEqual(try db.webhookEvents(endpointId: "noc", limit: 2).count, 2)
    }

    /// Delivery moves the cursor; a dead letter keeps the event and its error and moves on;
    /// events everyone is past are pruned; the backlog says where each endpoint is.
    func testDeliveredAndDeadLetteredMoveTheCursor() throws {
        try db.syncWebhookEndpoints([endpoint("a", [.alerts]), endpoint("b", [.alerts])])
        for i in 0..<3 {
            try db.raiseOrUpdate(kind: .surge, subject: .gate("g\(i)"), severity: .warning, message: "m\(i)", at: nov23UTC)
        }
        let events = try db.webhookEvents(endpointId: "a", limit: 10)
        XCTAssertEqual(events.count, 3)
        try db.webhookDelivered(endpointId: "a", seq: events[0].seq, at: nov23UTC + 10)
        try db.webhookFailed(endpointId: "a", attempts: 2, error: "HTTP 503\nmore", nextAttemptMs: nov23UTC + 99, at: nov23UTC + 11)
        var a = try XCTUnwrap(try db.webhookBacklog().first { $0.endpointId == "a" })
        XCTAssertEqual(a.pending, 2)
        XCTAssertEqual(a.attempts, 2)
        XCTAssertEqual(a.nextAttemptMs, nov23UTC + 99)
        XCTAssertEqual(a.lastError, "HTTP 503 more")
        XCTAssertEqual(a.lastDeliveredMs, nov23UTC + 10)
        try db.webhookDeadLettered(endpointId: "a", event: events[1], attempts: 3, error: "HTTP 503", at: nov23UTC + 12)
        a = try XCTUnwrap(try db.webhookBacklog().first { $0.endpointId == "a" })
        XCTAssertEqual(a.pending, 1)
        XCTAssertEqual(a.deadLettered, 1)
        XCTAssertEqual(a.attempts, 0)
        XCTAssertEqual(try db.webhookEvents(endpointId: "a", limit: 10).map(\.seq), [events[2].seq])
        XCTAssertEqual(try count("webhook_dead_letter"), 1)
        // b has delivered nothing: every event stays for it.
        XCTAssertEqual(try count("outbox_event"), 3)
        try db.webhookDelivered(endpointId: "b", seq: events[1].seq)
        XCTAssertEqual(try count("outbox_event"), 1, "events both endpoints are past are pruned")
        // A new endpoint starts after the newest event; a removed one is forgotten.
        try db.syncWebhookEndpoints([endpoint("b", [.alerts]), endpoint("c", [.alerts])])
        XCTAssertEqual(try db.webhookBacklog().map(\.endpointId), ["b", "c"])
        XCTAssertEqual(try db.webhookBacklog().map(\.pending), [1, 0])
    }

    /// A counts event per ended minute: zeros for a quiet minute while running, minutes
    /// before the run only when they hold crossings, never twice.
    func testCountsEventPerClosedMinute() throws {
        try db.syncWebhookEndpoints([endpoint("ioc", [.counts])])
        let m0 = nov23UTC
        try db.insertCrossings([event(m0 - 5 * minute + 1_000), event(m0 + 10_000), event(m0 + 20_000, .out),
                                event(m0 + 30_000, line: "g2-l1", gate: "g2", feed: "g2-cam")])
        XCTAssertEqual(try db.closeCountMinutes(endingBy: m0 + 59_000, runningSinceMs: m0, at: m0 + 59_000), 0)
        XCTAssertEqual(try db.closeCountMinutes(endingBy: m0 + 3 * minute, runningSinceMs: m0 - minute, at: m0 + 3 * minute), 4)
        XCTAssertEqual(try db.closeCountMinutes(endingBy: m0 + 3 * minute, runningSinceMs: m0 - minute, at: m0 + 3 * minute), 0)
        let events = try db.webhookEvents(endpointId: "ioc", limit: 10)
        let data = try events.map { try XCTUnwrap(try body($0)["data"] as? [String: Any]) }
        let starts = data.map { (($0["start"] as? [String: Any])?["ms"] as? NSNumber)?.int64Value }
        XCTAssertEqual(starts, [m0 - minute, m0, m0 + minute, m0 + 2 * minute])
        XCTAssertEqual(data.map { $0["ins"] as? Int }, [0, 2, 0, 0])
        XCTAssertEqual(data[1]["outs"] as? Int, 1)
        let gates = try XCTUnwrap(data[1]["gates"] as? [[String: Any]])
        XCTAssertEqual(gates.map { $0["id"] as? String }, ["g1", "g2"])
        XCTAssertEqual(gates.map { $0["ins"] as? Int }, [1, 1])
        // The minute before the run with a crossing in it (after a kill -9) is still sent.
        try db.write("reset marker") { try $0.execute(sql: "DELETE FROM outbox_minute") }
        try db.write("clear") { try $0.execute(sql: "DELETE FROM outbox_event") }
        XCTAssertEqual(try db.closeCountMinutes(endingBy: m0, runningSinceMs: m0 - minute, at: m0), 1)
        try db.write("reset marker") { try $0.execute(sql: "UPDATE outbox_minute SET minute_ms = ?", arguments: [m0 - 10 * minute]) }
        XCTAssertEqual(try db.closeCountMinutes(endingBy: m0, runningSinceMs: m0, at: m0), 1,
                       "only the minute with crossings between the marker and the run's start")
    }
}
