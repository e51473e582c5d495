import GateCore
@testable import GateRuntime
import XCTest

final class AcceptanceScenarioTests: XCTestCase {
    let valid = """
        name: road
        description: campus road
        source: clips/road.avi
        realtime: false
        detector: hog
        lines:
          - id: main-line
            from: [0.4, 0.22]
            to: [0.4, 0.66]
            inside: [0.7, 0.45]
            expect: {in: 12, out: 15, tolerance: 10%}
          - id: side
            from: [0.1, 0.5]
            to: [0.9, 0.5]
            inside: [0.5, 0.9]
            expect: {in: 3, out: 0, tolerance: 1}
        speed:
          realtime_feeds: 2
        alerts:
          tamper_seconds: 3
          must_raise: [covered]
          must_not_raise: [offline, low_fps]
        """

    func testParsesValidScenario() throws {
        let s = try ScenarioLoader.parse(yaml: valid, file: "/suite/01-road.yaml")
        XCTAssertEqual(s.name, "road")
        XCTAssertEqual(s.source, "/suite/clips/road.avi", "relative clip paths are relative to the scenario file")
        XCTAssertEqual(s.detector, .hog)
        XCTAssertEqual(s.lines.count, 2)
        XCTAssertEqual(s.lines[0].expected, .counts(ins: 12, outs: 15))
        XCTAssertEqual(s.lines[0].tolerance, .percent(10))
        XCTAssertEqual(s.lines[1].tolerance, .count(1))
        XCTAssertEqual(s.lines[0].line.inside, Point(0.7, 0.45))
        XCTAssertEqual(s.speed, .realtimeFeeds(2))
        XCTAssertEqual(s.mustRaise, [.covered])
        XCTAssertEqual(s.mustNotRaise, [.offline, .lowFps])
        XCTAssertEqual(s.alertSettings.tamperSeconds, 3)
    }

    func testNameDefaultsToFileAndSyntheticTruth() throws {
        let s = try ScenarioLoader.parse(yaml: "source: synthetic:kind=pairs,seed=3\nexpect: truth\nspeed: {min_fps: 5}\n",
                                         file: "/s/05-pairs.yaml")
        XCTAssertEqual(s.name, "05-pairs")
        XCTAssertEqual(s.source, "synthetic:kind=pairs,seed=3")
        XCTAssertEqual(s.sceneLine?.expected, .sceneTruth)
        XCTAssertEqual(s.speed, .minFps(5))
    }

    private func error(_ yaml: String) -> ConfigError? {
        do { _ = try ScenarioLoader.parse(yaml: yaml, file: "s.yaml"); return nil } catch let e as ConfigError { return e } catch {
            XCTFail("not a ConfigError: \(error)"); return nil
        }
    }

    func testErrorsCarryLineAndColumn() {
        let cases: [(String, Int, Int, String)] = [
            // unknown top-level key, with a suggestion
            ("source: a.avi\nlines:\n  - {id: l, from: [0,0.5], to: [1,0.5], inside: [0.5,1], expect: {in: 1, out: 0}}\nspeeed: {min_fps: 1}\n",
             4, 1, "did you mean 'speed'"),
            // coordinate out of range
            ("source: a.avi\nlines:\n  - id: l\n    from: [0, 1.5]\n    to: [1, 0.5]\n    inside: [0.5, 1]\n    expect: {in: 1, out: 0}\n",
             4, 15, "between 0 and 1"),
            // bad tolerance
            ("source: a.avi\nlines:\n  - id: l\n    from: [0, 0.5]\n    to: [1, 0.5]\n    inside: [0.5, 1]\n    expect: {in: 1, out: 0, tolerance: lots}\n",
             7, 40, "not a tolerance"),
            // negative count
            ("source: a.avi\nlines:\n  - id: l\n    from: [0, 0.5]\n    to: [1, 0.5]\n    inside: [0.5, 1]\n    expect: {in: -2, out: 0}\n",
             7, 18, "a whole number between 0 and 10000000 people (got -2)"),
            // unknown alert kind
            ("source: a.avi\nalerts:\n  must_raise: [coverd]\n", 3, 16, "did you mean 'covered'"),
            // missing source
            ("name: x\nalerts: {must_raise: [offline]}\n", 1, 1, "add 'source:'"),
            // stream without seconds
            ("source: rtsp://cam/1\nalerts: {must_raise: [offline]}\n", 1, 9, "seconds"),
            // truth on a clip
            ("source: a.avi\nexpect: truth\n", 2, 9, "only a synthetic scene"),
            // nothing checked
            ("source: a.avi\n", 1, 1, "checks nothing"),
            // both speed kinds
            ("source: a.avi\nspeed: {min_fps: 1, realtime_feeds: 2}\n", 2, 8, "exactly one"),
            // inside point on the line
            ("source: a.avi\nlines:\n  - id: l\n    from: [0, 0.5]\n    to: [1, 0.5]\n    inside: [0.5, 0.5]\n    expect: {in: 0, out: 0}\n",
             6, 13, "lies on the line"),
            // YAML syntax error
            ("source: a.avi\nlines: [\n", 3, 1, "YAML syntax error"),
        ]
        for (yaml, line, column, text) in cases {
            guard let e = error(yaml) else { XCTFail("no error for:\n\(yaml)"); continue }
            XCTAssertEqual(e.line, line, "\(e)")
            XCTAssertEqual(e.column, column, "\(e)")
            XCTAssertTrue(e.description.contains(text), "\(e) should mention \(text)")
            XCTAssertTrue(e.description.hasPrefix("s.yaml:\(line):\(column): "), e.description)
        }
    }

