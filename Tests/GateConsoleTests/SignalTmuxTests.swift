import XCTest
@testable import GateConsole

/// Stopping the console from outside, as an operator or a dropped SSH session does:
/// the first SIGINT/SIGTERM/SIGHUP (or Ctrl-C) ends it with the terminal restored and the
/// conventional status; a killed tmux session (the terminal gone) ends it within seconds.
extension TmuxEndToEndTests {
    /// Starts `gatewatch ARGS` from a shell through a wrapper that prints `rc=N` when it ends.
    /// `prefix` goes before the wrapper (e.g. `setsid -w`). Returns the console's pid.
    func startWrapped(_ session: String, _ args: String, prefix: String = "", ready: String = "GateWatch · ",
                      home: String = "/tmp", timeout: Double = 10) throws -> Int32 {
        let pidFile = dir.appendingPathComponent("\(session).pid").path
        let wrapper = dir.appendingPathComponent("run.sh").path
        try """
            #!/bin/sh
            # Runs gatewatch with its pid in $1 and prints its exit status afterwards.
            pidfile=$1; shift
            sh -c 'echo $$ > "$0"; exec "$@"' "$pidfile" "$@"
            echo "rc=$?"
            """.write(toFile: wrapper, atomically: true, encoding: .utf8)
        XCTAssertEqual(sh("tmux -L \(socket) new-session -d -s \(session) -x 80 -y 24 \(q("env -i HOME=\(home) XDG_CONFIG_HOME=\(dir.path) TERM=tmux-256color LANG=C.UTF-8 USER=tester PS1='gwshell$ ' bash --norc --noprofile"))").status, 0)
        keys(session, q("\(prefix)sh \(wrapper) \(pidFile) \(Self.binary) \(args)") + " Enter")
        XCTAssertTrue(waitFor(session, ready, timeout: timeout), capture(session))
        return Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
    }

    /// tmux's view of the pane: keypad modes off, normal screen, cursor shown.
    func paneModes(_ session: String) -> String {
        sh("tmux -L \(socket) display -p -t \(session) 'keypad=#{keypad_flag} keypad_cursor=#{keypad_cursor_flag} alternate=#{alternate_on} cursor=#{cursor_flag}'")
            .out.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func assertRestored(_ session: String, status: Int, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertTrue(waitFor(session, "rc=\(status)\ngwshell$"), "expected exit status \(status):\n\(capture(session))", file: file, line: line)
        XCTAssertEqual(paneModes(session), "keypad=0 keypad_cursor=0 alternate=0 cursor=1", file: file, line: line)
        XCTAssertFalse(capture(session).contains("Occupancy"), "console output left on the screen:\n\(capture(session))", file: file, line: line)
        // The shell still echoes what we type: the terminal modes were restored.
        keys(session, q("echo restored-\(session)") + " Enter")
        XCTAssertTrue(waitFor(session, "restored-\(session)\ngwshell$"), capture(session), file: file, line: line)
    }

    func testFirstSignalStopsConsoleAndRestoresTerminal() throws {
        let (db, _) = try seed()
        for (name, sig) in [("int", SIGINT), ("term", SIGTERM), ("hup", SIGHUP)] {
            let pid = try startWrapped(name, "console --db \(db) --lang vi")
            XCTAssertEqual(paneModes(name).contains("alternate=1"), true, "the console is not on the alternate screen")
            kill(pid, sig)   // once: the first signal must be enough
            XCTAssertTrue(waitGone(pid, timeout: 10), "console did not exit on the first signal \(sig)")
            assertRestored(name, status: 128 + Int(sig))
        }
    }

    func testCtrlCKeyQuits() throws {
        let (db, _) = try seed()
        let pid = try startWrapped("ctrlc", "console --db \(db) --lang en")
        keys("ctrlc", "2")
        XCTAssertTrue(waitFor("ctrlc", "Gate 1/3"), capture("ctrlc"))
        keys("ctrlc", "C-c")
        XCTAssertTrue(waitGone(pid, timeout: 10), "console did not exit on Ctrl-C")
        // Ctrl-C reaches the whole foreground group: the wrapper may die with it, the prompt comes back.
        XCTAssertTrue(waitFor("ctrlc", "gwshell$"), capture("ctrlc"))
        XCTAssertEqual(paneModes("ctrlc"), "keypad=0 keypad_cursor=0 alternate=0 cursor=1")
    }

    /// The terminal goes away (SSH drops): the console ends instead of spinning as an orphan.
    /// With `setsid -w` the console has no controlling terminal, so no SIGHUP reaches it:
    /// only the hung-up tty (POLLHUP, EOF, EIO) tells it.
    func testKilledSessionEndsConsole() throws {
        let (db, _) = try seed()
        for (name, prefix) in [("drop", ""), ("nohup", "setsid -w ")] {
            let pid = try startWrapped(name, "console --db \(db) --lang en", prefix: prefix)
            XCTAssertTrue(pid > 0 && kill(pid, 0) == 0, "console not running")
            let t0 = Date()
            sh("tmux -L \(socket) kill-session -t \(name)")
            XCTAssertTrue(waitGone(pid, timeout: 10), "\(name): console still running after its terminal went away")
            print(String(format: "\(name): console gone %.2f s after tmux kill-session", Date().timeIntervalSince(t0)))
            if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
        }
    }

    /// `gatewatch demo`: the first SIGINT stops console and pipeline with the terminal restored;
    /// a killed session ends the whole demo too.
    func testDemoStopsOnFirstSignalAndOnLostTerminal() throws {
        let home = ProcessInfo.processInfo.environment["HOME"] ?? "/root"   // the sprite cache of earlier runs
        let db = dir.appendingPathComponent("demo.sqlite").path
        var pid = try startWrapped("demo", "demo --db \(db) --lang en", ready: "Khu du lịch Demo", home: home, timeout: 120)
        XCTAssertTrue(waitFor("demo", "live", timeout: 60), "feeds never went live:\n\(capture("demo"))")
        kill(pid, SIGINT)
        XCTAssertTrue(waitGone(pid, timeout: 15), "demo did not exit on the first SIGINT")
        XCTAssertTrue(waitFor("demo", "demo stopped"), capture("demo"))
        assertRestored("demo", status: 130)

        pid = try startWrapped("demo2", "demo --db \(db) --lang en", prefix: "setsid -w ", ready: "Khu du lịch Demo", home: home, timeout: 120)
        XCTAssertTrue(waitFor("demo2", "live", timeout: 60), capture("demo2"))
        sh("tmux -L \(socket) kill-session -t demo2")
        XCTAssertTrue(waitGone(pid, timeout: 15), "demo still running after its terminal went away")
        if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
    }
}
