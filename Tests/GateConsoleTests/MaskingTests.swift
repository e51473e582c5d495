import GateCore
import XCTest
@testable import GateConsole

/// A camera URL with credentials never reaches the screen: Health (row, popup), Overview's
/// feed table, alert texts, and the filter cannot find the password either.
extension SnapshotTests {
    static let secretURL = "rtsp://admin:Secret123@10.0.0.5:554/Streaming/Channels/101"

    static func withSecrets(_ s: inout ConsoleSnapshot) {
        s.feeds[0].source = secretURL
        s.feeds[0].health?.lastError = "cannot open \(secretURL) (Connection refused)"
        s.alerts[0].message = "Feed lost: \(secretURL)"
        s.alerts[0].messageVi = "Mất camera: \(secretURL)"
    }

    func testCameraPasswordNeverShown() throws {
        var shown: [String] = []
        for lang in Language.allCases {
            for (w, h) in [(80, 24), (160, 48)] {
                shown.append(try render(.health, w, h, lang, data: Self.withSecrets))
                shown.append(try render(.health, w, h, lang, configure: { $0.detailOpen = true }, data: Self.withSecrets))
                shown.append(try render(.overview, w, h, lang, data: Self.withSecrets))
                shown.append(try render(.alerts, w, h, lang, data: Self.withSecrets))
                shown.append(try render(.alerts, w, h, lang, configure: { $0.detailOpen = true }, data: Self.withSecrets))
            }
        }
        for text in shown { XCTAssertFalse(text.contains("Secret123"), text) }
        // What is shown instead: user and host kept, the password starred.
        let popup = try render(.health, 160, 48, .en, configure: { $0.detailOpen = true }, data: Self.withSecrets)
        XCTAssertTrue(popup.contains("Source: rtsp://admin:***@10.0.0.5:554/Streaming/Channels/101"), popup)
        XCTAssertTrue(popup.contains("cannot open rtsp://admin:***@10.0.0.5"), popup)
    }

    func testScenarioDetailMasked() throws {
        let text = try render(.tests, 160, 48, .en, configure: { $0.selection[.tests] = 1; $0.detailOpen = true }, data: { s in
            s.testRuns[1].results[0].verdict = .known(.fail)
            s.testRuns[1].results[0].detail = "source \(Self.secretURL) gave no frames"
        })
        XCTAssertFalse(text.contains("Secret123"), text)
        XCTAssertTrue(text.contains("rtsp://admin:***@10.0.0.5"), text)
    }

    func testFilterDoesNotFindPassword() throws {
        var snap = try firstLoad()
        Self.withSecrets(&snap)
        XCTAssertEqual(Lists.feeds(snap, filter: "Secret123").count, 0)
        XCTAssertEqual(Lists.feeds(snap, filter: "10.0.0.5").count, 1)
    }

    func testMaskedKeepsTextAroundURLs() {
        XCTAssertEqual(Shown.masked("no url here"), "no url here")
        XCTAssertEqual(Shown.masked("open 'rtsp://u:p@h/x' failed; http://a:b@c/ too"), "open 'rtsp://u:***@h/x' failed; http://a:***@c/ too")
        XCTAssertEqual(Shown.masked("rtsp://h/x"), "rtsp://h/x")
    }
}
