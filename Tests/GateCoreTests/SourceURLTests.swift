import XCTest
@testable import GateCore

final class SourceURLTests: XCTestCase {
    func testWellFormedURLsPass() {
        for url in ["rtsp://10.0.0.5/stream", "rtsp://admin:p@ss@10.0.0.5:554/s", "http://cam.local:8080/video.mjpg?x=1",
                    "https://[2001:db8::1]:8443/live", "rtsp://[::1]/x", "udp://@239.0.0.1:1234", "rtsp://cam_1.site-a.vn"] {
            XCTAssertNil(SourceURL.problem(url), url)
        }
    }

    func testMalformedURLsNamed() {
        let cases = [("rtsp://", "no host"), ("http://[::1", "closing ']'"), ("http://[::1]x/", "only ':port'"),
                     ("rtsp://host:99999/s", "port"), ("rtsp://host:0/s", "port"), ("rtsp://host:abc", "port"),
                     ("rtsp://cam one/s", "space"), ("rtsp://a\u{1B}b/s", "control"), ("http://[zz]/", "IPv6"),
                     ("rtsp://ho$t/x", "host name")]
        for (url, said) in cases {
            let p = SourceURL.problem(url)
            XCTAssertTrue(p?.contains(said) ?? false, "\(url): \(p ?? "accepted")")
        }
    }

    func testPasswordNeverInTheMessage() {
        let p = SourceURL.problem("rtsp://admin:Secret123@:99/s") ?? ""
        XCTAssertFalse(p.contains("Secret123"), p)
        XCTAssertFalse(p.isEmpty)
    }

    func testSourcePositionsRecorded() throws {
        let located = try ConfigLoader.parseLocated(yaml: ConfigLoaderTests.sample, file: "site.yaml")
        XCTAssertEqual(located.sources["north-cam1"], LocatedConfig.Place(line: 11, column: 17, key: "gates[0].feeds[0].source"))
        let e = located.sourceError(feedId: "south-cam1", "video file not found: x.avi")
        XCTAssertEqual(e.description, "site.yaml:32:17: key 'gates[1].feeds[0].source': feed 'south-cam1': video file not found: x.avi")
    }
}
