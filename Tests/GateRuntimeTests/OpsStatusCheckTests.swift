import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

/// `gatewatch status` and `gatewatch check` (the built binary) against databases in
/// each state, made with GateStore's writer API: exit codes, the status line, JSON.
final class OpsStatusCheckTests: XCTestCase {
    private var dir: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Ops.gatewatchBinary) else {
            XCTFail("the gatewatch binary is missing at \(Ops.gatewatchBinary); run swift build first")
            throw CocoaError(.fileNoSuchFile)
        }
        dir = try Ops.tempDir("check")
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
        super.tearDown()
    }

    static let config = try! ConfigLoader.parse(yaml: """
    site: {name: Check site, capacity: 100, time_zone: UTC}
    gates:
      - id: g1
        name: Main
        feeds:
          - id: cam1
            source: synthetic:kind=both
            fps: 10
            lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
    """)

    enum Pipeline { case never, stopped, live, stale }

    /// A database as a pipeline in `pipeline` state would leave it, with `alerts` open and `ins` entries today.
    private func makeDB(_ name: String, pipeline: Pipeline, alerts: [(kind: AlertKind, severity: AlertSeverity, message: String)] = [],
                        ins: Int = 0) throws -> String {
        let path = dir.appendingPathComponent("\(name).sqlite").path
        let db = try GateDatabase.openWriter(path: path)
        var beating = false
        defer { if !beating { try? db.close() } }
        let now = currentTimeMs()
        try db.syncSite(Self.config, configPath: nil, at: now)
        switch pipeline {
        case .never: break
        case .stopped:
            try db.pipelineStarted(version: "t", at: now - 60_000)
            try db.updateFeedHealth(Self.health(state: "stopped", at: now - 5_000))
            try db.pipelineStopped(at: now - 5_000)
        case .live:
            try db.pipelineStarted(version: "t", at: now - 60_000)
            try db.updateFeedHealth(Self.health(state: "live", at: now))
            try db.pipelineBeat(at: now)
            keepBeating(db)
            beating = true
        case .stale:
            // Killed without a goodbye: still "running", heartbeat two minutes old.
            try db.pipelineStarted(version: "t", at: now - 180_000)
            try db.updateFeedHealth(Self.health(state: "live", at: now - 120_000))
            try db.pipelineBeat(at: now - 120_000)
        }
        for a in alerts {
            try db.raiseOrUpdate(kind: a.kind, subject: .feed("cam1"), severity: a.severity, message: a.message,
                                 messageVi: a.message, value: nil, at: now - 30_000)
        }
        if ins > 0 {
            try db.insertCrossings((0..<ins).map {
                CrossingEvent(timestampMs: now - 10_000 + Int64($0), feedId: "cam1", gateId: "g1", lineId: "l1",
                              direction: .in, trackId: $0, confidence: 0.9, frameIndex: $0)
            })
        }
        return path
    }

    /// A live runner writes its heartbeat and feed health every half second: so does this one,
    /// until the test ends, so a slow machine running three commands never sees a stale feed.
    private func keepBeating(_ db: GateDatabase) {
        final class Flag: @unchecked Sendable {
            let lock = NSLock(); var stop = false
            var isSet: Bool { lock.lock(); defer { lock.unlock() }; return stop }
            func set() { lock.lock(); stop = true; lock.unlock() }
        }
        let flag = Flag(), done = DispatchSemaphore(value: 0)
        Thread {
            while !flag.isSet {
                let t = currentTimeMs()
                try? db.updateFeedHealth(Self.health(state: "live", at: t))
                try? db.pipelineBeat(at: t)
                Thread.sleep(forTimeInterval: 0.5)
            }
            try? db.close()
            done.signal()
        }.start()
        addTeardownBlock { flag.set(); done.wait() }
    }

    static func health(state: String, at ms: Int64) -> GateStore.FeedHealth {
        GateStore.FeedHealth(feedId: "cam1", updatedMs: ms, state: state, captureFps: 10, processFps: 9.5, decodeMs: 2,
                             detectMs: 20, trackMs: 0.5, frames: 600, dropped: 0, queueDepth: 0, lastFrameMs: ms - 100,
                             reconnects: 0, lastError: nil)
    }

    private struct Outcome { var code: Int32; var line: String; var status: String; var json: [String: Any] }

    private func probe(_ db: String) throws -> Outcome {
        let check = try Ops.run(Ops.gatewatchBinary, ["check", "--db", db])
        let status = try Ops.run(Ops.gatewatchBinary, ["status", "--db", db, "--lang", "en"])
        XCTAssertEqual(status.code, 0, "status failed: \(status.err)")
        let js = try Ops.run(Ops.gatewatchBinary, ["status", "--db", db, "--json"])
        XCTAssertEqual(js.code, 0, "status --json failed: \(js.err)")
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(js.out.utf8)) as? [String: Any], "not a JSON object: \(js.out)")
        return Outcome(code: check.code, line: String(check.out.split(separator: "\n").first ?? ""), status: status.out, json: obj)
    }

    private func jsonAlerts(_ o: Outcome) -> [[String: Any]] { o.json["alerts"] as? [[String: Any]] ?? [] }

    func testNoPipelineEverIsUnknown() throws {
        let o = try probe(try makeDB("never", pipeline: .never))
        XCTAssertEqual(o.code, 3)
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH UNKNOWN - occupancy 0/100 (0%), 0/1 feeds live, 0 alerts, no pipeline has run on this database |"), o.line)
        XCTAssertTrue(o.status.contains("Pipeline: never run"), o.status)
        XCTAssertTrue(o.status.contains("  cam1  stopped "), o.status)
        XCTAssertEqual(o.json["status"] as? String, "UNKNOWN"); XCTAssertEqual(o.json["exit_code"] as? Int, 3)
        XCTAssertTrue(o.json["pipeline"] == nil || o.json["pipeline"] is NSNull)
    }

    func testStoppedPipelineIsCriticalWhileTheSiteShouldBeOpen() throws {
        // No opening hours: the site should always be open, so a stopped pipeline is an outage.
        let o = try probe(try makeDB("stopped", pipeline: .stopped))
        XCTAssertEqual(o.code, 2)
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH CRITICAL - occupancy 0/100 (0%), 0/1 feeds live, 0 alerts, pipeline stopped"), o.line)
        XCTAssertTrue(o.status.contains("Pipeline: stopped"), o.status)
        XCTAssertTrue(o.status.contains("  cam1  stopped "), o.status)
        XCTAssertEqual((o.json["pipeline"] as? [String: Any])?["running"] as? Bool, false)
    }

    func testLivePipelineWithoutAlertsIsOK() throws {
        let o = try probe(try makeDB("ok", pipeline: .live, ins: 7))
        XCTAssertEqual(o.code, 0)
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH OK - occupancy 7/100 (7%), 1 feed live, 0 alerts | occupancy=7;80;100;0;100 feeds_live=1;;;0;1"), o.line)
        XCTAssertTrue(o.line.contains("in_g1=7c out_g1=0c"), o.line)
        XCTAssertTrue(o.status.contains("Status: OK"), o.status)
        XCTAssertTrue(o.status.contains("Open alerts (0):\n  none"), o.status)
        XCTAssertEqual(o.json["status"] as? String, "OK"); XCTAssertEqual(o.json["occupancy"] as? Int, 7)
        XCTAssertEqual(jsonAlerts(o).count, 0)
        XCTAssertEqual((o.json["feeds"] as? [[String: Any]])?.first?["state"] as? String, "live")
    }

    func testWarningAlertIsWarning() throws {
        let msg = "Feed cam1 (cam1): picture frozen (identical frames for 10+ s)"
        let o = try probe(try makeDB("warn", pipeline: .live, alerts: [(.frozen, .warning, msg)]))
        XCTAssertEqual(o.code, 1)
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH WARNING - occupancy 0/100 (0%), 1 feed live, 1 alert: \(msg) |"), o.line)
        XCTAssertTrue(o.status.contains("Open alerts (1):"), o.status)
        XCTAssertTrue(o.status.contains(msg), o.status)
        let a = jsonAlerts(o)
        XCTAssertEqual(a.count, 1)
        XCTAssertEqual(a.first?["kind"] as? String, "frozen"); XCTAssertEqual(a.first?["severity"] as? String, "warning")
        XCTAssertEqual(a.first?["subject"] as? String, "cam1"); XCTAssertEqual(a.first?["message_en"] as? String, msg)
    }

    func testCriticalAlertIsCritical() throws {
        let crit = "Feed cam1 (cam1): no frame for 20 s"
        let o = try probe(try makeDB("crit", pipeline: .live, alerts: [(.offline, .critical, crit),
                                                                      (.frozen, .warning, "frozen picture")]))
        XCTAssertEqual(o.code, 2)
        // The worst alert names itself on the status line.
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH CRITICAL - occupancy 0/100 (0%), 1 feed live, 2 alerts: \(crit) |"), o.line)
        XCTAssertTrue(o.line.contains("alerts=2;;;0 alerts_critical=1;;0;0"), o.line)
        XCTAssertEqual(jsonAlerts(o).map { $0["kind"] as? String }, ["offline", "frozen"])
        XCTAssertEqual(o.json["status"] as? String, "CRITICAL")
    }

    func testOccupancyOverCapacityIsCritical() throws {
        let o = try probe(try makeDB("full", pipeline: .live, ins: 120))
        XCTAssertEqual(o.code, 2)
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH CRITICAL - occupancy 120/100 (120%), 1 feed live, 0 alerts |"), o.line)
        XCTAssertTrue(o.status.contains("Occupancy: 120 / 100 (120%)"), o.status)
        XCTAssertEqual(o.json["occupancy_share"] as? Double, 1.2)
    }

    func testOccupancyAtWarningLevelIsWarning() throws {
        let o = try probe(try makeDB("busy", pipeline: .live, ins: 85))
        XCTAssertEqual(o.code, 1)
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH WARNING - occupancy 85/100 (85%)"), o.line)
    }

    func testStaleHeartbeatIsCritical() throws {
        let o = try probe(try makeDB("stale", pipeline: .stale, alerts: [(.offline, .critical, "no frame")]))
        XCTAssertEqual(o.code, 2, "a runner that stopped beating at a site that should be open is an outage")
        // The feed row still says "live", but nobody has written it for two minutes.
        XCTAssertTrue(o.line.hasPrefix("GATEWATCH CRITICAL - occupancy 0/100 (0%), 0/1 feeds live, 1 alert, pipeline not responding (last heartbeat"), o.line)
        XCTAssertTrue(o.status.contains("Pipeline: not responding"), o.status)
        XCTAssertTrue(o.status.contains("  cam1  unknown "), o.status)
        XCTAssertEqual((o.json["feeds"] as? [[String: Any]])?.first?["state"] as? String, "unknown")
        XCTAssertEqual((o.json["pipeline"] as? [String: Any])?["responding"] as? Bool, false)
        XCTAssertEqual((o.json["pipeline"] as? [String: Any])?["liveness"] as? String, "not_responding")
        XCTAssertEqual(jsonAlerts(o).count, 1)
    }

    func testMissingDatabaseIsUnknown() throws {
        let r = try Ops.run(Ops.gatewatchBinary, ["check", "--db", dir.appendingPathComponent("nope.sqlite").path])
        XCTAssertEqual(r.code, 3)
        XCTAssertTrue(r.out.hasPrefix("GATEWATCH UNKNOWN - "), r.out)
        XCTAssertEqual(r.out.split(separator: "\n").count, 1, r.out)
    }
}
