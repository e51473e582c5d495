import XCTest
import GateCore
import GateStore
@testable import GateRuntime

final class MonitoringReportTests: XCTestCase {
    let now: Int64 = 1_795_957_200_000   // 2026-11-29 20:00 in Asia/Ho_Chi_Minh

    func input(occupancy: Int = 42, capacity: Int = 120, pipeline: MonitoringPipeline?? = nil,
               feeds: [MonitoringFeed]? = nil, alerts: [MonitoringAlert] = []) -> MonitoringInput {
        let p = pipeline ?? MonitoringPipeline(running: true, heartbeatMs: now - 1_000, startedMs: now - 3_600_000, version: "0.1.0")
        return MonitoringInput(
            siteName: "Tràng An", nowMs: now, occupancy: occupancy, capacity: capacity, pipeline: p,
            gates: [MonitoringGate(id: "main", name: "Main gate", ins: 120, outs: 78),
                    MonitoringGate(id: "east", name: "East", ins: 5, outs: 5)],
            feeds: feeds ?? [
                MonitoringFeed(id: "cam1", name: "Main A", gateId: "main", state: "live", captureFps: 10, processFps: 9.8,
                               expectedFps: 10, lastFrameMs: now - 100),
                MonitoringFeed(id: "cam2", name: "Main B", gateId: "main", state: "live", captureFps: 10, processFps: 10,
                               expectedFps: 10, lastFrameMs: now - 100),
                MonitoringFeed(id: "cam3", name: "East", gateId: "east", state: "live", captureFps: 25, processFps: 12.34,
                               lastFrameMs: now - 50),
            ],
            alerts: alerts)
    }

    func alert(_ sev: AlertSeverity, kind: String = "offline", subject: String = "cam2", raised: Int64 = 60_000,
               state: String = "open", ackBy: String? = nil) -> MonitoringAlert {
        MonitoringAlert(id: 1, kind: kind, subject: subject, severity: sev, state: state,
                        messageEn: "\(kind) \(subject) message", messageVi: "\(kind) \(subject) thông báo",
                        raisedMs: now - raised, ackBy: ackBy)
    }

    func testOK() {
        let r = MonitoringReport.check(input())
        XCTAssertEqual(r.status, .ok)
        XCTAssertEqual(r.exitCode, 0)
        XCTAssertEqual(r.output,
            "GATEWATCH OK - occupancy 42/120 (35%), 3 feeds live, 0 alerts | occupancy=42;96;120;0;120 feeds_live=3;;;0;3 "
            + "alerts=0;;;0 alerts_critical=0;;0;0 in_main=120c out_main=78c in_east=5c out_east=5c "
            + "fps_cam1=9.8;5;;0;10 fps_cam2=10;5;;0;10 fps_cam3=12.3;;;0")
    }

