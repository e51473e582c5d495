import GateCore
import XCTest
@testable import GateConsole

/// History at 80x24: the header is never overwritten, the day's total is always on screen,
/// and crossings say in/out with words.
extension SnapshotTests {
    func testScrollMarkNeverOverwritesHeader() {
        let cols = [Widgets.Column("Hour", 11), Widgets.Column("In", 7, right: true), Widgets.Column("Out", 7, right: true),
                    Widgets.Column("Net", 7, right: true)]
        let rows = (0..<30).map { ["\($0)", "1", "2", "3"] }
        for width in 35...50 {
            for selected in [0, 9, 12, 29] {
                var g = Grid(width: width, height: 10)
                Widgets.table(&g, Rect(x: 0, y: 0, w: width, h: 10), columns: cols, rows: rows, selected: selected)
                let header = g.rowText(0)
                XCTAssertTrue(header.hasPrefix("Hour             In     Out     Net"), "width \(width), selected \(selected): \(header)")
                if header.count > 35 { XCTAssertTrue(header.hasSuffix("\(selected + 1)/30"), header) }
            }
        }
    }

    func testHistoryTotalAlwaysOnScreen() throws {
        for lang in Language.allCases {
            for selected in [0, 12, 23] {
                let text = try render(.history, 80, 24, lang) { $0.selection[.history] = selected }
                let total = Strings(lang).total
                XCTAssertTrue(text.split(separator: "\n").contains { $0.hasPrefix(" \(total) ") }, "selected \(selected):\n\(text)")
                XCTAssertTrue(text.contains(String(format: "%02d:00-", selected)), text)
            }
        }
    }

    func testCrossingsSayInAndOutInWords() throws {
        let en = try render(.gate, 80, 24, .en)
        XCTAssertFalse(en.contains("↑") || en.contains("↓"), en)
        XCTAssertTrue(en.contains(" in ") && en.contains(" out "), en)
        let vi = try render(.gate, 80, 24, .vi)
        XCTAssertTrue(vi.contains(" vào ") && vi.contains(" ra "), vi)
    }
}
