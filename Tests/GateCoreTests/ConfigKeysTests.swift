import XCTest
@testable import GateCore

final class ConfigKeysTests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The README's key reference is the generated table, character for character.
    func testReadmeKeyReferenceIsGenerated() throws {
        let readme = try String(contentsOf: Self.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let begin = "<!-- keys:begin -->\n", end = "<!-- keys:end -->"
        guard let b = readme.range(of: begin), let e = readme.range(of: end, range: b.upperBound..<readme.endIndex) else {
            return XCTFail("README.md has no \(begin) ... \(end) section")
        }
        XCTAssertEqual(String(readme[b.upperBound..<e.lowerBound]), ConfigKeys.markdown(ConfigKeys.site),
                       "regenerate it with: gatewatch check-config --keys")
    }

    /// Every key of the sample site file is in the table, and every table key is reachable.
    func testTableCoversTheSampleSite() throws {
        let paths = Set(ConfigKeys.site.map(\.path))
        for p in paths where p.contains(".") {
            var section = String(p[..<p.lastIndex(of: ".")!])
            if section.hasSuffix("[]") { section.removeLast(2) }   // an entry of the list `section`
            XCTAssertTrue(paths.contains(section), "\(p): its section \(section) is not in the table")
        }
        XCTAssertEqual(paths.count, ConfigKeys.site.count, "a key is listed twice")
        for key in ["site.capacity", "gates[].feeds[].fps", "alerts.on_alert_timeout", "retention_days"] {
            XCTAssertTrue(paths.contains(key), key)
        }
    }

    /// Numbers in the table carry the one range of `Limits`, shown in the reference.
    func testNumbersComeFromLimits() {
        let md = ConfigKeys.markdown(ConfigKeys.site)
        XCTAssertTrue(md.contains("| `site.capacity` | \(Limits.capacity.rangeText) | required |"), md)
        XCTAssertTrue(md.contains("| `alerts.offline_seconds` | \(Limits.offlineSeconds.rangeText) | 20 |"), md)
        for limit in Limits.siteFile {
            XCTAssertTrue(ConfigKeys.site.contains { $0.kind == .number(limit) }, "\(limit.key) has no key in the table")
        }
    }

    /// An unknown key is matched against the table of its own section.
    func testUnknownKeySuggestionsComeFromTheTable() {
        let yaml = ConfigLoaderTests.sample.replacingOccurrences(of: "offline_seconds: 30", with: "ofline_seconds: 30")
        XCTAssertThrowsError(try ConfigLoader.parse(yaml: yaml, file: "s.yaml")) { err in
            let e = err as? ConfigError
            XCTAssertEqual(e?.key, "alerts.ofline_seconds")
            XCTAssertTrue(e?.message.contains("did you mean 'offline_seconds'?") ?? false, "\(err)")
            let allowed = ConfigKeys.children(of: "alerts", in: ConfigKeys.site).map(\.name).joined(separator: ", ")
            XCTAssertTrue(e?.message.hasSuffix("(allowed here: \(allowed))") ?? false, "\(err)")
        }
    }
}
