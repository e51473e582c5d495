import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GateCore
@testable import GateRuntime
import XCTest

final class AcceptanceReportTests: XCTestCase {
    static let provenance = RunProvenance(
        operatorName: "Nguyễn Văn A", site: "Khu du lịch Tràng An", version: "0.1.0",
        binary: FileIdentity(path: "/opt/gatewatch/bin/gatewatch", bytes: 123, sha256: String(repeating: "b", count: 64)),
        gitCommit: "fe9a15f0c0de", operatingSystem: "Debian GNU/Linux 12 (bookworm), kernel 6.1.0", openCV: "4.6.0",
        model: [FileIdentity(path: "/usr/local/share/gatewatch/models/frozen_inference_graph.pb", bytes: 456, sha256: String(repeating: "c", count: 64))],
        machine: MachineInfo(hostname: "desk-1", cpuModel: "Test CPU", cores: 2, memoryBytes: 8 << 30),
        loadAtStart: LoadAverage(one: 1.5, five: 1.25, fifteen: 0.5), loadAtEnd: LoadAverage(one: 2, five: 1.5, fifteen: 0.75),
        databasePath: "/var/lib/gatewatch/site.sqlite", runId: 42)

    func sampleRun(strictSpeed: Bool = false) throws -> SuiteRun {
        let line = "lines:\n  - id: main-line\n    from: [0.4, 0.2]\n    to: [0.4, 0.7]\n    inside: [0.7, 0.5]\n"
        let a = try ScenarioLoader.parse(yaml: "name: road <A&B>\ndescription: Người đi bộ trên đường\nsource: a.avi\n" + line
                                         + "    expect: {in: 12, out: 15, tolerance: 1}\n", file: "01.yaml")
        let b = try ScenarioLoader.parse(yaml: "name: covered\nsource: b.avi\nalerts: {must_raise: [covered]}\nspeed: {min_fps: 500}\n", file: "02.yaml")
        let c = try ScenarioLoader.parse(yaml: "name: missing-clip\nsource: c.avi\nspeed: {min_fps: 1}\n", file: "03.yaml")
        var oa = ScenarioObservation(); oa.totals = ["main-line": LineTotals(ins: 9, outs: 15)]; oa.fps = 30; oa.seconds = 2
        oa.decodeOnlyFps = 600
        var ob = ScenarioObservation(); ob.raised = [.covered: "lens covered"]; ob.fps = 400; ob.seconds = 0.5
        var oc = ScenarioObservation(); oc.error = "file c.avi not found \"quoted\""
        let results = [(a, oa), (b, ob), (c, oc)].map { AcceptanceJudge.judge($0, $1, strictSpeed: strictSpeed) }
        let clip = FileIdentity(path: "/clips/a.avi", bytes: 1000, sha256: String(repeating: "a", count: 64))
        var p = Self.provenance
        p.plannedScenarios = 3
        p.strictSpeed = strictSpeed
        return SuiteRun(suite: "samples/acceptance", provenance: p, startedMs: 1_763_900_000_000, finishedMs: 1_763_900_012_500,
                        scenarios: results.enumerated().map { i, r in r.report(clip: i == 0 ? clip : nil) })
    }

