import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import GateCore
@testable import GateRuntime
import XCTest

final class AcceptanceReportTests: XCTestCase {
    func sampleRun() throws -> SuiteRun {
        let line = "lines:\n  - id: main-line\n    from: [0.4, 0.2]\n    to: [0.4, 0.7]\n    inside: [0.7, 0.5]\n"
        let a = try ScenarioLoader.parse(yaml: "name: road <A&B>\nsource: a.avi\n" + line + "    expect: {in: 12, out: 15, tolerance: 1}\n", file: "01.yaml")
        let b = try ScenarioLoader.parse(yaml: "name: covered\nsource: b.avi\nalerts: {must_raise: [covered]}\n", file: "02.yaml")
        let c = try ScenarioLoader.parse(yaml: "name: missing-clip\nsource: c.avi\nspeed: {min_fps: 1}\n", file: "03.yaml")
        var oa = ScenarioObservation(); oa.totals = ["main-line": LineTotals(ins: 9, outs: 15)]; oa.fps = 30; oa.seconds = 2
        var ob = ScenarioObservation(); ob.raised = [.covered: "lens covered"]; ob.fps = 400; ob.seconds = 0.5
        var oc = ScenarioObservation(); oc.error = "file c.avi not found \"quoted\""
        let results = [AcceptanceJudge.judge(a, oa), AcceptanceJudge.judge(b, ob), AcceptanceJudge.judge(c, oc)]
        return SuiteRun(suite: "samples/acceptance", version: "0.1.0",
                        machine: MachineInfo(hostname: "desk-1", cpuModel: "Test CPU", cores: 2, memoryBytes: 8 << 30),
                        startedMs: 1_763_900_000_000, finishedMs: 1_763_900_012_500, results: results)
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
    }

    func testMarkdownHasEveryScenarioMachineAndSignOff() throws {
        let run = try sampleRun()
        let md = AcceptanceReport.markdown(run, site: "Khu du lịch Tràng An")
        for r in run.results { XCTAssertTrue(md.contains("| \(r.scenario.name) |"), r.scenario.name) }
        for text in ["Khu du lịch Tràng An", "0.1.0", "desk-1", "Test CPU", "2 nhân / cores", "8.0 GiB",
                     "Đại diện Sở Du lịch / Department representative", "Đại diện nhà thầu / Contractor",
                     "Chữ ký / Signature", "KHÔNG ĐẠT / FAIL", "1 / 3", "main-line: expected in 12 ±1, counted 9 (-3)"] {
            XCTAssertTrue(md.contains(text), "report lacks \(text)")
        }
        // Vietnamese heading first.
        XCTAssertTrue(md.hasPrefix("# Biên bản kiểm thử nghiệm thu / Acceptance test report"))
    }

    func testHTMLEscapesAndHasEveryScenario() throws {
        let run = try sampleRun()
        let html = AcceptanceReport.html(run)
        XCTAssertTrue(html.contains("road &lt;A&amp;B&gt;"))
        XCTAssertFalse(html.contains("road <A&B>"))
        XCTAssertTrue(html.contains("covered") && html.contains("missing-clip"))
        XCTAssertTrue(html.contains("Đại diện Sở Du lịch"))
        XCTAssertTrue(html.contains("Expected crossings: 27; đếm được / counted: 24; tổng sai số tuyệt đối / total absolute error: 3"), html)
    }

    func testTableAndStoreRecord() throws {
        let run = try sampleRun()
        let t = AcceptanceReport.table(run)
        XCTAssertTrue(t.contains("road <A&B>: main-line: expected in 12 ±1, counted 9 (-3)"), t)
        XCTAssertTrue(t.contains("3 scenarios: 1 passed, 2 failed"), t)
        let rec = run.results[0].record(finishedMs: 5)
        XCTAssertEqual(rec.verdict, "fail")
        XCTAssertEqual(rec.expectedIn, 12); XCTAssertEqual(rec.countedIn, 9); XCTAssertEqual(rec.tolerance, 1)
        XCTAssertEqual(run.results[2].record(finishedMs: 5).verdict, "error")
    }

    func testPercentile() {
        XCTAssertNil(Bench.percentile([], 0.5))
        XCTAssertEqual(Bench.percentile([1, 2, 3, 4], 0.5), 2)
        XCTAssertEqual(Bench.percentile(Array(1...100).map(Double.init), 0.95), 95)
        XCTAssertEqual(Bench.percentile([7], 0.95), 7)
    }
}
