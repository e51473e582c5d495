import XCTest
@testable import GateConsole
import GateStore

/// Theme and language remembered between runs; a bad settings file is ignored with one line.
final class SettingsTests: XCTestCase {
    var dir = ""
    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-settings-\(getpid())-\(UUID().uuidString.prefix(6))").path
    }
    override func tearDown() { try? FileManager.default.removeItem(atPath: dir) }

    func testPathFollowsXDGThenHome() {
        XCTAssertEqual(ConsoleSettings.defaultPath(env: ["XDG_CONFIG_HOME": "/x/cfg", "HOME": "/home/a"]), "/x/cfg/gatewatch/console.conf")
        XCTAssertEqual(ConsoleSettings.defaultPath(env: ["XDG_CONFIG_HOME": "relative", "HOME": "/home/a"]), "/home/a/.config/gatewatch/console.conf")
        XCTAssertNil(ConsoleSettings.defaultPath(env: [:]))
    }

    func testSaveThenLoadIsPrivate() throws {
        let path = dir + "/gatewatch/console.conf"
        try ConsoleSettings(theme: "high-contrast", language: .en).save(path: path)
        let (s, problem) = ConsoleSettings.load(path: path)
        XCTAssertNil(problem)
        XCTAssertEqual(s, ConsoleSettings(theme: "high-contrast", language: .en))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir + "/gatewatch"), ["console.conf"], "temporary file left")
    }

    func testBadFilesAreIgnoredWithOneLine() throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let cases: [(String, SettingsProblem)] = [
            ("theme = light\ncolour = red\n", .unknownKey(dir + "/c.conf", 2, "colour")),
            ("language = fr\n", .badValue(dir + "/c.conf", 1, "language")),
            ("just words\n", .badLine(dir + "/c.conf", 1)),
        ]
        for (text, expected) in cases {
            try text.write(toFile: dir + "/c.conf", atomically: true, encoding: .utf8)
            let (s, problem) = ConsoleSettings.load(path: dir + "/c.conf")
            XCTAssertEqual(s, ConsoleSettings(), "a bad file gives no settings at all")
            XCTAssertEqual(problem, expected)
        }
        XCTAssertEqual(Strings(.en).settingsProblem(.unknownKey("/c.conf", 2, "colour")),
                       "/c.conf:2: unknown key 'colour' (only theme, language); settings file ignored (t or L writes a new one)")
        // Missing: nothing to say.
        XCTAssertNil(ConsoleSettings.load(path: dir + "/none.conf").1)
    }

    func testUnwritableFolderGivesShortLocalizedReason() throws {
        guard getuid() != 0 else {
            // root writes anywhere; a path through a file fails for everyone.
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            FileManager.default.createFile(atPath: dir + "/file", contents: Data())
            XCTAssertThrowsError(try Export.writeFile("a", to: dir + "/file/x.csv", keepExistingMode: false)) { e in
                XCTAssertEqual((e as? ExportError)?.code, ENOTDIR)
            }
            XCTAssertEqual(Strings(.vi).fileError(ENOTDIR), "một phần của đường dẫn không phải thư mục")
            return
        }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o500])
        XCTAssertThrowsError(try Export.writeFile("a", to: dir + "/x.csv", keepExistingMode: false)) { e in
            XCTAssertEqual((e as? ExportError)?.code, EACCES)
        }
    }
}

