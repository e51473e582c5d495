import XCTest
@testable import GateConsole

/// Long text is wrapped where it matters (popups, the alert box, banners), never silently cut.
extension SnapshotTests {
    func testWrapBreaksAtSpacesAndCutsLongWords() {
        XCTAssertEqual(TextWidth.wrap("một hai ba bốn năm", width: 7), ["một hai", "ba bốn", "năm"])
        XCTAssertEqual(TextWidth.wrap("abcdefghij", width: 4), ["abcd", "efgh", "ij"])
        XCTAssertEqual(TextWidth.wrap("a\nb", width: 10), ["a", "b"])
        XCTAssertEqual(TextWidth.wrap("文字文字", width: 3), ["文", "字", "文", "字"])
        XCTAssertEqual(TextWidth.wrap("x", width: 1), ["x"])
        XCTAssertEqual(TextWidth.wrap("see /a/very/long/path/name ok", width: 16), ["see /a/very/long", "/path/name ok"])
    }

    static let longError = "cannot open stream rtsp://10.0.0.11/stream after 5 attempts over 2 minutes: the camera answered with an error; last cause: Connection refused"
    static let longAlert = "Camera cáp treo không có khung hình 45 s; đã thử nối lại 12 lần, lần cuối lúc 10:29:15; kiểm tra nguồn điện và cáp mạng của camera ở ga trên, rồi gọi kỹ thuật viên trực ca"

    /// The rows of the screen joined with their line breaks removed at the popup's border.
    func popupText(_ text: String) -> String {
        text.split(separator: "\n").map { $0.replacingOccurrences(of: "│", with: " ").trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }

    func testFeedErrorShownInFullWithEnter() throws {
        let text = try render(.health, 80, 24, .en, configure: { $0.detailOpen = true },
                              data: { $0.feeds[0].health?.lastError = Self.longError })
        XCTAssertTrue(popupText(text).contains("last cause: Connection refused"), text)
    }

    func testAlertMessageWrappedInPopupAndBox() throws {
        // Alert 2 (the offline camera) is the first row of the Alerts screen.
        let data: (inout ConsoleSnapshot) -> Void = { s in
            s.alerts[s.alerts.firstIndex { $0.id == 2 }!].messageVi = Self.longAlert
        }
        let popup = try render(.alerts, 80, 24, .vi, configure: { $0.detailOpen = true }, data: data)
        XCTAssertTrue(popupText(popup).contains("rồi gọi kỹ thuật viên trực ca"), popup)
        let box = try render(.alerts, 160, 48, .vi, data: data)
        XCTAssertTrue(popupText(box).contains("rồi gọi kỹ thuật viên trực ca"), box)
    }

    func testLongBannerWraps() throws {
        let path = "/var/lib/gatewatch/sites/khu-du-lich-nui-ba-den/2026/gatewatch-production.sqlite"
        let st = ConsoleState(language: .en, userName: "t")
        let text = Renderer.frame(width: 80, height: 24, ascii: false, state: st,
                                  ctx: RenderContext(now: SeedDatabase.fixedNow, snapshot: nil, problem: .missing(path), dbPath: path)).text()
        // Two banner lines hold it all: the path is cut where the first line ends, the rest follows.
        let rows = text.split(separator: "\n").map(String.init)
        XCTAssertTrue((rows[2] + rows[3]).replacingOccurrences(of: "   ", with: "").contains("\(path) not found — retrying"), text)
        XCTAssertTrue(TextWidth.wrap("Database \(path) not found", width: 76).first!.hasPrefix("Database /var/lib/"))
    }
}

extension SnapshotTests {
    func testLongFooterMessageTakesTwoLinesAndCutErrorPointsToEnter() throws {
        let path = "/var/lib/gatewatch/exports/khu-du-lich-nui-ba-den/2026/11/gatewatch-2026-11-23-hourly.csv"
        let text = try render(.history, 80, 24, .en) { $0.message = Strings(.en).exportFileFailed(path, "permission denied") }
        let rows = text.split(separator: "\n").map(String.init)
        XCTAssertTrue((rows[21] + rows[22]).contains("permission denied"), text)
        let health = try render(.health, 80, 24, .en, data: { $0.feeds[0].health?.lastError = Self.longError })
        XCTAssertTrue(health.contains("(Enter)"), health)
    }
}
