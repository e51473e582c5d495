import XCTest
import Foundation

/// Real footage from Debian's opencv-doc: vtest.avi against the hand annotation in
/// Fixtures/vtest-annotation.json, and tree.avi (nobody in it).
final class RealFootageEndToEndTests: XCTestCase {

    private struct Annotation {
        var line: String
        var inside: String
        var crossings: [Crossing]
        var totalIn: Int
        var totalOut: Int
    }

    private func loadAnnotation(_ file: String = "vtest-annotation.json") throws -> Annotation {
        let url = GW.fixtures.appendingPathComponent(file)
        let data = try Data(contentsOf: url)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let line = json["line"] as? [String: Any],
              let from = line["from"] as? [Double], let to = line["to"] as? [Double],
              let inside = line["inside"] as? [Double],
              let totals = json["totals"] as? [String: Any],
              let tin = int(totals["in"]), let tout = int(totals["out"]) else {
            throw E2EError("\(url.path): unexpected layout")
        }
        let fmt = { (v: [Double]) in v.map { String($0) }.joined(separator: ",") }
        return Annotation(line: fmt(from + to), inside: fmt(inside),
                          crossings: Crossing.list(json["crossings"]), totalIn: tin, totalOut: tout)
    }

    func testVtestCountWithinTenPercentOfAnnotationForTheRightCrossings() throws {
        try GW.requireFile(GW.vtest)
        let a = try loadAnnotation()
        XCTAssertEqual(a.crossings.filter { $0.direction == "in" }.count, a.totalIn, "fixture totals")
        XCTAssertEqual(a.crossings.filter { $0.direction == "out" }.count, a.totalOut, "fixture totals")

        let r = try GW.run(["count", GW.vtest, "--line", a.line, "--inside", a.inside, "--json",
                            "--decode-baseline"], timeout: 300)
        XCTAssertFalse(r.timedOut, r.summary)
        XCTAssertEqual(r.status, 0, r.summary)
        let j = try r.json()
        let gotIn = int(j["in"]) ?? -1, gotOut = int(j["out"]) ?? -1

        // Figures only (speed is never asserted).
        var figures: [String] = []
        for key in ["frames", "seconds", "fps", "detect_every", "detect_ms_per_run", "motion_skipped",
                    "decode_fps", "decode_seconds", "decode_baseline"] where j[key] != nil {
            figures.append("\(key)=\(j[key]!)")
        }
        if let stages = j["stages_ms"] as? [String: Any] {
            figures.append("stages_ms=" + stages.keys.sorted().map { "\($0):\(stages[$0]!)" }.joined(separator: ","))
        }
        for (k, v) in j where k.contains("decode") && !["decode_fps", "decode_seconds", "decode_baseline"].contains(k) {
            figures.append("\(k)=\(v)")
        }
        print("E2E vtest figures: " + figures.joined(separator: " "))
        print("E2E vtest counts: in \(gotIn) (annotated \(a.totalIn)), out \(gotOut) (annotated \(a.totalOut))")

        // Exact 10 % bound, no rounding: |got - truth| <= 0.1 * truth.
        XCTAssertLessThanOrEqual(Double(abs(gotIn - a.totalIn)), 0.1 * Double(a.totalIn),
                                 "in \(gotIn) vs annotated \(a.totalIn)")
        XCTAssertLessThanOrEqual(Double(abs(gotOut - a.totalOut)), 0.1 * Double(a.totalOut),
                                 "out \(gotOut) vs annotated \(a.totalOut)")

        // Right for the right reasons: counted crossings match annotated ones in time.
        // The fixture's `ambiguous` entry: the man standing on the line 404-449 may be
        // registered as his single 'in' anywhere in 403-449.
        let counted = Crossing.list(j["crossings"])
        XCTAssertEqual(counted.count, gotIn + gotOut, "crossings list vs totals")
        let m = CrossingMatch.match(truth: a.crossings, counted: counted, tolerance: 15,
                                    windows: [403: (403 - 15)...(449 + 15)])
        print("E2E vtest crossing match (+-15 frames): \(m.pairs.count)/\(a.crossings.count) annotated matched, "
              + "\(m.missing.count) missing, \(m.extra.count) extra\n" + m.table())
        XCTAssertGreaterThanOrEqual(Double(m.pairs.count), 0.8 * Double(a.crossings.count),
                                    "annotated crossings matched: \(m.pairs.count)/\(a.crossings.count); missing \(m.missing), extra \(m.extra)")
        XCTAssertGreaterThanOrEqual(Double(m.pairs.count), 0.8 * Double(max(counted.count, 1)),
                                    "counted crossings matched: \(m.pairs.count)/\(counted.count); extra \(m.extra)")
    }

