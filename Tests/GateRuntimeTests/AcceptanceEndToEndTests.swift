import Foundation
import XCTest

/// Runs tiny suites through the built `gatewatch` binary (build it first: `swift build`).
final class AcceptanceEndToEndTests: XCTestCase {
    static let tree = "/usr/share/doc/opencv-doc/examples/data/tree.avi"

    var packageRoot: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }   // Tests/GateRuntimeTests/X.swift -> root
        return u
    }

    func binary() throws -> String {
        let path = packageRoot.appendingPathComponent(".build/debug/gatewatch").path
        guard FileManager.default.isExecutableFile(atPath: path) else {
            XCTFail("\(path) is missing: run 'swift build' first"); throw XCTSkip("no binary")
        }
        return path
    }

    func run(_ args: [String], in dir: String) throws -> (code: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try binary())
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    func suite(_ name: String, expectIn: Int) throws -> String {
        let dir = NSTemporaryDirectory() + "acc-e2e-\(getpid())-\(name)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir + "/suite", withIntermediateDirectories: true)
        let yaml = """
            name: tree-\(name)
            source: \(Self.tree)
            lines:
              - id: mid-line
                from: [0.5, 0.05]
                to: [0.5, 0.95]
                inside: [0.9, 0.5]
                expect: {in: \(expectIn), out: 0}
            alerts:
              must_not_raise: [offline, frozen]
            """
        try yaml.write(toFile: dir + "/suite/01-tree.yaml", atomically: true, encoding: .utf8)
        return dir
    }

    func testPassingSuite() throws {
        guard FileManager.default.fileExists(atPath: Self.tree) else { throw XCTSkip("tree.avi (opencv-doc) not installed") }
        let dir = try suite("pass", expectIn: 0)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run(["test", "suite", "--junit", "out.xml", "--report", "out.md", "--db", "t.sqlite"], in: dir)
        XCTAssertEqual(r.code, 0, r.out + r.err)
        XCTAssertTrue(r.out.contains("1 scenarios: 1 passed, 0 failed"), r.out)
        let md = try String(contentsOfFile: dir + "/out.md", encoding: .utf8)
        XCTAssertTrue(md.contains("| tree-pass |"))
        let xml = try String(contentsOfFile: dir + "/out.xml", encoding: .utf8)
        XCTAssertTrue(xml.contains("<testcase classname=") && !xml.contains("<failure"))
        XCTAssertTrue(FileManager.default.fileExists(atPath: dir + "/t.sqlite"))
    }

    func testWrongExpectationFailsWithDiff() throws {
        guard FileManager.default.fileExists(atPath: Self.tree) else { throw XCTSkip("tree.avi (opencv-doc) not installed") }
        let dir = try suite("wrong", expectIn: 3)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run(["test", "suite", "--junit", "out.xml", "--db", "t.sqlite"], in: dir)
        XCTAssertEqual(r.code, 1, r.out + r.err)
        XCTAssertTrue(r.out.contains("mid-line: expected in 3, counted 0 (-3)"), r.out)
        let xml = try String(contentsOfFile: dir + "/out.xml", encoding: .utf8)
        XCTAssertTrue(xml.contains("<failure message=\"mid-line: expected in 3, counted 0 (-3)\""), xml)
    }

    func testBadScenarioIsOneLineWithLocation() throws {
        let dir = NSTemporaryDirectory() + "acc-e2e-\(getpid())-bad"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "source: a.avi\nalerts:\n  must_raise: [coverd]\n".write(toFile: dir + "/bad.yaml", atomically: true, encoding: .utf8)
        let r = try run(["test", "bad.yaml", "--db", "t.sqlite"], in: dir)
        XCTAssertEqual(r.code, 1)
        let lines = r.err.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, r.err)
        XCTAssertTrue(r.err.contains("bad.yaml:3:16: key 'alerts.must_raise': unknown alert kind 'coverd'; did you mean 'covered'?"), r.err)
    }
}
