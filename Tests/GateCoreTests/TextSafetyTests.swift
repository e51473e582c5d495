import XCTest
@testable import GateCore

/// Config text echoed into errors and logs: escapes shown, not obeyed; long values cut.
final class TextSafetyTests: XCTestCase {
    func testEscapesAndControlCharactersAreShown() {
        XCTAssertEqual(TextSafety.escape("\u{1B}[31mRED\u{1B}[0m\r\nINJECTED"), "\\e[31mRED\\e[0m\\r\\nINJECTED")
        XCTAssertEqual(TextSafety.escape("a\u{7}b\u{9B}c\u{202E}d\u{0}"), "a\\u{7}b\\u{9B}c\\u{202E}d\\u{0}")
        XCTAssertEqual(TextSafety.escape("Cổng chính – 入口"), "Cổng chính – 入口")
        XCTAssertFalse(TextSafety.needsEscaping("rtsp://cam/1"))
    }

    func testEchoCutsLongValues() {
        let big = String(repeating: "x", count: 10_000_000)
        let start = Date()
        let out = TextSafety.echo(big, limit: 50)
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(out, String(repeating: "x", count: 50) + "…(9999950 more bytes)")
        XCTAssertEqual(TextSafety.echo("short"), "short")
    }

    func testConfigErrorsEscapeAndCapEchoedValues() throws {
        let yaml = ConfigLoaderTests.sample.replacingOccurrences(of: "detector: motion",
                                                                 with: "detector: \"\\e[31mRED\\e[0m\\r\\nINJECTED\"")
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: yaml, file: "s.yaml")) { e in
            let line = "\(e)"
            XCTAssertFalse(line.contains("\u{1B}") || line.contains("\r") || line.contains("\n"), line)
            XCTAssertTrue(line.contains("\\e[31mRED\\e[0m\\r\\nINJECTED"), line)
        }
    }

    /// A 10 MB detector value used to take 27 s (did-you-mean over every character) and print a 10 MB line.
    func testHugeValueRejectedFastWithShortLine() throws {
        // Just under the file-size bound, so the walker itself meets the value.
        let big = String(repeating: "m", count: 900_000)
        let yaml = ConfigLoaderTests.sample.replacingOccurrences(of: "detector: motion", with: "detector: \(big)")
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: yaml, file: "s.yaml")) { e in
            XCTAssertLessThan("\(e)".count, 500, "\("\(e)".prefix(300))")
            XCTAssertTrue("\(e)".contains("more bytes"), "\("\(e)".prefix(300))")
        }
        let huge = String(repeating: "m", count: 10_000_000)
        let start = Date()
        XCTAssertNil(closest(huge, in: ["ssdlite", "hog", "motion"]))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "did-you-mean must not compare a 10 MB value")
        XCTAssertEqual(closest("motoin", in: ["ssdlite", "hog", "motion"]), "motion")
    }
}
