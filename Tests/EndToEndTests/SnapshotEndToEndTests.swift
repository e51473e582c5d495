import XCTest
import Foundation
import GateVision

/// `gatewatch snapshot` and the acceptance report's pictures, through the real binary: the
/// PNG read back has the line where the site file puts it; privacy on blurs, off does not; the
/// HTML report embeds its pictures and names no http(s) address for them; bad input is one line.
final class SnapshotEndToEndTests: XCTestCase {
    private func site(_ dir: URL, source: String, privacy: Bool? = nil) throws -> String {
        let yaml = """
            site: {name: "Khu thử", capacity: 100}
            gates:
              - id: main
                feeds:
                  - id: cam1
                    source: "\(source)"
                    lines:
                      - {id: gate, name: "Cổng", from: [0.1, 0.2], to: [0.9, 0.2], inside: [0.5, 0.05]}
            \(privacy.map { "privacy: \($0)" } ?? "")
            """
        let path = dir.appendingPathComponent("site-\(UUID().uuidString.prefix(6)).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func testSnapshotDrawsTheLineWhereTheSiteFileSaysAndPrivacyDecidesTheBlur() throws {
        try GW.requireBinary()
        let dir = try GW.tempDir(self)
        let scene = "synthetic:kind=pairs,seed=3"
        let on = dir.appendingPathComponent("on.png").path, off = dir.appendingPathComponent("off.png").path
        let r1 = try GW.run(["snapshot", "--config", try site(dir, source: scene), "--feed", "cam1", "--out", on, "--at", "8"], timeout: 120)
        XCTAssertEqual(r1.status, 0, r1.summary)
        XCTAssertTrue(r1.stdout.contains("privacy:") && r1.stdout.contains("blurred"), r1.stdout)
        let r2 = try GW.run(["snapshot", "--config", try site(dir, source: scene, privacy: false), "--feed", "cam1", "--out", off, "--at", "8"],
                            timeout: 120)
        XCTAssertEqual(r2.status, 0, r2.summary)
        XCTAssertTrue(r2.stdout.contains("privacy off"), r2.stdout)
        var st = stat()
        XCTAssertEqual(stat(on, &st), 0)
        XCTAssertEqual(st.st_mode & 0o777, 0o600, "a picture is created 0600")

        let a = try Frame.read(imageAt: on), b = try Frame.read(imageAt: off)
        XCTAssertEqual([a.width, a.height], [b.width, b.height])
        // The scene's picture is 768x576 (pairs); the caption band is below it.
        XCTAssertTrue(r1.stdout.contains("768x576"), r1.stdout)
        let picture = (width: 768, height: 576)
        let c = FrameOverlay.lineColour
        for t in [0.3, 0.4, 0.6, 0.7] {
            let x = Int((0.1 + 0.8 * t) * Double(picture.width)), y = Int(0.2 * Double(picture.height))
            let p = try XCTUnwrap(a.pixel(x: x, y: y))
            XCTAssertEqual([p.blue, p.green, p.red], [c.blue, c.green, c.red], "the line's pixel at \(x),\(y)")
            let away = try XCTUnwrap(a.pixel(x: x, y: y + picture.height / 4))
            XCTAssertNotEqual([away.blue, away.green, away.red], [c.blue, c.green, c.red], "no line at \(x),\(y + picture.height / 4)")
        }
        // The blur changed the picture; off leaves the people as they are.
        var changed = 0
        for y in stride(from: 0, to: picture.height, by: 3) {
            for x in stride(from: 0, to: a.width, by: 3) {
                let p = a.pixel(x: x, y: y)!, q = b.pixel(x: x, y: y)!
                if [p.blue, p.green, p.red] != [q.blue, q.green, q.red] { changed += 1 }
            }
        }
        XCTAssertGreaterThan(changed, 20, "privacy on blurred someone; off did not")
    }

    func testBadInputIsOneLineAndPasswordsStayHidden() throws {
        try GW.requireBinary()
        let dir = try GW.tempDir(self)
        let good = try site(dir, source: "synthetic:kind=pairs,frames=30")
        let out = dir.appendingPathComponent("x.png").path
        let cases: [([String], String)] = [
            (["--config", good, "--feed", "nope", "--out", out], "no feed 'nope'"),
            (["--config", good, "--feed", "cam1", "--out", dir.appendingPathComponent("x.jpg").path], ".png"),
            (["--config", good, "--feed", "cam1", "--out", "/nonexistent-dir/x.png"], "does not exist"),
            (["--config", good, "--feed", "cam1", "--out", out, "--at", "-1"], "--at"),
            (["--config", good, "--feed", "cam1", "--out", out, "--at", "60"], "ends after 30 frames"),
            (["--config", try site(dir, source: "/nonexistent/clip.avi"), "--feed", "cam1", "--out", out], "/nonexistent/clip.avi"),
            (["--config", try site(dir, source: "rtsp://admin:s3cretPW@127.0.0.1:9/stream1"), "--feed", "cam1", "--out", out], "rtsp://admin:***@"),
            (["--config", dir.appendingPathComponent("missing.yaml").path, "--feed", "cam1", "--out", out], "missing.yaml"),
        ]
        for (args, expected) in cases {
            let r = try GW.run(["snapshot"] + args, timeout: 60)
            XCTAssertNotEqual(r.status, 0, r.summary)
            XCTAssertEqual(r.stderrLines.count, 1, r.summary)
            XCTAssertTrue(r.stderr.contains(expected), "expected '\(expected)': \(r.summary)")
            XCTAssertFalse(r.stderr.contains("s3cretPW") || r.stdout.contains("s3cretPW"), r.summary)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out), "no picture after a failure")
    }

