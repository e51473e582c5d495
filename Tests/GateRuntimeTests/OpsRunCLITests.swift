import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

/// The built binary end to end: `gatewatch run` on a covered-lens scene while
/// `gatewatch check` / `status` watch the same database from other processes.
final class OpsRunCLITests: XCTestCase {
    private var run: Process?

    override func tearDown() {
        if let p = run, p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() }
        run = nil
        super.tearDown()
    }

    func testRunThenCheckSeesCoveredLensThenStoppedPipeline() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: Ops.gatewatchBinary), "run swift build first")
        let dir = try Ops.tempDir("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("site.yaml").path
        let db = dir.appendingPathComponent("site.sqlite").path
        try """
        site: {name: CLI site, capacity: 500, time_zone: UTC}
        alerts: {tamper_seconds: 1, after_hours_entries: false}
        gates:
          - id: g1
            feeds:
              - id: cam1
                source: "synthetic:kind=both,seed=6,people=6,frames=600,fps=10,width=384,height=288,cover=10,realtime"
                detector: motion
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: Ops.gatewatchBinary)
        p.arguments = ["run", "--config", config, "--db", db]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        run = p

        var check: (code: Int32, out: String, err: String) = (0, "", "")
        XCTAssertTrue(try Ops.waitUntil(20, every: 0.5) {
            guard FileManager.default.fileExists(atPath: db) else { return false }
            check = try Ops.run(Ops.gatewatchBinary, ["check", "--db", db])
            return check.code == 2
        }, "check never went CRITICAL: \(check.code) \(check.out)")
        XCTAssertTrue(check.out.hasPrefix("GATEWATCH CRITICAL - occupancy "), check.out)
        XCTAssertTrue(check.out.contains("1 feed live, 1 alert: Feed cam1 (cam1): lens covered or too dark"), check.out)
        XCTAssertTrue(check.out.contains("\nCRITICAL covered cam1: "), check.out)

        let status = try Ops.run(Ops.gatewatchBinary, ["status", "--db", db, "--json"])
        let json = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(status.out.utf8)) as? [String: Any])
        let alerts = try XCTUnwrap(json["alerts"] as? [[String: Any]])
        XCTAssertEqual(alerts.map { $0["kind"] as? String }, ["covered"])
        XCTAssertEqual((json["pipeline"] as? [String: Any])?["responding"] as? Bool, true)

        // SIGTERM: a clean stop (exit 0), recorded in the database.
        kill(p.processIdentifier, SIGTERM)
        XCTAssertTrue(Ops.waitUntil(15) { !p.isRunning }, "run did not stop on SIGTERM")
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(p.terminationStatus, 0, stderr)
        XCTAssertTrue(stderr.contains("alert: critical covered cam1"), stderr)
        let after = try Ops.run(Ops.gatewatchBinary, ["check", "--db", db])
        XCTAssertEqual(after.code, 2, after.out)   // stopped while the site should be open (no opening hours): critical
        XCTAssertTrue(after.out.contains("0/1 feeds live, 1 alert, pipeline stopped"), after.out)
        let reader = try GateDatabase.openReader(path: db)
        defer { try? reader.close() }
        XCTAssertEqual(try StoreQueries(reader).site()?.configPath, URL(fileURLWithPath: config).standardizedFileURL.path)
    }
}
