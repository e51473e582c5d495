import XCTest
import GateCore
@testable import GateVision
@testable import GateRuntime

/// Previews for consoles follow the site's `privacy`: the person's box is blurred, the rest
/// of the picture is the same, and the pipeline's own frame is not painted on.
final class PreviewPrivacyTests: XCTestCase {
    func testPreviewsBlurPeopleWhenPrivacyIsOn() throws {
        let frame = Frame.blank(width: 320, height: 180)
        frame.fill(x: 0, y: 0, width: 320, height: 180, blue: 40, green: 90, red: 40)
        // A "person": a high-contrast striped figure, so a blur changes it.
        for i in stride(from: 0, to: 60, by: 4) {
            frame.fill(x: 140, y: 50 + i, width: 40, height: 2, blue: 250, green: 250, red: 250)
        }
        let person = Rect(x: 140.0 / 320, y: 50.0 / 180, width: 40.0 / 320, height: 60.0 / 180)
        let processed = ProcessedFrame(frame: frame, detections: [Detection(box: person, score: 0.9)], tracks: [],
                                       detected: true, lines: [])
        let before = try XCTUnwrap(frame.rgb(width: 160, height: 90))
        let open = try XCTUnwrap(PreviewPublisher.preview(processed, region: .full, privacy: false))
        let blurred = try XCTUnwrap(PreviewPublisher.preview(processed, region: .full, privacy: true))
        XCTAssertEqual(try XCTUnwrap(frame.rgb(width: 160, height: 90)), before, "the pipeline's frame is left alone")
        func pixel(_ p: PreviewPicture, _ x: Int, _ y: Int) -> [UInt8] {
            let i = (y * p.width + x) * 3
            return Array(p.rgb[i..<(i + 3)])
        }
        XCTAssertEqual(open.width, 160)
        var changedInside = 0
        for y in 27...52 { for x in 72...88 where pixel(open, x, y) != pixel(blurred, x, y) { changedInside += 1 } }
        XCTAssertGreaterThan(changedInside, 100, "the person is blurred")
        for (x, y) in [(5, 5), (150, 80), (20, 70)] {
            XCTAssertEqual(pixel(open, x, y), pixel(blurred, x, y), "away from people the picture is the same at \(x),\(y)")
        }
    }
}
