import XCTest
import Foundation
import GateStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The hub serves the site API's contract across sites: after a real site has counted,
/// stored an acceptance run and synced, every read of the contract asked of the hub with
/// `site=NAME` answers what the site's own server answers (its `now` aside), the
/// contract's errors hold at both, and schemathesis finds nothing at the hub.
final class HubContractEndToEndTests: XCTestCase {
    static let siteName = "Khu du lịch Tràng An"

    func testTheHubAnswersTheSitesContractAsTheSiteDoes() throws {
        let (pg, hub, hubBase) = try Self.launchHub()
        defer { hub.stopIfRunning() }
        let dir = try GW.tempDir(self)
        let added = try GW.run(["hub", "site", "add", Self.siteName, "--pg", pg], timeout: 30)
        XCTAssertEqual(added.status, 0, added.summary)
        let siteKey = try XCTUnwrap(added.stdout.split(separator: "\n").last.map { String($0.split(separator: " ").last ?? "") })
        let reader = try XCTUnwrap(try GW.run(["hub", "reader", "add", "lgsp", "--pg", pg], timeout: 30).stdout
            .split(separator: "\n").last.map(String.init))

        // The site counts a synthetic crowd, then stores an acceptance run, then sends what is left.
        let config = dir.appendingPathComponent("site.yaml"), db = dir.appendingPathComponent("site.sqlite")
        try HubEndToEndTests.siteFile(name: Self.siteName, seed: 7, sync: "{hub: '\(hubBase)', key: \(siteKey), batch: 5}")
            .write(to: config, atomically: true, encoding: .utf8)
        let site = try Child(["run", "--config", config.path, "--db", db.path])
        defer { site.stopIfRunning() }
        sleep(10)
        site.signal(SIGINT)
        XCTAssertEqual(site.wait(timeout: 30).status, 0)
        let suite = dir.appendingPathComponent("suite")
        try FileManager.default.createDirectory(at: suite, withIntermediateDirectories: true)
        try """
            name: both-ways
            source: synthetic:kind=both,seed=1,people=2,frames=150
            expect: truth
            """.write(to: suite.appendingPathComponent("01-both.yaml"), atomically: true, encoding: .utf8)
        XCTAssertEqual(try GW.run(["test", suite.path, "--db", db.path], timeout: 300).status, 0)
        let synced = try GW.run(["sync", "--config", config.path, "--db", db.path, "--timeout", "60"], timeout: 90)
        XCTAssertEqual(synced.status, 0, synced.summary)

        // The site's own server over the same database.
        let apiKey = try XCTUnwrap(try GW.run(["api-key", "add", "compare", "--scope", "read", "--db", db.path], timeout: 30).stdout
            .split(separator: "\n").first { $0.hasPrefix("gwk_") }.map(String.init))
        let sitePort = try GW.freePort()
        let serve = try Child(["serve", "--db", db.path, "--listen", "127.0.0.1:\(sitePort)"])
        defer { serve.stopIfRunning() }
        let siteBase = "http://127.0.0.1:\(sitePort)"
        try Self.waitForHealthz(siteBase)

        let name = try XCTUnwrap(Self.siteName.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
        let crossings = try Self.json(HubEndToEndTests.fetch(siteBase + "/v1/crossings?limit=1000", key: apiKey))
        XCTAssertGreaterThan((crossings["crossings"] as? [Any])?.count ?? 0, 3, "the site counted people")
        let runs = try Self.json(HubEndToEndTests.fetch(siteBase + "/v1/tests", key: apiKey))["runs"] as? [[String: Any]]
        let runId = try XCTUnwrap(runs?.first?["id"] as? Int)
        for path in ["/v1/site", "/v1/gates", "/v1/occupancy", "/v1/feeds/health", "/v1/counts?by=15min", "/v1/counts?by=hour",
                     "/v1/counts?by=day", "/v1/counts?by=hour&gate=g1", "/v1/crossings?limit=1000", "/v1/crossings?limit=2",
                     "/v1/alerts", "/v1/alerts?state=resolved", "/v1/tests", "/v1/tests/\(runId)"] {
            let separator = path.contains("?") ? "&" : "?"
            let atSite = HubEndToEndTests.fetch(siteBase + path, key: apiKey)
            let atHub = HubEndToEndTests.fetch(hubBase + path + separator + "site=" + name, key: reader)
            XCTAssertEqual(atSite.status, 200, "\(path) at the site: \(atSite.body.prefix(300))")
            XCTAssertEqual(atHub.status, 200, "\(path) at the hub: \(atHub.body.prefix(300))")
            XCTAssertEqual(Self.withoutNow(try Self.json(atHub)), Self.withoutNow(try Self.json(atSite)),
                           "\(path): the hub's answer is not the site's\nhub:  \(atHub.body.prefix(800))\nsite: \(atSite.body.prefix(800))")
        }
        // The next page of crossings from the hub's cursor is the site's next page.
        let page = try Self.json(HubEndToEndTests.fetch(hubBase + "/v1/crossings?limit=2&site=" + name, key: reader))
        let next = try XCTUnwrap(page["next"] as? String)
        XCTAssertEqual(Self.withoutNow(try Self.json(HubEndToEndTests.fetch(hubBase + "/v1/crossings?limit=2&site=\(name)&after=\(next)", key: reader))),
                       Self.withoutNow(try Self.json(HubEndToEndTests.fetch(siteBase + "/v1/crossings?limit=2&after=\(next)", key: apiKey))))

        // The contract's errors, at both servers.
        let listed = try Self.json(HubEndToEndTests.fetch(hubBase + "/v1/sites", key: reader))["sites"] as? [[String: Any]]
        XCTAssertEqual(listed?.map { $0["name"] as? String }, [Self.siteName])
        let own = try Self.json(HubEndToEndTests.fetch(siteBase + "/v1/sites", key: apiKey))["sites"] as? [[String: Any]]
        XCTAssertEqual(own?.map { $0["name"] as? String }, [Self.siteName], "a site's server lists itself")
        XCTAssertEqual(HubEndToEndTests.fetch(siteBase + "/v1/occupancy?site=" + name, key: apiKey).status, 200)
        XCTAssertEqual(HubEndToEndTests.fetch(siteBase + "/v1/occupancy?site=elsewhere", key: apiKey).status, 404)
        let noSite = HubEndToEndTests.fetch(hubBase + "/v1/occupancy", key: reader)
        XCTAssertEqual(noSite.status, 400)
        XCTAssertTrue(noSite.body.contains("site=NAME"), noSite.body)
        XCTAssertEqual(HubEndToEndTests.fetch(hubBase + "/v1/gates?site=elsewhere", key: reader).status, 404)
        XCTAssertEqual(HubEndToEndTests.fetch(hubBase + "/v1/gates?site=" + name).status, 401, "a reader key is needed")
        XCTAssertEqual(HubEndToEndTests.fetch(hubBase + "/v1/alerts", key: reader).status, 200, "alerts across sites")
        let ack = HubEndToEndTests.fetch(hubBase + "/v1/alerts/1/acknowledge", key: reader, method: "POST", body: #"{"name": "Lan"}"#)
        XCTAssertEqual(ack.status, 403)
        XCTAssertTrue(ack.body.contains("at their site"), ack.body)
        let report = HubEndToEndTests.fetch(hubBase + "/v1/tests/\(runId)/report?site=" + name, key: reader)
        XCTAssertEqual(report.status, 409, "the signed report is written at the site, from its clips")

        // A site not heard from: its runner is not vouched for, nor its cameras.
        _ = try HubEndToEndTests.psql(pg, "UPDATE hub_site SET picture_at = now() - interval '5 minutes'")
        let health = try Self.json(HubEndToEndTests.fetch(hubBase + "/v1/feeds/health?site=" + name, key: reader))
        XCTAssertEqual((health["runner"] as? [String: Any])?["liveness"] as? String, "not_responding")
        XCTAssertEqual((health["feeds"] as? [[String: Any]])?.compactMap { $0["state"] as? String }, ["unknown"])

        try propertyCheck(hubBase, key: reader)
        hub.signal(SIGTERM)
        XCTAssertEqual(hub.wait(timeout: 20).status, 0)
    }

    /// A site that counted before it had `sync:` sends its history with `sync --since`: the hub
    /// then holds every crossing of the site, per minute as the site does, and a second
    /// `--since` (resent history) doubles nothing.
    func testHistoryFromBeforeSyncReachesTheHubOnce() throws {
        let (pg, hub, hubBase) = try Self.launchHub()
        defer { hub.stopIfRunning() }
        let dir = try GW.tempDir(self)
        let config = dir.appendingPathComponent("site.yaml"), db = dir.appendingPathComponent("site.sqlite")
        // Counting alone first: a site file without sync: (the crowd scene runs to its end).
        try HubEndToEndTests.siteFile(name: "Tam Cốc", seed: 3, sync: "{hub: '\(hubBase)', key: gws_00000000_x}", live: false)
            .replacingOccurrences(of: #"sync: .*"#, with: "", options: .regularExpression)
            .write(to: config, atomically: true, encoding: .utf8)
        let alone = try GW.run(["run", "--config", config.path, "--db", db.path], timeout: 120)
        XCTAssertEqual(alone.status, 0, alone.summary)
        let counted = try Self.siteCrossings(db)
        XCTAssertGreaterThan(counted, 3, "the scene has people crossing")

        let added = try GW.run(["hub", "site", "add", "Tam Cốc", "--pg", pg], timeout: 30)
        let key = try XCTUnwrap(added.stdout.split(separator: "\n").last.map { String($0.split(separator: " ").last ?? "") })
        try HubEndToEndTests.siteFile(name: "Tam Cốc", seed: 3, sync: "{hub: '\(hubBase)', key: \(key), batch: 4}", live: false)
            .write(to: config, atomically: true, encoding: .utf8)
        let plain = try GW.run(["sync", "--config", config.path, "--db", db.path, "--timeout", "30"], timeout: 60)
        XCTAssertEqual(plain.status, 0, plain.summary)
        XCTAssertEqual(try HubEndToEndTests.psql(pg, "SELECT count(*) FROM hub_crossing"), "0", "without --since, the past stays at the site")

        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"; day.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let since = day.string(from: Date().addingTimeInterval(-86_400))
        for round in 1...2 {
            let sent = try GW.run(["sync", "--config", config.path, "--db", db.path, "--since", since, "--timeout", "60"], timeout: 90)
            XCTAssertEqual(sent.status, 0, sent.summary)
            XCTAssertTrue(sent.stdout.contains("queued \(counted) crossings"), sent.summary)
            XCTAssertEqual(try HubEndToEndTests.psql(pg, "SELECT count(*), count(DISTINCT crossing_id) FROM hub_crossing"), "\(counted)|\(counted)",
                           "round \(round): every crossing once")
            XCTAssertEqual(try HubEndToEndTests.psql(pg, "SELECT sum(ins + outs) FROM hub_minute"), "\(counted)", "round \(round): the rollups count each once")
        }
        let bad = try GW.run(["sync", "--config", config.path, "--db", db.path, "--since", "yesterday"], timeout: 30)
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("YYYY-MM-DD"), bad.summary)
    }

    static func siteCrossings(_ db: URL) throws -> Int {
        let database = try GateDatabase.openReader(path: db.path)
        defer { try? database.close() }
        return try StoreQueries(database).crossings(afterId: 0, limit: 1_000_000).count
    }

    /// schemathesis against the hub, every read naming the site (scripts/api-property-check --url).
    private func propertyCheck(_ base: String, key: String) throws {
        let installed = try Child(["schemathesis"], executable: GW.packageRoot.appendingPathComponent("scripts/find-tool"))
            .wait(timeout: 30).status == 0
        guard installed else {
            if ProcessInfo.processInfo.environment["GATEWATCH_REQUIRE_ALL_CHECKS"] != nil {
                return XCTFail("schemathesis is not installed, and CI requires this check: scripts/setup installs it")
            }
            print("E2E hub schemathesis: skipped, not installed (scripts/setup installs it)")
            return
        }
        let r = try Child(["--url", base, "20"], executable: GW.packageRoot.appendingPathComponent("scripts/api-property-check"),
                          extraEnv: ["GATEWATCH_PROPERTY_KEY": key, "GATEWATCH_PROPERTY_SITE": Self.siteName,
                                     "GATEWATCH_PROPERTY_READ_ONLY": "1"]).wait(timeout: 600)
        print("E2E hub schemathesis: exit \(r.status) in \(String(format: "%.0f", r.seconds)) s; \(r.stdout.split(separator: "\n").suffix(3).joined(separator: " | "))")
        XCTAssertEqual(r.status, 0, r.summary)
    }

    /// A hub on a database of its own, answering: the database's URL, the process, its base URL.
    static func launchHub() throws -> (pg: String, hub: Child, base: String) {
        let pg = try HubEndToEndTests.freshDatabase(try HubEndToEndTests.pgURL())
        let port = try GW.freePort()
        let hub = try Child(["hub", "--listen", "127.0.0.1:\(port)"], extraEnv: ["GATEWATCH_HUB_PG": pg])
        let base = "http://127.0.0.1:\(port)"
        do { try waitForHealthz(base) } catch { hub.stopIfRunning(); throw error }
        return (pg, hub, base)
    }

    static func waitForHealthz(_ base: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while HubEndToEndTests.fetch(base + "/healthz").status != 200 {
            guard Date() < deadline else { throw E2EError("\(base) did not answer /healthz within 30 s") }
            usleep(200_000)
        }
    }

    static func json(_ reply: (status: Int, body: String)) throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any] else {
            throw E2EError("not a JSON object (HTTP \(reply.status)): \(reply.body.prefix(300))")
        }
        return object
    }

    /// The answer without its `now` (when it was asked), as a comparable value.
    static func withoutNow(_ value: Any) -> NSObject {
        switch value {
        case let object as [String: Any]:
            var kept: [String: Any] = [:]
            for (k, v) in object where k != "now" { kept[k] = withoutNow(v) }
            return kept as NSDictionary
        case let array as [Any]:
            return array.map(withoutNow) as NSArray
        default:
            return value as? NSObject ?? NSNull()
        }
    }
}