    func testJUnitIsWellFormedWithOneCasePerScenario() throws {
        let run = try sampleRun()
        let xml = AcceptanceReport.junit(run)
        final class Collector: NSObject, XMLParserDelegate {
            var cases: [String] = [], failures: [String] = [], errors = 0
            func parser(_ p: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
                if name == "testcase" { cases.append(attributes["name"] ?? "") }
                if name == "failure" { failures.append(attributes["message"] ?? "") }
                if name == "error" { errors += 1 }
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let c = Collector()
        parser.delegate = c
        XCTAssertTrue(parser.parse(), "JUnit XML must parse: \(parser.parserError.map { "\($0)" } ?? "")\n\(xml)")
        XCTAssertEqual(c.cases, ["road <A&B>", "covered", "missing-clip"])
        XCTAssertEqual(c.failures, ["main-line: expected in 12 ±1, counted 9 (-3)"])
        XCTAssertEqual(c.errors, 1)
        XCTAssertTrue(xml.contains("tests=\"3\" failures=\"1\" errors=\"1\""))
        XCTAssertTrue(xml.contains("name=\"operator\" value=\"Nguyễn Văn A\""))
    }

    /// Everything the signer must be able to check is on the report, whatever the verdicts.
    func testMarkdownIsReadyToSign() throws {
        let run = try sampleRun()
        let md = AcceptanceReport.markdown(run)
        for r in run.scenarios { XCTAssertTrue(md.contains("| \(r.name) |"), r.name) }
        for text in ["Khu du lịch Tràng An", "Nguyễn Văn A", "0.1.0, commit fe9a15f0c0de", String(repeating: "b", count: 64),
                     "Debian GNU/Linux 12 (bookworm)", "| OpenCV | 4.6.0 |", String(repeating: "c", count: 64),
                     "desk-1", "Test CPU", "2 nhân / cores", "8.0 GiB", "1.50 / 1.25 / 0.50", "2.00 / 1.50 / 0.75",
                     "#42 — /var/lib/gatewatch/site.sqlite", String(repeating: "a", count: 64),
                     "Người đi bộ trên đường", "main-line in 12 out 15 (±1)",
                     "Đại diện Sở Du lịch / Department representative", "Đại diện nhà thầu / Contractor",
                     "Chữ ký / Signature", "TRƯỢT / FAIL", "1 / 3", "main-line: expected in 12 ±1, counted 9 (-3)"] {
            XCTAssertTrue(md.contains(text), "report lacks \(text)\n\(md)")
        }
        // Speed beside the machine's own decode-only pace; a missed speed is shown, apart from the verdict.
        XCTAssertTrue(md.contains("30.0 fps = 0.05× decode-only 600 fps"), md)
        XCTAssertTrue(md.contains("≥ 500 fps: MISSED"), md)
        let one = try ScenarioLoader.parse(yaml: "name: one\nsource: a.avi\nspeed: {realtime_feeds: 1}\n", file: "o.yaml")
        var fast = ScenarioObservation(); fast.fps = 30; fast.sourceFps = 10
        XCTAssertEqual(AcceptanceJudge.judge(one, fast).report(clip: nil).speed.requirement, "1 feed in real time (≥ 10 fps)")
        XCTAssertTrue(md.contains("**covered**: speed: needs 500.0 fps, measured 400.0 fps"), md)
        XCTAssertTrue(md.contains("0 / 1 đạt yêu cầu / met (báo cáo riêng"), md)
        XCTAssertTrue(md.hasPrefix("# Biên bản kiểm thử nghiệm thu / Acceptance test report"))
        // Without a site the report says how to give one instead of a bare dash.
        var noSite = run; noSite.provenance.site = nil
        XCTAssertTrue(AcceptanceReport.markdown(noSite).contains("not given: use --site"))
    }

    func testStrictSpeedFailsTheScenario() throws {
        let run = try sampleRun(strictSpeed: true)
        XCTAssertEqual(run.scenarios[1].verdict, .fail)
        XCTAssertTrue(AcceptanceReport.markdown(run).contains("bắt buộc / strict"))
        XCTAssertEqual(try sampleRun().scenarios[1].verdict, .pass)
    }

    func testHTMLEscapesAndHasEverySection() throws {
        let run = try sampleRun()
        let html = AcceptanceReport.html(run)
        XCTAssertTrue(html.contains("road &lt;A&amp;B&gt;"))
        XCTAssertFalse(html.contains("road <A&B>"))
        XCTAssertTrue(html.contains("covered") && html.contains("missing-clip"))
        XCTAssertTrue(html.contains("Đại diện Sở Du lịch"))
        XCTAssertTrue(html.contains("Expected crossings: 27; đếm được / counted: 24; tổng sai số tuyệt đối / total absolute error: 3"), html)
        // The descriptions, environment and checksums are in the HTML too (one document, two formats).
        for text in ["Mô tả kịch bản / Scenario descriptions", "<b>road &lt;A&amp;B&gt;</b>", "Người đi bộ trên đường",
                     "Môi trường / Environment", String(repeating: "c", count: 64), "Nguyễn Văn A"] {
            XCTAssertTrue(html.contains(text), "HTML lacks \(text)")
        }
    }

    func testIncompleteRunCannotPass() throws {
        var run = try sampleRun()
        run.scenarios = [run.scenarios[1]]   // only the passing one was run
        XCTAssertEqual(run.verdict, .fail)
        XCTAssertTrue(AcceptanceReport.markdown(run).contains("stopped before the last scenario"))
    }

    func testTableAndStoreRecord() throws {
        let run = try sampleRun()
        let t = AcceptanceReport.table(run)
        XCTAssertTrue(t.contains("road <A&B>: main-line: expected in 12 ±1, counted 9 (-3)"), t)
        XCTAssertTrue(t.contains("3 scenarios: 1 passed, 2 failed"), t)
        XCTAssertTrue(t.contains("covered: speed: needs 500.0 fps, measured 400.0 fps (reported, not failed"), t)
        let line = "lines:\n  - {id: l, from: [0.4, 0.2], to: [0.4, 0.7], inside: [0.7, 0.5], expect: {in: 12, out: 15, tolerance: 1}}\n"
        let s = try ScenarioLoader.parse(yaml: "name: a\nsource: a.avi\n" + line, file: "01.yaml")
        var o = ScenarioObservation(); o.totals = ["l": LineTotals(ins: 9, outs: 15)]
        let r = AcceptanceJudge.judge(s, o)
        let rec = r.record(r.report(clip: nil), finishedMs: 5)
        XCTAssertEqual(rec.verdict, .known(.fail))
        XCTAssertEqual(rec.expectedIn, 12); XCTAssertEqual(rec.countedIn, 9); XCTAssertEqual(rec.tolerance, 1)
        let back = try JSONDecoder().decode(ScenarioReport.self, from: Data(XCTUnwrap(rec.reportJSON).utf8))
        XCTAssertEqual(back, r.report(clip: nil))
    }

    /// A known weakness is shown with counted against expected and the reason in every format,
    /// counted apart from passes and failures, and does not fail the run.
    func testKnownWeaknessIsReportedNotFailed() throws {
        let yaml = "name: far\nsource: synthetic:far\nexpect: truth\nknown_weakness: small far people\n"
        let s = try ScenarioLoader.parse(yaml: yaml, file: "09.yaml")
        var o = ScenarioObservation()
        o.sceneLine = LineConfig(id: "scene", name: "scene", from: Point(0.5, 0.2), to: Point(0.5, 0.33), inside: Point(0.8, 0.26))
        o.sceneTruth = LineTotals(ins: 6, outs: 5); o.totals = ["scene": LineTotals(ins: 2, outs: 1)]; o.fps = 20; o.seconds = 1
        var p = Self.provenance; p.plannedScenarios = 1
        let run = SuiteRun(suite: "s", provenance: p, startedMs: 0, finishedMs: 1000,
                           scenarios: [AcceptanceJudge.judge(s, o).report(clip: nil)])
        XCTAssertEqual(run.verdict, .pass)
        XCTAssertEqual(run.knownWeaknesses, 1); XCTAssertEqual(run.failed, 0); XCTAssertEqual(run.passed, 0)
        let t = AcceptanceReport.table(run)
        XCTAssertTrue(t.contains("far: scene: expected in 6, counted 2 (-4)"), t)
        XCTAssertTrue(t.contains("far: known weakness, reported and not failed: small far people"), t)
        XCTAssertTrue(t.contains("KNOWN WEAKNESS"), t)
        XCTAssertTrue(t.contains("1 scenarios: 0 passed, 1 known weakness(es) (reported, not failed), 0 failed"), t)
        XCTAssertTrue(AcceptanceReport.junit(run).contains("<skipped message=\"known weakness, reported and not failed: small far people; scene: expected in 6, counted 2 (-4); scene: expected out 5, counted 1 (-4)\"/>"))
        let md = AcceptanceReport.markdown(run)
        XCTAssertTrue(md.contains("ĐIỂM YẾU ĐÃ BIẾT / KNOWN WEAKNESS"), md)
        XCTAssertTrue(md.contains("Known weaknesses (reported, not failed): 1"), md)
    }

    func testCredentialsNeverReachTheReport() throws {
        let s = try ScenarioLoader.parse(yaml: "name: cam\nsource: rtsp://admin:Secret123@10.0.0.5/stream\nseconds: 2\nspeed: {min_fps: 1}\n", file: "c.yaml")
        var o = ScenarioObservation(); o.fps = 5
        var run = try sampleRun()
        run.scenarios = [AcceptanceJudge.judge(s, o).report(clip: nil)]
        for text in [AcceptanceReport.markdown(run), AcceptanceReport.html(run), AcceptanceReport.junit(run), AcceptanceReport.table(run)] {
            XCTAssertFalse(text.contains("Secret123"))
        }
    }

    func testPercentile() {
        XCTAssertNil(Bench.percentile([], 0.5))
        XCTAssertEqual(Bench.percentile([1, 2, 3, 4], 0.5), 2)
        XCTAssertEqual(Bench.percentile(Array(1...100).map(Double.init), 0.95), 95)
        XCTAssertEqual(Bench.percentile([7], 0.95), 7)
    }
}
