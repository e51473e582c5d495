import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

final class SiteRunnerTests: XCTestCase {
    /// `gatewatch run --config X` must leave X in `site.config_path` (it was dropped: always NULL).
    func testConfigPathIsRecorded() throws {
        let dir = try Ops.tempDir("runner")
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
        site: {name: Path test, capacity: 10, time_zone: UTC}
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: "synthetic:kind=both,frames=5,width=192,height=144"
                detector: motion
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        """
        let configPath = dir.appendingPathComponent("site.yaml").path
        try yaml.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dbPath = dir.appendingPathComponent("gw.sqlite").path
        let db = try GateDatabase.openWriter(path: dbPath)
        var options = SiteRunOptions()
        let log = Ops.Log()
        options.log = log.sink
        let runner = try SiteRunner(config: try ConfigLoader.load(path: configPath), configPath: configPath,
                                    database: db, options: options)
        try runner.start(version: "t")
        XCTAssertTrue(Ops.waitUntil(20) { runner.allFeedsEnded })
        runner.stop()
        try db.close()
        let reader = try GateDatabase.openReader(path: dbPath)
        defer { try? reader.close() }
        XCTAssertEqual(try StoreQueries(reader).site()?.configPath, configPath)
        XCTAssertEqual(try StoreQueries(reader).feedHealth().first?.state, "ended")
        XCTAssertEqual(try StoreQueries(reader).pipeline()?.state, "stopped")
    }

    /// A restart restores each open alert about the subject it was stored for, not one guessed
    /// from the config: the offline alert of feed "g1" (its gate is also "g1") stays the feed's and
    /// resolves once the feed is live; the covered alert of a removed feed "cam9" is not handed
    /// to the gate that now has that id (it stays open as stored, and the log says so).
    func testRestoredAlertsKeepTheirStoredSubject() throws {
        let dir = try Ops.tempDir("restore")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try ConfigLoader.parse(yaml: """
            site: {name: Restore, capacity: 10, time_zone: UTC}
            gates:
              - id: g1
                feeds:
                  - id: g1
                    source: "synthetic:kind=both"
                    detector: motion
                    lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
              - id: cam9
                feeds:
                  - id: cam10
                    source: "synthetic:kind=both"
                    detector: motion
                    lines: [{id: l2, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
            """)
        let clock = ManualClock()
        let db = try GateDatabase.openWriter(path: dir.appendingPathComponent("gw.sqlite").path)
        defer { try? db.close() }
        let offline = try db.raiseOrUpdate(kind: .offline, subject: .feed("g1"), severity: .critical, message: "no frame",
                                           at: clock.nowMs() - 60_000)
        let covered = try db.raiseOrUpdate(kind: .covered, subject: .feed("cam9"), severity: .warning, message: "covered",
                                           at: clock.nowMs() - 60_000)
        let log = Ops.Log()
        let restored = SiteRunner.restoredAlerts(try StoreQueries(db).alerts(.unresolved), config: config, log: log.sink)
        XCTAssertEqual(restored.map(\.subject), [.feed("g1")])
        XCTAssertTrue(log.lines.contains { $0.hasPrefix("alert #\(covered.id) (covered feed cam9) stays open as stored") }, "\(log.lines)")

        let engine = AlertEngine(config: config, clock: clock)
        engine.adopt(restored)
        var transitions: [AlertTransition] = []
        for _ in 0..<12 {
            let now = clock.nowMs()
            let health = Dictionary(uniqueKeysWithValues: config.feeds.map {
                ($0.id, FeedHealthSnapshot(feedId: $0.id, atMs: now, state: .live, captureFps: 10, processFps: 10,
                                           expectedFps: 10, lastFrameMs: now - 100))
            })
            transitions += engine.tick(AlertInput(occupancy: 0, health: health))
            clock.advance(seconds: 1)
        }
        XCTAssertEqual(transitions.map(\.change), [.resolve], "no second raise: \(transitions)")
        let resolved = try XCTUnwrap(transitions.first)
        XCTAssertEqual(try db.resolve(kind: resolved.kind, subject: resolved.subject, at: resolved.atMs), offline.id)
        XCTAssertEqual(try StoreQueries(db).alerts(.unresolved).map(\.id), [covered.id])
    }
}
