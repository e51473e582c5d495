import Foundation
import XCTest
import GateCore
import GateVision
@testable import GateRuntime

/// A feed whose source cannot be set up does not stop the site (see RunEndToEndTests for
/// the whole run): it becomes a source that fails with the reason and its config position.
final class MissingSourceTests: XCTestCase {
    func testMissingFileBecomesAnUnavailableSourceNamingItsPlace() throws {
        var feed = FeedConfig(id: "f2", name: "Side", source: "/nonexistent/cong-phu.mp4", fps: 10, realtime: true, lines: [])
        feed.sourcePosition = "site.yaml:17:17"
        let lines = Ops.Log()
        let source = SiteRunner.source(for: feed, live: false, clock: SystemClock(), log: lines.sink)
        XCTAssertTrue(source.isLive, "retried like a camera that does not answer")
        XCTAssertThrowsError(try source.open()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("/nonexistent/cong-phu.mp4") && text.hasSuffix("(site.yaml:17:17)"), text)
        }
        XCTAssertEqual(lines.lines.count, 1)
        XCTAssertTrue(lines.lines[0].hasPrefix("feed f2: ") && lines.lines[0].contains("stays offline"), lines.lines[0])
    }

    func testPasswordInTheSourceIsMaskedInItsError() {
        let uri = "foo://admin:Secret123@cam.local/x"
        let text = UnavailableSource.message(VisionError("unsupported video source scheme 'foo' in \(uri)"), uri: uri,
                                             position: "site.yaml:3:5")
        XCTAssertFalse(text.contains("Secret123"), text)
        XCTAssertTrue(text.hasSuffix("(site.yaml:3:5)"), text)
    }
}
