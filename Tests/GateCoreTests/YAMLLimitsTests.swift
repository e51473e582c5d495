import XCTest
@testable import GateCore

/// Size and depth are bounded before the recursive YAML parser runs: nesting thousands deep
/// used to overflow the stack (SIGSEGV) instead of giving an error line.
final class YAMLLimitsTests: XCTestCase {
    func error(_ yaml: String) -> ConfigError? {
        do { _ = try ConfigLoader.parse(yaml: yaml, file: "deep.yaml"); return nil } catch { return error as? ConfigError }
    }

    func testDeepBlockMappingRefusedWithPosition() {
        let yaml = (0..<1400).map { String(repeating: " ", count: $0) + "a:" }.joined(separator: "\n")
        let e = error(yaml)
        XCTAssertEqual(e?.line, YAMLLimits.maxDepth + 1, e?.description ?? "no error")
        XCTAssertTrue(e?.message.contains("nested more than 64 levels") ?? false, e?.description ?? "")
    }

    func testDeepSequencesOnOneLineRefused() {
        let e = error(String(repeating: "- ", count: 5000) + "x")
        XCTAssertTrue(e?.message.contains("nested more than") ?? false, e?.description ?? "no error")
    }

    func testDeepFlowClosedAndUnclosedRefused() {
        for yaml in [String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000),
                     "site: " + String(repeating: "{a: ", count: 20_000),
                     "gates:\n" + String(repeating: "  [\n", count: 100)] {
            let e = error(yaml)
            XCTAssertTrue(e?.message.contains("nested more than") ?? false, e?.description ?? "no error")
            XCTAssertNotNil(e?.line)
        }
    }

    func testOversizedTextRefused() {
        let yaml = "site: {name: x, capacity: 1}\n# " + String(repeating: "x", count: YAMLLimits.maxBytes) + "\n"
        let e = error(yaml)
        XCTAssertTrue(e?.message.contains("bytes") ?? false, e?.description ?? "no error")
    }

    /// Brackets in quotes, comments and plain words are not nesting; a real site file passes.
    func testOrdinaryFilesPass() throws {
        XCTAssertNil(YAMLLimits.tooDeep(ConfigLoaderTests.sample))
        let tricky = """
        site: {name: "a [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[ b", capacity: 10}
        # [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[
        x: it's a[b{c
        y: '[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{[{'
        """
        XCTAssertNil(YAMLLimits.tooDeep(tricky))
        var deepButFine = ""
        for i in 0..<60 { deepButFine += String(repeating: " ", count: i) + "k\(i):\n" }
        XCTAssertNil(YAMLLimits.tooDeep(deepButFine))
    }

    func testFileOverTheLimitRefusedBeforeReading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("yl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.yaml")
        try Data(count: YAMLLimits.maxBytes + 1).write(to: url)
        XCTAssertThrowsError(try ConfigLoader.load(path: url.path)) { e in
            XCTAssertTrue("\(e)".contains("bytes"), "\(e)")
        }
    }
}