    func testWarningFromAlert() {
        let r = MonitoringReport.check(input(alerts: [alert(.warning, kind: "low_fps", subject: "cam3")]))
        XCTAssertEqual(r.exitCode, 1)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("GATEWATCH WARNING - occupancy 42/120 (35%), 3 feeds live, 1 alert: low_fps cam3 message | "), lines[0])
        XCTAssertEqual(lines[1], "WARNING low_fps cam3: low_fps cam3 message")
    }

    func testWarningFromOccupancyAlone() {
        let r = MonitoringReport.check(input(occupancy: 100))
        XCTAssertEqual(r.status, .warning)
        XCTAssertTrue(r.output.hasPrefix("GATEWATCH WARNING - occupancy 100/120 (83%)"))
    }

    func testCriticalWinsAndWorstAlertIsNamed() {
        let feeds = [MonitoringFeed(id: "cam1", name: "A", gateId: "main", state: "live", processFps: 10),
                     MonitoringFeed(id: "cam2", name: "B", gateId: "main", state: "offline", lastError: "connection refused")]
        let r = MonitoringReport.check(input(feeds: feeds, alerts: [
            alert(.warning, kind: "surge", subject: "site", raised: 10_000),
            alert(.critical, kind: "offline", subject: "cam2", raised: 30_000, state: "acknowledged", ackBy: "Lan")]))
        XCTAssertEqual(r.exitCode, 2)
        let lines = r.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines[0].hasPrefix("GATEWATCH CRITICAL - occupancy 42/120 (35%), 1/2 feeds live, 2 alerts: offline cam2 message | "), lines[0])
        XCTAssertTrue(lines[0].contains(" alerts_critical=1;;0;0 "))
        XCTAssertEqual(lines[1], "CRITICAL offline cam2: offline cam2 message (acknowledged by Lan)")
        XCTAssertEqual(lines[2], "WARNING surge site: surge site message")
        XCTAssertEqual(lines[3], "feed cam2 offline: connection refused")
    }

    func testCriticalFromOccupancyAlone() {
        XCTAssertEqual(MonitoringReport.check(input(occupancy: 120)).status, .critical)
        XCTAssertEqual(MonitoringReport.check(input(occupancy: 119)).status, .warning)
    }

    func testUnknownStates() {
        let never = MonitoringReport.check(input(pipeline: .some(nil)))
        XCTAssertEqual(never.exitCode, 3)
        XCTAssertTrue(never.output.hasPrefix("GATEWATCH UNKNOWN - occupancy 42/120 (35%), 3 feeds live, 0 alerts, no pipeline has run on this database | occupancy=42;"), never.output)

        // The site has no opening hours, so it should be open: a runner that is down is CRITICAL.
        let stopped = MonitoringReport.check(input(pipeline: MonitoringPipeline(running: false, heartbeatMs: now - 300_000),
                                                   alerts: [alert(.critical)]))
        XCTAssertEqual(stopped.status, .critical, "a stopped pipeline at a site that should be open is critical")
        XCTAssertTrue(stopped.output.contains("pipeline stopped 5 min ago"), stopped.output)

        let hung = MonitoringReport.check(input(pipeline: MonitoringPipeline(running: true, heartbeatMs: now - 45_000)))
        XCTAssertEqual(hung.status, .critical)
        XCTAssertTrue(hung.output.contains("pipeline not responding (last heartbeat 45 s ago)"), hung.output)
        var patient = input(pipeline: MonitoringPipeline(running: true, heartbeatMs: now - 45_000))
        patient.thresholds.heartbeatSeconds = 60
        XCTAssertEqual(MonitoringReport.check(patient).status, .ok)

        // Outside opening hours (now is 20:00 local) a stopped runner cannot be judged.
        var closed = input(pipeline: MonitoringPipeline(running: false, heartbeatMs: now - 300_000))
        closed.openingHours = OpeningHours(openMinute: 7 * 60, closeMinute: 17 * 60)
        XCTAssertFalse(closed.shouldBeOpen)
        XCTAssertEqual(MonitoringReport.check(closed).status, .unknown)
        closed.openingHours = OpeningHours(openMinute: 7 * 60, closeMinute: 22 * 60)
        XCTAssertTrue(closed.shouldBeOpen)
        XCTAssertEqual(MonitoringReport.check(closed).status, .critical)

        // The heartbeat rule is the console's few seconds, not 30 s.
        let paused = MonitoringReport.check(input(pipeline: MonitoringPipeline(running: true, heartbeatMs: now - 8_000)))
        XCTAssertEqual(paused.status, .critical, paused.output)

        let noFeeds = MonitoringReport.check(input(feeds: []))
        XCTAssertEqual(noFeeds.status, .unknown)
        XCTAssertTrue(noFeeds.output.contains("no feeds configured"))
    }

    func testExitCodesMatchConvention() {
        XCTAssertEqual(CheckStatus.allCases.map(\.rawValue), [0, 1, 2, 3])
        XCTAssertEqual(CheckStatus.allCases.map(\.label), ["OK", "WARNING", "CRITICAL", "UNKNOWN"])
    }

    func testZeroCapacityAndOddLabels() {
        var i = input(capacity: 0)
        i.gates = [MonitoringGate(id: "cổng 1", name: "Cổng 1", ins: 3, outs: 1)]
        let r = MonitoringReport.check(i)
        XCTAssertTrue(r.output.hasPrefix("GATEWATCH OK - occupancy 42/0, 3 feeds live"), r.output)
        XCTAssertTrue(r.output.contains("| occupancy=42;;;0 "))
        XCTAssertTrue(r.output.contains(" 'in_cổng 1'=3c 'out_cổng 1'=1c "), r.output)
        XCTAssertEqual(MonitoringReport.label("it's"), "'it''s'")
    }

    func testMessagesCannotBreakTheStatusLine() {
        var a = alert(.warning)
        a.messageEn = "line one\nline | two"
        let first = MonitoringReport.check(input(alerts: [a])).output.split(separator: "\n")[0]
        XCTAssertTrue(first.contains(": line one line / two | occupancy="), String(first))
    }

    func testStatusText() {
        let t = MonitoringReport.statusText(input(alerts: [alert(.critical, state: "acknowledged", ackBy: "Lan")]))
        XCTAssertTrue(t.hasPrefix("Site: Tràng An    2026-11-29 20:00:00 (Asia/Ho_Chi_Minh)    Status: CRITICAL\n"), t)
        XCTAssertTrue(t.contains("Pipeline: running (heartbeat 1 s ago)"))
        XCTAssertTrue(t.contains("Occupancy: 42 / 120 (35%)"))
        XCTAssertTrue(t.contains("  main  Main gate  in 120  out 78"), t)
        XCTAssertTrue(t.contains("  cam1  live            9.8/10 fps  last frame 0 s ago  reconnects 0  dropped 0"), t)
        XCTAssertTrue(t.contains("Open alerts (1):\n  CRITICAL      2026-11-29 19:59:00  offline cam2 message  [acknowledged by Lan]"), t)

        let vi = MonitoringReport.statusText(input(), language: .vi)
        XCTAssertTrue(vi.contains("Số người trong khu: 42 / 120 (35%)"))
        XCTAssertTrue(vi.contains("Cảnh báo đang mở (0):\n  không có"), vi)
        XCTAssertTrue(vi.contains("Bộ xử lý: đang chạy"))
        // No English state words in the Vietnamese text: GateCore's one vocabulary.
        let viAlert = MonitoringReport.statusText(input(alerts: [alert(.critical, state: "open", ackBy: nil)]), language: .vi)
        XCTAssertTrue(viAlert.contains("Trạng thái: NGHIÊM TRỌNG"), viAlert)
        XCTAssertTrue(viAlert.contains("  cam1  trực tiếp       9.8/10 fps"), viAlert)
        XCTAssertTrue(viAlert.contains("  NGHIÊM TRỌNG  2026-11-29 19:59:00"), viAlert)
        for english in ["live", "CRITICAL", "stopped", "running"] { XCTAssertFalse(viAlert.contains(english), "\(english) in:\n\(viAlert)") }
    }

    func testStatusJSON() throws {
        let j = MonitoringReport.statusJSON(input(occupancy: 130, alerts: [alert(.critical, kind: "capacity", subject: "site")]))
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(j.utf8)) as? [String: Any])
        XCTAssertEqual(obj["status"] as? String, "CRITICAL")
        XCTAssertEqual(obj["exit_code"] as? Int, 2)
        XCTAssertEqual(obj["occupancy"] as? Int, 130)
        XCTAssertEqual(obj["occupancy_share"] as? Double, 1.083)
        XCTAssertEqual(obj["site"] as? String, "Tràng An")
        let feeds = try XCTUnwrap(obj["feeds"] as? [[String: Any]])
        XCTAssertEqual(feeds.count, 3)
        XCTAssertEqual(feeds[0]["process_fps"] as? Double, 9.8)
        XCTAssertEqual(feeds[0]["gate_id"] as? String, "main")
        let alerts = try XCTUnwrap(obj["alerts"] as? [[String: Any]])
        XCTAssertEqual(alerts.first?["message_vi"] as? String, "capacity site thông báo")
        let pipeline = try XCTUnwrap(obj["pipeline"] as? [String: Any])
        XCTAssertEqual(pipeline["responding"] as? Bool, true)
        let gates = try XCTUnwrap(obj["gates"] as? [[String: Any]])
        XCTAssertEqual(gates.first?["ins"] as? Int, 120)
    }
}