    /// One quoted-number rule for scenario and site files: refused, with the same words, at the same place.
    func testQuotedNumbersRefusedLikeTheSiteFile() throws {
        let line = "lines:\n  - {id: l, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9], expect: {in: 1, out: 0}}\n"
        let site = "site: {name: S, capacity: 10}\ngates:\n  - id: g\n    feeds:\n      - id: f\n        source: a.avi\n        "
        for (key, value) in [("confidence", "\"0.5\""), ("detect_every", "'2'"), ("realtime", "\"true\"")] {
            let scenarioError = error("source: a.avi\n\(key): \(value)\n" + line)
            var siteError: ConfigError?
            let siteLine = "lines: [{id: l, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9]}]\n"
            do { _ = try ConfigLoader.parse(yaml: site + "\(key): \(value)\n        " + siteLine, file: "s.yaml") } catch let e as ConfigError {
                siteError = e
            }
            XCTAssertTrue(scenarioError?.message.contains("remove the quotes") ?? false, "\(key): \(String(describing: scenarioError))")
            XCTAssertEqual(scenarioError?.message, siteError?.message, key)
        }
        for bad in ["seconds: \"5\"\n", "speed: {min_fps: \"5\"}\n",
                    "lines:\n  - {id: l, from: [0.1, \"0.5\"], to: [0.9, 0.5], inside: [0.5, 0.9], expect: {in: 1, out: 0}}\n",
                    "lines:\n  - {id: l, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9], expect: {in: \"1\", out: 0}}\n",
                    "lines:\n  - {id: l, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9], expect: {in: 1, out: 0, tolerance: \"1\"}}\n"] {
            let e = error("source: a.avi\n" + (bad.hasPrefix("speed") ? "" : "speed: {min_fps: 1}\n") + bad)
            XCTAssertTrue(e?.message.contains("remove the quotes") ?? false, "\(bad): \(String(describing: e))")
        }
    }

    /// The shipped suite still reads with the one YAML reader.
    func testSampleSuiteParses() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let files = try ScenarioLoader.suiteFiles(root.appendingPathComponent("samples/acceptance").path)
        XCTAssertGreaterThan(files.count, 10)
        for f in files { XCTAssertNoThrow(try ScenarioLoader.load(path: f), f) }
    }

    func testSuiteFilesSortedAndErrors() throws {
        let dir = NSTemporaryDirectory() + "acc-suite-\(getpid())"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for n in ["b.yaml", "a.yml", "notes.txt"] { FileManager.default.createFile(atPath: "\(dir)/\(n)", contents: Data()) }
        XCTAssertEqual(try ScenarioLoader.suiteFiles(dir).map { ($0 as NSString).lastPathComponent }, ["a.yml", "b.yaml"])
        XCTAssertThrowsError(try ScenarioLoader.suiteFiles(dir + "/missing")) {
            XCTAssertTrue("\($0)".contains("suite not found"))
        }
    }
}

