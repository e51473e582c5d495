import XCTest
@testable import GateConsole

/// The README's main command as a person uses it: `gatewatch demo` in an 80x24 terminal,
/// screens switched with keys, a resize below the minimum and back, a second console
/// attached to the demo's database, and `q` leaving a working shell.
extension TmuxEndToEndTests {
    func testDemoInTmuxAt80x24WithASecondConsole() throws {
        let db = dir.appendingPathComponent("demo.sqlite").path
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"
        let pidFile = dir.appendingPathComponent("demo.pid").path
        // The real HOME: synthetic feeds reuse the sprite cache built by earlier tests.
        XCTAssertEqual(sh("tmux -L \(socket) new-session -d -s demo -x 80 -y 24 \(q("env -i HOME=\(home) XDG_CONFIG_HOME=\(dir.path) TERM=tmux-256color LANG=C.UTF-8 USER=tester PS1='gwshell$ ' bash --norc --noprofile"))").status, 0)
        let cmd = "sh -c 'echo $$ > \(pidFile); exec \(Self.binary) demo --db \(db) --lang en'"
        keys("demo", q(cmd) + " Enter")
        XCTAssertTrue(waitFor("demo", "Khu du lịch Demo", timeout: 90), capture("demo"))
        // The pipeline runs in the same process and writes the database the console reads.
        XCTAssertTrue(waitFor("demo", "live", timeout: 60), "feeds never went live:\n\(capture("demo"))")
        let pid = Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1

        for (k, text) in [("2", "Gate 1/2"), ("3", "open:"), ("4", "Hourly for"), ("5", "Suites"), ("6", "Pipeline: running"), ("1", "Occupancy:")] {
            keys("demo", k)
            XCTAssertTrue(waitFor("demo", text, timeout: 10), "after \(k): expected \(text)\n\(capture("demo"))")
        }
        sh("tmux -L \(socket) resize-window -t demo -x 60 -y 20")
        XCTAssertTrue(waitFor("demo", "Window too small"), capture("demo"))
        sh("tmux -L \(socket) resize-window -t demo -x 80 -y 24")
        XCTAssertTrue(waitFor("demo", "Occupancy:"), capture("demo"))

        // A technician attaches to the demo's database while it runs.
        _ = try startConsole("second", db: db, lang: "vi")
        XCTAssertTrue(waitFor("second", "Khu du lịch Demo", timeout: 10), capture("second"))
        XCTAssertTrue(waitFor("second", "Bộ xử lý trực tiếp", timeout: 10), capture("second"))
        keys("second", "q")

        keys("demo", "q")
        XCTAssertTrue(waitGone(pid, timeout: 20), "demo did not exit on q")
        XCTAssertTrue(waitFor("demo", "demo stopped", timeout: 10), capture("demo"))
        keys("demo", q("echo restored-ok") + " Enter")
        XCTAssertTrue(waitFor("demo", "restored-ok\ngwshell$"), capture("demo"))
        XCTAssertTrue(waitFor("second", "gwshell$", timeout: 5), capture("second"))
    }
}
