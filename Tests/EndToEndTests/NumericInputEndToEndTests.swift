import XCTest
import Foundation
import GateCore
import GateStore

/// Numbers through the real binary: every numeric flag refuses huge, negative, NaN and
/// infinite values with one line naming the flag (never a trap); `check` answers 3 and one
/// line for its own bad arguments; `status`/`check` survive absurd values stored in a
/// database; a site file's out-of-range number is refused by check-config AND run.
final class NumericInputEndToEndTests: XCTestCase {
    private func assertOneLine(_ args: [String], flag: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let r = try GW.run(args, timeout: 30)
        let cmd = "gatewatch " + args.joined(separator: " ")
        XCTAssertEqual(r.reason, .exit, "\(cmd) died of a signal: \(r.summary)", file: file, line: line)
        XCTAssertNotEqual(r.status, 0, "\(cmd) should fail: \(r.summary)", file: file, line: line)
        XCTAssertEqual(r.stderrLines.count, 1, "\(cmd): want one line: \(r.summary)", file: file, line: line)
        XCTAssertTrue(r.stderr.contains(flag), "\(cmd): should name \(flag): \(r.stderr)", file: file, line: line)
    }

    func testBadNumericFlagsGiveOneLine() throws {
        let scene = "synthetic:kind=pairs,frames=5"
        for (flag, values) in [("--threads", ["100000", "0", "-5", "9999999999999999999"]),
                               ("--confidence", ["nan", "inf", "2", "0", "-1e300"]),
                               ("--detect-every", ["0", "1000", "-1"])] {
            for v in values { try assertOneLine(["count", scene, "\(flag)=\(v)"], flag: flag) }
        }
        for (flag, v) in [("--seconds", "nan"), ("--seconds", "1e300"), ("--max-feeds", "0"), ("--threads", "100000")] {
            try assertOneLine(["bench", "\(flag)=\(v)"], flag: flag)
        }
        try assertOneLine(["demo", "--headless", "--seconds=nan"], flag: "--seconds")
        let dir = try GW.tempDir(self)
        let out = ["--out", dir.appendingPathComponent("s.avi").path, "--truth", dir.appendingPathComponent("s.json").path]
        for (flag, v, named) in [("--fps", "nan", "fps"), ("--fps", "1e300", "fps"), ("--frames", "-1", "frames"),
                                 ("--people", "0", "people"), ("--people", "100000", "people"), ("--freeze", "99999999", "freeze")] {
            try assertOneLine(["synth"] + out + ["\(flag)=\(v)"], flag: named)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("s.avi").path))
    }

    /// A monitoring plugin answers 0–3 always, and 3 (UNKNOWN) with one line on stdout for its own bad arguments.
    func testCheckBadArgumentsAreUnknown() throws {
        let dir = try GW.tempDir(self)
        let db = dir.appendingPathComponent("none.sqlite").path
        for extra in [["-w", "nan"], ["-c", "1e300"], ["-w", "inf"], ["-w", "abc"], ["-c", "-1"], ["-w", "0.9", "-c", "0.5"],
                      ["--stale-seconds", "nan"], ["--bogus"]] {
            let args = ["check", "--db", db] + extra
            let r = try GW.run(args, timeout: 30)
            XCTAssertEqual(r.reason, .exit, "\(args): \(r.summary)")
            XCTAssertEqual(r.status, 3, "\(args): \(r.summary)")
            let lines = r.stdout.split(separator: "\n")
            XCTAssertEqual(lines.count, 1, "\(args): \(r.summary)")
            XCTAssertTrue(r.stdout.hasPrefix("GATEWATCH UNKNOWN - "), "\(args): \(r.summary)")
        }
    }

    /// A database holding capacity Int.max and fps 1e20 (written before ranges existed, or by hand).
    func testStatusAndCheckSurviveAbsurdStoredValues() throws {
        let dir = try GW.tempDir(self)
        let path = dir.appendingPathComponent("huge.sqlite").path
        let feed = FeedConfig(id: "cam1", name: "Cam 1", source: "synthetic:pairs", fps: 1e20,
                              lines: [LineConfig(id: "l1", name: "L1", from: Point(0.1, 0.5), to: Point(0.9, 0.5), inside: Point(0.5, 0.9))])
        let config = SiteConfig(site: SiteInfo(name: "Huge", capacity: Int.max),
                                gates: [GateConfig(id: "g1", name: "G1", feeds: [feed])])
        do {
            let db = try GateDatabase.openWriter(path: path)
            try db.syncSite(config, configPath: nil)
            try db.pipelineStarted(pid: 1, version: "test", force: true)
            try db.close()
        }
        for args in [["status", "--db", path], ["status", "--db", path, "--json"], ["check", "--db", path]] {
            let r = try GW.run(args, timeout: 30)
            XCTAssertEqual(r.reason, .exit, "\(args) crashed: \(r.summary)")
            XCTAssertTrue((0...3).contains(r.status), "\(args): \(r.summary)")
            XCTAssertFalse(r.stdout.contains("9223372036854775807"), "\(args): the stored value is out of range: \(r.stdout)")
            XCTAssertTrue(r.stdout.contains("10000000"), "\(args): capacity shown at its limit: \(r.stdout)")
        }
    }

    /// Values that used to pass check-config and then trap in `run`.
    func testOutOfRangeSiteNumbersRefusedByCheckConfigAndRun() throws {
        let dir = try GW.tempDir(self)
        let cases = [("alerts:\n  frozen_seconds: 1e19\n", "frozen_seconds"),
                     ("retention_days: 106751991168\n", "retention_days"),
                     ("retention_days: 9223372036854775807\n", "retention_days"),
                     ("alerts:\n  offline_seconds: .nan\n", "offline_seconds")]
        for (i, (extra, key)) in cases.enumerated() {
            let url = dir.appendingPathComponent("n\(i).yaml")
            try (Self.site + extra).write(to: url, atomically: true, encoding: .utf8)
            try assertOneLine(["check-config", url.path], flag: key)
            try assertOneLine(["run", "--config", url.path, "--db", dir.appendingPathComponent("n.sqlite").path], flag: key)
        }
        let capacity = dir.appendingPathComponent("cap.yaml")
        try Self.site.replacingOccurrences(of: "capacity: 100", with: "capacity: 9223372036854775807")
            .write(to: capacity, atomically: true, encoding: .utf8)
        try assertOneLine(["check-config", capacity.path], flag: "capacity")
    }

    static let site = """
        site:
          name: Numbers
          capacity: 100
        gates:
          - id: g1
            feeds:
              - id: f1
                source: "synthetic:kind=pairs,frames=20"
                detector: motion
                lines:
                  - {id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}

        """
}

