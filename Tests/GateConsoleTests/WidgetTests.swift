import GateCore
import XCTest
@testable import GateConsole
@testable import GateStore

final class TextWidthTests: XCTestCase {
    func testVietnameseWidths() {
        XCTAssertEqual(TextWidth.of("Đề án 06"), 8)                    // precomposed
        XCTAssertEqual(TextWidth.of("e\u{0302}\u{0300}"), 1)          // e + circumflex + grave, decomposed
        XCTAssertEqual(TextWidth.of("Sức khỏe"), 8)
        XCTAssertEqual(TextWidth.of("Khu du lịch Núi Bà Đen"), 22)
        XCTAssertEqual(TextWidth.of("Nghie\u{0302}\u{0300}m"), 6)   // "Nghiềm" decomposed
    }

    func testEastAsianWideAndZeroWidth() {
        XCTAssertEqual(TextWidth.of("中文"), 4)
        XCTAssertEqual(TextWidth.of("한국"), 4)
        XCTAssertEqual(TextWidth.of("a\u{200B}b"), 2)
        XCTAssertEqual(TextWidth.of("\t"), 0)
    }

    func testVietnameseAsciiFold() {
        XCTAssertEqual(TextWidth.asciiFold("Khu du lịch Núi Bà Đen"), "Khu du lich Nui Ba Den")
        XCTAssertEqual(TextWidth.asciiFold("Sức khỏe · Cảnh báo"), "Suc khoe * Canh bao")
        XCTAssertEqual(TextWidth.asciiFold("đường Ưu tiên ỞỮỰ"), "duong Uu tien OUU")
        XCTAssertEqual(TextWidth.asciiFold("e\u{0302}\u{0300}"), "e")
        XCTAssertEqual(TextWidth.asciiFold("中"), "?")
    }

    func testTruncateAndPad() {
        XCTAssertEqual(TextWidth.truncate("Cổng phụ Đông", to: 8), "Cổng ph…")
        XCTAssertEqual(TextWidth.truncate("Cổng phụ Đông", to: 8, ascii: true), "Cổng ph~")
        XCTAssertEqual(TextWidth.pad("中文", to: 5, right: true), " 中文")
        XCTAssertEqual(TextWidth.truncate("中文字", to: 4), "中…")
        XCTAssertEqual(TextWidth.of(TextWidth.pad("Đề án", to: 10)), 10)
    }
}

final class GridTests: XCTestCase {
    func testWideCharactersTakeTwoCellsAndClip() {
        var g = Grid(width: 6, height: 1)
        XCTAssertEqual(g.put("a中文b", x: 0, y: 0), 6)
        XCTAssertEqual(g.rowText(0), "a中文b")
        XCTAssertEqual(g[1, 0].width, 2)
        XCTAssertEqual(g[2, 0].width, 0)
        // Overwriting the right half of a wide char blanks its left half.
        g.put("x", x: 2, y: 0)
        XCTAssertEqual(g.rowText(0), "a x文b")
        // A wide char that does not fit in the last column becomes a space.
        var h = Grid(width: 3, height: 1)
        XCTAssertEqual(h.put("ab中", x: 0, y: 0), 3)
        XCTAssertEqual(h.rowText(0), "ab")
    }

    func testAsciiGridFoldsEverything() {
        var g = Grid(width: 20, height: 3, ascii: true)
        g.box(Rect(x: 0, y: 0, w: 20, h: 3), title: "Sức khỏe")
        g.put("Đề án", x: 2, y: 1)
        XCTAssertEqual(g.text(), "+- Suc khoe -------+\n| De an            |\n+------------------+\n")
    }
}

final class WidgetTests: XCTestCase {
    func testGaugeRendering() {
        XCTAssertEqual(Widgets.barString(fraction: 0.5, width: 10, glyphs: .unicode), "█████░░░░░")
        XCTAssertEqual(Widgets.barString(fraction: 1.7, width: 4, glyphs: .ascii), "####")
        XCTAssertEqual(Widgets.barString(fraction: -1, width: 3, glyphs: .ascii), "...")
        XCTAssertEqual(Widgets.barString(fraction: .nan, width: 3, glyphs: .ascii), "...")
        var g = Grid(width: 30, height: 1)
        Widgets.gauge(&g, Rect(x: 0, y: 0, w: 30, h: 1), fraction: 0.25, label: "25% đầy", role: .ok)
        XCTAssertEqual(g.rowText(0), "[█████░░░░░░░░░░░░░░░] 25% đầy")
        XCTAssertEqual(g[1, 0].role, .ok)
        XCTAssertEqual(g[10, 0].role, .dim)
    }

