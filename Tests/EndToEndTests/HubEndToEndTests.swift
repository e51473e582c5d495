import XCTest
import Foundation
import GateCore
import GateStore
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// Three sites counting synthetic scenes into one hub on a real PostgreSQL (scripts/test's
/// throw-away cluster, GATEWATCH_TEST_PG), through what weak links and power cuts do: a site
/// kill -9'd mid-batch and restarted, the hub stopped for a minute, one site's link cut
/// mid-request and after the hub's commit (lost acknowledgements), the hub kill -9'd under
/// load. Afterwards the hub holds exactly each site's crossings, per minute, none twice.
final class HubEndToEndTests: XCTestCase {
    private var children: [Child] = []

    override func tearDown() {
        for c in children { c.stopIfRunning() }
    }

    static func pgURL() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["GATEWATCH_TEST_PG"] else {
            if ProcessInfo.processInfo.environment["GATEWATCH_REQUIRE_ALL_CHECKS"] != nil {
                XCTFail("GATEWATCH_TEST_PG is not set: scripts/test starts PostgreSQL for these tests")
            }
            throw XCTSkip("no PostgreSQL (GATEWATCH_TEST_PG unset); scripts/test starts one")
        }
        return url
    }

    /// Runs SQL with psql and returns its unaligned output.
    static func psql(_ url: String, _ sql: String) throws -> String {
        let child = try Child(["-X", "-At", "-v", "ON_ERROR_STOP=1", url, "-c", sql], executable: URL(fileURLWithPath: "/usr/bin/psql"))
        let r = child.wait(timeout: 60)
        guard r.status == 0 else { throw E2EError("psql failed: \(r.summary)") }
        return r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A database of its own on the test cluster; its URL.
    static func freshDatabase(_ base: String) throws -> String {
        let name = "hub_e2e_\(UInt32.random(in: 0...UInt32.max))"
        _ = try psql(base, "CREATE DATABASE \(name)")
        return base.replacingOccurrences(of: #"/[^/]+$"#, with: "/\(name)", options: .regularExpression)
    }

    private func startHub(_ pg: String, port: Int) throws -> Child {
        let hub = try Child(["hub", "--listen", "127.0.0.1:\(port)"], extraEnv: ["GATEWATCH_HUB_PG": pg])
        children.append(hub)
        try waitUntil(timeout: 30, "the hub to listen") { (try? Self.get("http://127.0.0.1:\(port)/healthz")) == 200 }
        return hub
    }

    static func get(_ url: String) throws -> Int { fetch(url).status }

    /// A GET (or `method` with a JSON `body`) with an optional bearer key: the status and the body.
    static func fetch(_ url: String, key: String? = nil, method: String = "GET", body: String? = nil) -> (status: Int, body: String) {
        let sem = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result = (status: 0, body: "")
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 10
        request.httpMethod = method
        if let body {
            request.httpBody = Data(body.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        if let key { request.setValue("Bearer \(key)", forHTTPHeaderField: "Authorization") }
        URLSession.shared.dataTask(with: request) { data, response, _ in
            result = ((response as? HTTPURLResponse)?.statusCode ?? 0, data.map { String(decoding: $0, as: UTF8.self) } ?? "")
            sem.signal()
        }.resume()
        sem.wait()
        return result
    }

    private func waitUntil(timeout: Double, _ what: String, _ condition: () throws -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if try condition() { return }
            usleep(250_000)
        }
        throw E2EError("timed out waiting for \(what)")
    }

    /// A site of one gate and one camera on a synthetic crowd (the cheap motion detector:
    /// several sites count at once on 2 cores), syncing as `sync` says.
    static func siteFile(name: String, seed: Int, sync: String, live: Bool = true) -> String {
        """
        site: {name: "\(name)", capacity: 1000, time_zone: Asia/Ho_Chi_Minh}
        gates:
          - id: g1
            feeds:
              - id: f1
                source: "synthetic:kind=crowd,seed=\(seed),frames=\(live ? 300 : 120),fps=10"
                fps: 10
                realtime: \(live)
                loop: \(live)
                detector: motion
                lines:
                  - {id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}
        sync: \(sync)
        """
    }

    private func writeSite(_ dir: URL, name: String, seed: Int, hubPort: Int, key: String) throws -> URL {
        let url = dir.appendingPathComponent("\(name).yaml")
        try Self.siteFile(name: name, seed: seed, sync: "{hub: 'http://127.0.0.1:\(hubPort)', key: \(key), batch: 3}")
            .write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func startSite(_ config: URL) throws -> Child {
        let db = config.deletingPathExtension().appendingPathExtension("sqlite")
        let site = try Child(["run", "--config", config.path, "--db", db.path])
        children.append(site)
        return site
    }

    func testThreeSitesThroughOutagesAndKillsEndWithExactlyTheirCrossingsAtTheHub() throws {
        let pg = try Self.freshDatabase(try Self.pgURL())
        let dir = try GW.tempDir(self)
        let hubPort = try GW.freePort(), proxyPort = try GW.freePort()
        var hub = try startHub(pg, port: hubPort)
        var keys: [String] = []
        for name in ["site-a", "site-b", "site-c"] {
            let r = try GW.run(["hub", "site", "add", name, "--pg", pg], timeout: 30)
            XCTAssertEqual(r.status, 0, r.summary)
            keys.append(try XCTUnwrap(r.stdout.split(separator: "\n").first { $0.contains("key: ") }?
                .split(separator: " ").last.map(String.init)))
        }
        // site-b reaches the hub through a link that drops its first 8 connections.
        let proxy = try Child([GW.fixtures.appendingPathComponent("cutting-proxy.py").path, "\(proxyPort)", "\(hubPort)", "8"],
                              executable: URL(fileURLWithPath: "/usr/bin/python3"))
        children.append(proxy)
        let configs = [try writeSite(dir, name: "site-a", seed: 4, hubPort: hubPort, key: keys[0]),
                       try writeSite(dir, name: "site-b", seed: 7, hubPort: proxyPort, key: keys[1]),
                       try writeSite(dir, name: "site-c", seed: 11, hubPort: hubPort, key: keys[2])]
        var sites = try configs.map(startSite)

        sleep(12)
        // A power cut at site-a mid-batch; it comes back.
        sites[0].signal(SIGKILL); _ = sites[0].wait(timeout: 10)
        sites[0] = try startSite(configs[0])
        sleep(3)
        // The hub stopped for a minute while the sites count; then back.
        hub.signal(SIGTERM)
        XCTAssertEqual(hub.wait(timeout: 20).status, 0)
        sleep(60)
        hub = try startHub(pg, port: hubPort)
        sleep(8)
        // The hub killed under load (mid-commit: batches of 3 arrive all the time), restarted.
        hub.signal(SIGKILL); _ = hub.wait(timeout: 10)
        hub = try startHub(pg, port: hubPort)
        sleep(6)
        for s in sites { s.signal(SIGINT) }
        for s in sites { let r = s.wait(timeout: 30); XCTAssertFalse(r.timedOut, r.summary) }
        // What the stopped sites still hold goes with `gatewatch sync`.
        for c in configs {
            let db = c.deletingPathExtension().appendingPathExtension("sqlite")
            let r = try GW.run(["sync", "--config", c.path, "--db", db.path, "--timeout", "60"], timeout: 90)
            XCTAssertEqual(r.status, 0, r.summary)
        }
        let proxyOut = proxy.wait(timeout: 0).stdout
        XCTAssertTrue(proxyOut.contains("mid-request") && proxyOut.contains("lost acknowledgement"),
                      "the link to site-b was never cut both ways: \(proxyOut)")

        for (name, config) in zip(["site-a", "site-b", "site-c"], configs) {
            let db = config.deletingPathExtension().appendingPathExtension("sqlite")
            let database = try GateDatabase.openReader(path: db.path)
            defer { try? database.close() }
            let stored = try StoreQueries(database).crossings(afterId: 0, limit: 1_000_000)
            XCTAssertGreaterThan(stored.count, 10, "\(name) should have counted")
            var siteMinutes: [Int64: [Int]] = [:]
            for c in stored {
                let m = c.timestampMs / 60_000 * 60_000
                siteMinutes[m, default: [0, 0]][c.direction == .in ? 0 : 1] += 1
            }
            let hubRows = try Self.psql(pg, """
                SELECT (extract(epoch FROM date_trunc('minute', c.at)) * 1000)::bigint, count(*) FILTER (WHERE direction = 'in'),
                       count(*) FILTER (WHERE direction = 'out')
                FROM hub_crossing c JOIN hub_site s ON s.id = c.site_id WHERE s.name = '\(name)' GROUP BY 1 ORDER BY 1
                """)
            var hubMinutes: [Int64: [Int]] = [:]
            for line in hubRows.split(separator: "\n") {
                let f = line.split(separator: "|").map { Int64($0)! }
                hubMinutes[f[0]] = [Int(f[1]), Int(f[2])]
            }
            XCTAssertEqual(hubMinutes, siteMinutes, "\(name): the hub's crossings per minute are not the site's")
            let ids = try Self.psql(pg, """
                SELECT count(*), count(DISTINCT crossing_id) FROM hub_crossing c JOIN hub_site s ON s.id = c.site_id WHERE s.name = '\(name)'
                """)
            XCTAssertEqual(ids, "\(stored.count)|\(stored.count)", "\(name): a crossing missing or stored twice")
            let rollup = try Self.psql(pg, """
                SELECT COALESCE(sum(ins + outs), 0) FROM hub_minute m JOIN hub_site s ON s.id = m.site_id WHERE s.name = '\(name)'
                """)
            XCTAssertEqual(rollup, "\(stored.count)", "\(name): the minute rollup is not the crossings")
            XCTAssertEqual(try database.hubSyncBacklog()?.pending, 0)
        }
        hub.signal(SIGTERM)
        XCTAssertEqual(hub.wait(timeout: 20).status, 0)
    }
}

/// A site whose key is revoked keeps counting and keeps its events, says why in its log and
/// its sync state, and sends everything once it has a new key.
final class HubRevokedSiteEndToEndTests: XCTestCase {
    func testARevokedSiteLosesNothingAndCatchesUpWithANewKey() throws {
        let pg = try HubEndToEndTests.freshDatabase(try HubEndToEndTests.pgURL())
        let dir = try GW.tempDir(self)
        let port = try GW.freePort()
        let hub = try Child(["hub", "--listen", "127.0.0.1:\(port)"], extraEnv: ["GATEWATCH_HUB_PG": pg])
        defer { hub.stopIfRunning() }
        let deadline = Date().addingTimeInterval(30)
        while (try? HubEndToEndTests.get("http://127.0.0.1:\(port)/healthz")) != 200 && Date() < deadline { usleep(200_000) }
        func key(_ args: [String]) throws -> String {
            let r = try GW.run(args + ["--pg", pg], timeout: 30)
            XCTAssertEqual(r.status, 0, r.summary)
            return try XCTUnwrap(r.stdout.split(separator: "\n").last.map { String($0.split(separator: " ").last ?? "") })
        }
        let first = try key(["hub", "site", "add", "Khu du lịch Tràng An"])
        let config = dir.appendingPathComponent("site.yaml"), db = dir.appendingPathComponent("site.sqlite")
        func writeSite(_ key: String) throws {
            try HubEndToEndTests.siteFile(name: "Khu du lịch Tràng An", seed: 5, sync: "{hub: 'http://127.0.0.1:\(port)', key: \(key), batch: 5}")
                .write(to: config, atomically: true, encoding: .utf8)
        }
        try writeSite(first)
        let site = try Child(["run", "--config", config.path, "--db", db.path])
        defer { site.stopIfRunning() }
        sleep(8)
        XCTAssertEqual(try GW.run(["hub", "site", "revoke", "Khu du lịch Tràng An", "--pg", pg], timeout: 30).status, 0)
        sleep(12)
        site.signal(SIGINT)
        let run = site.wait(timeout: 30)
        XCTAssertTrue(run.stderr.contains("revoked_key"), "the site's log says why: \(run.stderr.suffix(1500))")
        XCTAssertFalse(run.stderr.contains(first), "the key in the log")
        let database = try GateDatabase.openReader(path: db.path)
        defer { try? database.close() }
        let waiting = try XCTUnwrap(try database.hubSyncBacklog())
        XCTAssertGreaterThan(waiting.pending, 0, "the events counted after the revocation are kept at the site")
        XCTAssertTrue(waiting.lastError?.contains("revoked") ?? false, "\(waiting)")
        let status = try GW.run(["status", "--db", db.path, "--lang", "en"], timeout: 30)
        XCTAssertTrue(status.stdout.contains("Province hub sync") && status.stdout.contains("revoked_key"), status.summary)
        XCTAssertTrue(try GW.run(["status", "--db", db.path, "--json"], timeout: 30).stdout.contains("\"hub_sync_lag_seconds\""))
        let atHubBefore = try HubEndToEndTests.psql(pg, "SELECT count(*) FROM hub_crossing")
        // A stopped site with the old key: refused, exit 1 with the reason, nothing lost.
        let refused = try GW.run(["sync", "--config", config.path, "--db", db.path, "--timeout", "3"], timeout: 30)
        XCTAssertEqual(refused.status, 1, refused.summary)
        XCTAssertTrue(refused.stderr.contains("revoked"), refused.summary)
        XCTAssertEqual(try HubEndToEndTests.psql(pg, "SELECT count(*) FROM hub_crossing"), atHubBefore, "a refused batch stored something")
        // A new key: everything the site counted reaches the hub, once.
        try writeSite(try key(["hub", "site", "rekey", "Khu du lịch Tràng An"]))
        let sent = try GW.run(["sync", "--config", config.path, "--db", db.path, "--timeout", "60"], timeout: 90)
        XCTAssertEqual(sent.status, 0, sent.summary)
        let stored = try StoreQueries(database).crossings(afterId: 0, limit: 1_000_000).count
        XCTAssertGreaterThan(stored, 5)
        XCTAssertEqual(try HubEndToEndTests.psql(pg, "SELECT count(*), count(DISTINCT crossing_id) FROM hub_crossing"), "\(stored)|\(stored)")
        let reasons = try HubEndToEndTests.psql(pg, "SELECT DISTINCT code FROM hub_rejection")
        XCTAssertEqual(reasons, "revoked_key")
        try checkReads(port: port, pg: pg, stored: stored)
        hub.signal(SIGTERM)
        XCTAssertEqual(hub.wait(timeout: 20).status, 0)
    }

    /// The province's reads over HTTP: a reader key needed; the exports hold the site's crossings.
    private func checkReads(port: Int, pg: String, stored: Int) throws {
        let base = "http://127.0.0.1:\(port)"
        let r = try GW.run(["hub", "reader", "add", "ioc", "--pg", pg], timeout: 30)
        let reader = try XCTUnwrap(r.stdout.split(separator: "\n").last.map(String.init))
        XCTAssertEqual(HubEndToEndTests.fetch(base + "/v1/sites").status, 401)
        XCTAssertEqual(HubEndToEndTests.fetch(base + "/v1/sites", key: "gwk_00000000_wrong").status, 401)
        let sites = HubEndToEndTests.fetch(base + "/v1/sites", key: reader)
        XCTAssertEqual(sites.status, 200)
        let listed = try HubContractEndToEndTests.json(sites)["sites"] as? [[String: Any]]
        XCTAssertEqual(listed?.map { $0["name"] as? String }, ["Khu du lịch Tràng An"], sites.body)
        let day = DateFormatter()
        day.dateFormat = "yyyy-MM-dd"; day.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        let today = day.string(from: Date()), yesterday = day.string(from: Date().addingTimeInterval(-86_400))
        let range = "from=\(yesterday)&to=\(today)"
        let csv = HubEndToEndTests.fetch(base + "/v1/export/crossings?\(range)&format=csv", key: reader)
        XCTAssertEqual(csv.status, 200)
        let lines = csv.body.split(separator: "\n")
        XCTAssertEqual(lines.first, "site,id,time,gate_id,line_id,feed_id,direction,confidence")
        XCTAssertEqual(lines.count - 1, stored, "the crossings export holds every crossing once")
        let counts = HubEndToEndTests.fetch(base + "/v1/export/counts?\(range)&by=hour", key: reader)
        let rows = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(counts.body.utf8)) as? [[String: Any]])
        let total = rows.reduce(0) { $0 + (int($1["ins"]) ?? 0) + (int($1["outs"]) ?? 0) }
        XCTAssertEqual(total, stored, "one gate with one camera: the hourly counts add up to the crossings")
        XCTAssertEqual(HubEndToEndTests.fetch(base + "/v1/export/counts?from=\(today)&to=\(yesterday)", key: reader).status, 400)
        XCTAssertEqual(HubEndToEndTests.fetch(base + "/v1/export/counts?\(range)&format=xml", key: reader).status, 400)
        XCTAssertEqual(HubEndToEndTests.fetch(base + "/v1/alerts", key: reader).status, 200)
        let metrics = HubEndToEndTests.fetch(base + "/metrics", key: reader)
        XCTAssertTrue(metrics.body.contains("gatewatch_hub_site_lag_seconds{site=\"Khu du lịch Tràng An\"}"), metrics.body)
    }
}

/// A site reaches the hub over HTTPS with a certificate from the province's own CA: trusted
/// through `sync.ca_file`; without it the site says the certificate is not trusted.
final class HubTLSEndToEndTests: XCTestCase {
    private func openssl(_ args: [String], in dir: URL) throws {
        let r = try Child(args, executable: URL(fileURLWithPath: "/usr/bin/openssl"), cwd: dir).wait(timeout: 60)
        guard r.status == 0 else { throw E2EError("openssl failed: \(r.summary)") }
    }

    func testASiteTrustsTheProvinceCAFromItsSiteFile() throws {
        let pg = try HubEndToEndTests.freshDatabase(try HubEndToEndTests.pgURL())
        let dir = try GW.tempDir(self)
        try openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                     "-subj", "/CN=Province test CA"], in: dir)
        try openssl(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "hub.key", "-out", "hub.csr", "-subj", "/CN=127.0.0.1"], in: dir)
        try "subjectAltName=IP:127.0.0.1\n".write(to: dir.appendingPathComponent("san.ext"), atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", "hub.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "hub.crt",
                     "-days", "2", "-extfile", "san.ext"], in: dir)
        let port = try GW.freePort()
        let hub = try Child(["hub", "--listen", "127.0.0.1:\(port)", "--tls-cert", dir.appendingPathComponent("hub.crt").path,
                             "--tls-key", dir.appendingPathComponent("hub.key").path], extraEnv: ["GATEWATCH_HUB_PG": pg])
        defer { hub.stopIfRunning() }
        sleep(3)
        let added = try GW.run(["hub", "site", "add", "tls-site", "--pg", pg], timeout: 30)
        let key = try XCTUnwrap(added.stdout.split(separator: "\n").last.map { String($0.split(separator: " ").last ?? "") })
        let config = dir.appendingPathComponent("site.yaml"), db = dir.appendingPathComponent("site.sqlite")
        func writeSite(ca: Bool) throws {
            let sync = "{hub: 'https://127.0.0.1:\(port)', key: \(key)\(ca ? ", ca_file: ca.pem" : "")}"
            try HubEndToEndTests.siteFile(name: "tls-site", seed: 3, sync: sync, live: false).write(to: config, atomically: true, encoding: .utf8)
        }
        try writeSite(ca: false)
        // The clip as fast as it decodes; the runner stops when it ends.
        let counted = try GW.run(["run", "--config", config.path, "--db", db.path], timeout: 120)
        XCTAssertEqual(counted.status, 0, counted.summary)
        let untrusted = try GW.run(["sync", "--config", config.path, "--db", db.path, "--timeout", "3"], timeout: 30)
        XCTAssertEqual(untrusted.status, 1, untrusted.summary)
        XCTAssertTrue(untrusted.stderr.contains("TLS handshake failed"), untrusted.summary)
        XCTAssertEqual(untrusted.stderr.split(separator: "\n").count, 1, "one line: \(untrusted.stderr)")
        try writeSite(ca: true)
        let sent = try GW.run(["sync", "--config", config.path, "--db", db.path, "--timeout", "30"], timeout: 60)
        XCTAssertEqual(sent.status, 0, sent.summary)
        let database = try GateDatabase.openReader(path: db.path)
        defer { try? database.close() }
        let stored = try StoreQueries(database).crossings(afterId: 0, limit: 100_000).count
        XCTAssertGreaterThan(stored, 0)
        XCTAssertEqual(try HubEndToEndTests.psql(pg, "SELECT count(*) FROM hub_crossing"), "\(stored)")
    }
}