    /// Two more lines annotated by hand (Fixtures/vtest-annotation-junction.json and
    /// -far.json): one where the road meets the branch road (pairs, people passing each other
    /// on the line, a stop on the line, a turn-back) and one across the branch road in the far
    /// part of the picture (people 50-65 px tall). YOLOX-Nano, the far-people model, must come
    /// within 10 % per direction with the right crossings on both; SSDLite's figures are printed
    /// beside it (it stops near 70 px tall: on the far line it finds half).
    func testHandAnnotatedJunctionAndFarLinesWithTheFarPeopleModel() throws {
        try GW.requireFile(GW.vtest)
        // The man who stands on the junction line (688-698) may be registered as an in and an
        // out anywhere there: neither is in the truth, so both would be extras (totals stay in bounds).
        for (file, region) in [("vtest-annotation-junction.json", "full"), ("vtest-annotation-far.json", "full"),
                               ("vtest-annotation-far.json", "auto")] {
            let a = try loadAnnotation(file)
            XCTAssertEqual(a.crossings.filter { $0.direction == "in" }.count, a.totalIn, "\(file) totals")
            XCTAssertEqual(a.crossings.filter { $0.direction == "out" }.count, a.totalOut, "\(file) totals")
            for detector in ["yolox", "ssdlite"] {
                let r = try GW.run(["count", GW.vtest, "--line", a.line, "--inside", a.inside, "--json", "--no-decode-baseline",
                                    "--detector", detector, "--detect-region", region], timeout: 600)
                XCTAssertEqual(r.status, 0, r.summary)
                let j = try r.json()
                let gotIn = int(j["in"]) ?? -1, gotOut = int(j["out"]) ?? -1
                let counted = Crossing.list(j["crossings"])
                let m = CrossingMatch.match(truth: a.crossings, counted: counted, tolerance: 15)
                print("E2E \(file) \(detector) region \(region): in \(gotIn)/\(a.totalIn), out \(gotOut)/\(a.totalOut), "
                      + "\(m.pairs.count)/\(a.crossings.count) matched, fps \(j["fps"] ?? "?")\n" + m.table())
                guard detector == "yolox" else { continue }
                XCTAssertLessThanOrEqual(Double(abs(gotIn - a.totalIn)), 0.1 * Double(a.totalIn), "\(file): in \(gotIn) vs \(a.totalIn)")
                XCTAssertLessThanOrEqual(Double(abs(gotOut - a.totalOut)), 0.1 * Double(a.totalOut), "\(file): out \(gotOut) vs \(a.totalOut)")
                XCTAssertGreaterThanOrEqual(Double(m.pairs.count), 0.8 * Double(a.crossings.count), "\(file): missing \(m.missing)")
                XCTAssertGreaterThanOrEqual(Double(m.pairs.count), 0.8 * Double(max(counted.count, 1)), "\(file): extra \(m.extra)")
            }
        }
    }

    func testTreeHasNoCrossingsOnTheVtestLineOrAHorizontalLine() throws {
        try GW.requireFile(GW.tree)
        let a = try loadAnnotation()
        for (line, inside) in [(a.line, a.inside), ("0.0,0.5,1.0,0.5", "0.5,0.9")] {
            let r = try GW.run(["count", GW.tree, "--line", line, "--inside", inside, "--json"], timeout: 90)
            XCTAssertEqual(r.status, 0, r.summary)
            let j = try r.json()
            print("E2E tree.avi line \(line): in \(j["in"] ?? "?"), out \(j["out"] ?? "?"), frames \(j["frames"] ?? "?"), fps \(j["fps"] ?? "?")")
            XCTAssertEqual(int(j["in"]), 0, "tree.avi line \(line): \(r.stdout)")
            XCTAssertEqual(int(j["out"]), 0, "tree.avi line \(line): \(r.stdout)")
            XCTAssertEqual(int(j["frames"]), 68, "tree.avi has 68 frames")
        }
    }
}