    func testSparkline() {
        XCTAssertEqual(Widgets.sparkline([0, 1, 2, 4, 8], width: 5, glyphs: .unicode), " ▁▂▄█")
        XCTAssertEqual(Widgets.sparkline([0, 0], width: 4, glyphs: .unicode), "    ")
        XCTAssertEqual(Widgets.sparkline([1, 100], width: 2, glyphs: .unicode), "▁█")   // small but non-zero still shows
        XCTAssertEqual(Widgets.sparkline([5, 6, 7, 8], width: 2, glyphs: .ascii), "*#")  // keeps the newest values
    }

    func testBarChartScalesToTallest() {
        var g = Grid(width: 6, height: 4)
        Widgets.barChart(&g, Rect(x: 0, y: 0, w: 6, h: 4), values: [3, 0, 6], labels: ["a", "b", "c"])
        // 3 of 6 on a 3-row chart is a row and a half: a full block under a half block.
        XCTAssertEqual(g.text(), "6   █\n▄   █\n█   █\na b c\n")
    }

    func testTableKeepsSelectionVisible() {
        var g = Grid(width: 12, height: 4)
        let rows = (1...10).map { ["r\($0)", "\($0 * 10)"] }
        Widgets.table(&g, Rect(x: 0, y: 0, w: 12, h: 4), columns: [.init("N", 4), .init("V", 0, right: true)], rows: rows, selected: 7)
        XCTAssertEqual(g.rowText(1), "r6        60")
        XCTAssertEqual(g.rowText(3), "r8        80")
        XCTAssertEqual(g[0, 3].role, .selected)
    }

    func testTextInputTakesVietnamese() {
        var t = TextInput(label: "Ghi chú")
        for c in "đã kiểm tra" { XCTAssertEqual(t.handle(.char(c)), .editing) }
        XCTAssertEqual(t.handle(.backspace), .editing)
        XCTAssertEqual(t.text, "đã kiểm tr")
        XCTAssertEqual(t.handle(.enter), .done)
    }
}

final class ThemeTests: XCTestCase {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../themes").standardized.path

    func testShippedThemesParse() throws {
        for id in ["default", "light", "high-contrast", "monochrome"] {
            let t = try Theme.load(id, dirs: [Self.themes])
            XCTAssertEqual(t.id, id)
            for r in Role.allCases { XCTAssertNotNil(t.styles[r], "\(id) lacks \(r.rawValue)") }
        }
        XCTAssertEqual(Theme.available(in: [Self.themes]).prefix(4), ["default", "light", "high-contrast", "monochrome"])
        XCTAssertEqual(try Theme.load("default", dirs: [Self.themes]).styles, Theme.builtinDefault.styles)
    }

    func testColourFallbacksAndErrors() throws {
        let t = try Theme.parse("normal = 196 21/blue bold\nwarn = yellow", id: "x", file: "x.theme")
        XCTAssertEqual(t.style(.normal).fg, ThemeColor(c256: 196, c8: 1))
        XCTAssertEqual(t.style(.normal).bg, ThemeColor(c256: 21, c8: 4))
        XCTAssertTrue(t.style(.normal).bold)
        XCTAssertEqual(t.style(.warn).fg.c8, 3)
        XCTAssertThrowsError(try Theme.parse("\nnormal = 300", id: "x", file: "x.theme")) {
            XCTAssertTrue("\($0)".hasPrefix("x.theme:2: `300` is not a colour"), "\($0)")
        }
        XCTAssertThrowsError(try Theme.parse("sparkle = red", id: "x", file: "y.theme")) {
            XCTAssertTrue("\($0)".contains("y.theme:1: unknown role `sparkle`"), "\($0)")
        }
        XCTAssertThrowsError(try Theme.load("nope", dirs: [Self.themes]))
    }
}

