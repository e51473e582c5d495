import XCTest
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif
import GateCore
import GateStore

/// `gatewatch serve` on loopback against a database written by a real `gatewatch run` of a
/// synthetic site: every resource agrees with `status --json` and `report`, crossings page
/// through by cursor exactly once each, and bad requests get one problem document each.
final class ServeEndToEndTests: XCTestCase {

    /// One site, counted once by a real run, shared by the tests below (a run costs ~20 s),
    /// with a read key the requests below send.
    private static var site: (dir: URL, db: URL, key: String)?

    private func siteDatabase() throws -> URL {
        if let site = Self.site { return site.db }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gatewatch-serve-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let config = dir.appendingPathComponent("site.yaml")
        try """
        site:
          name: "Cổng Serve E2E"
          capacity: 40
          time_zone: Asia/Ho_Chi_Minh
        gates:
          - id: g1
            name: "Gate 1"
            feeds:
              - id: f1
                name: "Feed 1"
                source: "synthetic:kind=pairs,seed=3,frames=300,fps=10"
                fps: 10
                realtime: false
                loop: false
                detector: ssdlite
                lines:
                  - id: l1
                    name: "Line 1"
                    from: [0.05, 0.55]
                    to: [0.95, 0.55]
                    inside: [0.5, 0.9]

        """.write(to: config, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("site.sqlite")
        let r = try GW.run(["run", "--quiet", "--config", config.path, "--db", db.path], timeout: 150)
        guard r.status == 0 else { throw E2EError("run failed: \(r.summary)") }
        // One alert of each state the filters below tell apart, through the store like the runner's engine.
        let writer = try GateDatabase.openWriter(path: db.path)
        let open = try writer.raiseOrUpdate(kind: .offline, subject: AlertSubject(type: .feed, id: "f1"), severity: .critical,
                                            message: "Feed 1 offline", messageVi: "Feed 1 mất tín hiệu")
        _ = try writer.raiseOrUpdate(kind: .surge, subject: AlertSubject(type: .gate, id: "g1"), severity: .warning,
                                     message: "Surge at Gate 1", messageVi: "Tăng đột biến ở Gate 1")
        _ = try writer.resolve(kind: .surge, subject: AlertSubject(type: .gate, id: "g1"))
        _ = open
        try writer.close()
        Self.site = (dir, db, try readKey(db))
        return db
    }

    /// A new read key in `db`, through the binary as a site admin makes one.
    private func readKey(_ db: URL) throws -> String {
        let added = try GW.run(["api-key", "add", "e2e-read", "--scope", "read", "--db", db.path], timeout: 30)
        guard added.status == 0, let key = added.stdout.split(separator: "\n").first(where: { $0.hasPrefix("gwk_") }) else {
            throw E2EError("api-key add failed: \(added.summary)")
        }
        return String(key)
    }

    override class func tearDown() {
        if let dir = site?.dir { try? FileManager.default.removeItem(at: dir) }
        site = nil
        super.tearDown()
    }

    /// Every resource against the real run's database, checked against `status --json` and `report`.
    func testEveryResourceAgreesWithStatusAndReport() throws {
        let db = try siteDatabase()
        let server = try startServer(db)
        defer { server.child.stopIfRunning() }
        let status = try status(db)
        let statusGates = (status["gates"] as? [[String: Any]]) ?? []
        let ins = statusGates.compactMap { int($0["ins"]) }.reduce(0, +)
        let outs = statusGates.compactMap { int($0["outs"]) }.reduce(0, +)
        XCTAssertGreaterThan(ins + outs, 0, "the run should have counted crossings")

        let health = try json(server, "/healthz")
        XCTAssertEqual(health["status"] as? String, "ok")

        let site = try json(server, "/v1/site")
        XCTAssertEqual(site["name"] as? String, "Cổng Serve E2E")
        XCTAssertEqual(site["time_zone"] as? String, "Asia/Ho_Chi_Minh")
        XCTAssertEqual(int(site["capacity"]), 40)
        let siteGates = (site["gates"] as? [[String: Any]]) ?? []
        XCTAssertEqual(siteGates.compactMap { $0["id"] as? String }, ["g1"])
        let feed = ((siteGates.first?["feeds"] as? [[String: Any]]) ?? []).first
        XCTAssertEqual(feed?["id"] as? String, "f1")
        XCTAssertEqual(((feed?["lines"] as? [[String: Any]]) ?? []).compactMap { $0["id"] as? String }, ["l1"])
        // Times: UTC ms and the same instant in the site's zone.
        let now = (site["now"] as? [String: Any]) ?? [:]
        let local = (now["local"] as? String) ?? ""
        XCTAssertTrue(local.hasSuffix("+07:00"), local)
        let parsed = ISO8601DateFormatter()
        parsed.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        XCTAssertEqual(parsed.date(from: local).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }, (now["ms"] as? NSNumber)?.int64Value)

        let gates = (try json(server, "/v1/gates")["gates"] as? [[String: Any]]) ?? []
        XCTAssertEqual(gates.map { $0["id"] as? String }, statusGates.map { $0["id"] as? String })
        XCTAssertEqual(gates.map { int($0["ins"]) }, statusGates.map { int($0["ins"]) })
        XCTAssertEqual(gates.map { int($0["outs"]) }, statusGates.map { int($0["outs"]) })

        let occupancy = try json(server, "/v1/occupancy")
        XCTAssertEqual(int(occupancy["occupancy"]), int(status["occupancy"]))
        XCTAssertEqual(occupancy["capacity_level"] as? String, status["capacity_level"] as? String)
        XCTAssertEqual(int(occupancy["ins_today"]), ins)
        XCTAssertEqual(int(occupancy["outs_today"]), outs)
        let levelText = (occupancy["capacity_level_text"] as? [String: Any]) ?? [:]
        XCTAssertNotNil(levelText["vi"] as? String); XCTAssertNotNil(levelText["en"] as? String)
        let runner = (occupancy["runner"] as? [String: Any]) ?? [:]
        XCTAssertEqual(runner["liveness"] as? String, (status["pipeline"] as? [String: Any])?["liveness"] as? String)

        let feeds = (try json(server, "/v1/feeds/health")["feeds"] as? [[String: Any]]) ?? []
        let statusFeeds = (status["feeds"] as? [[String: Any]]) ?? []
        XCTAssertEqual(feeds.map { $0["id"] as? String }, statusFeeds.map { $0["id"] as? String })
        XCTAssertEqual(feeds.map { $0["state"] as? String }, statusFeeds.map { $0["state"] as? String })
        // The vocabulary's words (GateCore `Words`) for the state status shows.
        let words = ["ended": ("đã hết", "ended"), "stopped": ("đã dừng", "stopped")]
        let stateText = (feeds.first?["state_text"] as? [String: Any]) ?? [:]
        let expected = words[(statusFeeds.first?["state"] as? String) ?? ""]
        XCTAssertEqual(stateText["vi"] as? String, expected?.0, "\(stateText)")
        XCTAssertEqual(stateText["en"] as? String, expected?.1, "\(stateText)")

        let document = try get(server, "/v1/openapi.yaml")
        XCTAssertEqual(document.status, 200)
        XCTAssertEqual(document.text, try String(contentsOf: GW.packageRoot.appendingPathComponent("Sources/GateAPI/openapi.yaml"), encoding: .utf8))
    }

