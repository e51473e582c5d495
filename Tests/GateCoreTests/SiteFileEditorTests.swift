import Foundation
import XCTest
@testable import GateCore

/// The site-file editor keeps everything it does not change (comments too) and refuses an
/// edit whose result fails the config checks or would change more than asked.
final class SiteFileEditorTests: XCTestCase {
    let site = """
    # The site's file: comments stay where they are.
    site:
      name: "Khu A"   # trailing comment
      capacity: 50

    gates:
      - id: main      # the main gate
        name: "Cổng chính"
        feeds:
          # first camera
          - id: cam1
            name: "Camera 1"
            source: "synthetic:kind=both,seed=1,people=4,frames=100,fps=10"
            lines:
              - id: l1
                name: "Vạch 1"
                from: [0.1, 0.5]
                to: [0.9, 0.5]
                inside: [0.5, 0.9]
            # after the lines
            detector: motion
          - id: cam2
            name: "Camera 2"
            source: "synthetic:kind=both,seed=2,people=4,frames=100,fps=10"
            lines:
              - id: l2
                from: [0.2, 0.4]
                to: [0.8, 0.4]
                inside: [0.5, 0.1]
      - id: cam1x
        name: "A gate whose id looks like a feed's"
        feeds:
          - id: cam3
            source: "synthetic:kind=both,seed=3,people=4,frames=100,fps=10"
            lines:
              - { id: l3, from: [0.1, 0.1], to: [0.9, 0.1], inside: [0.5, 0.5] }

    alerts:
      offline_seconds: 20   # kept
    """

    func line(_ id: String, _ y: Double) -> LineConfig {
        LineConfig(id: id, name: "Tên \"mới\"", from: Point(x: 0.2, y: y), to: Point(x: 0.8, y: y), inside: Point(x: 0.5, y: y + 0.2))
    }

    func testReplacingOneFeedsLinesKeepsEverythingElse() throws {
        let out = try SiteFileEditor.replacingLines(in: site, feedId: "cam1", with: [line("l1", 0.6), line("l1b", 0.3)], file: "s.yaml")
        let config = try ConfigLoader.parse(yaml: out)
        XCTAssertEqual(config.feeds.first { $0.id == "cam1" }?.lines, [line("l1", 0.6), line("l1b", 0.3)])
        XCTAssertEqual(config.feeds.first { $0.id == "cam2" }?.lines.map(\.id), ["l2"])
        XCTAssertEqual(config.feeds.first { $0.id == "cam1" }?.detector, .motion, "the key after the lines stays")
        for comment in ["# The site's file", "# trailing comment", "# the main gate", "# first camera", "# after the lines", "# kept"] {
            XCTAssertTrue(out.contains(comment), "\(comment) lost:\n\(out)")
        }
        // Only the replaced block differs: the lines before and after it are byte for byte the same.
        let before = site.components(separatedBy: "\n"), after = out.components(separatedBy: "\n")
        let head = before.firstIndex(of: "        lines:")! + 1, tail = before.firstIndex(of: "        # after the lines")!
        XCTAssertEqual(Array(before.prefix(head)), Array(after.prefix(head)))
        XCTAssertEqual(Array(before.suffix(from: tail)), Array(after.suffix(before.count - tail)))
        XCTAssertEqual(after.count - before.count, 5, "one line more: five rows more")
    }

    func testABadResultIsRefusedWithTheLoadersLine() {
        let onTheLine = LineConfig(id: "l1", name: "x", from: Point(x: 0.1, y: 0.5), to: Point(x: 0.9, y: 0.5), inside: Point(x: 0.5, y: 0.5))
        XCTAssertThrowsError(try SiteFileEditor.replacingLines(in: site, feedId: "cam1", with: [onTheLine], file: "s.yaml")) { e in
            XCTAssertTrue("\(e)".contains("inside"), "\(e)")
        }
        XCTAssertThrowsError(try SiteFileEditor.replacingLines(in: site, feedId: "nope", with: [line("l1", 0.5)], file: "s.yaml")) { e in
            XCTAssertTrue("\(e)".contains("feed `nope` is not in the file"), "\(e)")
        }
        // A line id another feed uses: the loader's uniqueness rule.
        XCTAssertThrowsError(try SiteFileEditor.replacingLines(in: site, feedId: "cam1", with: [line("l2", 0.5)], file: "s.yaml"))
    }

    func testAFlowStyleLineListIsReplacedToo() throws {
        let out = try SiteFileEditor.replacingLines(in: site, feedId: "cam3", with: [line("l3", 0.4)], file: "s.yaml")
        XCTAssertEqual(try ConfigLoader.parse(yaml: out).feeds.first { $0.id == "cam3" }?.lines, [line("l3", 0.4)])
        // The whole list on the key's row.
        let inline = site.replacingOccurrences(of: "        lines:\n          - { id: l3, from: [0.1, 0.1], to: [0.9, 0.1], inside: [0.5, 0.5] }",
                                               with: "        lines: [{id: l3, from: [0.1, 0.1], to: [0.9, 0.1], inside: [0.5, 0.5]}]")
        XCTAssertNotEqual(inline, site)
        let out2 = try SiteFileEditor.replacingLines(in: inline, feedId: "cam3", with: [line("l3", 0.4)], file: "s.yaml")
        XCTAssertEqual(try ConfigLoader.parse(yaml: out2).feeds.first { $0.id == "cam3" }?.lines, [line("l3", 0.4)])
    }

    func testAppendingAFeedToAGate() throws {
        let feed = FeedConfig(id: "cam9", name: "Camera 9", source: "rtsp://cam9/stream", fps: 12.5, realtime: true,
                              lines: [line("l9", 0.5)])
        let out = try SiteFileEditor.appendingFeed(in: site, gateId: "main", feed: feed, file: "s.yaml")
        let config = try ConfigLoader.parse(yaml: out)
        XCTAssertEqual(config.gates[0].feeds.map(\.id), ["cam1", "cam2", "cam9"])
        XCTAssertEqual(config.gates[0].feeds[2].source, "rtsp://cam9/stream")
        XCTAssertTrue(out.contains("offline_seconds: 20   # kept"))
        XCTAssertThrowsError(try SiteFileEditor.appendingFeed(in: site, gateId: "main", feed: FeedConfig(id: "cam2", name: "dup", source: "x.avi", lines: [line("l7", 0.5)]), file: "s.yaml"))
    }

    func testSaveWritesWholeAndKeepsTheMode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("gw-site-\(UUID().uuidString).yaml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try site.write(toFile: path, atomically: false, encoding: .utf8)
        chmod(path, 0o640)
        try SiteFileEditor.save(path: path) { try SiteFileEditor.replacingLines(in: $0, feedId: "cam2", with: [self.line("l2", 0.7)], file: path) }
        let text = try String(contentsOfFile: path, encoding: .utf8)
        XCTAssertTrue(text.contains("from: [0.2, 0.7]"), text)
        XCTAssertEqual(((try FileManager.default.attributesOfItem(atPath: path))[.posixPermissions] as? NSNumber)?.intValue, 0o640)
        // A refused edit leaves the file alone.
        XCTAssertThrowsError(try SiteFileEditor.save(path: path) { _ in throw ConfigError(file: path, message: "no") })
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), text)
    }
}
