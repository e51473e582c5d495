import Foundation
import XCTest
import GRDB
import GateCore
@testable import GateStore

/// The hub's cursor in the outbox: the categories the hub keeps are written with the data,
/// an acknowledgement moves the cursor and prunes only what every consumer is past, and the
/// backlog's age is the lag.
final class HubSyncStoreTests: XCTestCase {
    var dir: TempDir!
    var db: GateDatabase!
    let sync = SyncSettings(hubURL: "https://user:pw@hub.example.gov.vn:8443", key: HubSiteKey("gws_0a1b2c3d_k"))

    override func setUpWithError() throws {
        dir = TempDir()
        db = try GateDatabase.openWriter(path: dir.path("gw.sqlite"))
        try db.syncSite(demoConfig(), configPath: "site.yaml", at: nov23UTC)
    }
    override func tearDownWithError() throws { try db.close() }

    func count(_ table: String) throws -> Int {
        try db.reader.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM \(table)") ?? -1 }
    }

    func testWithoutSyncNothingIsKeptForTheHub() throws {
        try db.syncHubSettings(nil)
        try db.insertCrossings([event(nov23UTC + 1000)])
        XCTAssertEqual(try count("outbox_event"), 0)
        XCTAssertNil(try db.hubSyncBacklog())
    }

    func testTheHubGetsCrossingsAlertsAndFeedsInOrderAndAnAckMovesTheCursor() throws {
        try db.syncHubSettings(sync)
        try db.insertCrossings([event(nov23UTC + 1000), event(nov23UTC + 2000, .out)])
        try db.raiseOrUpdate(kind: .capacity, subject: .site, severity: .warning, message: "m", at: nov23UTC + 3000)
        try db.insertCrossings([event(nov23UTC + 4000)])
        let events = try db.hubSyncEvents(limit: 10)
        XCTAssertEqual(events.map(\.type), ["crossings", "alert.raised", "crossings"])
        XCTAssertEqual(events.map(\.seq), events.map(\.seq).sorted())
        var backlog = try XCTUnwrap(try db.hubSyncBacklog())
        XCTAssertEqual(backlog.pending, 3)
        XCTAssertEqual(backlog.hub, "https://user:***@hub.example.gov.vn:8443", "the URL is kept masked")
        XCTAssertEqual(backlog.lagSeconds(now: events[0].createdMs + 90_000), 90, accuracy: 0.001)
        try db.hubSyncAcknowledged(through: events[1].seq, at: nov23UTC + 5000)
        backlog = try XCTUnwrap(try db.hubSyncBacklog())
        XCTAssertEqual(backlog.pending, 1)
        XCTAssertEqual(try db.hubSyncEvents(limit: 10).map(\.seq), [events[2].seq])
        XCTAssertEqual(try count("outbox_event"), 1, "what the hub acknowledged is pruned")
        try db.hubSyncAcknowledged(through: events[2].seq)
        XCTAssertEqual(try db.hubSyncBacklog()?.lagSeconds(now: nov23UTC + 999_999), 0)
    }

    /// A site that counted before it had `sync:`: its history since a day is queued for the hub
    /// alone (a webhook receiver had it when it happened), in order, every crossing once.
    func testHistoryFromBeforeSyncIsQueuedForTheHubAlone() throws {
        try db.syncWebhookEndpoints([WebhookEndpoint(id: "ioc", url: "http://127.0.0.1:9/x", events: [.crossings, .alerts],
                                                     secret: WebhookSecret("0123456789abcdef-secret"))])
        try db.insertCrossings([event(nov23UTC - 86_400_000)])   // a day earlier: not asked for
        try db.insertCrossings((0..<7).map { event(nov23UTC + Int64($0) * 1000, $0 % 3 == 0 ? .out : .in) })
        try db.raiseOrUpdate(kind: .capacity, subject: .site, severity: .warning, message: "m", at: nov23UTC + 9000)
        XCTAssertThrowsError(try db.queueHubHistory(fromMs: nov23UTC)) {
            XCTAssertTrue("\($0)".contains("no hub sync"), "\($0)")
        }
        try db.syncHubSettings(sync)
        XCTAssertEqual(try db.hubSyncEvents(limit: 10).count, 0, "sync starts after the newest event")
        let webhookBefore = try db.webhookEvents(endpointId: "ioc", limit: 100).count
        let queued = try db.queueHubHistory(fromMs: nov23UTC, perEvent: 3, eventsPerTransaction: 2)
        XCTAssertEqual(queued.crossings, 7)
        XCTAssertEqual(queued.alerts, 1)
        let events = try db.hubSyncEvents(limit: 100)
        XCTAssertEqual(events.map(\.type), ["crossings", "crossings", "crossings", "alert.raised"])
        let ids = try events.filter { $0.type == "crossings" }.flatMap {
            try JSONDecoder().decode(EventPayloads.Envelope<EventPayloads.CrossingBatch>.self, from: Data($0.body.utf8)).data.crossings.map(\.id)
        }
        XCTAssertEqual(ids, ids.sorted())
        XCTAssertEqual(Set(ids).count, 7)
        XCTAssertEqual(try db.webhookEvents(endpointId: "ioc", limit: 100).count, webhookBefore, "webhook receivers get no history again")
        XCTAssertEqual(try db.hubSyncBacklog()?.pending, 4)
    }

    func testAWebhookBehindKeepsWhatTheHubAlreadyHas() throws {
        try db.syncHubSettings(sync)
        try db.syncWebhookEndpoints([WebhookEndpoint(id: "ioc", url: "http://127.0.0.1:9/x", events: [.crossings],
                                                     secret: WebhookSecret("0123456789abcdef-secret"))])
        try db.insertCrossings([event(nov23UTC + 1000)])
        let seq = try XCTUnwrap(try db.hubSyncEvents(limit: 1).first?.seq)
        try db.hubSyncAcknowledged(through: seq)
        XCTAssertEqual(try count("outbox_event"), 1, "the webhook has not delivered it yet")
        try db.webhookDelivered(endpointId: "ioc", seq: seq)
        XCTAssertEqual(try count("outbox_event"), 0)
    }

    func testAFailedTryIsKeptOneLineAndMasked() throws {
        try db.syncHubSettings(sync)
        try db.hubSyncFailed(attempts: 2, error: "the hub refused the batch (revoked_key):\nsee http://u:secret@hub/x", nextAttemptMs: 5, at: 1)
        let backlog = try XCTUnwrap(try db.hubSyncBacklog())
        XCTAssertEqual(backlog.attempts, 2)
        XCTAssertFalse(backlog.lastError?.contains("\n") ?? true)
        XCTAssertFalse(backlog.lastError?.contains("secret") ?? true)
    }

    func testTheStatusSentWithEachBatchIsTheSitesNow() throws {
        try db.syncHubSettings(sync)
        try db.insertCrossings([event(nov23UTC + 1000), event(nov23UTC + 2000), event(nov23UTC + 3000, .out)])
        let status = try db.hubSiteStatus(now: nov23UTC + 10_000)
        XCTAssertEqual(status.ins_today, 2)
        XCTAssertEqual(status.outs_today, 1)
        XCTAssertEqual(status.occupancy, 1)
        XCTAssertEqual(status.backlog, 1)
    }
}