    /// Counts by 15 minutes, hour and day, for the site and per gate, add up to what was counted.
    func testCountsByEveryGranularityMatchTheReport() throws {
        let db = try siteDatabase()
        let server = try startServer(db)
        defer { server.child.stopIfRunning() }
        let day = Self.today()
        let report = try GW.run(["report", "--db", db.path, "--by", "hour", "--from", day, "--to", day, "--json"], timeout: 30).json()
        for (by, periods) in [("15min", 96), ("hour", 24), ("day", 1)] {
            let counts = try json(server, "/v1/counts?by=\(by)&from=\(day)&to=\(day)")
            XCTAssertEqual(int(counts["total_in"]), int(report["total_in"]), by)
            XCTAssertEqual(int(counts["total_out"]), int(report["total_out"]), by)
            XCTAssertEqual(((counts["periods"] as? [[String: Any]]) ?? []).count, periods, by)
            let gate = try json(server, "/v1/counts?by=\(by)&from=\(day)&gate=g1")
            XCTAssertEqual(int(gate["total_in"]), int(report["total_in"]), "g1 by \(by)")
            XCTAssertEqual((gate["gate"] as? [String: Any])?["name"] as? String, "Gate 1")
        }
        let first = ((try json(server, "/v1/counts?by=15min&from=\(day)")["periods"] as? [[String: Any]]) ?? []).first
        XCTAssertEqual(first?["label"] as? String, "\(day) 00:00")
        XCTAssertEqual(((first?["end"] as? [String: Any])?["local"] as? String)?.contains("T00:15:00"), true)
    }

