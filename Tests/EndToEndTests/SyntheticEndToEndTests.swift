import XCTest
import Foundation

/// Synthetic scenes with exact ground truth, counted exactly. The seeds are a fixed list
/// chosen before running (never searched for seeds that pass).
final class SyntheticEndToEndTests: XCTestCase {

    /// Counts `synthetic:SPEC` without --line (the scene's own line) and asserts in/out equal
    /// the truth it prints. On a miss, writes the same scene with `synth` to list which
    /// crossings are missing or extra.
    private func assertExact(_ spec: String, detector: String = "ssdlite",
                             check: (_ truthIn: Int, _ truthOut: Int) -> Void = { _, _ in },
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try GW.run(["count", "synthetic:" + spec, "--detector", detector, "--json"], timeout: 150)
        XCTAssertFalse(r.timedOut, r.summary, file: file, line: line)
        XCTAssertEqual(r.status, 0, r.summary, file: file, line: line)
        let j = try r.json()
        guard let truth = j["truth"] as? [String: Any], let tin = int(truth["in"]), let tout = int(truth["out"]) else {
            throw E2EError("count synthetic:\(spec) --json printed no truth: \(r.stdout)")
        }
        let gin = int(j["in"]) ?? -1, gout = int(j["out"]) ?? -1
        let verdict = (gin == tin && gout == tout) ? "EXACT" : "MISS"
        print("E2E scene \(spec) [\(detector)]: in \(gin)/\(tin), out \(gout)/\(tout) \(verdict); "
              + "fps \(j["fps"] ?? "?"), frames \(j["frames"] ?? "?")")
        check(tin, tout)
        if verdict == "MISS" {
            let m = try diagnose(spec: spec, counted: Crossing.list(j["crossings"]))
            print("E2E scene \(spec) crossings vs truth:\n" + m.table())
            XCTFail("synthetic:\(spec) [\(detector)]: in \(gin) (truth \(tin)), out \(gout) (truth \(tout)); "
                    + "missing \(m.missing), extra \(m.extra)", file: file, line: line)
        }
    }

    private func diagnose(spec: String, counted: [Crossing]) throws -> CrossingMatch {
        let dir = try GW.tempDir(self)
        let avi = dir.appendingPathComponent("scene.avi"), json = dir.appendingPathComponent("scene.json")
        let r = try GW.run(["synth", "--out", avi.path, "--truth", json.path, "--spec", spec], timeout: 60)
        guard r.status == 0, let data = try? Data(contentsOf: json),
              let t = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw E2EError("synth for diagnosis failed: \(r.summary)")
        }
        return CrossingMatch.match(truth: Crossing.list(t["crossings"]), counted: counted, tolerance: 15)
    }

    // Default person detector (SSDLite).

    func testPairsSideBySide() throws {
        try assertExact("kind=pairs,seed=3,frames=300") { tin, tout in XCTAssertGreaterThan(tin + tout, 0) }
    }

    func testStopsOnTheLine() throws {
        try assertExact("kind=stops,seed=5,frames=300") { tin, tout in XCTAssertGreaterThan(tin + tout, 0) }
    }

    func testTurnbacks() throws {
        try assertExact("kind=turnbacks,seed=7,frames=300") { tin, tout in XCTAssertGreaterThan(tin + tout, 0) }
    }

    func testWalkersAlongTheLineCountZero() throws {
        try assertExact("kind=along,seed=2,frames=300") { tin, tout in
            XCTAssertEqual(tin, 0, "along scene truth"); XCTAssertEqual(tout, 0, "along scene truth")
        }
    }

    func testCrowdOfTwentyPlus() throws {
        try assertExact("kind=crowd,seed=4,frames=300") { tin, tout in
            XCTAssertGreaterThanOrEqual(tin + tout, 20, "crowd scene should have 20+ crossings")
        }
    }

    func testBothDirections() throws {
        try assertExact("kind=both,seed=6,frames=300") { tin, tout in
            XCTAssertGreaterThan(tin, 0); XCTAssertGreaterThan(tout, 0)
        }
    }

    func testMixedSeed1() throws {
        try assertExact("kind=mixed,seed=1,frames=300") { tin, tout in XCTAssertGreaterThan(tin + tout, 0) }
    }

    func testMixedSeed8() throws {
        try assertExact("kind=mixed,seed=8,frames=300") { tin, tout in XCTAssertGreaterThan(tin + tout, 0) }
    }

    // Overhead camera with the motion-blob detector.

    func testOverheadMotionSeed21() throws {
        try assertExact("kind=overhead,seed=21,frames=300", detector: "motion") { tin, tout in
            XCTAssertGreaterThan(tin + tout, 0)
        }
    }

    func testOverheadMotionSeed22() throws {
        try assertExact("kind=overhead,seed=22,frames=300", detector: "motion") { tin, tout in
            XCTAssertGreaterThan(tin + tout, 0)
        }
    }

    /// `synth` writes a clip and its truth; counting the clip as a plain file with the
    /// scene's line must agree with the truth file.
    func testSynthClipCountedAsFileAgreesWithTruthFile() throws {
        let dir = try GW.tempDir(self)
        let avi = dir.appendingPathComponent("x.avi"), json = dir.appendingPathComponent("x.json")
        let s = try GW.run(["synth", "--out", avi.path, "--truth", json.path, "--kind", "stops",
                            "--seed", "9", "--frames", "300"], timeout: 90)
        XCTAssertEqual(s.status, 0, s.summary)
        let data = try Data(contentsOf: json)
        guard let t = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let line = t["line"] as? [String: Any],
              let from = line["from"] as? [String: Any], let to = line["to"] as? [String: Any],
              let inside = line["inside"] as? [String: Any],
              let tin = int(t["totalIn"]), let tout = int(t["totalOut"]) else {
            throw E2EError("unexpected truth JSON: \(String(decoding: data, as: UTF8.self).prefix(500))")
        }
        let truth = Crossing.list(t["crossings"])
        XCTAssertEqual(truth.filter { $0.direction == "in" }.count, tin, "truth file: crossings vs totalIn")
        XCTAssertEqual(truth.filter { $0.direction == "out" }.count, tout, "truth file: crossings vs totalOut")
        let xy = { (p: [String: Any]) in "\(double(p["x"]) ?? .nan),\(double(p["y"]) ?? .nan)" }
        let r = try GW.run(["count", avi.path, "--line", xy(from) + "," + xy(to), "--inside", xy(inside), "--json"],
                           timeout: 150)
        XCTAssertEqual(r.status, 0, r.summary)
        let j = try r.json()
        let gin = int(j["in"]) ?? -1, gout = int(j["out"]) ?? -1
        let m = CrossingMatch.match(truth: truth, counted: Crossing.list(j["crossings"]), tolerance: 15)
        print("E2E synth clip (stops seed 9, 300 frames) counted as a file: in \(gin)/\(tin), out \(gout)/\(tout); "
              + "fps \(j["fps"] ?? "?")\n" + m.table())
        XCTAssertEqual(gin, tin, "in; missing \(m.missing), extra \(m.extra)")
        XCTAssertEqual(gout, tout, "out; missing \(m.missing), extra \(m.extra)")
    }
}
