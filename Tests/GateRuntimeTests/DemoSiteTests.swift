import XCTest
import GateCore
@testable import GateRuntime

final class DemoSiteTests: XCTestCase {
    private var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// The demo built into the binary and the sample a user reads must be the same site.
    func testBuiltInDemoMatchesTheSample() throws {
        let sample = try String(contentsOf: packageRoot.appendingPathComponent("samples/demo-site.yaml"), encoding: .utf8)
        XCTAssertEqual(DemoSite.yaml.trimmingCharacters(in: .whitespacesAndNewlines),
                       sample.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    func testDemoSiteIsValidAndUsesOnlySyntheticFeeds() throws {
        let site = try ConfigLoader.parse(yaml: DemoSite.yaml, file: "demo")
        XCTAssertGreaterThanOrEqual(site.gates.count, 2)
        for feed in site.feeds {
            XCTAssertTrue(feed.source.hasPrefix("synthetic:"), "\(feed.id) must run anywhere: \(feed.source)")
            XCTAssertTrue(feed.loop && feed.realtime, "\(feed.id) must run forever at camera pace")
        }
    }

    func testSampleSitesParse() throws {
        for name in ["demo-site.yaml", "vtest-site.yaml"] {
            XCTAssertNoThrow(try ConfigLoader.load(path: packageRoot.appendingPathComponent("samples/\(name)").path), name)
        }
    }
}