/// `s` cycles the sort column of the main table; the column is marked; `?` lists the key.
extension SnapshotTests {
    func testSortKeyCyclesColumns() throws {
        let snap = try firstLoad()
        var st = ConsoleState(language: .en, userName: "t")
        st.screen = .alerts
        XCTAssertEqual(Lists.alerts(snap, filter: "", sort: st.sort).map(\.id), snap.alerts.map(\.id))
        _ = st.handle(.char("s"), snapshot: snap, now: SeedDatabase.fixedNow)   // severity
        XCTAssertEqual(Lists.alerts(snap, filter: "", sort: st.sort).map(\.severity.rawValue), ["critical", "warning", "warning", "warning", "info"])
        _ = st.handle(.char("s"), snapshot: snap, now: SeedDatabase.fixedNow)   // age: newest first
        let ages = Lists.alerts(snap, filter: "", sort: st.sort).map(\.raisedMs)
        XCTAssertEqual(ages, ages.sorted(by: >))
        for _ in 0..<3 { _ = st.handle(.char("s"), snapshot: snap, now: SeedDatabase.fixedNow) }   // kind, subject, state
        XCTAssertEqual(Lists.alerts(snap, filter: "", sort: st.sort).map(\.state).first, .known(.open))
        _ = st.handle(.char("s"), snapshot: snap, now: SeedDatabase.fixedNow)   // back to the stored order
        XCTAssertNil(st.sort)

        st.screen = .health
        _ = st.handle(.char("s"), snapshot: snap, now: SeedDatabase.fixedNow)   // name
        _ = st.handle(.char("s"), snapshot: snap, now: SeedDatabase.fixedNow)   // state, worst first
        XCTAssertEqual(Lists.feeds(snap, filter: "", sort: st.sort).first?.id, "cam-cap-1")
        let text = Renderer.frame(width: 80, height: 24, ascii: false, state: st,
                                  ctx: RenderContext(now: SeedDatabase.fixedNow, snapshot: snap, dbPath: "x")).text()
        XCTAssertTrue(text.contains("State↓"), text)
        XCTAssertTrue(text.split(separator: "\n")[3].contains("Camera cáp tr"), text)

        st.screen = .history
        _ = st.handle(.char("s"), snapshot: snap, now: SeedDatabase.fixedNow)
        XCTAssertEqual(st.message, Strings(.en).notSortable)
        XCTAssertTrue(try render(.overview, 80, 24, .en) { $0.showHelp = true }.contains("cycle the sort column"))
    }
}

extension TmuxEndToEndTests {
    /// L and t are remembered for the next run (file 0600); flags still win; a bad file is
    /// ignored with one footer line.
    func testSettingsRememberedBetweenRuns() throws {
        let (db, _) = try seed()
        let file = dir.appendingPathComponent("gatewatch/console.conf").path
        var pid = try startWrapped("first", "console --db \(db)")
        XCTAssertTrue(waitFor("first", "Tổng quan"), capture("first"))   // LANG=C.UTF-8: Vietnamese first
        keys("first", "L")
        XCTAssertTrue(waitFor("first", "Overview"), capture("first"))
        keys("first", "t")
        XCTAssertTrue(waitFor("first", "Theme: "), capture("first"))
        keys("first", "q")
        XCTAssertTrue(waitGone(pid))
        let text = try String(contentsOfFile: file, encoding: .utf8)
        XCTAssertTrue(text.contains("language = en"), text)
        XCTAssertTrue(text.contains("theme = "), text)
        XCTAssertFalse(text.contains("theme = default"), "t changed the theme: \(text)")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: file)[.posixPermissions] as? Int, 0o600)

        pid = try startWrapped("second", "console --db \(db)")
        XCTAssertTrue(waitFor("second", "1 Overview"), capture("second"))
        keys("second", "q")
        XCTAssertTrue(waitGone(pid))
        pid = try startWrapped("flag", "console --db \(db) --lang vi")
        XCTAssertTrue(waitFor("flag", "1 Tổng quan"), capture("flag"))
        keys("flag", "q")
        XCTAssertTrue(waitGone(pid))

        try "theme = light\ncolour = red\n".write(toFile: file, atomically: true, encoding: .utf8)
        pid = try startWrapped("bad", "console --db \(db)")
        XCTAssertTrue(waitFor("bad", "console.conf:2: khóa lạ 'colour'"), capture("bad"))
        XCTAssertTrue(capture("bad").contains("1 Tổng quan"), "a bad file gives the defaults:\n\(capture("bad"))")
        keys("bad", "q")
        XCTAssertTrue(waitGone(pid))
    }
}
