import XCTest
import Foundation

/// Every bad input: a non-zero exit and exactly one clear line on stderr that names the
/// thing at fault, never a crash or a stack trace.
final class BadInputEndToEndTests: XCTestCase {

    private let line = ["--line", "0.40,0.22,0.40,0.66", "--inside", "0.70,0.45"]

    @discardableResult
    private func assertOneLineFailure(_ args: [String], mentions: [String], timeout: Double = 30,
                                      file: StaticString = #filePath, line: UInt = #line) throws -> ProcResult {
        let r = try GW.run(args, timeout: timeout)
        let cmd = "gatewatch " + args.joined(separator: " ")
        print("E2E bad input: \(cmd) -> exit \(r.status) in \(String(format: "%.1f", r.seconds)) s: \(r.stderrLines.joined(separator: " | "))")
        XCTAssertFalse(r.timedOut, "\(cmd) did not finish within \(timeout) s: \(r.summary)", file: file, line: line)
        XCTAssertEqual(r.reason, .exit, "\(cmd) died of a signal (crash): \(r.summary)", file: file, line: line)
        XCTAssertNotEqual(r.status, 0, "\(cmd) should fail: \(r.summary)", file: file, line: line)
        XCTAssertEqual(r.stderrLines.count, 1, "\(cmd): want exactly one line on stderr: \(r.summary)",
                       file: file, line: line)
        for bad in ["Fatal error", "Stack dump", "backtrace", "Backtrace", "terminate called", "Error Domain="] {
            XCTAssertFalse(r.stderr.contains(bad), "\(cmd): stderr looks like a crash/trace ('\(bad)'): \(r.stderr)",
                           file: file, line: line)
        }
        for m in mentions {
            XCTAssertTrue(r.stderr.contains(m), "\(cmd): stderr should name '\(m)': \(r.stderr)", file: file, line: line)
        }
        return r
    }

