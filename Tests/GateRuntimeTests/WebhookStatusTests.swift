import Foundation
import XCTest
import GateCore
@testable import GateStore
@testable import GateRuntime

/// `status` shows each webhook endpoint's backlog, in Vietnamese and English, and in JSON;
/// nothing at all for a site without webhooks.
final class WebhookStatusTests: XCTestCase {
    static let now: Int64 = 1_795_404_600_000

    func input(webhooks: [WebhookBacklog]) -> MonitoringInput {
        var s = MonitoringInput(siteName: "Tràng An", nowMs: Self.now, occupancy: 3, capacity: 10,
                                pipeline: MonitoringPipeline(running: true, heartbeatMs: Self.now),
                                gates: [MonitoringGate(id: "g1", name: "Gate", ins: 5, outs: 2)], feeds: [], alerts: [])
        s.webhooks = webhooks
        return s
    }

    static let failing = WebhookBacklog(endpointId: "ioc", url: "https://ioc/x", pending: 12, deadLettered: 1, attempts: 3,
                                        nextAttemptMs: now + 4_000, lastError: "HTTP 503", lastErrorMs: now - 5_000,
                                        lastDeliveredSeq: 40, lastDeliveredMs: now - 90_000)

    func testTextInBothLanguages() {
        let vi = MonitoringReport.statusText(input(webhooks: [Self.failing]), language: .vi)
        XCTAssertTrue(vi.contains("Webhook (gửi sự kiện đi) (1):"), vi)
        XCTAssertTrue(vi.contains("ioc   chờ gửi 12  đã bỏ 1  gửi được cuối 90 giây trước  lần thử 3  lỗi cuối"), vi)
        XCTAssertTrue(vi.contains(": HTTP 503"), vi)
        let en = MonitoringReport.statusText(input(webhooks: [Self.failing]), language: .en)
        XCTAssertTrue(en.contains("ioc   pending 12  dead-lettered 1  last delivered 90 s ago  tries 3  last error"), en)
        XCTAssertFalse(MonitoringReport.statusText(input(webhooks: []), language: .en).contains("Webhooks"))
    }

    func testJSONListsEveryEndpoint() throws {
        let json = MonitoringReport.statusJSON(input(webhooks: [Self.failing]))
        let doc = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let hooks = try XCTUnwrap(doc["webhooks"] as? [[String: Any]])
        XCTAssertEqual(hooks.first?["endpoint_id"] as? String, "ioc")
        XCTAssertEqual(hooks.first?["pending"] as? Int, 12)
        XCTAssertEqual(hooks.first?["dead_lettered"] as? Int, 1)
        XCTAssertEqual(hooks.first?["last_error"] as? String, "HTTP 503")
        let none = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(MonitoringReport.statusJSON(input(webhooks: [])).utf8)) as? [String: Any])
        XCTAssertEqual((none["webhooks"] as? [Any])?.count, 0)
    }
}
