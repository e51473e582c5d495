import Foundation
import XCTest

/// `status` and `report` speak the one language rule (`--lang`, else LANG) and stay readable on
/// a technician's non-UTF-8 terminal: plain ASCII there, never mojibake.
final class LanguageEndToEndTests: XCTestCase {
    private func ranSite(_ dir: URL) throws -> String {
        let site = dir.appendingPathComponent("site.yaml")
        try """
        site: {name: "Khu du lịch Tràng An", capacity: 100, time_zone: Asia/Ho_Chi_Minh}
        gates:
          - id: g1
            name: "Cổng chính"
            feeds:
              - id: f1
                source: "synthetic:kind=pairs,seed=3,frames=60,fps=10"
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        """.write(to: site, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("site.sqlite").path
        let r = try GW.run(["run", "--config", site.path, "--db", db, "--quiet"], timeout: 180)
        XCTAssertEqual(r.status, 0, r.summary)
        return db
    }

    func testStatusAndReportInBothLanguagesAndAsciiUnderLangC() throws {
        let dir = try GW.tempDir(self)
        let db = try ranSite(dir)

        let vi = try GW.run(["report", "--db", db, "--by", "day", "--lang", "vi"], timeout: 30)
        XCTAssertEqual(vi.status, 0, vi.summary)
        XCTAssertTrue(vi.stdout.contains("Vào/ra theo ngày") && vi.stdout.contains("tổng"), vi.stdout)
        let en = try GW.run(["report", "--db", db, "--by", "day", "--lang", "en"], timeout: 30)
        XCTAssertTrue(en.stdout.contains("Daily in/out") && en.stdout.contains("total"), en.stdout)

        // LANG=C: Vietnamese by default (the site's staff), folded to ASCII for the terminal.
        let ascii = ["LANG": "C", "LC_ALL": "C"]
        for args in [["status", "--db", db], ["report", "--db", db, "--by", "hour"]] {
            let r = try GW.run(args, timeout: 30, extraEnv: ascii)
            XCTAssertTrue(r.status == 0 || r.status == 3, r.summary)
            XCTAssertTrue(r.stdout.utf8.allSatisfy { $0 < 0x80 }, "non-ASCII under LANG=C: \(r.stdout)")
            XCTAssertFalse(r.stdout.isEmpty)
        }
        let status = try GW.run(["status", "--db", db], timeout: 30, extraEnv: ascii)
        XCTAssertTrue(status.stdout.contains("Khu du lich Trang An") && status.stdout.contains("So nguoi trong khu"), status.stdout)

        let bad = try GW.run(["report", "--db", db, "--lang", "fr"], timeout: 30)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--lang fr: unknown language; use vi or en"), bad.summary)
        XCTAssertEqual(bad.stderrLines.count, 1, bad.summary)
    }
}