final class AcceptanceVerdictTests: XCTestCase {
    func scenario(_ yaml: String) throws -> Scenario { try ScenarioLoader.parse(yaml: yaml, file: "v.yaml") }
    let line = "lines:\n  - id: main-line\n    from: [0.4, 0.2]\n    to: [0.4, 0.7]\n    inside: [0.7, 0.5]\n"

    func observe(_ ins: Int, _ outs: Int, fps: Double = 30, raised: [AlertKind: String] = [:]) -> ScenarioObservation {
        var o = ScenarioObservation()
        o.totals = ["main-line": LineTotals(ins: ins, outs: outs)]
        o.fps = fps; o.sourceFps = 10; o.frames = 100; o.seconds = 3; o.raised = raised
        return o
    }

    func testExact() throws {
        let s = try scenario("source: a.avi\n" + line + "    expect: {in: 12, out: 15}\n")
        XCTAssertEqual(AcceptanceJudge.judge(s, observe(12, 15)).verdict, .pass)
        let r = AcceptanceJudge.judge(s, observe(9, 15))
        XCTAssertEqual(r.verdict, .fail)
        XCTAssertEqual(r.failures, ["main-line: expected in 12, counted 9 (-3)"])
    }

    func testCountTolerance() throws {
        let s = try scenario("source: a.avi\n" + line + "    expect: {in: 12, out: 15, tolerance: 1}\n")
        XCTAssertEqual(AcceptanceJudge.judge(s, observe(13, 14)).verdict, .pass)
        let r = AcceptanceJudge.judge(s, observe(9, 17))
        XCTAssertEqual(r.failures, ["main-line: expected in 12 ±1, counted 9 (-3)", "main-line: expected out 15 ±1, counted 17 (+2)"])
        XCTAssertEqual(r.lines.first?.errorIn, -3)
    }

    func testPercentTolerance() throws {
        let s = try scenario("source: a.avi\n" + line + "    expect: {in: 12, out: 15, tolerance: 10%}\n")
        XCTAssertEqual(AcceptanceJudge.judge(s, observe(11, 14)).verdict, .pass)   // 1 <= 1.2, 1 <= 1.5
        let r = AcceptanceJudge.judge(s, observe(10, 15))                            // 2 > 1.2
        XCTAssertEqual(r.verdict, .fail)
        XCTAssertEqual(r.failures, ["main-line: expected in 12 ±10%, counted 10 (-2)"])
        let zero = try scenario("source: a.avi\n" + line + "    expect: {in: 0, out: 0, tolerance: 10%}\n")
        XCTAssertEqual(AcceptanceJudge.judge(zero, observe(1, 0)).verdict, .fail, "10% of nothing is nothing")
    }

    func testSpeedIsItsOwnVerdictUnlessStrict() throws {
        let minFps = try scenario("source: a.avi\nspeed: {min_fps: 25}\n")
        XCTAssertEqual(AcceptanceJudge.judge(minFps, observe(0, 0, fps: 25)).speedPass, true)
        // A busy machine: the speed is missed and said so, but the counter is not failed for it.
        let slow = AcceptanceJudge.judge(minFps, observe(0, 0, fps: 24.9))
        XCTAssertEqual(slow.verdict, .pass)
        XCTAssertEqual(slow.speedPass, false)
        XCTAssertEqual(slow.speedNote, "speed: needs 25.0 fps, measured 24.9 fps")
        XCTAssertEqual(slow.failures, [])
        let strict = AcceptanceJudge.judge(minFps, observe(0, 0, fps: 24.9), strictSpeed: true)
        XCTAssertEqual(strict.verdict, .fail)
        XCTAssertEqual(strict.failures, ["speed: needs 25.0 fps, measured 24.9 fps"])
        let feeds = try scenario("source: a.avi\nspeed: {realtime_feeds: 3}\n")   // 3 x 10 fps
        let r = AcceptanceJudge.judge(feeds, observe(0, 0, fps: 29), strictSpeed: true)
        XCTAssertEqual(r.requiredFps, 30)
        XCTAssertEqual(r.verdict, .fail)
        XCTAssertTrue(r.failures[0].contains("3 feeds × 10 fps"), r.failures[0])
        XCTAssertEqual(AcceptanceJudge.judge(feeds, observe(0, 0, fps: 31), strictSpeed: true).verdict, .pass)
        // Counts still fail a scenario whatever its speed.
        let counted = try scenario("source: a.avi\nspeed: {min_fps: 1}\nlines:\n  - {id: l, from: [0.5, 0], to: [0.5, 1], inside: [0.9, 0.5], expect: {in: 1, out: 0}}\n")
        var o = observe(0, 0, fps: 100); o.totals = ["l": LineTotals(ins: 0, outs: 0)]
        XCTAssertEqual(AcceptanceJudge.judge(counted, o).verdict, .fail)
    }