final class StateTests: XCTestCase {
    func testLanguageResolution() {
        XCTAssertEqual(Language.resolve("en", env: ["LANG": "vi_VN.UTF-8"]), .en)
        XCTAssertEqual(Language.resolve(nil, env: ["LANG": "en_US.UTF-8"]), .en)
        XCTAssertEqual(Language.resolve(nil, env: ["LC_ALL": "vi_VN.UTF-8", "LANG": "en_US.UTF-8"]), .vi)
        XCTAssertEqual(Language.resolve(nil, env: ["LANG": "C.UTF-8"]), .vi)
        XCTAssertNil(Language.resolve("fr", env: [:]))
    }

    func snapshotWithAlerts() -> ConsoleSnapshot {
        var s = ConsoleSnapshot()
        s.alerts = [AlertRow(id: 7, kind: StoredValue(rawValue: "offline"), subjectId: "cam-1", severity: .known(.critical),
                             state: .known(.open), message: "no frames", value: nil, raisedMs: 0, updatedMs: 0, occurrences: 1),
                    AlertRow(id: 8, kind: StoredValue(rawValue: "surge"), subjectId: "gate-a", severity: .known(.info),
                             state: .known(.acknowledged), message: "busy", value: nil, raisedMs: 0, updatedMs: 0, occurrences: 1)]
        return s
    }

    func testScreensTabHelpAndQuit() {
        var st = ConsoleState(language: .vi, userName: "lan")
        XCTAssertEqual(st.handle(.char("3"), snapshot: nil, now: 0), [])
        XCTAssertEqual(st.screen, .alerts)
        _ = st.handle(.tab, snapshot: nil, now: 0); XCTAssertEqual(st.screen, .history)
        _ = st.handle(.backTab, snapshot: nil, now: 0); _ = st.handle(.backTab, snapshot: nil, now: 0)
        XCTAssertEqual(st.screen, .gate)
        _ = st.handle(.char("?"), snapshot: nil, now: 0); XCTAssertTrue(st.showHelp)
        _ = st.handle(.char("q"), snapshot: nil, now: 0); XCTAssertFalse(st.showHelp)  // any key closes help
        XCTAssertEqual(st.handle(.char("q"), snapshot: nil, now: 0), [.quit])
    }

    func testAcknowledgeFlowWithNoteAndName() {
        let snap = snapshotWithAlerts()
        var st = ConsoleState(language: .en, userName: "lan")
        _ = st.handle(.char("3"), snapshot: snap, now: 0)
        for c in "cáp" { _ = st.handle(.char(c), snapshot: snap, now: 0) }   // not in input mode: ignored keys
        XCTAssertEqual(st.handle(.char("a"), snapshot: snap, now: 0), [])
        guard case .ackNote(7, _)? = st.input else { return XCTFail("expected note prompt, got \(String(describing: st.input))") }
        for c in "đã gọi kỹ thuật" { _ = st.handle(.char(c), snapshot: snap, now: 0) }
        XCTAssertEqual(st.handle(.enter, snapshot: snap, now: 0), [])
        XCTAssertEqual(st.handle(.enter, snapshot: snap, now: 0), [.acknowledge(alertId: 7, by: "lan", note: "đã gọi kỹ thuật")])
        XCTAssertNil(st.input)
        // The acknowledged one cannot be acknowledged again.
        _ = st.handle(.down, snapshot: snap, now: 0)
        XCTAssertEqual(st.handle(.char("a"), snapshot: snap, now: 0), [])
        XCTAssertNil(st.input)
        XCTAssertEqual(st.message, "Alert #8 is no longer open")
    }

    func testFilterNarrowsListAndSelectionClamps() {
        let snap = snapshotWithAlerts()
        var st = ConsoleState(language: .en, userName: "x")
        _ = st.handle(.char("3"), snapshot: snap, now: 0)
        _ = st.handle(.char("/"), snapshot: snap, now: 0)
        for c in "busy" { _ = st.handle(.char(c), snapshot: snap, now: 0) }
        _ = st.handle(.enter, snapshot: snap, now: 0)
        XCTAssertEqual(Lists.alerts(snap, filter: st.filter).map(\.id), [8])
        _ = st.handle(.down, snapshot: snap, now: 0)
        XCTAssertEqual(st.selected, 0)
        _ = st.handle(.escape, snapshot: snap, now: 0)
        XCTAssertEqual(st.filter, "")
        // Filters fold diacritics: "canh bao" finds "Cảnh báo".
        XCTAssertTrue(Lists.matches("canh bao", ["Cảnh báo"]))
    }
}