    /// Pages of 7 by cursor hold every crossing once, in row order; the last cursor polls on.
    func testCrossingsPageByCursorExactlyOnce() throws {
        let db = try siteDatabase()
        let server = try startServer(db)
        defer { server.child.stopIfRunning() }
        let status = try status(db)
        let total = ((status["gates"] as? [[String: Any]]) ?? []).compactMap { g in int(g["ins"]).flatMap { i in int(g["outs"]).map { i + $0 } } }.reduce(0, +)
        var ids: [Int] = [], cursor: String?, pages = 0
        repeat {
            let page = try json(server, "/v1/crossings?limit=7" + (cursor.map { "&after=\($0)" } ?? ""))
            let rows = (page["crossings"] as? [[String: Any]]) ?? []
            ids += rows.compactMap { int($0["id"]) }
            XCTAssertTrue(rows.allSatisfy { ["in", "out"].contains($0["direction"] as? String) && $0["gate_id"] as? String == "g1" })
            cursor = page["next"] as? String
            pages += 1
            if rows.count < 7 { break }
        } while pages < 1000
        XCTAssertEqual(ids.count, total, "one feed per gate: every stored crossing is a counted one")
        XCTAssertEqual(ids, ids.sorted()); XCTAssertEqual(Set(ids).count, ids.count)
        let after = try json(server, "/v1/crossings?after=\(cursor ?? "")")
        XCTAssertEqual(((after["crossings"] as? [[String: Any]]) ?? []).count, 0)
        XCTAssertEqual(after["next"] as? String, cursor, "polling keeps the cursor")
        let gate = try json(server, "/v1/crossings?gate=g1&limit=1000")
        XCTAssertEqual(((gate["crossings"] as? [[String: Any]]) ?? []).count, total)
    }