    func testAlertsMustAndMustNot() throws {
        let s = try scenario("source: a.avi\nalerts: {must_raise: [covered], must_not_raise: [offline]}\n")
        XCTAssertEqual(AcceptanceJudge.judge(s, observe(0, 0, raised: [.covered: "lens covered"])).verdict, .pass)
        let missing = AcceptanceJudge.judge(s, observe(0, 0))
        XCTAssertEqual(missing.failures, ["alerts: expected 'covered' to be raised, it was not (raised: none)"])
        let extra = AcceptanceJudge.judge(s, observe(0, 0, raised: [.covered: "c", .offline: "no frame for 20 s"]))
        XCTAssertEqual(extra.failures, ["alerts: 'offline' was raised but must not be: no frame for 20 s"])
    }

    func testSceneTruthAndErrors() throws {
        let s = try scenario("source: synthetic:pairs\nexpect: truth\n")
        var o = ScenarioObservation()
        o.sceneLine = LineConfig(id: "scene", name: "scene", from: Point(0, 0.5), to: Point(1, 0.5), inside: Point(0.5, 1))
        o.sceneTruth = LineTotals(ins: 4, outs: 3)
        o.totals = ["scene": LineTotals(ins: 4, outs: 2)]
        XCTAssertEqual(AcceptanceJudge.judge(s, o).failures, ["scene: expected out 3, counted 2 (-1)"])
        o.totals = ["scene": LineTotals(ins: 4, outs: 3)]
        XCTAssertEqual(AcceptanceJudge.judge(s, o).verdict, .pass)
        var bad = ScenarioObservation(); bad.error = "no decodable video frames in a.avi"
        let r = AcceptanceJudge.judge(s, bad)
        XCTAssertEqual(r.verdict, .error)
        XCTAssertEqual(r.failures, ["error: no decodable video frames in a.avi"])
    }

    /// A count miss the scenario names as a known weakness is reported with its numbers and
    /// does not fail; an alert miss, an error or the same miss without the mark still fail.
    func testKnownWeaknessExcusesOnlyCountMisses() throws {
        let mark = "known_weakness: \"far people: awaiting detection regions\"\n"
        let s = try scenario("source: a.avi\n" + mark + line + "    expect: {in: 12, out: 15}\n")
        XCTAssertEqual(s.knownWeakness, "far people: awaiting detection regions")
        let miss = AcceptanceJudge.judge(s, observe(4, 15))
        XCTAssertEqual(miss.verdict, .knownWeakness)
        XCTAssertEqual(miss.failures, ["main-line: expected in 12, counted 4 (-8)"])
        XCTAssertEqual(AcceptanceJudge.judge(s, observe(12, 15)).verdict, .pass)
        let unmarked = try scenario("source: a.avi\n" + line + "    expect: {in: 12, out: 15}\n")
        XCTAssertEqual(AcceptanceJudge.judge(unmarked, observe(4, 15)).verdict, .fail)
        let alerts = try scenario("source: a.avi\n" + mark + "alerts: {must_not_raise: [offline]}\n" + line + "    expect: {in: 12, out: 15}\n")
        XCTAssertEqual(AcceptanceJudge.judge(alerts, observe(4, 15, raised: [.offline: "gone"])).verdict, .fail)
        var bad = ScenarioObservation(); bad.error = "no frames"
        XCTAssertEqual(AcceptanceJudge.judge(s, bad).verdict, .error)
    }
}
