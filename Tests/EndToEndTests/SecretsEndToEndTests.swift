import Foundation
import XCTest

/// A camera password lives in the site file and nowhere else: not in any output of any
/// command, not in the database (nor its WAL), not in a report. The site file itself must be
/// readable by its owner only, and the tools say so when it is not.
final class SecretsEndToEndTests: XCTestCase {
    private let password = "Secret123"

    /// A site with a camera that does not answer (a closed loopback port) and one that counts.
    private func site(in dir: URL) throws -> URL {
        let url = dir.appendingPathComponent("site.yaml")
        try """
        site: {name: "Cổng có mật khẩu", capacity: 100, time_zone: Asia/Ho_Chi_Minh}
        gates:
          - id: g1
            name: Main
            feeds:
              - id: cam
                source: "rtsp://admin:\(password)@127.0.0.1:9/stream1?user=admin&pwd=\(password)"
                fps: 10
                lines: [{id: l1, from: [0.5, 0.05], to: [0.5, 0.95], inside: [0.9, 0.5]}]
              - id: scene
                source: "synthetic:kind=pairs,seed=3,frames=120,fps=10,realtime"
                lines: [{id: l2, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
        alerts: {offline_seconds: 2}
        """.write(to: url, atomically: true, encoding: .utf8)
        chmod(url.path, 0o600)
        return url
    }

    func testThePasswordIsInNoOutputNoReportAndNotInTheDatabase() throws {
        let dir = try GW.tempDir(self)
        let config = try site(in: dir)
        let db = dir.appendingPathComponent("site.sqlite").path
        var outputs: [(String, String)] = []

        let check = try GW.run(["check-config", config.path], timeout: 30)
        XCTAssertEqual(check.status, 0, check.summary)
        outputs.append(("check-config", check.stdout + check.stderr))

        let child = try Child(["run", "--config", config.path, "--db", db])
        defer { child.stopIfRunning() }
        // Wait for the dead camera's offline alert: its error text is the likeliest leak.
        var offline = false
        for _ in 0..<80 where !offline {
            usleep(250_000)
            let s = try GW.run(["status", "--db", db, "--json"], timeout: 30)
            offline = s.stdout.contains("\"offline\"")
        }
        XCTAssertTrue(offline, "the dead camera never went offline")
        for args in [["status", "--db", db], ["status", "--db", db, "--json"], ["check", "--db", db],
                     ["report", "--db", db, "--by", "day", "--json"], ["report", "--db", db, "--by", "hour", "--csv"]] {
            let r = try GW.run(args, timeout: 30)
            outputs.append((args.joined(separator: " "), r.stdout + r.stderr))
        }
        child.signal(SIGTERM)
        let run = child.wait(timeout: 20)
        XCTAssertFalse(run.timedOut)
        outputs.append(("run", run.stdout + run.stderr))

        for (what, text) in outputs {
            XCTAssertFalse(text.contains(password), "\(what) shows the password:\n\(text.prefix(3000))")
        }
        XCTAssertTrue(outputs.contains { $0.1.contains("admin:***@127.0.0.1:9") }, "the masked URL is still shown somewhere useful")

        // Every file the run left: the database, its WAL and SHM, the logs, the preview folder's files.
        let files = (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String] ?? []).filter { name in
            var isDir: ObjCBool = false
            return name != "site.yaml" && FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path, isDirectory: &isDir) && !isDir.boolValue
        }
        XCTAssertTrue(files.contains("site.sqlite"), "\(files)")
        for name in files {
            let bytes = try Data(contentsOf: dir.appendingPathComponent(name))
            XCTAssertNil(bytes.range(of: Data(password.utf8)), "\(name) holds the password")
        }
    }

    func testAWorldReadableSiteFileWithPasswordsIsWarnedAbout() throws {
        let dir = try GW.tempDir(self)
        let config = try site(in: dir)
        let quiet = try GW.run(["check-config", config.path], timeout: 30)
        XCTAssertEqual(quiet.status, 0, quiet.summary)
        XCTAssertFalse(quiet.stderr.contains("chmod"), "0600 is fine: \(quiet.summary)")

        chmod(config.path, 0o644)
        let warned = try GW.run(["check-config", config.path], timeout: 30)
        XCTAssertEqual(warned.status, 0, "a warning, not a refusal: \(warned.summary)")
        XCTAssertTrue(warned.stderr.contains("mode 0644") && warned.stderr.contains("chmod 600 \(config.path)"), warned.summary)
        XCTAssertEqual(warned.stderrLines.count, 1, warned.summary)
        XCTAssertFalse(warned.stderr.contains(password))

        // No credential in the file: nothing to protect, nothing said.
        let plain = dir.appendingPathComponent("plain.yaml")
        try String(contentsOf: config, encoding: .utf8)
            .replacingOccurrences(of: "admin:\(password)@", with: "")
            .replacingOccurrences(of: "?user=admin&pwd=\(password)", with: "")
            .write(to: plain, atomically: true, encoding: .utf8)
        chmod(plain.path, 0o644)
        let open = try GW.run(["check-config", plain.path], timeout: 30)
        XCTAssertFalse(open.stderr.contains("chmod"), open.summary)
    }
}