final class MonitoringFromCoreTests: XCTestCase {
    func testReportFromEngineAndHealthMonitor() {
        let clock = ManualClock(startMs: 1_795_957_200_000)
        let cfg = SiteConfig(site: SiteInfo(name: "Demo", capacity: 10),
                             gates: [GateConfig(id: "g1", name: "Gate", feeds: [
                                FeedConfig(id: "cam1", name: "Cam", source: "synthetic:walk", fps: 10, lines: [])])])
        let monitor = FeedHealthMonitor(feedId: "cam1", expectedFps: 10, settings: HealthSettings(alerts: cfg.alerts), clock: clock)
        let engine = AlertEngine(config: cfg, clock: clock)
        for _ in 0..<30 {   // frames for 3 s, then the feed goes silent for 25 s
            monitor.frameCaptured(); monitor.frameProcessed(); clock.advance(ms: 100)
        }
        for _ in 0..<26 {
            _ = engine.tick(AlertInput(occupancy: 3, health: ["cam1": monitor.snapshot()]))
            clock.advance(seconds: 1)
        }
        let input = MonitoringInput(siteName: "Demo", nowMs: clock.nowMs(), occupancy: 3, capacity: 10,
                                    pipeline: MonitoringPipeline(running: true, heartbeatMs: clock.nowMs()),
                                    gates: [MonitoringGate(id: "g1", name: "Gate", ins: 5, outs: 2)],
                                    feeds: [MonitoringFeed(monitor.snapshot(), name: "Cam", gateId: "g1")],
                                    alerts: engine.openAlerts.map { MonitoringAlert($0) })
        let r = MonitoringReport.check(input)
        XCTAssertEqual(r.status, .critical)
        XCTAssertTrue(r.output.hasPrefix("GATEWATCH CRITICAL - occupancy 3/10 (30%), 0/1 feeds live, 1 alert: Feed Cam (cam1): no frame for 20 s | "), r.output)
        XCTAssertTrue(r.output.contains("\nfeed cam1 offline"), r.output)
    }
}

