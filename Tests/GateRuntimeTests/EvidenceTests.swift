import Foundation
import XCTest
import GateCore
import GateSynth
import GateVision
@testable import GateRuntime

/// The evidence pictures: a still of a feed with people blurred (privacy) or not, read back
/// from its PNG; and the report's plot of counts over time.
final class EvidenceTests: XCTestCase {
    private let scene = "synthetic:kind=pairs,seed=3"

    private func feed(_ source: String) -> FeedConfig {
        FeedConfig(id: "cam", name: "Cổng chính", source: source,
                   lines: [LineConfig(id: "gate", name: "Đường A", from: Point(0.05, 0.15), to: Point(0.95, 0.15), inside: Point(0.5, 0.05))])
    }

    private func decode(_ png: Data) throws -> Frame {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("evidence-\(UUID().uuidString).png").path
        try png.write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Frame.read(imageAt: path)
    }

    /// Mean absolute difference of the two pictures over a pixel rectangle (every 2nd pixel).
    private func difference(_ a: Frame, _ b: Frame, x0: Int, y0: Int, x1: Int, y1: Int) -> Double {
        var sum = 0, n = 0
        for y in stride(from: max(0, y0), to: min(a.height, y1), by: 2) {
            for x in stride(from: max(0, x0), to: min(a.width, x1), by: 2) {
                let p = a.pixel(x: x, y: y)!, q = b.pixel(x: x, y: y)!
                sum += abs(p.blue - q.blue) + abs(p.green - q.green) + abs(p.red - q.red); n += 1
            }
        }
        return n == 0 ? 0 : Double(sum) / Double(3 * n)
    }

    /// A frame where the scene shows people well inside the picture, and their boxes in pixels.
    private func framesWithPeople() throws -> (frame: Int, boxes: [(x0: Int, y0: Int, x1: Int, y1: Int)]) {
        let s = SyntheticScene(spec: try SceneSpec.parse(scene))
        for frame in stride(from: 10, to: s.truth.frames, by: 5) {
            let walkers = s.walkers(at: frame).filter { $0.foot.y - $0.height > 0.3 && $0.foot.x > 0.1 && $0.foot.x < 0.9 && $0.foot.y < 0.95 }
            guard walkers.count >= 1 else { continue }
            let w = Double(s.truth.width), h = Double(s.truth.height)
            // The middle of each body: clear of the box edges where a detector's box may fall short.
            return (frame, walkers.map { wk in
                let ph = wk.height * h
                return (Int(wk.foot.x * w - ph * 0.1), Int(wk.foot.y * h - ph * 0.8), Int(wk.foot.x * w + ph * 0.1), Int(wk.foot.y * h - ph * 0.2))
            })
        }
        throw XCTSkip("the scene shows nobody in the middle of the picture")
    }

    func testPrivacyBlursEveryPersonAndLeavesTheRestAlone() throws {
        let (frame, boxes) = try framesWithPeople()
        let on = try EvidenceStill.take(feed: feed(scene), at: .frame(frame), privacy: true)
        let off = try EvidenceStill.take(feed: feed(scene), at: .frame(frame), privacy: false)
        guard case .blurred(let n) = on.privacy else { return XCTFail("privacy on: \(on.privacy)") }
        XCTAssertGreaterThanOrEqual(n, boxes.count, "every person in view is found and blurred")
        XCTAssertEqual(off.privacy, .off)
        let a = try decode(on.encoded), b = try decode(off.encoded)
        for box in boxes {
            XCTAssertGreaterThan(difference(a, b, x0: box.x0, y0: box.y0, x1: box.x1, y1: box.y1), 2,
                                 "the person at \(box) looks different blurred")
        }
        // Far from people (the picture's top corners), the two pictures are the same.
        let corner = difference(a, b, x0: 0, y0: 0, x1: 12, y1: 12) + difference(a, b, x0: a.width - 12, y0: 0, x1: a.width, y1: 12)
        XCTAssertEqual(corner, 0, accuracy: 0.01)
    }

