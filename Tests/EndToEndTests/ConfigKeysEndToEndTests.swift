import XCTest
import Foundation

/// `gatewatch check-config --keys` / `--scenario-keys` through the real binary.
final class ConfigKeysEndToEndTests: XCTestCase {
    func testKeysPrintsTheReadmeReference() throws {
        try GW.requireBinary()
        let r = try GW.run(["check-config", "--keys"], timeout: 30)
        XCTAssertEqual(r.status, 0, r.summary)
        let readme = try String(contentsOf: GW.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        guard let b = readme.range(of: "<!-- keys:begin -->\n"), let e = readme.range(of: "<!-- keys:end -->") else {
            return XCTFail("README.md has no keys section")
        }
        XCTAssertEqual(r.stdout, String(readme[b.upperBound..<e.lowerBound]), r.summary)
    }

    func testScenarioKeysAndMisuse() throws {
        try GW.requireBinary()
        let s = try GW.run(["check-config", "--scenario-keys"], timeout: 30)
        XCTAssertEqual(s.status, 0, s.summary)
        for key in ["`source`", "`lines[].expect.tolerance`", "`speed.min_fps`", "`alerts.must_raise`"] {
            XCTAssertTrue(s.stdout.contains("| \(key) |"), "\(key): \(s.summary)")
        }
        for args in [["check-config"], ["check-config", "--keys", "site.yaml"], ["check-config", "--keys", "--scenario-keys"]] {
            let r = try GW.run(args, timeout: 30)
            XCTAssertNotEqual(r.status, 0, r.summary)
            XCTAssertEqual(r.stderrLines.count, 1, "\(args): \(r.summary)")
        }
    }
}
