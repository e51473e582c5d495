import XCTest
@testable import GateConsole

/// The screen keys as typed in a real terminal: filter words with and without marks,
/// sorting, and History's total at 80x24.
extension TmuxEndToEndTests {
    func testFilterSortAndHistoryTotalAt80x24() throws {
        let (db, _) = try seed()
        let pid = try startConsole("keys", db: db, lang: "vi")
        keys("keys", "3")
        XCTAssertTrue(waitFor("keys", "mở: 3"), capture("keys"))
        for typed in ["mất camera", "mat camera", "nghiem trong"] {
            keys("keys", "/")
            keys("keys", "-l " + q(typed))
            keys("keys", "Enter")
            XCTAssertTrue(waitFor("keys", "Camera cáp treo không có khung hình"), "\(typed):\n\(capture("keys"))")
            XCTAssertFalse(capture("keys").contains("72 lượt vào"), "\(typed) kept other alerts:\n\(capture("keys"))")
            keys("keys", "Escape")
        }
        keys("keys", "/"); keys("keys", "zzz"); keys("keys", "Enter")
        XCTAssertTrue(waitFor("keys", "Không có mục nào khớp 'zzz'"), capture("keys"))
        keys("keys", "Escape")

        keys("keys", "s")   // severity
        XCTAssertTrue(waitFor("keys", "Mức↓"), capture("keys"))
        let rows = capture("keys").split(separator: "\n").map(String.init)
        let first = rows.firstIndex { $0.contains("Mức↓") }.map { rows[$0 + 1] } ?? ""
        XCTAssertTrue(first.contains("nghiêm trọng"), capture("keys"))

        keys("keys", "4")
        XCTAssertTrue(waitFor("keys", "Theo giờ ngày"), capture("keys"))
        XCTAssertTrue(capture("keys").contains(" Tổng "), capture("keys"))
        keys("keys", "G")   // the last hour: the total is still on screen, the header whole
        XCTAssertTrue(waitFor("keys", "23:00-24:00"), capture("keys"))
        XCTAssertTrue(capture("keys").contains(" Tổng "), capture("keys"))
        XCTAssertTrue(capture("keys").contains("Chênh"), capture("keys"))
        keys("keys", "q")
        XCTAssertTrue(waitGone(pid))
    }
}
