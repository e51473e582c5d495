import XCTest
import GateCore
@testable import GateVision

/// Overhead cameras see people who walk side by side as one blob; the motion detector
/// learns a person's size from the blobs it sees and splits blobs of two.
final class MotionBlobSplitTests: XCTestCase {
    private func frame(_ i: Int, people: [(x: Int, y: Int)], w: Int = 40, h: Int = 24) -> Frame {
        let f = Frame.blank(width: 640, height: 480, index: i, timestampMs: Int64(i) * 100)
        f.fill(x: 0, y: 0, width: 640, height: 480, blue: 120, green: 120, red: 120)
        for p in people { f.fill(x: p.x, y: p.y, width: w, height: h, blue: 30, green: 200, red: 220) }
        return f
    }

    func testTwoPeopleInOneBlobBecomeTwoDetectionsOnceAPersonSizeIsKnown() throws {
        let detector = MotionBlobDetector(minScore: 0.5)
        for i in 0..<20 { _ = try detector.detect(frame(i, people: [])) }   // learn the empty floor
        // Single walkers teach the detector a person's size.
        var singles: [Int] = []
        for i in 20..<70 {
            let step = (i - 20) * 6
            singles.append(try detector.detect(frame(i, people: [(40 + step, 60), (400, 400 - step)])).count)
        }
        XCTAssertEqual(singles.suffix(10), Array(repeating: 2, count: 10), "two separate walkers are two blobs")
        // Now two walkers shoulder to shoulder: one blob, twice a person's width.
        var pair: [Detection] = []
        for i in 70..<76 { pair = try detector.detect(frame(i, people: [(200 + (i - 70) * 6, 200), (240 + (i - 70) * 6, 200)])) }
        XCTAssertEqual(pair.count, 2, "a blob two people wide is two people: \(pair)")
        if pair.count == 2 {
            XCTAssertLessThan(pair[0].box.width, 0.1)
            XCTAssertLessThan(abs(pair[0].box.width - pair[1].box.width), 0.02)
        }
    }

    func testAConfiguredPersonWidthSplitsFromTheStart() throws {
        let detector = MotionBlobDetector(minScore: 0.5, personWidth: 40.0 / 640)
        // A longer empty floor first: early on the background model learns fast and would
        // absorb slow walkers.
        for i in 0..<100 { _ = try detector.detect(frame(i, people: [])) }
        var found: [Detection] = []
        for i in 100..<106 { found = try detector.detect(frame(i, people: [(100 + (i - 100) * 12, 100), (140 + (i - 100) * 12, 100)])) }
        XCTAssertEqual(found.count, 2, "\(found)")
    }
}
