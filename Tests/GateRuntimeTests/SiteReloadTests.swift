import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

/// A running site takes new counting lines from its saved file without a restart (recorded
/// for audit), refuses a bad file keeping its lines, and writes previews only while asked.
final class SiteReloadTests: XCTestCase {
    func testSavedLinesAreCountedWithoutARestartAndABadFileIsRefused() throws {
        let dir = try Ops.tempDir("reload")
        defer { try? FileManager.default.removeItem(at: dir) }
        let configPath = dir.appendingPathComponent("site.yaml").path
        try """
        # a comment the editor keeps
        site: {name: Reload, capacity: 10, time_zone: UTC}
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: "synthetic:kind=both,seed=4,people=6,frames=150,fps=10,width=192,height=144"
                realtime: true
                loop: true
                detector: motion
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        """.write(toFile: configPath, atomically: true, encoding: .utf8)
        let dbPath = dir.appendingPathComponent("gw.sqlite").path
        let db = try GateDatabase.openWriter(path: dbPath)
        var options = SiteRunOptions()
        let log = Ops.Log()
        options.log = log.sink
        let runner = try SiteRunner(config: try ConfigLoader.load(path: configPath), configPath: configPath, database: db, options: options)
        try runner.start(version: "t")
        defer { runner.stop(); try? db.close() }
        let queries = StoreQueries(db)

        // The same place under a new id: crossings from now on name l2, so the counter uses the new line.
        let l2 = LineConfig(id: "l2", name: "moved", from: Point(x: 0.05, y: 0.5), to: Point(x: 0.95, y: 0.55), inside: Point(x: 0.5, y: 0.9))
        try SiteFileEditor.save(path: configPath) { try SiteFileEditor.replacingLines(in: $0, feedId: "cam1", with: [l2], file: configPath) }
        XCTAssertTrue(try Ops.waitUntil(10) { try queries.configReloads().first?.outcome == "applied" }, log.lines.joined(separator: "\n"))
        let reload = try XCTUnwrap(try queries.configReloads().first)
        XCTAssertEqual(reload.trigger, "file-changed")
        XCTAssertTrue(reload.detail.contains("l2 [0.05, 0.5]-[0.95, 0.55]"), reload.detail)
        // The runner records the reload first, then the lines (so a console that sees the new lines
        // also sees when they began): between the two commits a reader still sees the old ones.
        XCTAssertTrue(try Ops.waitUntil(5) { try queries.lines().map(\.id) == ["l2"] }, "the reloaded lines were not stored")
        XCTAssertTrue(try String(contentsOfFile: configPath, encoding: .utf8).hasPrefix("# a comment the editor keeps"))
        XCTAssertTrue(try Ops.waitUntil(30) { try queries.today().lines.contains { $0.id == "l2" && $0.ins + $0.outs > 0 } },
                      "no crossing counted on the new line")

        // A file that fails the checks: refused (recorded), the lines in force stay.
        try String(contentsOfFile: configPath, encoding: .utf8).replacingOccurrences(of: "[0.5, 0.9]", with: "[0.5, 0.525]")
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        let refused = try XCTUnwrap(runner.reload(trigger: .signal))
        XCTAssertEqual(refused.outcome, "refused")
        XCTAssertTrue(refused.detail.contains("the lines in force stay"), refused.detail)
        XCTAssertEqual(try queries.lines().map(\.id), ["l2"])
        XCTAssertEqual(try queries.configReloads().count, 2)
    }

    func testPreviewsAreWrittenOnlyWhileAConsoleAsks() throws {
        let dir = try Ops.tempDir("preview")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = try ConfigLoader.parse(yaml: """
            site: {name: Preview, capacity: 10, time_zone: UTC}
            gates:
              - id: g1
                feeds:
                  - id: cam1
                    source: "synthetic:kind=both,seed=4,people=4,frames=100,fps=10,width=320,height=240"
                    realtime: true
                    loop: true
                    detector: motion
                    detect_region: auto
                    lines: [{id: l1, from: [0.3, 0.55], to: [0.7, 0.55], inside: [0.5, 0.9]}]
            """)
        let dbPath = dir.appendingPathComponent("gw.sqlite").path
        let db = try GateDatabase.openWriter(path: dbPath)
        let runner = try SiteRunner(config: config, configPath: nil, database: db)
        try runner.start(version: "t")
        defer { runner.stop(); try? db.close() }
        let channel = PreviewChannel(databasePath: dbPath)
        let mode = (try FileManager.default.attributesOfItem(atPath: channel.directory)[.posixPermissions] as? NSNumber)?.intValue
        XCTAssertEqual(mode, 0o700)
        Thread.sleep(forTimeInterval: 2)
        XCTAssertNil(channel.latest(feedId: "cam1"), "a preview was written with nobody asking")
        channel.request(feedId: "cam1")
        XCTAssertTrue(Ops.waitUntil(5) { channel.latest(feedId: "cam1") != nil })
        let p = try XCTUnwrap(channel.latest(feedId: "cam1"))
        XCTAssertEqual([p.width, p.height, p.sourceWidth, p.sourceHeight], [120, 90, 320, 240])
        XCTAssertNotNil(p.region, "detect_region auto is drawn")
        // Nobody asks any more: within the request's lifetime plus a pace the pictures stop.
        Thread.sleep(forTimeInterval: Double(PreviewChannel.requestLifetimeMs + PreviewChannel.intervalMs) / 1000 + 0.5)
        let last = channel.latest(feedId: "cam1")?.timestampMs
        Thread.sleep(forTimeInterval: 2)
        XCTAssertEqual(channel.latest(feedId: "cam1")?.timestampMs, last, "previews went on after the console left")
    }
}