    /// Alerts filter by state, kind and the days they were raised; texts in both languages.
    func testAlertsFilterByStateKindAndRange() throws {
        let db = try siteDatabase()
        let server = try startServer(db)
        defer { server.child.stopIfRunning() }
        let day = Self.today()
        func kinds(_ query: String) throws -> [String] {
            ((try json(server, "/v1/alerts" + query)["alerts"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
        }
        let all = try kinds("")
        XCTAssertTrue(Set(all).isSuperset(of: ["offline", "surge"]), "\(all)")
        XCTAssertTrue(try kinds("?state=resolved").contains("surge"))
        XCTAssertFalse(try kinds("?state=open").contains("surge"))
        XCTAssertEqual(Set(try kinds("?kind=offline")), ["offline"])
        XCTAssertTrue(try kinds("?from=\(day)&to=\(day)").contains("offline"))
        XCTAssertEqual(try kinds("?from=2020-01-01&to=2020-01-02"), [])
        let alert = ((try json(server, "/v1/alerts?kind=offline&state=open")["alerts"] as? [[String: Any]]) ?? []).first
        XCTAssertEqual((alert?["message"] as? [String: Any])?["vi"] as? String, "Feed 1 mất tín hiệu")
        XCTAssertEqual((alert?["severity_text"] as? [String: Any])?["vi"] as? String, "nghiêm trọng")
        XCTAssertEqual(alert?["subject"] as? String, "f1")
    }

    /// /metrics: Prometheus text with crossings by gate and direction, open alerts by
    /// severity and each feed's rates, as the database holds them.
    func testMetricsInPrometheusTextFromTheDatabase() throws {
        let db = try siteDatabase()
        let server = try startServer(db)
        defer { server.child.stopIfRunning() }
        let status = try status(db)
        let g1 = ((status["gates"] as? [[String: Any]]) ?? []).first { $0["id"] as? String == "g1" } ?? [:]
        let r = try get(server, "/metrics")
        XCTAssertEqual(r.status, 200)
        XCTAssertTrue(r.contentType.hasPrefix("text/plain"), r.contentType)
        let lines = r.text.split(separator: "\n").map(String.init)
        func value(_ series: String) -> Double? {
            lines.first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") }
        }
        XCTAssertEqual(value(#"gatewatch_crossings_total{gate="g1",direction="in"}"#), double(g1["ins"]), r.text)
        XCTAssertEqual(value(#"gatewatch_crossings_total{gate="g1",direction="out"}"#), double(g1["outs"]))
        XCTAssertEqual(value(#"gatewatch_alerts_open{severity="critical"}"#), 1)
        XCTAssertEqual(value(#"gatewatch_alerts_open{severity="warning"}"#), 0, "the surge alert is resolved")
        XCTAssertNotNil(value(#"gatewatch_feed_detector_runs_per_second{feed="f1",gate="g1"}"#))
        XCTAssertNotNil(value(#"gatewatch_feed_dropped_frames_total{feed="f1",gate="g1"}"#))
        XCTAssertEqual(value("gatewatch_occupancy"), double(status["occupancy"]))
        // The run ended with everything written: its last heartbeat left nothing queued, nothing dropped.
        XCTAssertEqual(value("gatewatch_writer_pending_crossings"), 0, r.text)
        XCTAssertEqual(value("gatewatch_writer_dropped_crossings_total"), 0)
        XCTAssertNotNil(value("gatewatch_writer_last_batch_seconds"))
        XCTAssertTrue(lines.contains("# TYPE gatewatch_crossings_total counter"), r.text)
    }

    /// Each bad request is one problem document naming what was wrong; the server goes on,
    /// logs no request, and stops cleanly on SIGTERM.
    func testBadRequestsGetProblemJSONAndNothingCrashes() throws {
        let db = try siteDatabase()
        let server = try startServer(db)
        defer { server.child.stopIfRunning() }
        let cases: [(String, Int, String, String)] = [
            ("/v1/counts?from=2026-02-30", 400, "bad-range", "2026-02-30"),
            ("/v1/counts?from=2026-11-20&to=2026-11-10", 400, "bad-range", "after"),
            ("/v1/counts?by=15min&from=2026-01-01&to=2026-03-01", 400, "bad-range", "31 days"),
            ("/v1/counts?gate=nope", 404, "unknown-gate", "nope"),
            ("/v1/crossings?limit=1001", 400, "limit-out-of-range", "1001"),
            ("/v1/crossings?limit=0", 400, "limit-out-of-range", "1…1000"),
            ("/v1/crossings?after=not-a-cursor", 400, "malformed-cursor", "not-a-cursor"),
            ("/v1/crossings?after=" + Data("c1:-5".utf8).base64EncodedString(), 400, "malformed-cursor", "cursor"),
            ("/v1/crossings?limit=ten", 400, "bad-parameter", "limit"),
            ("/v1/alerts?state=bogus", 400, "bad-parameter", "state"),
            ("/v1/counts?by=week", 400, "bad-parameter", "by"),
            ("/v1/nothing", 404, "not-found", "/v1/nothing"),
            ("/v1/crossings?gate=" + String(repeating: "x", count: 3000), 414, "target-too-long", "2048"),
        ]
        for (path, code, slug, mentions) in cases {
            let r = try get(server, path)
            XCTAssertEqual(r.status, code, "\(path.prefix(80)): \(r.text.prefix(300))")
            XCTAssertEqual(r.contentType, "application/problem+json", String(path.prefix(80)))
            let problem = try r.json()
            XCTAssertEqual(problem["type"] as? String, "urn:gatewatch:problem:" + slug, String(path.prefix(80)))
            XCTAssertEqual(int(problem["status"]), code)
            XCTAssertTrue((problem["detail"] as? String)?.contains(mentions) == true, "\(path.prefix(80)): \(problem)")
        }
        let post = try get(server, "/v1/alerts", method: "POST", body: Data("{}".utf8))
        XCTAssertEqual(post.status, 405, post.text)
        XCTAssertEqual(try json(server, "/healthz")["status"] as? String, "ok", "still serving after the bad requests")

        server.child.signal(SIGTERM)
        let result = server.child.wait(timeout: 20)
        XCTAssertFalse(result.timedOut, result.summary)
        XCTAssertEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.stdout.hasPrefix("gatewatch serve: http://127.0.0.1:"), result.summary)
        XCTAssertFalse(result.stdout.contains("not-a-cursor") || result.stderr.contains("not-a-cursor"), "requests are not logged")
    }

    /// Bad command lines are one line each: a missing database, an address that is not host:port.
    func testServeBadInvocationsAreOneLine() throws {
        let dir = try GW.tempDir(self)
        let missing = try GW.run(["serve", "--db", dir.appendingPathComponent("none.sqlite").path, "--listen", "127.0.0.1:0"], timeout: 30)
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertEqual(missing.stderrLines.count, 1, missing.summary)
        let listen = try GW.run(["serve", "--db", "x.sqlite", "--listen", "8080"], timeout: 30)
        XCTAssertNotEqual(listen.status, 0)
        XCTAssertEqual(listen.stderrLines.count, 1, listen.summary)
        XCTAssertTrue(listen.stderr.contains("host:port"), listen.summary)
    }

    /// Property-based: schemathesis generates requests from the contract and checks every answer
    /// against it (scripts/setup installs it; skipped where it is not installed, except in CI).
    func testAnswersHoldToTheContractUnderSchemathesis() throws {
        let finder = GW.packageRoot.appendingPathComponent("scripts/find-tool")
        let installed = try Child(["schemathesis"], executable: finder).wait(timeout: 30).status == 0
        if !installed {
            if ProcessInfo.processInfo.environment["GATEWATCH_REQUIRE_ALL_CHECKS"] != nil {
                return XCTFail("schemathesis is not installed, and CI requires this check: scripts/setup installs it")
            }
            throw XCTSkip("schemathesis is not installed (scripts/setup installs it)")
        }
        let db = try siteDatabase()
        let script = GW.packageRoot.appendingPathComponent("scripts/api-property-check")
        let r = try Child([db.path, "25"], executable: script, extraEnv: ["GATEWATCH_BINARY": GW.binary.path]).wait(timeout: 600)
        print("E2E schemathesis: exit \(r.status) in \(String(format: "%.0f", r.seconds)) s; \(r.stdout.split(separator: "\n").suffix(3).joined(separator: " | "))")
        XCTAssertFalse(r.timedOut, r.summary)
        XCTAssertEqual(r.status, 0, r.summary)
    }

    /// Acceptance runs through the API: a real `gatewatch test` of a one-scenario suite, then its list
    /// entry, its results and its report agree with what the run printed and stored.
    func testAcceptanceRunsAndTheirReports() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gatewatch-serve-tests-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let suite = dir.appendingPathComponent("suite")
        try FileManager.default.createDirectory(at: suite, withIntermediateDirectories: true)
        try """
            name: api-both
            description: "one person each way"
            source: synthetic:kind=both,seed=1,people=2,frames=150
            expect: truth
            """.write(to: suite.appendingPathComponent("01-both.yaml"), atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("tests.sqlite")
        let run = try GW.run(["test", suite.path, "--db", db.path], timeout: 300)
        XCTAssertEqual(run.status, 0, run.summary)

        let server = try startServer(db, key: try readKey(db))
        defer { server.child.stopIfRunning() }
        XCTAssertEqual(try get(Server(child: server.child, base: server.base, key: nil), "/v1/tests").status, 401,
                       "acceptance runs need a key like the rest")
        let runs = try XCTUnwrap(try json(server, "/v1/tests")["runs"] as? [[String: Any]])
        XCTAssertEqual(runs.count, 1)
        let listed = try XCTUnwrap(runs.first)
        XCTAssertEqual(listed["verdict"] as? String, "pass")
        XCTAssertEqual((listed["verdict_text"] as? [String: Any])?["vi"] as? String, "ĐẠT")
        XCTAssertEqual(listed["passed"] as? Int, 1)
        XCTAssertEqual(listed["suite"] as? String, suite.path)
        let id = try XCTUnwrap(listed["id"] as? Int)

        let detail = try json(server, "/v1/tests/\(id)")
        let result = try XCTUnwrap((detail["results"] as? [[String: Any]])?.first)
        XCTAssertEqual(result["scenario"] as? String, "api-both")
        XCTAssertEqual(result["verdict"] as? String, "pass")
        XCTAssertEqual(result["expected_in"] as? Int, result["counted_in"] as? Int, "\(result)")
        XCTAssertEqual(result["expected_out"] as? Int, result["counted_out"] as? Int)
        XCTAssertNotNil(detail["operator"] as? String)

        let markdown = try get(server, "/v1/tests/\(id)/report")
        XCTAssertEqual(markdown.status, 200, markdown.text)
        XCTAssertTrue(markdown.contentType.hasPrefix("text/markdown"), markdown.contentType)
        XCTAssertTrue(markdown.text.contains("api-both"), markdown.text)
        XCTAssertTrue(markdown.text.contains("ĐẠT / PASS"), markdown.text)
        let html = try get(server, "/v1/tests/\(id)/report?format=html")
        XCTAssertEqual(html.status, 200)
        XCTAssertTrue(html.contentType.hasPrefix("text/html"), html.contentType)
        XCTAssertTrue(html.text.contains("<html") && html.text.contains("api-both"), String(html.text.prefix(300)))

        for (path, status, slug) in [("/v1/tests/\(id + 100)", 404, "unknown-test-run"),
                                     ("/v1/tests/\(id + 100)/report", 404, "unknown-test-run"),
                                     ("/v1/tests?limit=0", 400, "limit-out-of-range"),
                                     ("/v1/tests/\(id)/report?format=pdf", 400, "bad-parameter")] {
            let r = try get(server, path)
            XCTAssertEqual(r.status, status, "\(path): \(r.text)")
            XCTAssertTrue(r.contentType.hasPrefix("application/problem+json"), "\(path): \(r.contentType)")
            XCTAssertEqual(try r.json()["type"] as? String, "urn:gatewatch:problem:\(slug)", "\(path): \(r.text)")
        }
    }

    // MARK: - A server for one test

    private struct Server {
        let child: Child
        let base: String
        /// Sent with every request (the shared site's read key unless a test gives its own).
        let key: String?
    }

    /// `serve` on a free loopback port, answering /healthz (bounded wait).
    private func startServer(_ db: URL, key: String? = nil) throws -> Server {
        let port = try GW.freePort()
        let child = try Child(["serve", "--db", db.path, "--listen", "127.0.0.1:\(port)"])
        let server = Server(child: child, base: "http://127.0.0.1:\(port)", key: key ?? Self.site?.key)
        let start = Date()
        while Date().timeIntervalSince(start) < 30 {
            if !child.process.isRunning { throw E2EError("serve exited: \(child.wait(timeout: 1).summary)") }
            if let r = try? get(server, "/healthz"), r.status == 200 { return server }
            usleep(200_000)
        }
        child.stopIfRunning()
        throw E2EError("serve did not answer /healthz within 30 s")
    }

    private struct Reply {
        var status: Int
        var contentType: String
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        func json() throws -> [String: Any] {
            guard let o = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
                throw E2EError("not a JSON object: \(text.prefix(300))")
            }
            return o
        }
    }

    private func get(_ server: Server, _ path: String, method: String = "GET", body: Data? = nil) throws -> Reply {
        var request = URLRequest(url: URL(string: server.base + path)!)
        request.httpMethod = method
        if let key = server.key { request.setValue("Bearer " + key, forHTTPHeaderField: "Authorization") }
        request.httpBody = body
        request.timeoutInterval = 15
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var reply: Reply?
        nonisolated(unsafe) var failure: Error?
        URLSession.shared.dataTask(with: request) { data, response, error in
            if let http = response as? HTTPURLResponse {
                reply = Reply(status: http.statusCode,
                              contentType: http.value(forHTTPHeaderField: "Content-Type") ?? "", body: data ?? Data())
            } else {
                failure = error ?? E2EError("no HTTP response for \(path)")
            }
            done.signal()
        }.resume()
        done.wait()
        if let failure { throw failure }
        return reply!
    }

    private func json(_ server: Server, _ path: String) throws -> [String: Any] {
        let r = try get(server, path)
        XCTAssertEqual(r.status, 200, "\(path): \(r.text.prefix(400))")
        XCTAssertTrue(r.contentType.hasPrefix("application/json"), "\(path): \(r.contentType)")
        return try r.json()
    }

    private func status(_ db: URL) throws -> [String: Any] {
        let r = try GW.run(["status", "--db", db.path, "--json"], timeout: 30)
        return try r.json()
    }

    private static func today() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }
}
