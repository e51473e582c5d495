import Foundation
import XCTest
import GateCore
import GateStore
import GateVision
@testable import GateRuntime

/// The one way a site is wired: feeds -> detector -> tracker/counter -> site sinks, with the
/// occupancy kept in memory where the crossings are produced.
final class SiteSessionTests: XCTestCase {
    private let yaml = """
        site: {name: Session test, capacity: 50, time_zone: UTC}
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: "synthetic:kind=both,seed=2,people=6,frames=160,width=320,height=240"
                detector: motion
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        """

    /// Crossings reach the extra sink and the tick once each, and the occupancy follows them
    /// from the seeded count (GateCore's Occupancy rule: never below zero).
    func testCrossingsFeedSinksAndInMemoryOccupancy() throws {
        let config = try ConfigLoader.parse(yaml: yaml, file: "session.yaml")
        var settings = SiteSessionSettings()
        settings.live = { _ in false }
        let session = try SiteSession(config: config, settings: settings, source: { feed in
            try makeFeedSource(uri: feed.source, realtime: false, loop: false)
        })
        let sunk = Ops.Log()
        let recorded = Ops.Log()
        session.recordCrossing = { recorded.append($0.lineId) }
        session.onCrossing = { sunk.append($0.direction.name) }
        session.restartOccupancy { (OccupancyAnchor(atMs: 0, base: 4), GateFeedCounts()) }
        XCTAssertEqual(session.drain().occupancy, 4)
        session.start()
        XCTAssertTrue(Ops.waitUntil(60) { session.allFeedsEnded })
        session.stop()
        let tick = session.drain()
        XCTAssertFalse(tick.crossings.isEmpty, "the scene has walkers crossing the line")
        XCTAssertEqual(sunk.lines.count, tick.crossings.count)
        XCTAssertEqual(recorded.lines.count, tick.crossings.count)
        var expected = Occupancy(capacity: 50, anchor: OccupancyAnchor(atMs: 0, base: 4))
        expected.record(tick.crossings)
        XCTAssertEqual(tick.occupancy, expected.count)
        XCTAssertEqual(tick.alertInput().occupancy, expected.count)
        XCTAssertEqual(tick.health.map(\.feedId), ["cam1"])
        XCTAssertTrue(session.drain().crossings.isEmpty, "a crossing is handed to the alert engine once")
        let summary = try session.feeds[0].summary()
        XCTAssertEqual(summary.crossings, tick.crossings.count)
    }

    /// After a restart the people counted inside earlier today are still inside: the runner
    /// seeds its in-memory occupancy from the store, and the capacity alert sees them.
    func testRunnerSeedsOccupancyFromTheStore() throws {
        let dir = try Ops.tempDir("session")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.quietSite(capacity: 3, frames: 400)
        let dbPath = dir.appendingPathComponent("gw.sqlite").path
        let db = try GateDatabase.openWriter(path: dbPath)
        try db.syncSite(config, configPath: nil)
        let writer = try EventWriter(database: db)
        let now = currentTimeMs()
        for i in 0..<3 {
            writer.append(CrossingEvent(timestampMs: now - 10 + Int64(i), feedId: "cam1", gateId: "g1", lineId: "l1",
                                        direction: .in, trackId: i, confidence: 0.9, frameIndex: i))
        }
        try writer.close()

        var options = SiteRunOptions()
        let log = Ops.Log()
        options.log = log.sink
        let runner = try SiteRunner(config: config, configPath: nil, database: db, options: options)
        try runner.start(version: "t")
        XCTAssertEqual(runner.occupancy, 3)
        // The capacity rule holds 10 s before it raises.
        XCTAssertTrue(try Ops.waitUntil(40) { try Ops.alerts(dbPath).contains { $0.kind == .known(.capacity) } },
                      "capacity alert from the seeded occupancy; log: \(log.lines)")
        runner.stop()
        try db.close()
    }

    /// A head count set at the desk (another process, through the store) reaches the running
    /// site within a tick: the capacity rule sees it, and the log says who set it.
    func testRunnerFollowsACorrectionMadeAtTheDesk() throws {
        let dir = try Ops.tempDir("correct")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try Self.quietSite(capacity: 10, frames: 2000)
        let dbPath = dir.appendingPathComponent("gw.sqlite").path
        let db = try GateDatabase.openWriter(path: dbPath)
        var options = SiteRunOptions()
        let log = Ops.Log()
        options.log = log.sink
        let runner = try SiteRunner(config: config, configPath: nil, database: db, options: options)
        try runner.start(version: "t")
        defer { runner.stop(); try? db.close() }
        XCTAssertEqual(runner.occupancy, 0)
        let desk = try GateDatabase.openWriter(path: dbPath, busyTimeout: 5)
        try desk.correctOccupancy(count: 7, by: "Lan", note: "đếm tay")
        try desk.close()
        XCTAssertTrue(Ops.waitUntil(10) { runner.occupancy == 7 }, "occupancy \(runner.occupancy); log: \(log.lines)")
        XCTAssertTrue(log.lines.contains { $0.contains("occupancy set to 7 by Lan (was 0)") }, "\(log.lines)")
    }

    /// One live camera whose line (along the top edge) nobody crosses: only the store and
    /// the desk change the occupancy.
    static func quietSite(capacity: Int, frames: Int) throws -> SiteConfig {
        try ConfigLoader.parse(yaml: """
            site: {name: Quiet site, capacity: \(capacity), time_zone: UTC}
            gates:
              - id: g1
                feeds:
                  - id: cam1
                    source: "synthetic:kind=both,people=1,frames=\(frames),fps=10,width=192,height=144,realtime"
                    detector: motion
                    lines: [{id: l1, from: [0.0, 0.01], to: [1.0, 0.01], inside: [0.5, 0.5]}]
            """, file: "quiet.yaml")
    }
}
