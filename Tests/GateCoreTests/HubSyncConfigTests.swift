import XCTest
@testable import GateCore

/// `sync:` in a site file, the hub's refusals as words, and the sync lag alert.
final class HubSyncConfigTests: XCTestCase {
    static let key = "gws_0a1b2c3d_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcdefg"

    static func site(_ sync: String) -> String {
        """
        site: {name: "Khu du lịch Tràng An", capacity: 100}
        gates:
          - id: g1
            feeds:
              - id: f1
                source: synthetic:kind=pairs
                lines:
                  - {id: l1, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9]}
        sync:
        \(sync)
        """
    }

    func testSyncIsReadWithDefaults() throws {
        let c = try ConfigLoader.parse(yaml: Self.site("  hub: https://hub.example.gov.vn:8443/\n  key: \(Self.key)"))
        let s = try XCTUnwrap(c.sync)
        XCTAssertEqual(s.batchesURL, "https://hub.example.gov.vn:8443/v1/sync/batches")
        XCTAssertEqual(s.key.value, Self.key)
        XCTAssertEqual(s.lagAlertSeconds, 900)
        XCTAssertEqual(s.batch, 500)
        XCTAssertEqual("\(s.key)", "***", "the key is never printed")
        XCTAssertFalse("\(s)".contains(Self.key))
        let tuned = try ConfigLoader.parse(yaml: Self.site("  {hub: 'http://10.0.0.5:8443', key: \(Self.key), lag_alert: 60, batch: 50}"))
        XCTAssertEqual(tuned.sync?.lagAlertSeconds, 60)
        XCTAssertEqual(tuned.sync?.batch, 50)
        XCTAssertNil(try ConfigLoader.parse(yaml: WebhookConfigTests.site("  []")).sync)
    }

    func testEachBadSyncValueIsOneLineNamingTheKeyWithoutTheKey() {
        let cases: [(String, String, String)] = [
            ("  hub: https://hub.example.gov.vn", "sync.key", "missing"),
            ("  key: \(Self.key)", "sync.hub", "missing"),
            ("  {hub: 'ftp://hub/x', key: \(Self.key)}", "sync.hub", "http:// or https://"),
            ("  {hub: https://hub, key: gwk_0a1b2c3d_notasitekey}", "sync.key", "not a site key"),
            ("  {hub: https://hub, key: \(Self.key), batch: 0}", "sync.batch", "1"),
            ("  {hub: https://hub, key: \(Self.key), lag_alert: 5}", "sync.lag_alert", "30"),
            ("  {hub: https://hub, key: \(Self.key), extra: 1}", "sync.extra", "unknown key"),
        ]
        for (yaml, key, words) in cases {
            XCTAssertThrowsError(try ConfigLoader.parse(yaml: Self.site(yaml), file: "site.yaml"), yaml) { error in
                guard let e = error as? ConfigError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.key, key, "\(e)")
                XCTAssertTrue(e.message.contains(words), "\(e)")
                XCTAssertFalse(e.description.contains("\n"), "\(e)")
                XCTAssertFalse(e.description.contains("AbCdEfGh"), "the key in an error: \(e)")
            }
        }
    }

    func testRefusalsAreOneSentenceWithAStableCodeAndStatus() {
        let all: [HubRejection] = [.missingKey, .unknownKey, .revokedKey(site: "A"), .otherSite(keySite: "A", batchSite: "B"),
                                   .foreignRows(keySite: "A", seq: 3, rowSite: "B"), .replay(sentMs: 0, nowMs: 7 * 86_400_000),
                                   .conflict(seq: 9), .malformed("events[0].data: missing"), .tooLarge(bytes: 20_000_000)]
        XCTAssertEqual(Set(all.map(\.code)).count, all.count, "codes are distinct")
        for r in all {
            XCTAssertFalse(r.description.contains("\n"))
            XCTAssertTrue((400..<500).contains(r.httpStatus))
        }
        XCTAssertTrue(HubRejection.replay(sentMs: 0, nowMs: 7 * 86_400_000).description.contains("168 h ago"))
    }

    func testSiteNamesAreTheSiteFilesNames() {
        XCTAssertNil(HubWire.siteNameProblem("Khu du lịch Tràng An"))
        XCTAssertNotNil(HubWire.siteNameProblem(""))
        XCTAssertNotNil(HubWire.siteNameProblem(" padded"))
        XCTAssertNotNil(HubWire.siteNameProblem("line\nbreak"))
        XCTAssertNotNil(HubWire.siteNameProblem(String(repeating: "x", count: 101)))
    }

    func testSyncLagRaisesPastTheLimitAndClearsUnderHalf() {
        var config = AlertHarness.site()
        config.sync = SyncSettings(hubURL: "https://hub", key: HubSiteKey(Self.key), lagAlertSeconds: 600)
        let h = AlertHarness(config: config)
        var lag = 0.0
        func input(_ h: AlertHarness) -> AlertInput {
            AlertInput(occupancy: 0, health: h.allLive(), syncLagSeconds: lag)
        }
        XCTAssertEqual(kinds(h.run(5, input), .raise), [])
        lag = 601
        let raised = h.run(2, input)
        XCTAssertEqual(kinds(raised, .raise), [.syncLag])
        XCTAssertTrue(raised.first?.alert.messageVi.contains("10 phút") ?? false, "\(raised)")
        lag = 400   // still more than half: stays open
        XCTAssertEqual(kinds(h.run(30, input), .resolve), [])
        lag = 200
        XCTAssertEqual(kinds(h.run(15, input), .resolve), [.syncLag])
        // A site without sync never raises it, whatever the input says.
        let plain = AlertHarness()
        XCTAssertEqual(kinds(plain.run(3) { AlertInput(occupancy: 0, health: $0.allLive(), syncLagSeconds: 10_000) }, .raise), [])
    }
}