/// YAML nested thousands deep used to overflow the parser's stack (SIGSEGV) in check-config and run.
final class DeepYAMLEndToEndTests: XCTestCase {
    func testDeepAndHugeFilesGetOneLine() throws {
        let dir = try GW.tempDir(self)
        let cases: [(String, String, String)] = [
            ("block.yaml", (0..<1400).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n"), "nested"),
            ("seq.yaml", String(repeating: "- ", count: 5000) + "x", "nested"),
            ("flow.yaml", String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000), "nested"),
            ("unclosed.yaml", "site: " + String(repeating: "{a: ", count: 20_000), "nested"),
            ("huge.yaml", "# " + String(repeating: "x", count: 2_000_000), "bytes"),
        ]
        for (name, text, what) in cases {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            for args in [["check-config", url.path], ["run", "--config", url.path, "--db", dir.appendingPathComponent("d.sqlite").path]] {
                let r = try GW.run(args, timeout: 30)
                XCTAssertEqual(r.reason, .exit, "\(name) \(args[0]) crashed: \(r.summary)")
                XCTAssertEqual(r.status, 1, "\(name): \(r.summary)")
                XCTAssertEqual(r.stderrLines.count, 1, "\(name): \(r.summary)")
                XCTAssertTrue(r.stderr.contains(name) && r.stderr.contains(what), "\(name): \(r.stderr)")
                XCTAssertLessThan(r.stderr.count, 400, "\(name): \(r.stderr)")
            }
        }
    }
}

/// `report --from 0000-01-01 --to 0000-01-03` printed 368 days; dates are now checked.
final class ReportDatesEndToEndTests: XCTestCase {
    func testBadDateRangesGiveOneLine() throws {
        let dir = try GW.tempDir(self)
        let path = dir.appendingPathComponent("r.sqlite").path
        do {
            let db = try GateDatabase.openWriter(path: path)
            try db.close()
        }
        let cases: [([String], String)] = [
            (["--from", "0000-01-01", "--to", "0000-01-03"], "year"),
            (["--from", "9999-01-01", "--to", "9999-01-03"], "year"),
            (["--from", "2026-03-10", "--to", "2026-03-01"], "after"),
            (["--from", "2000-01-01", "--to", "2099-12-31"], "days"),
            (["--by", "hour", "--from", "2024-01-01", "--to", "2026-01-01"], "days"),
            (["--from", "2026-02-30"], "not a date"),
        ]
        for (extra, said) in cases {
            let args = ["report", "--db", path] + extra
            let r = try GW.run(args, timeout: 30)
            XCTAssertEqual(r.reason, .exit, "\(args): \(r.summary)")
            XCTAssertNotEqual(r.status, 0, "\(args): \(r.summary)")
            XCTAssertEqual(r.stderrLines.count, 1, "\(args): \(r.summary)")
            XCTAssertTrue(r.stderr.contains(said), "\(args): \(r.stderr)")
            XCTAssertTrue(r.stdout.isEmpty, "\(args): printed a report: \(r.stdout.prefix(200))")
        }
        let ok = try GW.run(["report", "--db", path, "--from", "2026-01-01", "--to", "2026-01-03", "--json"], timeout: 30)
        XCTAssertEqual(ok.status, 0, ok.summary)
    }
}
