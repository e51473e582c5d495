import XCTest
@testable import GateStore
@testable import GateConsole

/// Suite discovery, the Tests screen's keys, and the child process launcher.
final class SuiteRunnerTests: XCTestCase {
    var dir: String = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-suites-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func touch(_ rel: String, _ text: String = "name: x\n") throws {
        let p = (dir as NSString).appendingPathComponent(rel)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: p, atomically: true, encoding: .utf8)
    }

    func testDiscoveryCountsScenarioFilesAndExplainsBadFolders() throws {
        try touch("a/01.yaml"); try touch("a/02.yaml"); try touch("a/03.yml"); try touch("a/README.md"); try touch("a/clips/x.yaml")
        try touch("parent/night/1.yaml"); try touch("parent/day/1.yaml"); try touch("parent/day/2.yaml"); try touch("parent/notes.txt")
        try FileManager.default.createDirectory(atPath: dir + "/empty", withIntermediateDirectories: true)
        let found = SuiteCatalog.discover(["a", dir + "/parent", dir + "/empty", dir + "/nope", dir + "/a/"], cwd: dir)
        XCTAssertEqual(found.map(\.path), [dir + "/a", dir + "/parent/day", dir + "/parent/night", dir + "/empty", dir + "/nope"])
        XCTAssertEqual(found.map(\.scenarios), [3, 2, 1, 0, 0])
        XCTAssertNil(found[0].problem)
        XCTAssertEqual(found[0].name, "a")
        XCTAssertEqual(found[3].problem, .empty)
        XCTAssertEqual(found[4].problem, .missing)
    }

    func testDefaultDirectoriesAreTheOnesThatExist() throws {
        try touch("cwd/samples/acceptance/1.yaml")
        try touch("xdg/gatewatch/acceptance/1.yaml")
        var dirs = SuiteCatalog.defaultDirectories(cwd: dir + "/cwd", env: ["XDG_DATA_HOME": dir + "/xdg"])
        dirs.removeAll { $0 == "/usr/local/share/gatewatch/acceptance" }   // installed on some machines
        XCTAssertEqual(dirs, [dir + "/cwd/samples/acceptance", dir + "/xdg/gatewatch/acceptance"])
        var none = SuiteCatalog.defaultDirectories(cwd: dir + "/elsewhere", env: ["HOME": dir + "/home"])
        none.removeAll { $0 == "/usr/local/share/gatewatch/acceptance" }
        XCTAssertEqual(none, [])
        try touch("home/.local/share/gatewatch/acceptance/1.yaml")
        XCTAssertTrue(SuiteCatalog.defaultDirectories(cwd: dir, env: ["HOME": dir + "/home"]).contains(dir + "/home/.local/share/gatewatch/acceptance"))
    }

    func snapshot(live: LiveRunVM? = nil) -> ConsoleSnapshot {
        var s = ConsoleSnapshot()
        s.suites = [SuiteInfo(path: "/s/one", scenarios: 2), SuiteInfo(path: "/s/bad", scenarios: 0, problem: .missing)]
        s.testRuns = [TestRunVM(run: TestRunRow(id: 7, suite: "/s/one", startedMs: 1, finishedMs: 2, version: "0.1.0", machine: "m",
                                                passed: 2, failed: 0, verdict: .known(.pass)), results: [])]
        s.liveRun = live
        return s
    }

    func testKeysRunConfirmDeclineCancelAndOpen() {
        var st = ConsoleState(language: .en, userName: "t")
        st.screen = .tests
        let snap = snapshot()
        // Enter on a suite opens it (its detail); it does not run it.
        XCTAssertEqual(st.handle(.enter, snapshot: snap, now: 0), [])
        XCTAssertTrue(st.detailOpen)
        XCTAssertNil(st.confirm, "Enter asked to run the suite")
        XCTAssertEqual(Lists.selectedSuite(snap, filter: "", selected: st.selected), snap.suites[0])
        // r from the open suite runs it (asking first) and closes the detail.
        XCTAssertEqual(st.handle(.char("r"), snapshot: snap, now: 0), [])
        XCTAssertFalse(st.detailOpen)
        XCTAssertEqual(st.confirm, .runSuite(snap.suites[0]))
        _ = st.handle(.char("n"), snapshot: snap, now: 0)
        XCTAssertEqual(st.handle(.char("r"), snapshot: snap, now: 0), [])
        XCTAssertEqual(st.confirm, .runSuite(snap.suites[0]))
        XCTAssertEqual(st.handle(.char("y"), snapshot: snap, now: 0), [.runSuite(snap.suites[0])])
        XCTAssertNil(st.confirm)
        _ = st.handle(.char("r"), snapshot: snap, now: 0)
        XCTAssertEqual(st.handle(.char("n"), snapshot: snap, now: 0), [])
        XCTAssertEqual(st.message, "Not done.")
        // A folder with a problem says why instead of asking.
        _ = st.handle(.down, snapshot: snap, now: 0)
        XCTAssertEqual(st.handle(.char("r"), snapshot: snap, now: 0), [])
        XCTAssertNil(st.confirm)
        XCTAssertEqual(st.message, "/s/bad: not found; give a folder of scenario .yaml files")
        // On a run row: r asks for a suite, Enter opens the run.
        _ = st.handle(.down, snapshot: snap, now: 0)
        XCTAssertEqual(st.selected, 2)
        _ = st.handle(.char("r"), snapshot: snap, now: 0)
        XCTAssertEqual(st.message, Strings(.en).pickSuite)
        _ = st.handle(.enter, snapshot: snap, now: 0)
        XCTAssertTrue(st.detailOpen)
        XCTAssertEqual(Lists.selectedRun(snap, filter: "", selected: st.selected)?.id, 7)
        _ = st.handle(.escape, snapshot: snap, now: 0)
        XCTAssertFalse(st.detailOpen)
        // x: nothing running, then a running suite (confirmed), and no second run meanwhile.
        _ = st.handle(.char("x"), snapshot: snap, now: 0)
        XCTAssertEqual(st.message, "No suite is running.")
        let running = snapshot(live: LiveRunVM(suite: "/s/one", total: 2, startedMs: 0, logPath: "/l", reportPath: "/r", pid: 1))
        _ = st.handle(.char("x"), snapshot: running, now: 0)
        XCTAssertEqual(st.confirm, .cancelRun)
        XCTAssertEqual(st.handle(.char("Y"), snapshot: running, now: 0), [.cancelRun])
        st.selection[.tests] = 0
        _ = st.handle(.char("r"), snapshot: running, now: 0)
        XCTAssertNil(st.confirm)
        XCTAssertTrue(st.message?.contains("Already running /s/one") == true, st.message ?? "")
        // Elsewhere r still reloads.
        st.screen = .overview
        XCTAssertEqual(st.handle(.char("r"), snapshot: snap, now: 0), [.reload])
    }

    func testStoredSuiteNamesMatchTheirFolder() {
        XCTAssertTrue(Lists.sameSuite("/srv/a", "/srv/a"))
        XCTAssertTrue(Lists.sameSuite("samples/acceptance", "/work/gw/samples/acceptance"))
        XCTAssertFalse(Lists.sameSuite("acceptance", "/work/gw/samples/acceptance-night"))
        XCTAssertFalse(Lists.sameSuite("/other/samples/acceptance", "/work/gw/samples/acceptance"))
        XCTAssertFalse(Lists.sameSuite("x", nil))
    }

    func waitEnded(_ l: SuiteLauncher) -> Bool {
        let end = Date().addingTimeInterval(5)
        while Date() < end { _ = l.poll(); if l.childEnded { return true }; usleep(20_000) }
        return false
    }

    func testLauncherReportsAChildThatFailsWithoutARun() throws {
        // A stand-in "gatewatch" that complains and exits 2, as a bad suite or database would.
        let exe = dir + "/fake-gatewatch"
        try "#!/bin/sh\necho \"args: $*\"\necho 'gatewatch test: something went wrong' >&2\nexit 2\n".write(toFile: exe, atomically: true, encoding: .utf8)
        chmod(exe, 0o755)
        try touch("suite/1.yaml")
        let l = SuiteLauncher(executable: exe, dbPath: dir + "/site.db")
        XCTAssertNil(l.start(SuiteInfo(path: dir + "/suite", scenarios: 1), now: nowMs()))
        XCTAssertEqual(l.live?.phase, .running)
        XCTAssertTrue(waitEnded(l), "child not reaped")
        l.update(runs: [])
        XCTAssertEqual(l.live?.phase, .failed(.exited(2)))
        XCTAssertTrue(l.live!.logPath.hasPrefix(dir + "/kiem-thu-"))
        let log = try String(contentsOfFile: l.live!.logPath, encoding: .utf8)
        XCTAssertTrue(log.contains("args: test \(dir)/suite --db \(dir)/site.db --report \(dir)/kiem-thu-"), log)
        XCTAssertTrue(log.contains("something went wrong"), log)
    }

    func testLauncherCannotStartAndOneRunAtATime() throws {
        let l = SuiteLauncher(executable: dir + "/no-such-binary", dbPath: dir + "/site.db")
        XCTAssertNil(l.start(SuiteInfo(path: dir, scenarios: 1), now: nowMs()))
        XCTAssertEqual(l.live?.phase, .failed(.cannotStart(dir + "/no-such-binary", "No such file or directory")))
        XCTAssertEqual(Strings(.en).runFailure(.cannotStart("x", "y")), "cannot start x: y")

        // A child that keeps running: a second start is refused, x stops it.
        let sleeper = dir + "/sleeper"
        try "#!/bin/sh\nexec sleep 30\n".write(toFile: sleeper, atomically: true, encoding: .utf8)
        chmod(sleeper, 0o755)
        let s2 = SuiteLauncher(executable: sleeper, dbPath: dir + "/site.db")
        XCTAssertNil(s2.start(SuiteInfo(path: dir, scenarios: 1), now: nowMs()))
        XCTAssertNotNil(s2.start(SuiteInfo(path: dir, scenarios: 1), now: nowMs()), "a second run started")
        XCTAssertTrue(s2.cancel())
        s2.reapAfterCancel()
        XCTAssertEqual(s2.live?.phase, .cancelled)
        XCTAssertNotEqual(kill(s2.live!.pid, 0), 0, "child still alive after cancel")
    }

    func testClosingACancelledRun() throws {
        let path = dir + "/site.db"
        try SeedDatabase.create(at: path)
        let w = try GateDatabase.openWriter(path: path)
        defer { try? w.close() }
        let id = try w.startTestRun(suite: "/s/one", version: "0.1.0", machine: "m", at: 5)
        try w.addTestResult(runId: id, TestResultRecord(scenario: "a", verdict: .pass))
        let store = ConsoleStore(path: path)
        XCTAssertTrue(try store.closeCancelledRun(id: id, now: 1234))
        XCTAssertFalse(try store.closeCancelledRun(id: id, now: 1235), "a closed run was changed again")
        let run = try XCTUnwrap(try StoreQueries(w).testRun(id: id))
        XCTAssertEqual(run.verdict, .known(.fail))
        XCTAssertEqual(run.finishedMs, 1234)
        XCTAssertEqual(run.passed, 1)
        XCTAssertEqual(run.failed, 0)
    }

    /// A stand-in `gatewatch test` that writes `id` to its --run-id-file the way the real one does
    /// (temporary name, then rename), then runs `tail` (shell text; default: ends at once).
    func fakeTest(_ name: String, id: Int64, tail: String = "") throws -> String {
        let exe = dir + "/" + name
        try """
            #!/bin/sh
            while [ $# -gt 0 ]; do [ "$1" = "--run-id-file" ] && f="$2"; shift; done
            [ -n "$f" ] || { echo "no --run-id-file" >&2; exit 3; }
            echo \(id) > "$f.tmp" && mv "$f.tmp" "$f"
            \(tail)
            """.write(toFile: exe, atomically: true, encoding: .utf8)
        chmod(exe, 0o755)
        return exe
    }

    func waitRunId(_ l: SuiteLauncher, timeout: Double = 10) -> Int64? {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end, l.live?.runId == nil { _ = l.poll(); usleep(20_000) }
        return l.live?.runId
    }

    /// Two consoles on one database start the same suite in the same second: each ties its
    /// child to the run that child stored (by the id it wrote), not to the first run it sees.
    func testTwoLaunchersStartedTogetherEachFindTheirOwnRun() throws {
        let a = SuiteLauncher(executable: try fakeTest("a", id: 22, tail: "sleep 1"), dbPath: dir + "/site.db")
        let b = SuiteLauncher(executable: try fakeTest("b", id: 21, tail: "sleep 1"), dbPath: dir + "/site.db")
        let suite = SuiteInfo(path: "/s/one", scenarios: 2)
        XCTAssertNil(a.start(suite, now: 10_000))
        XCTAssertNil(b.start(suite, now: 10_000))
        XCTAssertNotEqual(a.live?.logPath, b.live?.logPath, "two runs started in one second share a log")
        XCTAssertNotEqual(a.live?.reportPath, b.live?.reportPath, "two runs started in one second share a report")
        XCTAssertTrue(b.live!.logPath.hasSuffix("-2.log"), b.live!.logPath)
        func row(_ id: Int64) -> TestRunVM {
            TestRunVM(run: TestRunRow(id: id, suite: "/s/one", startedMs: 10_100, finishedMs: nil, version: "v", machine: "m",
                                      passed: 0, failed: 0, verdict: .known(.running)), results: [])
        }
        let rows = [row(22), row(21)]
        a.update(runs: rows); b.update(runs: rows)
        XCTAssertEqual(waitRunId(a), 22)
        XCTAssertEqual(waitRunId(b), 21)
        XCTAssertEqual(a.reports[22], a.live?.reportPath)
        XCTAssertEqual(b.reports[21], b.live?.reportPath)
        XCTAssertFalse(FileManager.default.fileExists(atPath: a.live!.runIdPath), "the id file is left behind")
        XCTAssertTrue(waitEnded(a)); XCTAssertTrue(waitEnded(b))
    }

    func testLauncherTiesItsRunRow() throws {
        let l = SuiteLauncher(executable: try fakeTest("child", id: 12, tail: "sleep 1"), dbPath: dir + "/site.db")
        XCTAssertNil(l.start(SuiteInfo(path: "/s/one", scenarios: 2), now: 10_000))
        XCTAssertEqual(waitRunId(l), 12)
        let mine = TestRunVM(run: TestRunRow(id: 12, suite: "/s/one", startedMs: 10_300, finishedMs: nil, version: "v", machine: "m",
                                             passed: 0, failed: 0, verdict: .known(.running)), results: [])
        let older = TestRunVM(run: TestRunRow(id: 11, suite: "/s/one", startedMs: 2_000, finishedMs: 3_000, version: "v", machine: "m",
                                              passed: 2, failed: 0, verdict: .known(.pass)), results: [])
        l.update(runs: [mine, older])
        XCTAssertEqual(l.live?.runId, 12)
        XCTAssertEqual(l.reports[12], l.live?.reportPath)
        XCTAssertTrue(waitEnded(l))
        var done = mine; done.verdict = .known(.pass); done.finishedMs = 11_000
        l.update(runs: [done, older])
        XCTAssertEqual(l.live?.phase, .finished)
    }
}
