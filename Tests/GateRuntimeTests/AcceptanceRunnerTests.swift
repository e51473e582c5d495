import Foundation
import GateCore
@testable import GateRuntime
import GateStore
import XCTest

/// The runner in process on the suite's own small clips: alert rules on video time.
final class AcceptanceRunnerTests: XCTestCase {
    var clips: String {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("samples/acceptance/clips").path
    }

    func scenario(_ yaml: String) throws -> Scenario { try ScenarioLoader.parse(yaml: yaml, file: clips + "/../x.yaml") }

    func testFrozenClipRaisesFrozenOnVideoTimeInUnderASecondOfVideoTime() throws {
        let s = try scenario("source: clips/frozen-picture.avi\ndetector: motion\nalerts: {frozen_seconds: 4, must_raise: [frozen], must_not_raise: [covered]}\n")
        let started = Date()
        let r = AcceptanceRunner().run(s)
        XCTAssertEqual(r.verdict, .pass, r.failures.joined(separator: "\n"))
        XCTAssertNotNil(r.observation.raised[.frozen])
        XCTAssertEqual(r.observation.frames, 150)
        // 10 s of video judged without waiting 10 s of wall time.
        print(String(format: "frozen clip: 10 s of video judged in %.2f s", Date().timeIntervalSince(started)))
    }

    func testCoveredLensRaisesCoveredNotFrozen() throws {
        let s = try scenario("source: clips/covered-lens.avi\ndetector: motion\nalerts: {tamper_seconds: 3, must_raise: [covered]}\n")
        let o = AcceptanceRunner().observe(s)
        XCTAssertNil(o.error)
        XCTAssertNotNil(o.raised[.covered])
        XCTAssertEqual(AcceptanceJudge.judge(s, o).verdict, .pass)
    }

    func testMustRaiseFailsOnAPlainClip() throws {
        // The frozen clip's first 2 s are normal; with a 20 s rule nothing can be raised in 10 s.
        let s = try scenario("source: clips/frozen-picture.avi\ndetector: motion\nalerts: {frozen_seconds: 20, must_raise: [frozen]}\n")
        let r = AcceptanceRunner().run(s)
        XCTAssertEqual(r.verdict, .fail)
        XCTAssertEqual(r.failures, ["alerts: expected 'frozen' to be raised, it was not (raised: none)"])
    }

    func testMissingClipIsAnError() throws {
        let s = try scenario("source: clips/nope.avi\ndetector: motion\nspeed: {min_fps: 1}\n")
        let r = AcceptanceRunner().run(s)
        XCTAssertEqual(r.verdict, .error)
        XCTAssertTrue(r.failures[0].hasPrefix("error: "), r.failures[0])
        XCTAssertTrue(r.failures[0].contains("nope.avi"), r.failures[0])
    }
}

final class AcceptanceSuiteStoreTests: XCTestCase {
    func testSuiteRunIsStoredWithEveryResult() throws {
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        let dir = NSTemporaryDirectory() + "acc-store-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clips = root.appendingPathComponent("samples/acceptance/clips").path
        try "source: \(clips)/frozen-picture.avi\ndetector: motion\nalerts: {frozen_seconds: 4, must_raise: [frozen]}\n"
            .write(toFile: dir + "/a.yaml", atomically: true, encoding: .utf8)
        try "source: \(clips)/covered-lens.avi\ndetector: motion\nlines:\n  - {id: l, from: [0.5, 0.05], to: [0.5, 0.95], inside: [0.9, 0.5], expect: {in: 2, out: 0}}\n"
            .write(toFile: dir + "/b.yaml", atomically: true, encoding: .utf8)
        let db = try GateDatabase.openWriter(path: dir + "/t.sqlite")
        var seen: [String] = []
        let provenance = RunProvenance.current(operatorName: "tester", site: "Tràng An", version: "9.9", modelPath: nil,
                                               databasePath: dir + "/t.sqlite")
        let (run, id) = try AcceptanceSuite.run(try AcceptanceSuite.load(path: dir), path: dir, database: db, provenance: provenance,
                                                onResult: { _, r in seen.append(r.scenario.name) })
        XCTAssertEqual(seen, ["a", "b"])
        XCTAssertEqual(run.passed, 1)
        XCTAssertEqual(run.verdict, .fail)
        let q = StoreQueries(db)
        let stored = try XCTUnwrap(try q.testRun(id: XCTUnwrap(id)))
        XCTAssertEqual(stored.verdict, .known(.fail))
        XCTAssertEqual(stored.passed, 1); XCTAssertEqual(stored.failed, 1)
        XCTAssertEqual(stored.version, "9.9")
        let results = try q.testResults(runId: stored.id)
        XCTAssertEqual(results.map(\.scenario), ["a", "b"])
        XCTAssertEqual(results[1].expectedIn, 2); XCTAssertEqual(results[1].countedIn, 0)
        XCTAssertEqual(results[1].detail, "l: expected in 2, counted 0 (-2)")
        // The stored run writes the same signed report as the live one, clip checksums included.
        let again = try AcceptanceSuite.stored(runId: stored.id, queries: q, databasePath: dir + "/t.sqlite")
        XCTAssertEqual(AcceptanceReport.markdown(again), AcceptanceReport.markdown(run))
        XCTAssertEqual(again.provenance.runId, id)
        XCTAssertNotNil(again.provenance.loadAtEnd)
        let clip = try XCTUnwrap(again.scenarios[0].clip)
        XCTAssertEqual(clip, FileIdentity.of(path: clips + "/frozen-picture.avi"))
        XCTAssertEqual(clip.sha256.count, 64)
        XCTAssertNotNil(again.scenarios[0].speed.decodeOnlyFps, "decode-only pace measured in the same run")
        XCTAssertThrowsError(try AcceptanceSuite.stored(runId: 999, queries: q, databasePath: "t.sqlite")) {
            XCTAssertTrue("\($0)".contains("no test run #999"), "\($0)")
        }
        try db.close()
    }
}
