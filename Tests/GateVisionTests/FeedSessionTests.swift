import Foundation
import GateCore
import GateSynth
import GateVision
import XCTest

/// What callers need from a source or a detector is on the protocol (no downcasts), and
/// `FeedSession` is the one place a feed is wired.
final class FeedSessionTests: XCTestCase {
    private let sceneURI = "synthetic:kind=both,seed=2,people=6,frames=120,width=320,height=240"

    func testSourcesSayTheirLengthAndRetryRule() throws {
        let scene = try SyntheticSource(uri: sceneURI)
        XCTAssertEqual(scene.frameCount, 120)
        let paced: FrameSource = FileSource(path: "/nonexistent/a.avi", realtime: true)
        XCTAssertTrue(paced.isLive, "a paced file is dropped like a camera…")
        XCTAssertFalse(paced.retriesAfterFailure, "…but a file that cannot be read is not retried")
        let missing: FrameSource = UnavailableSource(description: "feed x source", uri: "/nonexistent/a.avi", position: nil,
                                                     make: { FileSource(path: "/nonexistent/a.avi") })
        XCTAssertTrue(missing.retriesAfterFailure)
        XCTAssertNil(missing.frameCount)
    }

    /// Only the person model reports a weak band (it extends tracks); the others keep their threshold.
    func testOnlyDetectorsWithAWeakBandLowerTheirThreshold() throws {
        let hog = HOGDetector(minScore: 0.5)
        XCTAssertEqual(hog.reportWeakDetections(downTo: 0.2, confidence: 0.4), 0.4)
        XCTAssertEqual(hog.minScore, 0.5)
    }

    /// The session counts exactly what a bare pipeline with the same parts counts, sends
    /// each crossing to its sink, and a feed that cannot be read fails with its one line.
    func testSessionCountsLikeTheBarePipelineAndReportsFailure() throws {
        let lines = [LineConfig(id: "l1", name: "l1", from: Point(0.05, 0.55), to: Point(0.95, 0.55), inside: Point(0.5, 0.9))]
        let feed = FeedConfig(id: "f1", name: "f1", source: sceneURI, detector: .motion, lines: lines)
        let bare = FeedPipeline(feed: feed, gateId: "g", source: try SyntheticSource(uri: sceneURI),
                                detector: try makeDetector(kind: .motion))
        let expected = try bare.run()
        var sunk: [CrossingEvent] = []
        let session = try FeedSession(feed: feed, gateId: "g", source: try SyntheticSource(uri: sceneURI),
                                      sinks: FeedSinks(crossing: { sunk.append($0) }))
        session.start()
        let summary = try session.summary()
        XCTAssertGreaterThan(expected.crossings, 0)
        XCTAssertEqual(summary.totals, expected.totals)
        XCTAssertEqual(sunk.count, summary.crossings)

        let gone = FeedConfig(id: "f2", name: "f2", source: "/nonexistent/a.avi", detector: .motion, lines: lines)
        let failing = try FeedSession(feed: gone, gateId: "g", source: FileSource(path: "/nonexistent/a.avi"))
        failing.start()
        XCTAssertThrowsError(try failing.summary()) { assertOneLine($0, contains: "/nonexistent/a.avi") }
    }
}
