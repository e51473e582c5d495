import XCTest
import GateStore
@testable import GateConsole

/// The console controller's side of a suite run: who closes a cancelled run, which reports
/// it offers, and the `--suites` folders it remembers in the database.
final class SuiteControllerTests: XCTestCase {
    var dir = ""
    var db = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-ctl-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir + "/suite", withIntermediateDirectories: true)
        try "name: x\n".write(toFile: dir + "/suite/01.yaml", atomically: true, encoding: .utf8)
        db = dir + "/site.db"
        try SeedDatabase.create(at: db)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func controller(executable: String? = nil, suites: [String]? = nil) -> ConsoleController {
        ConsoleController(options: ConsoleOptions(dbPath: db, suiteDirectories: suites, testExecutable: executable),
                          theme: Theme.fallbackMonochrome, themeIds: [], themeDirs: [], monochrome: Theme.fallbackMonochrome,
                          language: .en, user: "t")
    }

    /// A run stored through GateStore's writer, as `gatewatch test` stores it: `planned` scenarios, `passed` results so far.
    func storeRun(planned: Int, passed: Int, reportPath: String? = nil) throws -> Int64 {
        let w = try GateDatabase.openWriter(path: db)
        defer { try? w.close() }
        let id = try w.startTestRun(suite: dir + "/suite", version: "0.1.0", machine: "m",
                                    provenanceJSON: "{\"plannedScenarios\":\(planned),\"operatorName\":\"t\"}", at: 5_000)
        for i in 0..<passed {
            try w.addTestResult(runId: id, TestResultRecord(scenario: "s\(i)", verdict: .pass))
        }
        if let reportPath { try w.recordTestReport(runId: id, path: reportPath) }
        return id
    }

    func verdict(_ id: Int64) throws -> String? {
        let r = try GateDatabase.openReader(path: db)
        defer { try? r.close() }
        return try StoreQueries(r).testRun(id: id)?.verdict.rawValue
    }

    /// A child that writes its run id; on SIGTERM it ends (`onTerm`: what it does then).
    func child(id: Int64, onTerm: String) throws -> String {
        let exe = dir + "/child-\(id)"
        try """
            #!/bin/sh
            while [ $# -gt 0 ]; do [ "$1" = "--run-id-file" ] && f="$2"; shift; done
            trap '\(onTerm)' TERM
            echo \(id) > "$f.tmp" && mv "$f.tmp" "$f"
            sleep 20 & wait
            """.write(toFile: exe, atomically: true, encoding: .utf8)
        chmod(exe, 0o755)
        return exe
    }

    func startAndLearnId(_ c: ConsoleController) {
        c.startSuite(SuiteInfo(path: dir + "/suite", scenarios: 1))
        let end = Date().addingTimeInterval(10)
        while Date() < end, c.launcher.live?.runId == nil { _ = c.launcher.poll(); usleep(20_000) }
    }

    /// The child closes its own run on SIGTERM: the console leaves the row to it.
    func testCancelLeavesClosingTheRunToTheChild() throws {
        let id = try storeRun(planned: 2, passed: 1)
        // This stand-in ends on SIGTERM without closing the run: a console that closed it too would show.
        let c = controller(executable: try child(id: id, onTerm: "kill $!; exit 143"))
        startAndLearnId(c)
        XCTAssertEqual(c.launcher.live?.runId, id)
        c.cancelSuite()
        XCTAssertEqual(c.state.message, Strings(.en).cancelled("suite"))
        XCTAssertEqual(try verdict(id), "running", "the console closed a run its child closes")
    }

    /// A child that ignores SIGTERM is killed; then, and only then, the console closes the run and says so.
    func testCancelClosesTheRunOnlyWhenTheChildHadToBeKilled() throws {
        let id = try storeRun(planned: 2, passed: 1)
        let c = controller(executable: try child(id: id, onTerm: ""))
        startAndLearnId(c)
        let t0 = Date()
        c.cancelSuite()
        print(String(format: "cancel of a child ignoring SIGTERM took %.1f s", Date().timeIntervalSince(t0)))
        XCTAssertEqual(c.state.message, Strings(.en).killedAndClosed("suite", id))
        XCTAssertEqual(try verdict(id), "fail")
        let run = try XCTUnwrap(c.snapshot?.testRuns.first { $0.id == id })
        XCTAssertTrue(run.isStopped)
        XCTAssertEqual(run.passed, 1)
    }

    /// Only a report on disk is offered: the planned report of a stopped run was never written.
    func testOnlyReportsOnDiskAreOffered() throws {
        let written = dir + "/written.md"
        try "# report\n".write(toFile: written, atomically: true, encoding: .utf8)
        let kept = try storeRun(planned: 1, passed: 1, reportPath: written)
        let gone = try storeRun(planned: 1, passed: 1, reportPath: dir + "/never-written.md")
        let c = controller()
        c.reload(now: nowMs())
        XCTAssertEqual(c.snapshot?.reports[kept], written)
        XCTAssertNil(c.snapshot?.reports[gone])
        XCTAssertEqual(c.snapshot?.testRuns.first { $0.id == kept }?.plannedScenarios, 1)
    }

    /// `--suites` is remembered in the database; a console without it (elsewhere) lists the same.
    func testSuitesAreRememberedInTheDatabase() throws {
        let first = controller(suites: [dir + "/suite"])
        first.scanSuites(now: nowMs())
        first.reload(now: nowMs())
        XCTAssertNil(first.state.message)
        let r = try GateDatabase.openReader(path: db)
        XCTAssertEqual(try StoreQueries(r).suiteFolders(), [dir + "/suite"])
        try r.close()
        let later = controller()
        later.scanSuites(now: nowMs())
        later.reload(now: nowMs())
        XCTAssertEqual(later.suites.map(\.path), [dir + "/suite"])
        XCTAssertEqual(later.snapshot?.suiteSearch, [dir + "/suite"])
    }
}
