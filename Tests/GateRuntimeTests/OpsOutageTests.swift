import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

/// End to end: a real MPEG-TS stream served by ffmpeg on loopback HTTP is cut and
/// restored while a SiteRunner counts it. The feed must go offline, raise an
/// `offline` alert in time, reconnect by itself, resolve the alert, and keep every
/// crossing written before the outage.
final class OpsOutageTests: XCTestCase {
    private var ffmpeg: Process?
    private var runner: SiteRunner?
    private var dir: URL?

    override func tearDown() {
        stopServer()
        runner?.stop()
        runner = nil
        if let dir { try? FileManager.default.removeItem(at: dir) }
        super.tearDown()
    }

    private func startServer(port: Int) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        // -re: real time, like a camera; -listen 1: ffmpeg is the HTTP server (one client).
        p.arguments = ["-hide_banner", "-nostdin", "-loglevel", "error", "-re", "-stream_loop", "-1", "-i", Ops.vtest,
                       "-an", "-c:v", "mpeg2video", "-q:v", "4", "-g", "10", "-f", "mpegts",
                       "-listen", "1", "http://127.0.0.1:\(port)/feed"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        ffmpeg = p
    }

    /// Kills the server we started (by its pid) and reaps it.
    private func stopServer() {
        guard let p = ffmpeg else { return }
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        ffmpeg = nil
    }

    func testStreamOutageRaisesOfflineReconnectsAndResolves() throws {
        try outage(seconds: 0, reconnectWithin: 40)
    }

    /// The issue's case: a 40 s outage. The reconnect back-off of a camera that was live a
    /// moment ago stays at 2 s or less, so the feed is back within seconds of the stream
    /// (it was 19.6-27.6 s when the back-off grew to 16-30 s).
    func testFortySecondOutageReconnectsWithinSecondsOfTheStream() throws {
        try outage(seconds: 40, reconnectWithin: 10)
    }

