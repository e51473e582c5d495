import GateCore
import XCTest
@testable import GateConsole

/// The console's whole loop (keys, screens, popups, the filter prompt, quitting, resizing) run
/// against a scripted terminal: keys in, grids out, no tmux. The tmux tests stay as the
/// end-to-end layer over the real terminal.
final class ConsoleLoopTests: XCTestCase {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    var dir = ""
    var db = ""

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-loop-\(getpid())-\(UUID().uuidString.prefix(6))").path
        try FileManager.default.createDirectory(atPath: dir + "/suites", withIntermediateDirectories: true)
        db = dir + "/site.db"
        try SeedDatabase.create(at: db)
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    /// The console as `gatewatch console --db site.db --lang en` makes it, on a pinned clock,
    /// with its themes, settings and suites kept in the test's folder.
    func console(_ lang: Language = .en) throws -> ConsoleController {
        var options = ConsoleOptions(dbPath: db, language: lang, themeDirectories: [Self.repo.appendingPathComponent("themes").path],
                                     exportDirectory: dir, suiteDirectories: [dir + "/suites"])
        options.settingsPath = dir + "/console.conf"
        let c = try makeController(options)
        c.clock = { SeedDatabase.fixedNow }
        return c
    }

    /// Runs the console over `script` at `w`x`h`; returns the terminal and why the console ended.
    func run(_ script: [ScriptedBackend.Step], w: Int = 80, h: Int = 24, lang: Language = .en,
             utf8: Bool = true, asciiReason: AsciiReason? = nil) throws -> (ScriptedBackend, ConsoleEnd) {
        let t = ScriptedBackend(script, width: w, height: h, utf8: utf8, asciiReason: asciiReason)
        let end = try console(lang).run(t)
        return (t, end)
    }

    func testNumberKeysAndTabSwitchScreens() throws {
        let (t, end) = try run(ScriptedBackend.keys(.char("3"), .tab, .tab, .backTab, .char("6"), .tab, .char("2")))
        XCTAssertEqual(end, .terminalLost, "the script ran out, nothing quit")
        XCTAssertEqual(t.frames.first?.activeTab, "1 Overview")
        let tabs = (0..<7).map { t.seen.count > $0 + 1 ? t.seen[$0 + 1]?.activeTab : t.frames.last?.activeTab }
        XCTAssertEqual(tabs, ["3 Alerts", "4 History", "5 Tests", "4 History", "6 Health", "1 Overview", "2 Gate"])
        XCTAssertTrue(t.after(0).contains("open: 3  acked: 1  Total: 5"), t.after(0))
        XCTAssertTrue(t.after(1).contains("Hourly for 2026-11-23"), t.after(1))
        XCTAssertTrue(t.after(2).contains("\(dir)/suites  (no scenario files"), t.after(2))
        XCTAssertTrue(t.after(4).contains("cap/proc"), t.after(4))
        XCTAssertTrue(t.after(5).contains("Occupancy:"), t.after(5))
        XCTAssertTrue(t.screen.contains("Gate 1/3: Cổng chính"), t.screen)
    }

    func testEnterOpensAndEscClosesTheDetailAndQClosesItBeforeQuitting() throws {
        let (t, end) = try run(ScriptedBackend.keys(.char("3"), .down, .enter, .escape, .enter, .char("q"), .char("q"), .char("1")))
        XCTAssertEqual(end, .quit)
        XCTAssertEqual(t.unread, 1, "the second q quits; the key after it is never read")
        let box = "┌─ #1 capacity ─"   // the popup; the box under the table says "#1 capacity · site"
        XCTAssertFalse(t.after(1).contains(box), t.after(1))
        XCTAssertTrue(t.after(2).contains(box), t.after(2))
        XCTAssertTrue(t.after(2).contains("Enter/Esc"), t.after(2))
        XCTAssertFalse(t.after(3).contains(box), "Esc closes the detail:\n" + t.after(3))
        XCTAssertTrue(t.after(4).contains(box), t.after(4))
        XCTAssertFalse(t.after(5).contains(box), "q closes the detail first:\n" + t.after(5))
        XCTAssertEqual(t.frames[t.frames.count - 1].activeTab, "3 Alerts")
    }

    func testTypedFilterNarrowsTheRowsAndEscBringsThemBack() throws {
        let script = ScriptedBackend.keys(.char("3"), .char("/")) + ScriptedBackend.type("mat camera")
            + ScriptedBackend.keys(.enter, .escape)
        let (t, _) = try run(script)
        let all = t.after(0), typing = t.after(11), applied = t.after(12), cleared = t.after(13)
        for id in ["2 critical", "1 warning", "5 info"] { XCTAssertTrue(all.contains(id), all) }
        XCTAssertTrue(typing.contains(" Filter: mat camera_"), "the prompt shows what is typed:\n" + typing)
        XCTAssertTrue(applied.contains("2 critical"), applied)
        XCTAssertFalse(applied.contains("1 warning"), applied)
        XCTAssertFalse(applied.contains("5 info"), applied)
        XCTAssertTrue(applied.contains(" Filter: mat camera  (Esc)"), "the filter in force is said:\n" + applied)
        XCTAssertTrue(cleared.contains("5 info"), cleared)
        XCTAssertFalse(cleared.contains("Filter:"), cleared)
        // While typing, letters go to the prompt: "3" or "q" do not switch screens or quit.
        let (u, end) = try run(ScriptedBackend.keys(.char("/")) + ScriptedBackend.type("q6") + ScriptedBackend.keys(.escape))
        XCTAssertEqual(end, .terminalLost)
        XCTAssertEqual(u.frames.last?.activeTab, "1 Overview")
        XCTAssertTrue(u.after(2).contains(" Filter: q6_"), u.after(2))
    }

