import XCTest
import Foundation

/// `gatewatch setup`'s non-interactive form through the real binary: a clip and a synthetic
/// scene probed, counted and added (a new site file; a commented one kept as it was around the
/// new feed), and bad sources refused in one line that never shows a camera password.
final class SetupEndToEndTests: XCTestCase {
    static let commentedSite = """
        # Hand-written site: every comment must survive setup.
        site:
          name: "Khu thử"   # the name
          capacity: 100
        gates:
          - id: main
            name: "Main gate"
            feeds:
              # the first camera
              - id: cam1
                source: "synthetic:kind=pairs,seed=3"
                lines:
                  - {id: gate, name: "Cổng", from: [0.1, 0.2], to: [0.9, 0.2], inside: [0.5, 0.05]}
        alerts:
          offline_seconds: 20   # kept too
        """

    func testAClipMakesANewSiteFileThatChecksOK() throws {
        try GW.requireBinary()
        try GW.requireFile(GW.vtest)
        let dir = try GW.tempDir(self)
        let config = dir.appendingPathComponent("new-site.yaml").path
        let r = try GW.run(["setup", GW.vtest, "--config", config, "--line", "0.40,0.22,0.40,0.66", "--inside", "0.70,0.45",
                            "--seconds", "3", "--yes"], timeout: 180)
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertTrue(r.stdout.contains("768x576") && r.stdout.contains("10.00 fps"), r.stdout)
        XCTAssertTrue(r.stdout.contains("source: codec DIV3, "), r.stdout)
        XCTAssertNotNil(r.stdout.range(of: #"trial 3 s with \w+: in \d+, out \d+"#, options: .regularExpression), r.stdout)
        XCTAssertTrue(r.stdout.contains("feed main-cam1 added to gate main in \(config)"), r.stdout)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        for part in ["- id: main-cam1", "source: \"\(GW.vtest)\"", "fps: 10", "detector: ", "from: [0.4, 0.22]", "inside: [0.7, 0.45]"] {
            XCTAssertTrue(text.contains(part), "\(part) missing:\n\(text)")
        }
        let check = try GW.run(["check-config", config], timeout: 60)
        XCTAssertEqual(check.status, 0, check.summary)
    }

    func testASceneIsAppendedToACommentedSiteFileKeepingItsComments() throws {
        try GW.requireBinary()
        let dir = try GW.tempDir(self)
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.commentedSite.write(toFile: config, atomically: true, encoding: .utf8)
        let scene = "synthetic:kind=both,seed=7,people=4,frames=150,fps=10"
        let r = try GW.run(["setup", scene, "--config", config, "--feed-id", "cam2", "--line", "0.05,0.55,0.95,0.55",
                            "--inside", "0.5,0.9", "--seconds", "2", "--yes"], timeout: 180)
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertTrue(r.stdout.contains("codec —, ") && r.stdout.contains("10.00 fps"), r.stdout)
        let text = try String(contentsOfFile: config, encoding: .utf8)
        XCTAssertTrue(text.hasPrefix(Self.commentedSite.components(separatedBy: "alerts:")[0]), "the file before the new feed changed:\n\(text)")
        for kept in ["# Hand-written site", "# the name", "# the first camera", "offline_seconds: 20   # kept too"] {
            XCTAssertTrue(text.contains(kept), "\(kept) lost:\n\(text)")
        }
        XCTAssertTrue(text.contains("      - id: cam2\n        name: \"cam2\"\n        source: \"\(scene)\""), text)

        // The same id again: one line, the file unchanged.
        let again = try GW.run(["setup", scene, "--config", config, "--feed-id", "cam2", "--line", "0.05,0.55,0.95,0.55",
                                "--inside", "0.5,0.9", "--yes"], timeout: 60)
        XCTAssertEqual(again.status, 1, again.summary)
        XCTAssertEqual(again.stderrLines, ["gatewatch: \(config): a feed 'cam2' exists already; choose another --feed-id"], again.summary)
        XCTAssertEqual(try String(contentsOfFile: config, encoding: .utf8), text)
    }

    func testWithoutYesAndNoTerminalNothingIsWritten() throws {
        try GW.requireBinary()
        let dir = try GW.tempDir(self)
        let config = dir.appendingPathComponent("site.yaml").path
        try Self.commentedSite.write(toFile: config, atomically: true, encoding: .utf8)
        let r = try GW.run(["setup", "synthetic:kind=pairs,seed=3", "--config", config, "--line", "0.1,0.5,0.9,0.5",
                            "--inside", "0.5,0.9", "--seconds", "1"], timeout: 120)
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertTrue(r.stdout.contains("not written: \(config) is unchanged (add --yes to write without asking)"), r.stdout)
        XCTAssertEqual(try String(contentsOfFile: config, encoding: .utf8), Self.commentedSite)
    }

    func testBadSourcesAreOneLineWithoutThePassword() throws {
        try GW.requireBinary()
        let dir = try GW.tempDir(self)
        let config = dir.appendingPathComponent("site.yaml").path
        let line = ["--line", "0.1,0.5,0.9,0.5", "--inside", "0.5,0.9", "--yes", "--config", config]
        let cases: [(String, String)] = [
            (dir.appendingPathComponent("missing.mp4").path, "gatewatch: video file not found: \(dir.path)/missing.mp4; check the path"),
            ("rtsp://user:secret@127.0.0.1:1/x", "gatewatch: cannot reach 127.0.0.1:1: check the address and port"),
            ("/etc/passwd", "gatewatch: unsupported codec or not a video"),
        ]
        for (source, expected) in cases {
            let r = try GW.run(["setup", source] + line, timeout: 60)
            XCTAssertEqual(r.status, 1, r.summary)
            XCTAssertEqual(r.stderrLines.count, 1, r.summary)
            XCTAssertTrue(r.stderrLines.first?.contains(expected) == true, "\(source): \(r.summary)")
            XCTAssertFalse(r.stdout.contains("secret") || r.stderr.contains("secret"), r.summary)
            XCTAssertFalse(FileManager.default.fileExists(atPath: config), "nothing is written for a bad source")
        }
    }
}
