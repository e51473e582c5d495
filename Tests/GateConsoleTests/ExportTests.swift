import XCTest
@testable import GateConsole

/// `e` on History asks where to write (the default filled in), writes 0600 files, and says
/// in one localized line which path failed and why.
extension SnapshotTests {
    func testExportAsksForPathWithDefault() throws {
        let snap = try firstLoad()
        var st = ConsoleState(language: .vi, userName: "t")
        st.exportDirectory = "/srv/exports"
        st.screen = .history
        XCTAssertEqual(st.handle(.char("e"), snapshot: snap, now: SeedDatabase.fixedNow), [])
        guard case .exportPath(let t)? = st.input else { return XCTFail("no path prompt: \(String(describing: st.input))") }
        XCTAssertEqual(t.text, "/srv/exports/gatewatch-\(snap.history!.day.label)")
        _ = st.handle(.char("\u{15}"), snapshot: snap, now: SeedDatabase.fixedNow)   // Ctrl-U clears
        for c in "/tmp/x" { _ = st.handle(.char(c), snapshot: snap, now: SeedDatabase.fixedNow) }
        XCTAssertEqual(st.handle(.enter, snapshot: snap, now: SeedDatabase.fixedNow), [.exportCSV("/tmp/x")])
        XCTAssertNil(st.input)
        let text = try render(.history, 80, 24, .vi) { $0.exportDirectory = "/srv/exports"; $0.input = .exportPath(t) }
        XCTAssertTrue(text.contains("Xuất CSV vào"), text)
    }
}

extension TmuxEndToEndTests {
    func testExportCSVToTypedPath() throws {
        let (db, _) = try seed()
        let pid = try startConsole("csv", db: db, w: 120, h: 30)
        keys("csv", "4")
        XCTAssertTrue(waitFor("csv", "Hourly for"), capture("csv"))
        keys("csv", "e")
        XCTAssertTrue(waitFor("csv", "Export CSV to"), capture("csv"))
        XCTAssertTrue(capture("csv").contains("/gatewatch-20"), "default path not filled in:\n\(capture("csv"))")
        let prefix = dir.appendingPathComponent("out/day").path
        try FileManager.default.createDirectory(atPath: dir.appendingPathComponent("out").path, withIntermediateDirectories: true)
        keys("csv", "C-u")
        keys("csv", "-l " + q(prefix))
        keys("csv", "Enter")
        XCTAssertTrue(waitFor("csv", "CSV exported: \(prefix)-{hourly,daily}.csv"), capture("csv"))
        for f in ["-hourly.csv", "-daily.csv"] {
            XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: prefix + f)[.posixPermissions] as? Int, 0o600, f)
        }
        XCTAssertTrue(try String(contentsOfFile: prefix + "-hourly.csv", encoding: .utf8).hasPrefix("date,hour,in,out,net\n"))

        // A folder that does not exist: one short line naming the file, no system error text.
        keys("csv", "e")
        XCTAssertTrue(waitFor("csv", "Export CSV to"), capture("csv"))
        keys("csv", "C-u")
        keys("csv", "-l " + q(dir.appendingPathComponent("missing/day").path))
        keys("csv", "Enter")
        XCTAssertTrue(waitFor("csv", "Cannot write \(dir.appendingPathComponent("missing/day").path)-hourly.csv: no such folder"), capture("csv"))
        keys("csv", "q")
        XCTAssertTrue(waitGone(pid))
    }
}
