import Foundation
import GateCore
@testable import GateRuntime
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