    func testQAndShiftQQuit() throws {
        for q in ["q", "Q"] {
            let (t, end) = try run(ScriptedBackend.keys(.char("4"), .char(Character(q)), .char("5")))
            XCTAssertEqual(end, .quit, q)
            XCTAssertEqual(t.unread, 1, q)
            XCTAssertEqual(t.frames.last?.activeTab, "4 History", q)
        }
    }

    /// Ctrl-C reaches the console as SIGINT (cbreak mode): it ends at once, by that signal.
    func testCtrlCEndsTheConsoleBySIGINT() throws {
        let (t, end) = try run(ScriptedBackend.keys(.char("3")) + [.signal(SIGINT)] + ScriptedBackend.keys(.char("4")))
        XCTAssertEqual(end, .signal(SIGINT))
        XCTAssertEqual(end.exitSignal, SIGINT)
        XCTAssertEqual(t.unread, 1, "nothing is read after the signal")
        XCTAssertEqual(t.frames.last?.activeTab, "3 Alerts")
    }

    func testResizeTo200x60AndBackTo80x24() throws {
        let (t, _) = try run([.key(.char("6")), .resize(w: 200, h: 60), .resize(w: 80, h: 24), .key(.char("1")),
                              .resize(w: 60, h: 20), .resize(w: 80, h: 24)])
        XCTAssertEqual(t.invalidations, 4, "every resize redraws the whole screen")
        let big = try XCTUnwrap(t.seen[2])
        XCTAssertEqual([big.width, big.height], [200, 60])
        // Wide terminals get the queue and fps-history columns on Health.
        XCTAssertTrue(big.text().contains("Queue"), big.text())
        XCTAssertFalse(t.after(0).contains("Queue"), t.after(0))
        let small = try XCTUnwrap(t.seen[3])
        XCTAssertEqual([small.width, small.height], [80, 24])
        // Back at 80x24 the Overview is drawn exactly as its snapshot, but for the theme's
        // name in the status bar (the snapshot's context names it "default", the console "dark").
        let snapshot = try String(contentsOf: SnapshotTests.dir.appendingPathComponent("overview-80x24-en.txt"), encoding: .utf8)
        let overview = snapshot.replacingOccurrences(of: "Pipeline live · default     ", with: "Pipeline live · dark        ")
        XCTAssertNotEqual(overview, snapshot)
        XCTAssertEqual(t.after(3), overview)
        XCTAssertTrue(t.after(4).contains("need at least 80x24, now 60x20"), "too small says its size:\n" + t.after(4))
        XCTAssertEqual(t.screen, overview)
    }

    func testAcknowledgeAnAlertThroughThePrompts() throws {
        let script = ScriptedBackend.keys(.char("3"), .char("a")) + ScriptedBackend.type("da goi ky thuat")
            + ScriptedBackend.keys(.enter) + ScriptedBackend.keys(.enter)
        let (t, _) = try run(script)
        XCTAssertTrue(t.after(1).contains(" Acknowledge note #2: _"), t.after(1))
        XCTAssertTrue(t.after(16).contains(" Acknowledge note #2: da goi ky thuat_"), t.after(16))
        XCTAssertTrue(t.after(17).contains(" Acknowledged by: "), "Enter on the note asks who:\n" + t.after(17))
        XCTAssertTrue(t.screen.contains("Alert #2 acknowledged"), t.screen)
        XCTAssertTrue(t.screen.contains("open: 2  acked: 2"), t.screen)
    }

    func testThemeAndLanguageKeys() throws {
        let (t, _) = try run(ScriptedBackend.keys(.char("t"), .char("L")))
        XCTAssertEqual(t.themes.count, 2, "t applies the next theme to the terminal")
        XCTAssertNotEqual(t.themes[0], t.themes[1])
        XCTAssertTrue(t.after(0).contains("Theme: "), t.after(0))
        XCTAssertTrue(t.screen.contains("1 Tổng quan"), "L switches to Vietnamese:\n" + t.screen)
        let saved = try String(contentsOfFile: dir + "/console.conf", encoding: .utf8)
        XCTAssertTrue(saved.contains(t.themes[1]), saved)
    }

    func testHelpOpensAndAnyKeyClosesIt() throws {
        let (t, end) = try run(ScriptedBackend.keys(.char("?"), .char("q"), .char("q")))
        XCTAssertEqual(end, .quit)
        XCTAssertTrue(t.after(0).contains("Press any key to close"), t.after(0))
        XCTAssertFalse(t.after(1).contains("Press any key to close"), t.after(1))
        XCTAssertNotEqual(t.after(0), t.after(1), "the first q closes help, not the console")
    }

    func testNonUTF8TerminalGetsASCIIAndIsToldWhy() throws {
        let (t, _) = try run(ScriptedBackend.keys(.char("3")), utf8: false, asciiReason: .notUTF8("C"))
        for f in t.frames { XCTAssertTrue(f.text().unicodeScalars.allSatisfy(\.isASCII), f.text()) }
        XCTAssertTrue(t.frames[0].text().contains("Khu du lich Nui Ba Den"), t.frames[0].text())
        XCTAssertTrue(t.frames[0].text().contains("Locale C is not UTF-8"), "the footer says why the text is plain:\n" + t.frames[0].text())
    }
}
