import XCTest
@testable import GateConsole

/// The `/` filter finds what the screen shows, in either language and without Vietnamese
/// marks; it narrows every table of the screen; an empty result names the filter.
extension SnapshotTests {
    func alertIds(_ filter: String) throws -> [Int64] {
        Lists.alerts(try firstLoad(), filter: filter).map(\.id).sorted()
    }

    func testAlertFilterMatchesShownWordsInBothLanguages() throws {
        // Alert 2 is the offline camera: shown as "mất camera" / "offline", severity "nghiêm trọng" / "critical".
        for f in ["mất camera", "mat camera", "MAT CAMERA", "nghiem trong", "nghiêm trọng", "critical", "offline", "camera mat"] {
            XCTAssertEqual(try alertIds(f), [2], "filter \(f)")
        }
        XCTAssertEqual(try alertIds("đã xác nhận"), [3])
        XCTAssertEqual(try alertIds("da xac nhan"), [3])
        XCTAssertEqual(try alertIds("acked"), [3])
        XCTAssertEqual(try alertIds("tang dot bien"), [5])
        XCTAssertEqual(try alertIds("cong-chinh"), [5])
        XCTAssertEqual(try alertIds("khong co gi nhu the"), [])
    }

    func testEmptyFilterResultSaysNothingMatches() throws {
        let en = try render(.alerts, 80, 24, .en) { $0.filters[.alerts] = "zzz" }
        XCTAssertTrue(en.contains("Nothing matches 'zzz'"), en)
        XCTAssertFalse(en.contains("No alerts"), en)
        let vi = try render(.alerts, 80, 24, .vi) { $0.filters[.alerts] = "zzz" }
        XCTAssertTrue(vi.contains("Không có mục nào khớp 'zzz'"), vi)
        XCTAssertFalse(vi.contains("Không có cảnh báo"), vi)
        let overview = try render(.overview, 80, 24, .en) { $0.filters[.overview] = "zzz" }
        XCTAssertTrue(overview.contains("Nothing matches 'zzz'"), overview)
        XCTAssertFalse(overview.contains("No gates configured"), overview)
        let health = try render(.health, 80, 24, .en) { $0.filters[.health] = "zzz" }
        XCTAssertTrue(health.contains("Nothing matches 'zzz'"), health)
    }

    func testFilterAppliesToEveryTableOfTheScreen() throws {
        // Overview at 160x48 shows gates, every feed, and the newest alerts: "cap" keeps the cable-car rows only.
        let all = try render(.overview, 160, 48, .en)
        let text = try render(.overview, 160, 48, .en) { $0.filters[.overview] = "cap" }
        XCTAssertTrue(all.contains("Camera Đông"), all)
        XCTAssertTrue(text.contains("Camera cáp treo"), text)
        XCTAssertFalse(text.contains("Camera Đông"), text)     // gate, feed rows and the low-fps alert about it
        XCTAssertFalse(text.contains("72 lượt vào"), text)      // the surge alert of the main gate
        // The gate screen's feed table follows the filter as its crossings do.
        // (The picture above it shows the feed picked with f, whatever the filter.)
        let gate = try render(.gate, 160, 48, .en) { $0.filters[.gate] = "cổng 2" }
        let tables = try XCTUnwrap(gate.range(of: "\n Feed ")).upperBound
        XCTAssertFalse(gate[tables...].contains("Camera cổng 1"), gate)
        XCTAssertTrue(gate[tables...].contains("Camera cổng 2"), gate)
    }
}
