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
}
