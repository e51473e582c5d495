import XCTest
@testable import GateCore

/// `gatewatch setup`'s probe verdicts: what a measurement or an opening failure tells the installer.
final class ProbeVerdictTests: XCTestCase {
    func measured(fps: Double?, frames: Int, seconds: Double = 3, live: Bool, firstMs: Double = 200) -> ProbeMeasurement {
        ProbeMeasurement(codec: "H264", width: 1920, height: 1080, declaredFps: fps, firstFrameMs: firstMs,
                         frames: frames, seconds: seconds, live: live)
    }

    func testAHealthyCameraAndClipHaveNoProblems() {
        XCTAssertEqual(ProbeVerdict.problems(measured(fps: 25, frames: 74, live: true)), [])
        XCTAssertEqual(ProbeVerdict.problems(measured(fps: 10, frames: 900, live: false)), [])
        XCTAssertEqual(ProbeVerdict.problems(measured(fps: nil, frames: 10, live: true)), [], "no declared rate: nothing to compare")
    }

    func testALiveSourceBelowItsRateDropsFrames() {
        let p = ProbeVerdict.problems(measured(fps: 25, frames: 45, live: true))
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].hasPrefix("drops frames: 15.0 of the 25.0 fps"), p[0])
        XCTAssertTrue(p[0].contains("sub-stream"), p[0])
    }

    func testAClipDecodingSlowerThanItsRateIsTooSlow() {
        let p = ProbeVerdict.problems(measured(fps: 30, frames: 60, live: false))
        XCTAssertEqual(p.count, 1)
        XCTAssertTrue(p[0].hasPrefix("too slow for real time: this box decodes 20.0 fps of a 30.0 fps video"), p[0])
    }

    func testNoFramesAndASlowStartAreSaid() {
        XCTAssertTrue(ProbeVerdict.problems(measured(fps: 25, frames: 0, live: true))[0].hasPrefix("no frames after the first"))
        XCTAssertTrue(ProbeVerdict.problems(measured(fps: 25, frames: 0, live: false))[0].contains("single picture"))
        let slow = ProbeVerdict.problems(measured(fps: 25, frames: 75, live: true, firstMs: 7200))
        XCTAssertEqual(slow, ["slow to start: the first picture came after 7.2 s; check the network to the camera"])
    }

    func testFailuresSayWhatToCheckWithoutThePassword() {
        let uri = "rtsp://admin:s3cret@10.0.0.5:554/stream1"
        let cases: [(String, String)] = [
            ("stream does not answer or cannot be decoded: \(uri): Connection refused (check the URL, the camera and the network)",
             "cannot reach 10.0.0.5:554: check the address and port"),
            ("stream does not answer or cannot be decoded: \(uri) (check the URL, the camera and the network)",
             "cannot reach 10.0.0.5:554"),
            ("stream does not answer or cannot be decoded: \(uri): Server returned 401 Unauthorized (authorization failed)",
             "wrong user name or password for rtsp://admin:***@10.0.0.5:554/stream1"),
            ("stream does not answer or cannot be decoded: \(uri): Server returned 404 Not Found",
             "the camera answers but has no stream at rtsp://admin:***@10.0.0.5:554/stream1"),
            ("reading \(uri) failed: Invalid data found when processing input", "unsupported codec or not a video"),
        ]
        for (message, expected) in cases {
            let line = ProbeVerdict.failure(message, uri: uri)
            XCTAssertTrue(line.hasPrefix(expected), "\(message) -> \(line)")
            XCTAssertFalse(line.contains("s3cret"), line)
            XCTAssertFalse(line.contains("\n"), line)
        }
        XCTAssertEqual(ProbeVerdict.failure("video file not found: x.mp4; check the path", uri: "x.mp4"),
                       "video file not found: x.mp4; check the path")
    }
}