    func testTheReportShowsEachScenariosStillAndPlotEmbeddedInHTMLAndBesideMarkdown() throws {
        try GW.requireBinary()
        let dir = try GW.tempDir(self)
        let folder = dir.appendingPathComponent("suite")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try """
            name: pairs
            source: synthetic:kind=pairs,seed=3,frames=120
            detect_region: auto
            lines:
              - {id: gate, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9], expect: {in: 0, out: 0, tolerance: 100}}
            """.write(to: folder.appendingPathComponent("01-pairs.yaml"), atomically: true, encoding: .utf8)
        let report = dir.appendingPathComponent("kiem-thu.html").path
        let r = try GW.run(["test", folder.path, "--db", dir.appendingPathComponent("t.sqlite").path, "--report", report, "--both-formats"],
                           timeout: 300)
        XCTAssertEqual(r.status, 0, r.summary)
        let html = try String(contentsOfFile: report, encoding: .utf8)
        XCTAssertTrue(html.contains("<img alt=") && html.contains("src=\"data:image/jpeg;base64,"), "the still is embedded")
        XCTAssertTrue(html.contains("src=\"data:image/svg+xml;base64,"), "the plot is embedded")
        for address in ["src=\"http", "href=\"http", "url(http", "src=\"//"] {
            XCTAssertFalse(html.contains(address), "the HTML fetches nothing: found \(address)")
        }
        let md = try String(contentsOfFile: dir.appendingPathComponent("kiem-thu.md").path, encoding: .utf8)
        XCTAssertTrue(md.contains("](kiem-thu-images/01-still.jpg)") && md.contains("](kiem-thu-images/01-counts.svg)"), md)
        let still = dir.appendingPathComponent("kiem-thu-images/01-still.jpg").path
        let picture = try Frame.read(imageAt: still)
        XCTAssertGreaterThan(picture.width, 100)
        let svg = try String(contentsOfFile: dir.appendingPathComponent("kiem-thu-images/01-counts.svg").path, encoding: .utf8)
        XCTAssertTrue(svg.contains("thời gian / time (s)"), svg)
    }
}