    private func validSite(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("site.yaml")
        try """
        site:
          name: "E2E bad input"
          capacity: 100
        gates:
          - id: g1
            name: "Gate 1"
            feeds:
              - id: f1
                name: "Feed 1"
                source: "synthetic:kind=pairs,seed=3,frames=50,fps=10"
                realtime: false
                loop: false
                detector: motion
                lines:
                  - id: l1
                    name: "Line 1"
                    from: [0.05, 0.55]
                    to: [0.95, 0.55]
                    inside: [0.5, 0.9]

        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func randomBytes(_ url: URL, count: Int) throws {
        var g = SystemRandomNumberGenerator()
        try Data((0..<count).map { _ in UInt8.random(in: 0...255, using: &g) }).write(to: url)
    }

    func testMissingVideoFile() throws {
        let dir = try GW.tempDir(self)
        let path = dir.appendingPathComponent("no-such-clip.avi").path
        try assertOneLineFailure(["count", path] + line, mentions: ["no-such-clip.avi"])
    }

    func testUndecodableVideoFile() throws {
        let dir = try GW.tempDir(self)
        // Fixed content: random bytes now and then hold something FFmpeg decodes as one frame
        // (the test then failed on a good day); zeros and text never do.
        let zeros = dir.appendingPathComponent("x.avi"), text = dir.appendingPathComponent("notes.avi")
        try Data(count: 200_000).write(to: zeros)
        try Data(String(repeating: "not a video\n", count: 20_000).utf8).write(to: text)
        try assertOneLineFailure(["count", zeros.path] + line, mentions: ["x.avi"])
        try assertOneLineFailure(["count", text.path] + line, mentions: ["notes.avi"])
    }

    func testRtspStreamThatDoesNotAnswer() throws {
        let r = try assertOneLineFailure(["count", "rtsp://127.0.0.1:9/none"] + line,
                                         mentions: ["rtsp://127.0.0.1:9/none"], timeout: 20)
        XCTAssertLessThan(r.seconds, 15, "a dead stream must fail within ~15 s")
    }

    func testHttpStreamThatDoesNotAnswer() throws {
        let r = try assertOneLineFailure(["count", "http://127.0.0.1:9/x"] + line,
                                         mentions: ["http://127.0.0.1:9/x"], timeout: 20)
        XCTAssertLessThan(r.seconds, 15, "a dead stream must fail within ~15 s")
    }

    func testMalformedYamlForCheckConfigAndRunNamesFileLineColumn() throws {
        let dir = try GW.tempDir(self)
        let cases: [(String, String)] = [
            ("unclosed-quote.yaml", "site:\n  name: \"x\n  capacity: [1,\n"),
            ("bad-flow.yaml", "site:\n  name: x\n  capacity: 10\ngates:\n  - id: g\n    feeds: {a: 1\n"),
            ("bad-indent.yaml", "site:\n  name: x\n capacity: 10\n"),
        ]
        for (name, text) in cases {
            let url = dir.appendingPathComponent(name)
            try text.write(to: url, atomically: true, encoding: .utf8)
            for args in [["check-config", url.path],
                         ["run", "--config", url.path, "--db", dir.appendingPathComponent("y.sqlite").path]] {
                let r = try assertOneLineFailure(args, mentions: [name])
                let hasPosition = r.stderr.range(of: name + #":\d+:\d+"#, options: .regularExpression) != nil
                XCTAssertTrue(hasPosition, "\(args.joined(separator: " ")): want \(name):LINE:COLUMN in: \(r.stderr)")
            }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("y.sqlite").path),
                       "a bad config must not create the database")
    }

    func testLineOutsideTheFrame() throws {
        try assertOneLineFailure(["count", "synthetic:kind=pairs,frames=20", "--line", "0.4,0.2,1.4,0.6",
                                  "--inside", "0.7,0.4"], mentions: ["--line"])
        try assertOneLineFailure(["count", "synthetic:kind=pairs,frames=20", "--line=-0.1,0.2,0.4,0.6",
                                  "--inside", "0.7,0.4"], mentions: ["--line"])
    }

    func testInsidePointOnTheLine() throws {
        try assertOneLineFailure(["count", "synthetic:kind=pairs,frames=20", "--line", "0.4,0.2,0.4,0.6",
                                  "--inside", "0.4,0.4"], mentions: ["--inside"])
    }

    func testUnwritableDatabasePathUnderProc() throws {
        let dir = try GW.tempDir(self)
        let site = try validSite(in: dir)
        try assertOneLineFailure(["run", "--config", site.path, "--db", "/proc/gatewatch.sqlite"],
                                 mentions: ["/proc/gatewatch.sqlite"])
    }

    func testUnwritableDatabasePathUnderARegularFile() throws {
        let dir = try GW.tempDir(self)
        let site = try validSite(in: dir)
        let regular = dir.appendingPathComponent("regular")
        try Data("not a folder".utf8).write(to: regular)
        try assertOneLineFailure(["run", "--config", site.path, "--db", regular.path + "/x.sqlite"],
                                 mentions: ["regular"])
    }

    func testMissingModelPath() throws {
        let dir = try GW.tempDir(self)
        let model = dir.appendingPathComponent("no-model/frozen_inference_graph.pb").path
        try assertOneLineFailure(["count", "synthetic:kind=pairs,frames=20", "--model", model],
                                 mentions: ["no-model"])
    }

    func testBrokenYOLOXModelNamesFileAndDetector() throws {
        let dir = try GW.tempDir(self)
        let text = dir.appendingPathComponent("notes.onnx")
        try Data("not a model\n".utf8).write(to: text)
        let garbage = dir.appendingPathComponent("garbage.onnx")
        try randomBytes(garbage, count: 40_000)
        for model in [text.path, garbage.path] {
            try assertOneLineFailure(["count", "synthetic:kind=pairs,frames=20", "--detector", "yolox", "--model", model],
                                     mentions: [model, "yolox"])
        }
    }

    func testUnknownSyntheticKey() throws {
        try assertOneLineFailure(["count", "synthetic:kind=pairs,bogus=1"], mentions: ["bogus"])
    }

    func testCorruptDatabaseForReportAndStatus() throws {
        let dir = try GW.tempDir(self)
        let db = dir.appendingPathComponent("corrupt.sqlite")
        try randomBytes(db, count: 8192)
        let before = try Data(contentsOf: db)
        try assertOneLineFailure(["report", "--db", db.path, "--by", "hour", "--json"], mentions: ["corrupt.sqlite"])
        try assertOneLineFailure(["status", "--db", db.path, "--json"], mentions: ["corrupt.sqlite"])
        XCTAssertEqual(try Data(contentsOf: db), before, "a corrupt database must be left as it was")
    }

    /// Well-formed YAML with a bad value: file:line:column and the key.
    func testInvalidConfigValuesNameFileLineColumnAndKey() throws {
        let dir = try GW.tempDir(self)
        let good = try String(contentsOf: try validSite(in: dir), encoding: .utf8)
        let cases: [(String, String, String, String)] = [   // file, replace, with, key named
            ("line-outside.yaml", "from: [0.05, 0.55]", "from: [1.5, 0.55]", "from"),
            ("inside-on-line.yaml", "inside: [0.5, 0.9]", "inside: [0.5, 0.55]", "inside"),
            ("capacity-text.yaml", "capacity: 100", "capacity: lots", "capacity"),
            ("unknown-detector.yaml", "detector: motion", "detector: magic", "detector"),
        ]
        for (name, old, new, key) in cases {
            let url = dir.appendingPathComponent(name)
            XCTAssertTrue(good.contains(old), "test setup: \(old)")
            try good.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
            for args in [["check-config", url.path],
                         ["run", "--config", url.path, "--db", dir.appendingPathComponent("y.sqlite").path]] {
                let r = try assertOneLineFailure(args, mentions: [name, key])
                XCTAssertNotNil(r.stderr.range(of: name + #":\d+:\d+"#, options: .regularExpression),
                                "\(args.joined(separator: " ")): want \(name):LINE:COLUMN in: \(r.stderr)")
            }
        }
    }

    func testMissingConfigFile() throws {
        let dir = try GW.tempDir(self)
        let path = dir.appendingPathComponent("no-such-site.yaml").path
        try assertOneLineFailure(["check-config", path], mentions: ["no-such-site.yaml"])
        try assertOneLineFailure(["run", "--config", path, "--db", dir.appendingPathComponent("y.sqlite").path],
                                 mentions: ["no-such-site.yaml"])
    }

    /// Config text is shown escaped: an escape sequence or a CR/LF in a value cannot recolour
    /// the terminal or forge a second line.
    func testControlCharactersInConfigTextAreEscaped() throws {
        let dir = try GW.tempDir(self)
        let evil = "\u{1B}[31mRED\u{1B}[0m\r\nINJECTED"
        let good = try String(contentsOf: try validSite(in: dir), encoding: .utf8)
        let url = dir.appendingPathComponent("evil.yaml")
        try good.replacingOccurrences(of: "detector: motion", with: "detector: \"\\e[31mRED\\e[0m\\r\\nINJECTED\"")
            .write(to: url, atomically: true, encoding: .utf8)
        for (args, shown) in [(["check-config", url.path], "\\e[31mRED\\e[0m\\r\\nINJECTED"), (["count", evil] + line, "\\e[31mRED\\e[0m")] {
            let r = try assertOneLineFailure(args, mentions: [shown, "INJECTED"])
            XCTAssertFalse(r.stderr.contains("\u{1B}") || r.stderr.contains("\r"), "raw control characters: \(r.stderr.debugDescription)")
        }
    }

    /// check-config checks sources: what it calls OK, run must not refuse. Each problem names
    /// the feed id and the file:line:col of its `source:` key.
    func testCheckConfigChecksSources() throws {
        let dir = try GW.tempDir(self)
        let good = try String(contentsOf: try validSite(in: dir), encoding: .utf8)
        let old = "source: \"synthetic:kind=pairs,seed=3,frames=50,fps=10\""
        XCTAssertTrue(good.contains(old))
        let folder = dir.appendingPathComponent("clips").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cases: [(String, String)] = [   // source, what the line must say
            (dir.appendingPathComponent("missing.avi").path, "missing.avi"),
            ("/etc/passwd", "/etc/passwd"),
            (folder, "folder"),
            ("synthetic:kind=nope", "nope"),
            ("synthetic:kind=pairs,people=0", "people"),
            ("rtsp://", "no host"),
            ("rtsp://admin:S3cretPw@/stream", "no host"),
            ("ftp://admin:S3cretPw@cam/x", "ftp"),
            ("http://[::1", "]"),
            ("rtsp://10.0.0.5:99999/s", "port"),
            ("rtsp://cam one/s", "space"),
            ("/dev/video97", "/dev/video97"),
        ]
        for (i, (source, said)) in cases.enumerated() {
            let url = dir.appendingPathComponent("src\(i).yaml")
            try good.replacingOccurrences(of: old, with: "source: \"\(source)\"").write(to: url, atomically: true, encoding: .utf8)
            let r = try assertOneLineFailure(["check-config", url.path], mentions: [said, "f1", "source"])
            XCTAssertNotNil(r.stderr.range(of: "src\(i).yaml:10:17", options: .literal), "position of source: \(r.stderr)")
            XCTAssertFalse(r.stderr.contains("S3cretPw"), "password shown: \(r.stderr)")
        }
        // And the good ones pass: a synthetic scene and the real clip.
        for source in ["synthetic:kind=pairs,seed=3,frames=50,fps=10", GW.vtest] where FileManager.default.fileExists(atPath: source) || source.hasPrefix("synthetic:") {
            let url = dir.appendingPathComponent("ok.yaml")
            try good.replacingOccurrences(of: old, with: "source: \"\(source)\"").write(to: url, atomically: true, encoding: .utf8)
            let r = try GW.run(["check-config", url.path], timeout: 30)
            XCTAssertEqual(r.status, 0, r.summary)
            XCTAssertTrue(r.stdout.contains("OK"), r.summary)
        }
    }

    /// run names the feed and where its source is configured, and creates no database.
    func testRunNamesFeedAndPositionOfABadSource() throws {
        let dir = try GW.tempDir(self)
        let good = try String(contentsOf: try validSite(in: dir), encoding: .utf8)
        let url = dir.appendingPathComponent("missing.yaml")
        try good.replacingOccurrences(of: "\"synthetic:kind=pairs,seed=3,frames=50,fps=10\"", with: "no-such-clip.avi")
            .write(to: url, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("m.sqlite").path
        try assertOneLineFailure(["run", "--config", url.path, "--db", db],
                                 mentions: ["missing.yaml:10:17", "feed 'f1'", "no-such-clip.avi"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: db), "no database for a site that cannot start")
    }

    /// --probe opens streams: a dead one fails within the open timeout, naming the feed.
    func testCheckConfigProbeOpensStreams() throws {
        let dir = try GW.tempDir(self)
        let good = try String(contentsOf: try validSite(in: dir), encoding: .utf8)
        let url = dir.appendingPathComponent("probe.yaml")
        try good.replacingOccurrences(of: "\"synthetic:kind=pairs,seed=3,frames=50,fps=10\"", with: "rtsp://admin:Pw0rd9@127.0.0.1:9/none")
            .write(to: url, atomically: true, encoding: .utf8)
        let plain = try GW.run(["check-config", url.path], timeout: 30)
        XCTAssertEqual(plain.status, 0, "without --probe a well-formed URL is not opened: \(plain.summary)")
        let r = try assertOneLineFailure(["check-config", "--probe", url.path], mentions: ["feed 'f1'", "probe.yaml:10:17"], timeout: 40)
        XCTAssertFalse(r.stderr.contains("Pw0rd9"), r.stderr)
    }

    func testUnknownSyntheticKind() throws {
        try assertOneLineFailure(["count", "synthetic:kind=nope"], mentions: ["nope"])
    }
}
