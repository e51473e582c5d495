import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

/// `on_alert` during a real run: the command gets the alert JSON on standard input;
/// a failing or hanging command is logged and never stops the pipeline.
final class OpsOnAlertTests: XCTestCase {
    /// A covered-lens scene: 60 frames at 10 fps (6 s), lens covered from frame 10.
    static func yaml(onAlert: String, timeout: Double) -> String {
        """
        site: {name: "Notify test", capacity: 1000, time_zone: UTC}
        alerts:
          tamper_seconds: 1
          after_hours_entries: false
          on_alert: '\(onAlert)'
          on_alert_timeout: \(timeout)
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: "synthetic:kind=both,seed=5,people=6,frames=60,fps=10,width=384,height=288,cover=10,realtime"
                detector: motion
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        """
    }

    /// Runs the scene to its end; checks the pipeline kept going whatever the command did.
    private func runScene(onAlert: String, timeout: Double, dir: URL, log: Ops.Log) throws -> (db: String, stopSeconds: Double) {
        let (runner, db) = try Ops.startRunner(yaml: Self.yaml(onAlert: onAlert, timeout: timeout), dir: dir, log: log)
        defer { runner.stop() }
        var beats: Set<Int64> = []
        XCTAssertTrue(try Ops.waitUntil(20) {
            if let p = try Ops.pipeline(db) { beats.insert(p.heartbeatMs) }
            return runner.allFeedsEnded
        }, "scene did not end within 20 s; log: \(log.lines)")
        // The heartbeat kept beating through the alert and the command (about once a second).
        XCTAssertGreaterThanOrEqual(beats.count, 4, "heartbeat stalled: \(beats.count) distinct beats")
        let t = Date()
        runner.stop()
        let stopSeconds = Date().timeIntervalSince(t)
        let h = try XCTUnwrap(try Ops.health(db, feed: "cam1"))
        XCTAssertEqual(h.frames, 60, "the pipeline did not process the whole scene")
        XCTAssertEqual(h.state, "ended")
        let covered = try Ops.alerts(db).filter { $0.kind == .known(.covered) && $0.subject == .feed("cam1") }
        XCTAssertEqual(covered.count, 1, "the covered alert is stored whatever the command does")
        XCTAssertEqual(try Ops.pipeline(db)?.state, "stopped")
        return (db, stopSeconds)
    }

    func testCommandReceivesAlertJSON() throws {
        let dir = try Ops.tempDir("onalert")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("alerts.jsonl").path
        let log = Ops.Log()
        let (db, _) = try runScene(onAlert: "{ cat; echo; } >> \(out)", timeout: 5, dir: dir, log: log)
        let text = try String(contentsOfFile: out, encoding: .utf8)
        let notices = try text.split(separator: "\n").map {
            try JSONDecoder().decode(AlertNotice.self, from: Data($0.utf8))
        }
        let raise = try XCTUnwrap(notices.first { $0.change == "raise" && $0.kind == "covered" }, "notices: \(text)")
        let stored = try XCTUnwrap(try Ops.alerts(db).first { $0.kind == .known(.covered) })
        XCTAssertEqual(raise.alertId, stored.id)
        XCTAssertEqual(raise.subject, "cam1"); XCTAssertEqual(raise.subjectType, "feed")
        XCTAssertEqual(raise.severity, "critical"); XCTAssertEqual(raise.site, "Notify test")
        XCTAssertEqual(raise.raisedMs, stored.raisedMs)
        XCTAssertEqual(raise.messageEn, stored.message)
        XCTAssertTrue(log.lines.filter { $0.hasPrefix("on_alert") }.isEmpty, "unexpected on_alert log: \(log.lines)")
    }

    func testFailingCommandIsLoggedNotFatal() throws {
        let dir = try Ops.tempDir("onalert-fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = Ops.Log()
        _ = try runScene(onAlert: "cat > /dev/null; echo gateway down >&2; exit 1", timeout: 5, dir: dir, log: log)
        let lines = log.lines.filter { $0.hasPrefix("on_alert") }
        XCTAssertEqual(lines.count, 1, "\(log.lines)")
        XCTAssertTrue(lines.first?.contains("exited with status 1") == true, "\(lines)")
        XCTAssertTrue(lines.first?.contains("gateway down") == true, "\(lines)")
    }

    func testHangingCommandIsKilledNotFatal() throws {
        let dir = try Ops.tempDir("onalert-hang")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = Ops.Log()
        let (_, stopSeconds) = try runScene(onAlert: "sleep 100", timeout: 1, dir: dir, log: log)
        let lines = log.lines.filter { $0.hasPrefix("on_alert") }
        XCTAssertEqual(lines.count, 1, "\(log.lines)")
        XCTAssertTrue(lines.first?.lowercased().contains("timed out") == true || lines.first?.contains("killed") == true, "\(lines)")
        // stop() waits for the notifier at most timeout + 2 s.
        XCTAssertLessThan(stopSeconds, 10, "stop took \(stopSeconds) s")
        print(String(format: "OPS on_alert: hanging command; stop() took %.2f s", stopSeconds))
    }
}
