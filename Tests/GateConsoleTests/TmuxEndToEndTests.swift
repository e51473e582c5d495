import XCTest
import GateCore
import GateStore
@testable import GateConsole

/// Drives the real binary in tmux: screens, keys, resize, quit with the terminal
/// restored, signals, and two consoles on one database.
final class TmuxEndToEndTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let binary = root.appendingPathComponent(".build/debug/gatewatch").path
    var socket = ""
    var dir: URL!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: Self.binary) else {
            XCTFail("\(Self.binary) is missing: run `swift build` first (scripts/test does)"); throw XCTSkip("no binary")
        }
        guard sh("command -v tmux").status == 0 else { XCTFail("tmux is not installed (scripts/setup installs it)"); throw XCTSkip("no tmux") }
        socket = "gwtest-\(getpid())-\(UUID().uuidString.prefix(6))"
        dir = FileManager.default.temporaryDirectory.appendingPathComponent(socket)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() {
        _ = sh("tmux -L \(socket) kill-server")
        try? FileManager.default.removeItem(at: dir)
    }

    @discardableResult
    func sh(_ cmd: String) -> (status: Int32, out: String) {
        // Output goes to a file, not a pipe: the tmux server daemonises holding inherited descriptors.
        let out = (dir ?? FileManager.default.temporaryDirectory).appendingPathComponent("sh-\(UUID().uuidString).out").path
        // posix_spawn + waitpid: Foundation's Process.waitUntilExit can miss the child's exit here.
        var pid: pid_t = 0
        let args = ["/bin/sh", "-c", "(\(cmd)) >\(out) 2>&1 </dev/null"]
        var cargs = args.map { strdup($0) } + [nil]
        defer { cargs.forEach { free($0) } }
        guard posix_spawn(&pid, "/bin/sh", nil, nil, &cargs, environ) == 0 else { return (-1, "spawn failed") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: out, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(atPath: out)
        return ((status >> 8) & 0xff, text)
    }

    func q(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }

    /// A shell in a detached session; the console is started from it so quitting returns to the prompt.
    func startConsole(_ session: String, db: String, lang: String = "en", w: Int = 80, h: Int = 24, extra: String = "",
                      cwd: String? = nil) throws -> Int32 {
        let pidFile = dir.appendingPathComponent("\(session).pid").path
        XCTAssertEqual(sh("tmux -L \(socket) new-session -d -s \(session) -x \(w) -y \(h) \(q("env -i HOME=/tmp XDG_CONFIG_HOME=\(dir.path) TERM=tmux-256color LANG=C.UTF-8 USER=tester PS1='gwshell$ ' bash --norc --noprofile"))").status, 0)
        let cd = cwd.map { "cd \($0) && " } ?? ""
        let cmd = cd + "sh -c 'echo $$ > \(pidFile); exec \(Self.binary) console --db \(db) --lang \(lang)\(extra)'"
        sh("tmux -L \(socket) send-keys -t \(session) \(q(cmd)) Enter")
        XCTAssertTrue(waitFor(session, "GateWatch · "), capture(session))
        return Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }

    func capture(_ session: String) -> String { sh("tmux -L \(socket) capture-pane -p -t \(session)").out }
    func keys(_ session: String, _ k: String) { sh("tmux -L \(socket) send-keys -t \(session) \(k)") }

    func waitFor(_ session: String, _ text: String, timeout: Double = 5) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if capture(session).contains(text) { return true }
            usleep(100_000)
        }
        return false
    }

    func waitGone(_ pid: Int32, timeout: Double = 5) -> Bool {
        let end = Date().addingTimeInterval(timeout)
        while Date() < end {
            if kill(pid, 0) != 0 || isZombie(pid) { return true }
            usleep(100_000)
        }
        return false
    }

    /// Ended but not yet reaped (its parent shell may itself be gone when the terminal dropped).
    func isZombie(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first == "Z"
    }

    /// The seeded database and a writer on it, standing in for a running pipeline.
    func seed() throws -> (String, GateDatabase) {
        let db = dir.appendingPathComponent("site.db").path
        try SeedDatabase.create(at: db, now: Int64(Date().timeIntervalSince1970 * 1000), heartbeatAgoMs: 0)
        let writer = try GateDatabase.openWriter(path: db)
        addTeardownBlock { try? writer.close() }
        return (db, writer)
    }

    func testScreensKeysResizeAndQuit() throws {
        let (db, writer) = try seed()
        let pid = try startConsole("main", db: db)
        // Keep the pipeline "alive" so the screens show no banner.
        try writer.pipelineBeat(at: nowMs())
        let expect: [(String, String)] = [("2", "Gate 1/3: Cổng chính"), ("3", "open: 3"), ("4", "Hourly for"),
                                          ("5", "Suites  (r: run"), ("6", "Pipeline: running"), ("Tab", "Occupancy:"),
                                          ("Tab", "Latest crossings"), ("1", "Newest alerts")]
        for (k, text) in expect {
            keys("main", k)
            XCTAssertTrue(waitFor("main", text), "after \(k): expected \(text)\n\(capture("main"))")
        }
        keys("main", "?")
        XCTAssertTrue(waitFor("main", "Help — keys"), capture("main"))
        keys("main", "Escape")
        XCTAssertTrue(waitFor("main", "Newest alerts"))
        XCTAssertFalse(capture("main").contains("Help — keys"))

        sh("tmux -L \(socket) resize-window -t main -x 60 -y 20")
        XCTAssertTrue(waitFor("main", "Window too small"), capture("main"))
        XCTAssertTrue(capture("main").contains("need at least 80x24, now 60x20"))
        sh("tmux -L \(socket) resize-window -t main -x 80 -y 24")
        XCTAssertTrue(waitFor("main", "Occupancy:"), capture("main"))
        XCTAssertFalse(capture("main").contains("too small"))

        keys("main", "q")
        XCTAssertTrue(waitGone(pid), "console did not exit on q")
        XCTAssertTrue(waitFor("main", "gwshell$"), capture("main"))
        let screen = capture("main")
        XCTAssertFalse(screen.contains("Occupancy"), "console output left on the restored screen:\n\(screen)")
        // The shell still echoes what we type: the terminal modes were restored.
        keys("main", q("echo restored-ok") + " Enter")
        XCTAssertTrue(waitFor("main", "restored-ok\ngwshell$"), capture("main"))
    }

    func testTwoConsolesOnOneDatabaseSeeChangesAndAcknowledgements() throws {
        let (db, writer) = try seed()
        let a = try startConsole("desk", db: db)
        let b = try startConsole("ssh", db: db, lang: "vi")
        keys("desk", "2"); keys("ssh", "2")
        XCTAssertTrue(waitFor("desk", "Gate 1/3"))
        // A crossing written by "the pipeline" shows on both within a second or so (the figure is
        // printed; the limit is generous for a loaded machine).
        let ts = nowMs()
        try writer.insertCrossings([CrossingEvent(timestampMs: ts, feedId: "cam-chinh-1", gateId: "cong-chinh", lineId: "line-cam-chinh-1",
                                                  direction: .in, trackId: 987654, confidence: 0.99, frameIndex: 0)])
        try writer.pipelineBeat(at: ts)
        let t0 = Date()
        XCTAssertTrue(waitFor("desk", "987654", timeout: 10), capture("desk"))
        XCTAssertTrue(waitFor("ssh", "987654", timeout: 10), capture("ssh"))
        print("crossing visible on both consoles after \(Int(Date().timeIntervalSince(t0) * 1000)) ms")

        // Acknowledge the critical alert on the desk with a Vietnamese note.
        keys("desk", "3")
        XCTAssertTrue(waitFor("desk", "open: 3"))
        keys("desk", "a")
        XCTAssertTrue(waitFor("desk", "Acknowledge note #2"), capture("desk"))
        keys("desk", "-l " + q("đã gọi kỹ thuật"))
        keys("desk", "Enter")
        XCTAssertTrue(waitFor("desk", "Acknowledged by: tester"), capture("desk"))
        keys("desk", "Enter")
        XCTAssertTrue(waitFor("desk", "Alert #2 acknowledged"), capture("desk"))
        let row = try XCTUnwrap(try StoreQueries(writer).alert(id: 2))
        XCTAssertEqual(row.state, .known(.acknowledged))
        XCTAssertEqual(row.ackBy, "tester")
        XCTAssertEqual(row.ackNote, "đã gọi kỹ thuật")
        XCTAssertNotNil(row.ackMs)
        keys("ssh", "3")
        XCTAssertTrue(waitFor("ssh", "mở: 2  đã xác nhận: 2"), capture("ssh"))

        keys("desk", "q"); keys("ssh", "q")
        XCTAssertTrue(waitGone(a)); XCTAssertTrue(waitGone(b))
    }

    func testDatabaseMissingThenAppears() throws {
        let db = dir.appendingPathComponent("later.db").path
        let pid = try startConsole("m", db: db)
        XCTAssertTrue(waitFor("m", "not found — retrying"), capture("m"))
        try SeedDatabase.create(at: db, now: nowMs(), heartbeatAgoMs: 0)
        XCTAssertTrue(waitFor("m", "Cổng chính", timeout: 4), capture("m"))
        keys("m", "q")
        XCTAssertTrue(waitGone(pid))
    }

    /// A one-scenario suite in its own folder: a synthetic scene with exact truth (1 in, 1 out).
    func tinySuite(_ name: String, frames: Int) throws -> String {
        let suite = dir.appendingPathComponent(name).path
        try FileManager.default.createDirectory(atPath: suite, withIntermediateDirectories: true)
        try """
            name: \(name)-both
            description: "e2e: one person each way"
            source: synthetic:kind=both,seed=1,people=2,frames=\(frames)
            expect: truth
            """.write(toFile: suite + "/01-both.yaml", atomically: true, encoding: .utf8)
        return suite
    }

    func testRunSuiteFromTestsScreen() throws {
        let (db, writer) = try seed()
        let suite = try tinySuite("tiny", frames: 150)
        let pid = try startConsole("run", db: db, extra: " --suites \(suite)")
        keys("run", "5")
        XCTAssertTrue(waitFor("run", "Suites  (r: run"), capture("run"))
        XCTAssertTrue(waitFor("run", suite), capture("run"))
        keys("run", "r")
        XCTAssertTrue(waitFor("run", "Run suite tiny (1 scenarios, takes minutes)? y/n"), capture("run"))
        let t0 = Date()
        keys("run", "y")
        XCTAssertTrue(waitFor("run", "Finished: tiny · Verdict: PASS · 1/0", timeout: 90), capture("run"))
        print(String(format: "suite run from the console: PASS on screen after %.1f s", Date().timeIntervalSince(t0)))
        let screen = capture("run")
        XCTAssertTrue(screen.contains("Report: \(dir.path)/kiem-thu-"), screen)
        XCTAssertTrue(screen.contains("tiny-both"), screen)
        let row = try StoreQueries(writer).testRuns().first { $0.suite == suite }
        XCTAssertEqual(row?.verdict, .known(.pass))
        XCTAssertEqual(row?.passed, 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        if let log = files.first(where: { $0.hasSuffix(".log") }) {
            print("child log:\n" + ((try? String(contentsOfFile: dir.appendingPathComponent(log).path, encoding: .utf8)) ?? ""))
        }
        XCTAssertEqual(files.filter { $0.hasPrefix("kiem-thu-") && $0.hasSuffix(".md") }.count, 1, "\(files)")
        XCTAssertEqual(files.filter { $0.hasPrefix("kiem-thu-") && $0.hasSuffix(".log") }.count, 1, "\(files)")
        // Enter on the new run (first row under the one suite): its scenarios and the report.
        keys("run", "j"); keys("run", "Enter")
        XCTAssertTrue(waitFor("run", "Detail"), capture("run"))
        XCTAssertTrue(capture("run").contains("Report: \(dir.path)/kiem-thu-"), capture("run"))
        keys("run", "Escape")
        keys("run", "q")
        XCTAssertTrue(waitGone(pid), "console did not exit on q")
    }

    /// Cancelled in its 2nd scenario: the child closes its run (failed, 1 result kept) and the
    /// console only shows it, as stopped, with no link to the report that was never written.
    func testCancelRunningSuite() throws {
        let (db, writer) = try seed()
        let suite = try tinySuite("long", frames: 150)
        try """
            name: long-forever
            source: synthetic:kind=both,seed=2,people=2,frames=30000
            expect: truth
            """.write(toFile: suite + "/02-long.yaml", atomically: true, encoding: .utf8)
        let pid = try startConsole("cancel", db: db, lang: "vi", w: 160, h: 48, extra: " --suites \(suite)")
        keys("cancel", "5")
        keys("cancel", "r")
        XCTAssertTrue(waitFor("cancel", "? y/n"), capture("cancel"))
        keys("cancel", "y")
        XCTAssertTrue(waitFor("cancel", "Đang chạy: long · kịch bản 2/2", timeout: 90), capture("cancel"))
        // A second run is refused while this one goes.
        keys("cancel", "r")
        XCTAssertTrue(waitFor("cancel", "Đang chạy \(suite); x để hủy trước."), capture("cancel"))
        keys("cancel", "x")
        XCTAssertTrue(waitFor("cancel", "Hủy lần chạy đang chạy? y/n"), capture("cancel"))
        keys("cancel", "y")
        XCTAssertTrue(waitFor("cancel", "Đã dừng: long · 1/2 kịch bản đã chạy", timeout: 10), capture("cancel"))
        // The child stopped and closed its own run; the console did not have to (it says so when it does).
        XCTAssertTrue(capture("cancel").contains("Đã hủy lần chạy long."), capture("cancel"))
        let rows = try StoreQueries(writer).testRuns().filter { $0.suite == suite }
        XCTAssertEqual(rows.count, 1)
        XCTAssertEqual(rows.first?.verdict, .known(.fail), "a cancelled run must not stay 'running'")
        XCTAssertNotNil(rows.first?.finishedMs)
        XCTAssertEqual(rows.first?.passed, 1, "the results so far are kept")
        XCTAssertEqual(rows.first?.failed, 0)
        let logs = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("kiem-thu-") && $0.hasSuffix(".log") }
        let log = try String(contentsOfFile: dir.appendingPathComponent(logs.first ?? "-").path, encoding: .utf8)
        XCTAssertTrue(log.contains("test run interrupted (signal 15); stored as failed"), log)
        XCTAssertEqual(sh("pgrep -f '[g]atewatch test \(suite)'").status, 1, "the child still runs after x")
        // Listed as stopped; its detail offers no report (none was written) but says how to write one.
        XCTAssertTrue(waitFor("cancel", "đã dừng"), capture("cancel"))
        keys("cancel", "j"); keys("cancel", "Enter")
        let id: Int64 = rows.first?.id ?? -1
        XCTAssertTrue(waitFor("cancel", "Biên bản: chưa có tệp; viết: gatewatch test report \(id)"), capture("cancel"))
        XCTAssertFalse(capture("cancel").contains("Biên bản: \(dir.path)/kiem-thu-"), capture("cancel"))
        keys("cancel", "Escape")
        keys("cancel", "q")
        XCTAssertTrue(waitGone(pid))
    }

    /// `--suites` is remembered in the database: a console started elsewhere without it lists the
    /// same folder; on a database without one, the screen says where it looked.
    func testSuitesAreRememberedAndTheScreenSaysWhereItLooked() throws {
        let (db, _) = try seed()
        let suite = try tinySuite("kept", frames: 150)
        let elsewhere = dir.appendingPathComponent("elsewhere").path
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let first = try startConsole("first", db: db, extra: " --suites \(suite)")
        keys("first", "5")
        XCTAssertTrue(waitFor("first", suite), capture("first"))
        keys("first", "q")
        XCTAssertTrue(waitGone(first))
        let later = try startConsole("later", db: db, w: 160, h: 48, cwd: elsewhere)
        keys("later", "5")
        XCTAssertTrue(waitFor("later", suite), capture("later"))
        // Enter opens the suite; it does not run it.
        keys("later", "Enter")
        XCTAssertTrue(waitFor("later", "r: run this suite (asks y/n)"), capture("later"))
        XCTAssertFalse(capture("later").contains("? y/n"), capture("later"))
        keys("later", "q"); keys("later", "q")
        XCTAssertTrue(waitGone(later))
        let other = dir.appendingPathComponent("other.db").path
        try SeedDatabase.create(at: other, now: nowMs(), heartbeatAgoMs: 0)
        let fresh = try startConsole("fresh", db: other, w: 160, h: 48, cwd: elsewhere)
        keys("fresh", "5")
        XCTAssertTrue(waitFor("fresh", "No suites in: \(elsewhere)/samples/acceptance"), capture("fresh"))
        keys("fresh", "q")
        XCTAssertTrue(waitGone(fresh))
    }

    /// Not an assertion on speed: prints the console's CPU use while idle.
    func testIdleCPU() throws {
        let seconds = Double(ProcessInfo.processInfo.environment["GATEWATCH_IDLE_SECONDS"] ?? "5") ?? 5
        let (db, writer) = try seed()
        try writer.pipelineBeat(at: nowMs() + Int64(seconds * 1000))
        let pid = try startConsole("idle", db: db)
        sleep(1)
        func ticks() -> Int {
            guard let s = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let close = s.lastIndex(of: ")") else { return -1 }
            let f = s[s.index(after: close)...].split(separator: " ")
            return (Int(f[11]) ?? 0) + (Int(f[12]) ?? 0)   // utime + stime (fields 14, 15)
        }
        let t0 = ticks()
        usleep(useconds_t(seconds * 1_000_000))
        let t1 = ticks()
        XCTAssertGreaterThanOrEqual(t0, 0)
        let hz = Double(sysconf(Int32(_SC_CLK_TCK)))
        print(String(format: "idle console CPU over %.0f s: %d ticks = %.3f s = %.2f%%", seconds, t1 - t0,
                     Double(t1 - t0) / hz, Double(t1 - t0) / hz / seconds * 100))
        keys("idle", "q")
        XCTAssertTrue(waitGone(pid))
    }
}
