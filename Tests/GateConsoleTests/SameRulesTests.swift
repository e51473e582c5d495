import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateConsole

/// One database, four readers: the console's view model, `status --json`, `check` (the
/// built binary) and the alert engine must decide the same capacity level and the same
/// feed states from the same stored numbers (issue "One model of the site").
final class SameRulesTests: XCTestCase {
    static let binary = TmuxEndToEndTests.root.appendingPathComponent(".build/debug/gatewatch").path
    private var dir: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            XCTFail("\(Self.binary) is missing: run `swift build` first"); throw XCTSkip("no binary")
        }
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("samerules-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        if let dir { try? FileManager.default.removeItem(at: dir) }
        super.tearDown()
    }

    /// Capacity 100, warning at 0.7 (not the 0.8 default), two feeds.
    static let config = try! ConfigLoader.parse(yaml: """
    site: {name: Same rules, capacity: 100, time_zone: UTC}
    alerts: {capacity_warning: 0.7, capacity_critical: 0.95}
    gates:
      - id: g1
        name: Main
        feeds:
          - {id: cam1, source: "synthetic:kind=both", fps: 10, lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]}
          - {id: cam2, source: "synthetic:kind=both", fps: 10, lines: [{id: l2, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]}
    """)

    struct Readings: Equatable { var level: String; var states: [String: String] }

    func testConsoleStatusCheckAndEngineAgree() throws {
        let path = dir.appendingPathComponent("site.sqlite").path
        let now = currentTimeMs()
        let clock = ManualClock(startMs: now - 20_000)
        let engine = AlertEngine(config: Self.config, clock: clock)
        let db = try GateDatabase.openWriter(path: path)
        // A long heartbeat window stored with the site: every reader must use the stored one.
        var t = SiteThresholds(alerts: Self.config.alerts)
        t.heartbeatSeconds = 300
        try db.syncSite(Self.config, configPath: nil, thresholds: t, at: now - 60_000)
        try db.pipelineStarted(version: "t", at: now - 60_000)
        try db.pipelineBeat(at: now)
        // cam1 fresh, cam2's newest frame 10 s old: stale by the 3 s rule, not yet offline (20 s).
        try db.updateFeedHealth([health("cam1", lastFrame: now - 200, at: now), health("cam2", lastFrame: now - 10_000, at: now)])
        // 72 inside: 72% is above this site's 0.7 warning level, below the default 0.8.
        try db.insertCrossings((0..<72).map {
            CrossingEvent(timestampMs: now - 30_000 + Int64($0), feedId: "cam1", gateId: "g1", lineId: "l1",
                          direction: .in, trackId: $0, confidence: 0.9, frameIndex: $0)
        })
        for _ in 0..<12 {   // the engine holds the level 10 s before raising
            for tr in engine.tick(AlertInput(occupancy: 72)) {
                try db.raiseOrUpdate(kind: tr.kind, subject: tr.subject, severity: tr.severity,
                                     message: tr.messageEn, messageVi: tr.messageVi, value: tr.value, at: tr.atMs)
            }
            clock.advance(seconds: 1)
        }
        try db.close()
        keepFeedsAsTheyAre(path)
        let engineLevel = engine.openAlerts.first { $0.kind == .capacity }?.severity.rawValue
        XCTAssertEqual(engineLevel, "warning", "the engine raises at the site's 0.7")

        let console = try consoleReadings(path, now: now)
        let status = try statusReadings(path)
        XCTAssertEqual(console, Readings(level: "warning", states: ["cam1": "live", "cam2": "stale"]))
        XCTAssertEqual(status, console, "status --json and the console decide the same")
        let check = run(["check", "--db", path])
        XCTAssertEqual(check.code, 1, check.out)
        XCTAssertTrue(check.out.hasPrefix("GATEWATCH WARNING - occupancy 72/100 (72%), 1/2 feeds live"), check.out)
        // check's own -w/-c replace the site's only when given.
        XCTAssertEqual(run(["check", "--db", path, "-w", "0.5", "-c", "0.6"]).code, 2)
    }

    func testOpenCapacityAlertKeepsTheGaugeFromGreen() throws {
        // 66 inside with the warning alert open: inside the dead band the alert stays, and so must the gauge.
        let path = dir.appendingPathComponent("band.sqlite").path
        let now = currentTimeMs()
        let db = try GateDatabase.openWriter(path: path)
        var t = SiteThresholds(alerts: Self.config.alerts)
        t.heartbeatSeconds = 300
        try db.syncSite(Self.config, configPath: nil, thresholds: t, at: now - 60_000)
        try db.pipelineStarted(version: "t", at: now - 60_000)
        try db.pipelineBeat(at: now)
        try db.updateFeedHealth([health("cam1", lastFrame: now - 200, at: now), health("cam2", lastFrame: now - 200, at: now)])
        try db.insertCrossings((0..<66).map {
            CrossingEvent(timestampMs: now - 30_000 + Int64($0), feedId: "cam1", gateId: "g1", lineId: "l1",
                          direction: .in, trackId: $0, confidence: 0.9, frameIndex: $0)
        })
        try db.raiseOrUpdate(kind: .capacity, subject: .site, severity: .warning, message: "m", messageVi: "m",
                             value: 72, at: now - 20_000)
        try db.close()
        XCTAssertEqual(try consoleReadings(path, now: now).level, "warning")
        XCTAssertEqual(try statusReadings(path).level, "warning")
    }

    // MARK: helpers

    /// A runner keeps writing: cam1 fresh, cam2 10 s behind, heartbeat current, every half second
    /// until the test ends, so three commands run one after another on a slow machine still see
    /// the same states (the rule is under test, not the machine's speed).
    func keepFeedsAsTheyAre(_ path: String) {
        final class Flag: @unchecked Sendable {
            let lock = NSLock(); var stop = false
            var isSet: Bool { lock.lock(); defer { lock.unlock() }; return stop }
            func set() { lock.lock(); stop = true; lock.unlock() }
        }
        let flag = Flag(), done = DispatchSemaphore(value: 0)
        Thread { [self] in
            defer { done.signal() }
            guard let db = try? GateDatabase.openWriter(path: path) else { return }
            while !flag.isSet {
                let t = currentTimeMs()
                try? db.updateFeedHealth([health("cam1", lastFrame: t - 200, at: t), health("cam2", lastFrame: t - 10_000, at: t)])
                try? db.pipelineBeat(at: t)
                Thread.sleep(forTimeInterval: 0.5)
            }
            try? db.close()
        }.start()
        addTeardownBlock { flag.set(); done.wait() }
    }

    func health(_ id: String, lastFrame: Int64, at ms: Int64) -> GateStore.FeedHealth {
        GateStore.FeedHealth(feedId: id, updatedMs: ms, state: "live", captureFps: 10, processFps: 10, decodeMs: 1,
                             detectMs: 10, trackMs: 0.5, frames: 100, dropped: 0, queueDepth: 0, lastFrameMs: lastFrame,
                             reconnects: 0, lastError: nil)
    }

    func consoleReadings(_ path: String, now: Int64) throws -> Readings {
        let store = ConsoleStore(path: path)
        defer { store.close() }
        let snap = try store.load(LoadRequest(), now: now).get()
        var states: [String: String] = [:]
        for f in snap.feeds { states[f.id] = snap.feedState(f, now: now).rawValue }
        return Readings(level: snap.capacityLevel.rawValue, states: states)
    }

    func statusReadings(_ path: String) throws -> Readings {
        let r = run(["status", "--db", path, "--json"])
        let obj = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], r.out)
        var states: [String: String] = [:]
        for f in obj["feeds"] as? [[String: Any]] ?? [] { states[f["id"] as? String ?? "?"] = f["state"] as? String }
        return Readings(level: obj["capacity_level"] as? String ?? "?", states: states)
    }

    func run(_ args: [String]) -> (code: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary)
        p.arguments = args
        let out = dir.appendingPathComponent("out-\(UUID().uuidString)")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        p.standardOutput = try? FileHandle(forWritingTo: out)
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return (-1, "\(error)") }
        p.waitUntilExit()
        return (p.terminationStatus, (try? String(contentsOf: out, encoding: .utf8)) ?? "")
    }
}