/// Bad input to the hub's commands: one line each, what is wrong and what to do, and never
/// the database password (no PostgreSQL needed).
final class HubBadInputEndToEndTests: XCTestCase {
    func testEachBadHubInvocationIsOneLineWithoutThePassword() throws {
        let port = try GW.freePort()   // nothing listens there
        let cases: [([String], String)] = [
            (["hub", "site", "list", "--pg", "mysql://u:s3cretpw@h/db"], "is not a PostgreSQL URL"),
            (["hub", "site", "list", "--pg", "postgres://u:s3cretpw@127.0.0.1:\(port)/db"], "connection refused"),
            (["hub", "site", "list"], "give the hub's database with --pg"),
            (["hub", "--pg", "postgres://u:s3cretpw@127.0.0.1:\(port)/db", "--listen", "nowhere"], "is not host:port"),
            (["console", "--hub", "http://127.0.0.1:\(port)"], "needs a reader key"),
            (["console", "--hub", "ftp://h", "--key", "k"], "is not a hub URL"),
            (["console", "--db", "x.sqlite", "--hub", "http://h", "--key", "k"], "not both"),
        ]
        for (args, words) in cases {
            let r = try GW.run(args, timeout: 30, extraEnv: ["GATEWATCH_HUB_PG": "", "GATEWATCH_HUB_KEY": ""])
            XCTAssertNotEqual(r.status, 0, r.summary)
            XCTAssertEqual(r.stderrLines.count, 1, r.summary)
            XCTAssertTrue(r.stderr.contains(words), "\(args): \(r.summary)")
            XCTAssertFalse(r.stderr.contains("s3cretpw") || r.stdout.contains("s3cretpw"), "the password shown: \(r.summary)")
        }
    }
}