    /// Cuts the stream for at least `seconds` (and until the offline alert), restores it and
    /// checks the feed reconnects within `reconnectWithin` seconds of the restart.
    private func outage(seconds outageSeconds: Double, reconnectWithin: Double) throws {
        guard FileManager.default.fileExists(atPath: "/usr/bin/ffmpeg"), FileManager.default.fileExists(atPath: Ops.vtest) else {
            XCTFail("needs /usr/bin/ffmpeg and \(Ops.vtest)"); return
        }
        let dir = try Ops.tempDir("outage"); self.dir = dir
        let port = Ops.freePort()
        let offlineSeconds = 4.0
        // The vtest line from Tests/EndToEndTests/Fixtures (27 crossings in 79.5 s).
        let yaml = """
        site: {name: Outage test, capacity: 1000, time_zone: UTC}
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: http://127.0.0.1:\(port)/feed
                fps: 10
                detector: ssdlite
                confidence: 0.4
                lines: [{id: l1, from: [0.40, 0.22], to: [0.40, 0.66], inside: [0.70, 0.45]}]
        alerts:
          offline_seconds: \(Int(offlineSeconds))
          low_fps_seconds: 600
          after_hours_entries: false
        """
        try startServer(port: port)
        Thread.sleep(forTimeInterval: 0.5)
        let log = Ops.Log()
        let (r, db) = try Ops.startRunner(yaml: yaml, dir: dir, log: log)
        runner = r
        let t0 = Date()
        // Trace of feed_health.state changes as a console would see them (for the report).
        let trace = Ops.Log()
        let tracing = Thread {
            var last = ""
            while !Thread.current.isCancelled {
                if let h = try? Ops.health(db, feed: "cam1"), h.state != last {
                    last = h.state
                    trace.append(String(format: "%.1f s %@ (reconnects %d)", Date().timeIntervalSince(t0), h.state, h.reconnects))
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        tracing.start()
        defer { tracing.cancel() }

        // 1. Live, with some crossings stored.
        XCTAssertTrue(try Ops.waitUntil(30) { try Ops.health(db, feed: "cam1")?.state == "live" },
                      "feed never went live: \((try? Ops.health(db, feed: "cam1"))?.map { "\($0.state) \($0.lastError ?? "")" } ?? "no row"); log: \(log.lines)")
        let liveAfter = Date().timeIntervalSince(t0)
        XCTAssertTrue(try Ops.waitUntil(45) { try Ops.crossings(db).count >= 2 }, "no crossings within 45 s of live video")
        let before = try Ops.crossings(db)
        let reconnectsBefore = try Ops.health(db, feed: "cam1")?.reconnects ?? 0
        XCTAssertTrue(try Ops.alerts(db).filter { $0.kind == .known(.offline) }.isEmpty, "offline alert while the stream was up")

        // 2. Outage: the server dies.
        stopServer()
        let cut = Date()
        trace.append(String(format: "%.1f s server killed", cut.timeIntervalSince(t0)))
        let cutMs = Int64(cut.timeIntervalSince1970 * 1000)
        var offlineAlert: AlertRow?
        XCTAssertTrue(try Ops.waitUntil(offlineSeconds + 4) {
            offlineAlert = try Ops.alerts(db, .unresolved).first { $0.kind == .known(.offline) && $0.subject == .feed("cam1") }
            return offlineAlert != nil
        }, "no offline alert within \(offlineSeconds) + 4 s of the outage; log: \(log.lines)")
        let alertDelay = Date().timeIntervalSince(cut)
        let offline = try XCTUnwrap(offlineAlert)
        XCTAssertEqual(offline.severity, .known(.critical))
        XCTAssertGreaterThanOrEqual(offline.raisedMs - cutMs, Int64(offlineSeconds * 1000) - 1500,
                                    "alert raised before the feed had been quiet for offline_seconds")
        XCTAssertTrue(try Ops.waitUntil(3) { try Ops.health(db, feed: "cam1")?.state == "offline" },
                      "feed_health.state is \((try? Ops.health(db, feed: "cam1"))??.state ?? "-"), expected offline")

        // 3. The server comes back; the worker must find it by itself.
        let downFor = outageSeconds - Date().timeIntervalSince(cut)
        if downFor > 0 { Thread.sleep(forTimeInterval: downFor) }
        try startServer(port: port)
        let restart = Date()
        trace.append(String(format: "%.1f s server restarted", restart.timeIntervalSince(t0)))
        XCTAssertTrue(try Ops.waitUntil(reconnectWithin) {
            guard let h = try Ops.health(db, feed: "cam1") else { return false }
            return h.state == "live" && h.reconnects > reconnectsBefore
        }, "no reconnect within \(reconnectWithin) s: \((try? Ops.health(db, feed: "cam1"))?.map { "\($0.state) reconnects \($0.reconnects)" } ?? "-")")
        let reconnectDelay = Date().timeIntervalSince(restart)
        XCTAssertTrue(Ops.waitUntil(2) { log.lines.contains { $0.hasPrefix("feed cam1: live again after ") } },
                      "no log line for the reconnect: \(log.lines)")

        // 4. The alert resolves (clear hold 10 s once frames are fresh).
        var resolved: AlertRow?
        XCTAssertTrue(try Ops.waitUntil(25) {
            resolved = try Ops.alerts(db).first { $0.id == offline.id && $0.state == .known(.resolved) }
            return resolved != nil
        }, "offline alert not resolved within 25 s of the reconnect")
        let resolveDelay = Date().timeIntervalSince(restart)
        XCTAssertEqual(try Ops.alerts(db).filter { $0.kind == .known(.offline) }.count, 1, "one outage, one offline alert")

        // 5. Nothing counted before the outage is lost.
        let after = try Ops.crossings(db)
        XCTAssertLessThanOrEqual(before.count, after.count)
        let afterById = Dictionary(uniqueKeysWithValues: after.map { ($0.id, $0) })
        for c in before { XCTAssertEqual(afterById[c.id], c, "crossing \(c.id) changed or vanished after the outage") }

        r.stop()
        runner = nil
        XCTAssertEqual(try Ops.health(db, feed: "cam1")?.state, "stopped")
        print(String(format: "OPS outage (stream down %.1f s): live after %.1f s; %d crossings before the cut, %d after; offline alert %.1f s after the cut "
                     + "(raised_ms - cut = %.1f s, offline_seconds %.0f); reconnect %.1f s after the restart; "
                     + "resolved %.1f s after the restart (%.1f s after the reconnect)",
                     restart.timeIntervalSince(cut), liveAfter, before.count, after.count, alertDelay, Double(offline.raisedMs - cutMs) / 1000, offlineSeconds,
                     reconnectDelay, resolveDelay, resolveDelay - reconnectDelay))
        print("OPS outage: reconnects before the cut \(reconnectsBefore); states: " + trace.lines.joined(separator: " | "))
        print("OPS outage log: " + log.lines.joined(separator: " | "))
    }

    /// A camera that is down when the pipeline starts: offline (not "starting" forever)
    /// and alerted after offline_seconds, with the reason in feed_health.last_error.
    func testStreamDownFromTheStartRaisesOffline() throws {
        let dir = try Ops.tempDir("dead"); self.dir = dir
        let port = Ops.freePort()
        let yaml = """
        site: {name: Dead test, capacity: 100, time_zone: UTC}
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: http://127.0.0.1:\(port)/feed
                fps: 10
                detector: motion
                lines: [{id: l1, from: [0.40, 0.22], to: [0.40, 0.66], inside: [0.70, 0.45]}]
        alerts: {offline_seconds: 3, after_hours_entries: false}
        """
        let log = Ops.Log()
        let (r, db) = try Ops.startRunner(yaml: yaml, dir: dir, log: log)
        runner = r
        let t0 = Date()
        var alert: AlertRow?
        XCTAssertTrue(try Ops.waitUntil(8) {
            alert = try Ops.alerts(db, .unresolved).first { $0.kind == .known(.offline) && $0.subject == .feed("cam1") }
            return alert != nil
        }, "no offline alert for a stream that never answered; log: \(log.lines)")
        let delay = Date().timeIntervalSince(t0)
        // The alert says why: the source's own error since the last frame.
        XCTAssertTrue(alert?.message.hasPrefix("Feed cam1 (cam1): no frame since it started (3+ s): stream does not answer") == true,
                      alert?.message ?? "-")
        let h = try XCTUnwrap(try Ops.health(db, feed: "cam1"))
        XCTAssertEqual(h.state, "offline")
        XCTAssertGreaterThan(h.reconnects, 0)
        XCTAssertNil(h.lastFrameMs)
        XCTAssertTrue(h.lastError?.contains("127.0.0.1:\(port)") == true, h.lastError ?? "no last_error")
        r.stop(); runner = nil
        print(String(format: "OPS dead stream: offline alert %.1f s after start (offline_seconds 3); last_error: %@", delay, h.lastError ?? "-"))
    }
}