/// What the runner stores about each feed's detector reaches `status` and `status --json`.
final class DetectorStatusTests: XCTestCase {
    func testStatusShowsEachFeedsRegionCadenceAndRunsPerSecond() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-detector-status-\(getpid())")
        try? FileManager.default.removeItem(at: dir)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func line(_ id: String) -> LineConfig {
            LineConfig(id: id, name: id, from: Point(0.4, 0.22), to: Point(0.4, 0.66), inside: Point(0.7, 0.45))
        }
        var near = FeedConfig(id: "near", name: "Near", source: "a.avi", fps: 10, lines: [line("l1")])
        near.detectRegion = .auto
        var far = FeedConfig(id: "far", name: "Far", source: "b.avi", fps: 10, lines: [line("l2")])
        far.detectRegion = .rect(Rect(x: 0.1, y: 0.1, width: 0.5, height: 0.3)); far.cadence = .fixed
        let whole = FeedConfig(id: "whole", name: "Whole", source: "c.avi", fps: 10, lines: [line("l3")])
        let site = SiteConfig(site: SiteInfo(name: "S", capacity: 10), gates: [GateConfig(id: "g", name: "G", feeds: [near, far, whole])])
        let db = try GateDatabase.openWriter(path: dir.appendingPathComponent("s.sqlite").path)
        let now: Int64 = 1_795_957_200_000
        try db.syncSite(site, configPath: nil, at: now)
        try db.updateFeedHealth([FeedHealth(feedId: "near", updatedMs: now, state: "live", processFps: 10, lastFrameMs: now,
                                            detectorRunsPerS: 1.75)])
        let input = try MonitoringInput.load(from: db, nowMs: now)
        try db.close()
        let text = MonitoringReport.statusText(input, language: .en)
        XCTAssertTrue(text.contains("detector 1.8/s adaptive, around the lines x 0.20–0.60 y 0.02–0.86"), text)
        XCTAssertTrue(text.contains("detector 0/s fixed, region x 0.10–0.60 y 0.10–0.40"), text)
        XCTAssertTrue(text.contains("detector 0/s adaptive, whole picture"), text)
        XCTAssertTrue(MonitoringReport.statusText(input, language: .vi).contains("nhận diện 1.8/s thích ứng, quanh vạch x 0.20–0.60"))
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(MonitoringReport.statusJSON(input).utf8)) as? [String: Any])
        let rows = try XCTUnwrap(json["feeds"] as? [[String: Any]])
        let feeds = ["near", "far", "whole"].map { id in rows.first { $0["id"] as? String == id } ?? [:] }
        XCTAssertEqual(feeds.map { $0["detect_region"] as? String }, ["auto", "0.1,0.1,0.6,0.4", "full"])
        XCTAssertEqual(feeds[0]["detector_runs_per_s"] as? Double, 1.75)
        XCTAssertEqual(feeds[0]["detect_region_rect"] as? [Double], [0.2, 0.02, 0.6, 0.86])
        XCTAssertEqual(feeds[1]["cadence"] as? String, "fixed")
        XCTAssertNil(feeds[2]["detect_region_rect"] as? [Double])
    }
}