    func testWithNoDetectorTheStillSaysSoAndBlursNothing() throws {
        let (frame, _) = try framesWithPeople()
        // An explicit model that does not exist: no detector can run.
        let missing = try EvidenceStill.take(feed: feed(scene), at: .frame(frame), privacy: true, modelPath: "/nonexistent/model.pb")
        guard case .noDetector(let reason) = missing.privacy else { return XCTFail("\(missing.privacy)") }
        XCTAssertTrue(reason.contains("/nonexistent/model.pb"), reason)
        XCTAssertTrue(missing.privacy.bothLanguages.contains("nothing is blurred"), missing.privacy.bothLanguages)
        let off = try EvidenceStill.take(feed: feed(scene), at: .frame(frame), privacy: false)
        let a = try decode(missing.encoded), b = try decode(off.encoded)
        // The pictures are identical (all but the caption band): nothing pretends to be blurred.
        XCTAssertEqual(difference(a, b, x0: 0, y0: 0, x1: a.width, y1: missing.height), 0, accuracy: 0.01)
    }

    func testTheLineIsDrawnWhereTheFeedSays() throws {
        let still = try EvidenceStill.take(feed: feed(scene), at: .first, privacy: false)
        let picture = try decode(still.encoded)
        XCTAssertEqual(picture.width, still.width)
        XCTAssertGreaterThan(picture.height, still.height, "the caption is a band below the picture")
        let c = FrameOverlay.lineColour
        // Points along the line, away from its middle (the in-side arrow) and its start (the name).
        for t in [0.3, 0.4, 0.6, 0.7, 0.85] {
            let x = Int((0.05 + 0.9 * t) * Double(still.width)), y = Int(0.15 * Double(still.height))
            let p = try XCTUnwrap(picture.pixel(x: x, y: y))
            XCTAssertEqual([p.blue, p.green, p.red], [c.blue, c.green, c.red], "line pixel at \(x),\(y)")
        }
    }

    func testAStreamOrAMissingClipGivesNoStillButSaysWhy() throws {
        XCTAssertThrowsError(try EvidenceStill.take(feed: feed("/nonexistent/clip.avi"), at: .first, privacy: true)) { error in
            XCTAssertTrue("\(error)".contains("/nonexistent/clip.avi") && !"\(error)".contains("\n"), "\(error)")
        }
        XCTAssertThrowsError(try EvidenceStill.take(feed: feed("synthetic:kind=pairs,frames=20"), at: .frame(50), privacy: false)) { error in
            XCTAssertTrue("\(error)".contains("ends after 20 frames"), "\(error)")
        }
    }

    func testThePlotShowsCumulativeInAndOutWithLabelledAxes() {
        let e = ScenarioReport.Evidence(seconds: 30, crossings: [
            .init(seconds: 3, line: "gate", direction: "in"), .init(seconds: 8, line: "gate", direction: "in"),
            .init(seconds: 20, line: "gate", direction: "out")],
            stillSource: nil, stillFrame: 0, lines: [], detectRegion: .full, detector: .ssdlite, confidence: 0.4)
        let svg = CountsPlot.svg(e, title: "pairs <3>")
        XCTAssertTrue(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        XCTAssertTrue(svg.contains("thời gian / time (s)") && svg.contains("lượt cộng dồn / cumulative"), svg)
        XCTAssertTrue(svg.contains("vào / in: 2") && svg.contains("ra / out: 1"), svg)
        XCTAssertTrue(svg.contains("pairs &lt;3&gt;"), "the title is escaped")
        XCTAssertEqual(CountsPlot.cumulative(e.crossings, .in).map(\.count), [1, 2])
        XCTAssertEqual(CountsPlot.ticks(upTo: 30), [0, 10, 20, 30])
    }
}
