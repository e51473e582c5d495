import XCTest
@testable import GateCore

final class RedactionTests: XCTestCase {
    func testPasswordHidden() {
        XCTAssertEqual(redactedURL("rtsp://admin:secret@10.0.0.5/stream"), "rtsp://admin:***@10.0.0.5/stream")
        XCTAssertEqual(redactedURL("rtsp://10.0.0.5/stream"), "rtsp://10.0.0.5/stream")
        XCTAssertEqual(redactedURL("http://user@cam.local:8080/v"), "http://user@cam.local:8080/v")
    }

    /// The userinfo runs to the '@' before the host, not to the first '@' of the password.
    func testPasswordHoldingAt() {
        let url = "rtsp://admin:p@ssW0rdX@10.0.0.21/stream1"
        XCTAssertEqual(redactedURL(url), "rtsp://admin:***@10.0.0.21/stream1")
        XCTAssertFalse(redactedURL(url).contains("ssW0rdX"))
        XCTAssertEqual(redactedURL("rtsp://a:b@c@d@[::1]:554/x"), "rtsp://a:***@[::1]:554/x")
        XCTAssertEqual(redactedURL("rtsp://admin:p@ss@host"), "rtsp://admin:***@host")
    }

    /// An '@' in the path or query is not a userinfo separator.
    func testAtInQueryIsNotUserinfo() {
        XCTAssertEqual(redactedURL("http://cam/snap?mail=a@b.vn"), "http://cam/snap?mail=a@b.vn")
        XCTAssertEqual(redactedURL("rtsp://admin:pw@cam/live?who=x@y"), "rtsp://admin:***@cam/live?who=x@y")
    }

    func testQueryCredentialsHidden() {
        XCTAssertEqual(redactedURL("rtsp://10.0.0.5/cam?user=admin&pwd=Secret123&channel=1"),
                       "rtsp://10.0.0.5/cam?user=admin&pwd=***&channel=1")
        for name in ["password", "pass", "token", "key", "auth", "PASSWORD", "api_key", "access_token", "X-Auth-Token"] {
            let out = redactedURL("http://cam/v.mjpg?\(name)=Hunter2xyz&fps=5")
            XCTAssertFalse(out.contains("Hunter2xyz"), "\(name): \(out)")
            XCTAssertTrue(out.hasSuffix("=***&fps=5"), "\(name): \(out)")
        }
        XCTAssertEqual(redactedURL("http://u:p@cam/v?token=abc&a=1"), "http://u:***@cam/v?token=***&a=1")
    }

    func testNotAURLUnchanged() {
        XCTAssertEqual(redactedURL("/srv/clips/gate@2.avi"), "/srv/clips/gate@2.avi")
        XCTAssertEqual(redactedURL("synthetic:kind=pairs"), "synthetic:kind=pairs")
    }
}
