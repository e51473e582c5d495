import Foundation
import XCTest
import GateCore
import GateSynth
import GateVision
@testable import GateRuntime

/// A feed's `source:` of any kind is built in one place: scenes by GateSynth, the rest by GateVision.
final class FeedSourcesTests: XCTestCase {
    func testSceneURIsBecomeSyntheticSourcesWithTheFeedsFlags() throws {
        let source = try makeFeedSource(uri: "synthetic:kind=pairs,frames=20", realtime: true, loop: true, openNow: false)
        let scene = try XCTUnwrap(source as? SyntheticSource)
        XCTAssertTrue(scene.spec.realtime && scene.spec.loop, "the feed's realtime and loop reach the scene")
        XCTAssertTrue(source.isLive)
    }

    func testBadSceneAndMissingFileAreOneLineEach() {
        XCTAssertThrowsError(try makeFeedSource(uri: "synthetic:kind=nope", realtime: false, loop: false, openNow: false)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("nope") && !text.contains("\n"), text)
        }
        XCTAssertThrowsError(try makeFeedSource(uri: "/nonexistent/dir/clip.avi", realtime: false, loop: false)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/dir/clip.avi"), "\(error)")
        }
        XCTAssertNotNil(SourceCheck.problem("synthetic:kind=nope"))
        XCTAssertNil(SourceCheck.problem("synthetic:kind=pairs"))
    }
}
