import XCTest
import Foundation
import GateStore

/// `gatewatch test` as a tester runs it: a suite that passes, one whose expectation is
/// wrong, and a run stopped half way (Ctrl-C, or the SSH session dropped).
final class TestCommandEndToEndTests: XCTestCase {
    private func suite(_ dir: URL, scenarios: [(String, String)]) throws -> URL {
        let folder = dir.appendingPathComponent("suite")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, yaml) in scenarios { try yaml.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return folder
    }

    private let treeScenario = """
        name: tree
        source: /usr/share/doc/opencv-doc/examples/data/tree.avi
        lines:
          - {id: mid, from: [0.0, 0.5], to: [1.0, 0.5], inside: [0.5, 0.9], expect: {in: 0, out: 0}}
        """

    func testStoppedRunIsStoredAsFailedNotLeftRunning() throws {
        let dir = try GW.tempDir(self)
        // A long scenario keeps the run busy while it is stopped.
        let long = """
            name: long
            source: synthetic:kind=both,seed=1,frames=20000
            expect: truth
            """
        let folder = try suite(dir, scenarios: [("01-tree.yaml", treeScenario), ("02-long.yaml", long)])
        let db = dir.appendingPathComponent("t.sqlite").path
        // --run-id-file (hidden; the console's): the id is written as soon as the run is stored.
        let idFile = dir.appendingPathComponent("run.id").path
        let child = try Child(["test", folder.path, "--db", db, "--run-id-file", idFile])
        // Wait until the first scenario's result is stored, then stop the run.
        let deadline = Date().addingTimeInterval(60)
        var started = false
        while Date() < deadline && !started {
            Thread.sleep(forTimeInterval: 0.3)
            if let reader = try? GateDatabase.openReader(path: db) {
                started = ((try? StoreQueries(reader).testRuns())?.first.map { (try? StoreQueries(reader).testResults(runId: $0.id).count) ?? 0 } ?? 0) >= 1
                try? reader.close()
            }
        }
        XCTAssertTrue(started, "the first scenario never finished")
        child.signal(SIGTERM)
        let r = child.wait(timeout: 20)
        XCTAssertFalse(r.timedOut)
        XCTAssertEqual(r.status, 128 + SIGTERM, r.stderr)
        XCTAssertTrue(r.stderr.contains("interrupted"), r.stderr)
        let reader = try GateDatabase.openReader(path: db)
        defer { try? reader.close() }
        let run = try XCTUnwrap(try StoreQueries(reader).testRuns().first)
        XCTAssertEqual(run.verdict, .known(.fail), "a stopped run can never pass")
        XCTAssertNotNil(run.finishedMs)
        XCTAssertEqual(run.passed, 1)
        XCTAssertEqual(try String(contentsOfFile: idFile, encoding: .utf8), "\(run.id)\n")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.contains(".tmp-") }, [])
    }

    func testWrongExpectationFailsWithADiffLine() throws {
        let dir = try GW.tempDir(self)
        let wrong = treeScenario.replacingOccurrences(of: "expect: {in: 0, out: 0}", with: "expect: {in: 3, out: 0}")
        let folder = try suite(dir, scenarios: [("01-wrong.yaml", wrong)])
        let db = dir.appendingPathComponent("w.sqlite").path
        let report = dir.appendingPathComponent("kiem-thu.md").path
        let r = try GW.run(["test", folder.path, "--db", db, "--junit", dir.appendingPathComponent("j.xml").path,
                            "--report", report], timeout: 120)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stdout.contains("mid: expected in 3, counted 0 (-3)"), r.stdout)
        let junit = try String(contentsOf: dir.appendingPathComponent("j.xml"), encoding: .utf8)
        XCTAssertTrue(junit.contains("<failure"), junit)
        // The report is on disk and the stored run points to it, for every console to show.
        XCTAssertTrue(try String(contentsOfFile: report, encoding: .utf8).contains("tree"))
        let reader = try GateDatabase.openReader(path: db)
        defer { try? reader.close() }
        let run = try XCTUnwrap(try StoreQueries(reader).testRuns().first)
        XCTAssertEqual(run.verdict, .known(.fail))
        XCTAssertEqual(run.reportPath, URL(fileURLWithPath: report).standardizedFileURL.path)
    }

    /// A tester writes the signed report again from the stored run, days later: same report,
    /// no suite re-run. Without --db, runs go to the user's data folder, not the current one.
    func testStoredRunIsReportedAgainAndDefaultDatabaseStaysOutOfTheWorkingFolder() throws {
        let dir = try GW.tempDir(self)
        let folder = try suite(dir, scenarios: [("01-tree.yaml", treeScenario)])
        let data = dir.appendingPathComponent("data")
        let work = dir.appendingPathComponent("work")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        let first = dir.appendingPathComponent("first.md").path
        let r = try GW.run(["test", folder.path, "--report", first, "--operator", "Trần Thị B", "--site", "Tràng An"],
                           timeout: 120, cwd: work, extraEnv: ["XDG_DATA_HOME": data.path])
        XCTAssertEqual(r.status, 0, r.stderr)
        let db = data.appendingPathComponent("gatewatch/tests.sqlite").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: db), r.stdout)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: work.path), [], "nothing left in the working folder")
        XCTAssertTrue(r.stdout.contains("gatewatch test report 1 --db \(db)"), r.stdout)

        let again = dir.appendingPathComponent("again.html").path
        let rr = try GW.run(["test", "report", "1", "--db", db, "--report", again, "--both-formats"], timeout: 30)
        XCTAssertEqual(rr.status, 0, rr.stderr)
        let md = try String(contentsOfFile: first, encoding: .utf8)
        // The same report; its pictures in its own folder, the same bytes (taken again from the clip).
        XCTAssertEqual(try String(contentsOfFile: dir.appendingPathComponent("again.md").path, encoding: .utf8),
                       md.replacingOccurrences(of: "](first-images/", with: "](again-images/"))
        for picture in ["01-still.jpg", "01-counts.svg"] {
            XCTAssertEqual(FileManager.default.contents(atPath: dir.appendingPathComponent("first-images/\(picture)").path),
                           FileManager.default.contents(atPath: dir.appendingPathComponent("again-images/\(picture)").path), picture)
        }
        for text in ["Trần Thị B", "Tràng An", "#1 — \(db)", "tree.avi", "OpenCV", "sha256", "decode-only",
                     "Thư viện thị giác / Vision library", "libGateWatchVision.so — sha256"] {
            XCTAssertTrue(md.contains(text), "report lacks \(text)")
        }
        XCTAssertTrue(try String(contentsOfFile: again, encoding: .utf8).contains("Mô tả kịch bản / Scenario descriptions"))

        let missing = try GW.run(["test", "report", "7", "--db", db], timeout: 30)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no test run #7"), missing.stderr)
        XCTAssertEqual(missing.stderr.split(separator: "\n").count, 1, missing.stderr)
    }
}
