import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

/// Start-up retention on a year's backlog must not stop the heartbeat: it deletes in
/// small chunks on its own thread while the monitor keeps beating once a second.
final class RetentionRunnerTests: XCTestCase {
    func testRetentionBacklogDoesNotBlockTheHeartbeat() throws {
        let dir = try Ops.tempDir("retention")
        defer { try? FileManager.default.removeItem(at: dir) }
        let yaml = """
        site: {name: Retention test, capacity: 1000, time_zone: UTC}
        retention_days: 30
        alerts: {after_hours_entries: false}
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: "synthetic:kind=both,seed=2,people=2,frames=200,fps=10,width=320,height=240"
                fps: 10
                realtime: true
                loop: true
                detector: motion
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        """
        let config = try ConfigLoader.parse(yaml: yaml, file: "retention.yaml")
        let path = dir.appendingPathComponent("gw.sqlite").path
        let old = currentTimeMs() - 300 * 86_400_000
        let backlog = 88_000
        let seed = Date()
        do {
            let db = try GateDatabase.openWriter(path: path)
            try db.syncSite(config, configPath: nil)
            for chunk in stride(from: 0, to: backlog, by: 8_000) {
                try db.insertCrossings((chunk..<min(backlog, chunk + 8_000)).map {
                    CrossingEvent(timestampMs: old + Int64($0) * 300, feedId: "cam1", gateId: "g1", lineId: "l1",
                                  direction: $0 % 2 == 0 ? .in : .out, trackId: $0, confidence: 0.9, frameIndex: $0)
                })
            }
            try db.close()
        }
        print(String(format: "retention backlog: %d old crossings written in %.1f s", backlog, Date().timeIntervalSince(seed)))

        let log = Ops.Log()
        let db = try GateDatabase.openWriter(path: path)
        var options = SiteRunOptions()
        options.log = log.sink
        let runner = try SiteRunner(config: config, configPath: nil, database: db, options: options)
        try runner.start(version: "retention-test")
        defer { runner.stop() }
        let t0 = Date()
        // Watch the heartbeat as a console would, until retention reports (bounded).
        var beats: [Int64] = []
        var maxGapMs: Int64 = 0
        while Date().timeIntervalSince(t0) < 60 {
            if let hb = try Ops.pipeline(path)?.heartbeatMs, hb != beats.last {
                if let last = beats.last { maxGapMs = max(maxGapMs, hb - last) }
                beats.append(hb)
            }
            if log.lines.contains(where: { $0.hasPrefix("retention: ") }) && Date().timeIntervalSince(t0) > 3 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        let line = log.lines.first { $0.hasPrefix("retention: ") } ?? "no retention line"
        print(String(format: "retention with a running pipeline: %@; %d heartbeats seen, longest gap %.1f s",
                     line, beats.count, Double(maxGapMs) / 1000))
        XCTAssertTrue(line.hasPrefix("retention: deleted \(backlog) crossings"), "\(log.lines)")
        XCTAssertGreaterThanOrEqual(beats.count, 3)
        XCTAssertLessThan(maxGapMs, 3_000, "the heartbeat stopped while retention ran: \(line)")
        // Retention on the monitor's thread would stop the heartbeat for as long as it takes.
        let took = line.split(separator: " ").reversed().dropFirst().first.flatMap { Double($0) } ?? 0
        if took > 3 { XCTAssertLessThan(Double(maxGapMs) / 1000, took, "heartbeat gap as long as retention: \(line)") }
        XCTAssertFalse(log.lines.contains { $0.contains("paused") }, "\(log.lines)")
        runner.stop()
        XCTAssertEqual(try Ops.crossings(path).filter { $0.timestampMs < currentTimeMs() - 30 * 86_400_000 }.count, 0)
    }
}
