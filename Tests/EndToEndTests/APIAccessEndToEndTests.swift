import XCTest
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import GateCore
import GateStore

/// Access to the site API through the real binary on loopback: keys made, listed and revoked
/// with `gatewatch api-key`, 401 and 403, acknowledging an alert, /metrics open or keyed,
/// HTTPS from a certificate made here with openssl, and `run` serving the API while it
/// counts. No key ever appears in any output or answer.
final class APIAccessEndToEndTests: XCTestCase {

    // MARK: - A site database with one open alert (one short run of a synthetic scene)

    private func siteDatabase(in dir: URL, api: String = "", spec: String = "kind=pairs,seed=3,frames=60,fps=10",
                              realtime: Bool = false, loop: Bool = false) throws -> (config: URL, db: URL) {
        let config = dir.appendingPathComponent("site.yaml")
        try """
        site:
          name: "Access E2E"
          capacity: 40
          time_zone: Asia/Ho_Chi_Minh
        gates:
          - id: g1
            feeds:
              - id: f1
                source: "synthetic:\(spec)"
                fps: 10
                realtime: \(realtime)
                loop: \(loop)
                detector: ssdlite
                lines:
                  - id: l1
                    from: [0.05, 0.55]
                    to: [0.95, 0.55]
                    inside: [0.5, 0.9]
        \(api)
        """.write(to: config, atomically: true, encoding: .utf8)
        return (config, dir.appendingPathComponent("site.sqlite"))
    }

    private func countedDatabase(_ dir: URL) throws -> URL {
        let site = try siteDatabase(in: dir)
        let r = try GW.run(["run", "--quiet", "--config", site.config.path, "--db", site.db.path], timeout: 150)
        guard r.status == 0 else { throw E2EError("run failed: \(r.summary)") }
        return site.db
    }

    /// `api-key add` through the binary; the key is the one line starting gwk_.
    private func addKey(_ name: String, scope: String, db: URL, outputs: inout [String]) throws -> String {
        let r = try GW.run(["api-key", "add", name, "--scope", scope, "--db", db.path], timeout: 30)
        outputs += [r.stdout, r.stderr]
        guard r.status == 0, let key = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("gwk_") }) else {
            throw E2EError("api-key add \(name) failed: \(r.summary)")
        }
        return String(key)
    }

    /// An open alert, raised through the store as the runner's engine raises one.
    private func raiseAlert(_ db: URL) throws -> Int {
        let writer = try GateDatabase.openWriter(path: db.path)
        defer { try? writer.close() }
        let change = try writer.raiseOrUpdate(kind: .offline, subject: AlertSubject(type: .feed, id: "f1"), severity: .critical,
                                              message: "Feed 1 offline", messageVi: "Feed 1 mất tín hiệu")
        return Int(change.id)
    }

    // MARK: - Tests

    func testApiKeyAddListRevokeAndEachBadInputIsOneLine() throws {
        let dir = try GW.tempDir(self)
        let db = try countedDatabase(dir)
        var outputs: [String] = []
        let key = try addKey("lgsp", scope: "read", db: db, outputs: &outputs)
        XCTAssertTrue(outputs[0].contains("Authorization: Bearer"), "one line on how to use it: \(outputs[0])")
        _ = try addKey("ioc", scope: "ack", db: db, outputs: &outputs)
        let list = try GW.run(["api-key", "list", "--db", db.path, "--json"], timeout: 30)
        let keys = (try list.json()["keys"] as? [[String: Any]]) ?? []
        XCTAssertEqual(keys.compactMap { $0["name"] as? String }, ["lgsp", "ioc"])
        XCTAssertEqual(keys.compactMap { $0["scope"] as? String }, ["read", "ack"])
        XCTAssertTrue(key.contains(keys.first?["prefix"] as? String ?? "?"), "the prefix is the key's")
        let table = try GW.run(["api-key", "list", "--db", db.path, "--lang", "en"], timeout: 30)
        XCTAssertTrue(table.stdout.contains("lgsp") && table.stdout.contains("last used"), table.summary)
        XCTAssertEqual(try GW.run(["api-key", "revoke", "lgsp", "--db", db.path], timeout: 30).status, 0)
        let after = (try GW.run(["api-key", "list", "--db", db.path, "--json"], timeout: 30).json()["keys"] as? [[String: Any]]) ?? []
        XCTAssertNotNil(after.first?["revoked_ms"], "\(after)")
        outputs += [list.stdout, table.stdout]
        let bad: [([String], String)] = [
            (["api-key", "revoke", "nobody", "--db", db.path], "no API key is named 'nobody'"),
            (["api-key", "add", "ioc", "--db", db.path], "already exists"),
            (["api-key", "add", "x", "--scope", "write", "--db", db.path], "--scope 'write' is not a scope"),
            (["api-key", "add", "two words", "--db", db.path], "is not a name"),
            (["api-key", "add", "x", "--db", dir.appendingPathComponent("none.sqlite").path], "does not exist"),
            (["api-key", "list", "--db", dir.appendingPathComponent("none.sqlite").path], "does not exist"),
            (["api-key", "revoke", "lgsp", "--db", db.path], "already revoked"),
        ]
        for (args, says) in bad {
            let r = try GW.run(args, timeout: 30)
            XCTAssertNotEqual(r.status, 0, r.summary)
            XCTAssertEqual(r.stderrLines.count, 1, r.summary)
            XCTAssertTrue(r.stderr.contains(says), "\(args): \(r.summary)")
            outputs += [r.stdout, r.stderr]
        }
        for text in outputs.dropFirst() where text.contains(key) { XCTFail("the key was shown again: \(text.prefix(200))") }
    }

    func testKeysScopesAcknowledgeAndMetricsThroughServe() throws {
        let dir = try GW.tempDir(self)
        let db = try countedDatabase(dir)
        var shownOnce: [String] = [], outputs: [String] = []   // `add` prints its key, once; nothing after it may
        let read = try addKey("lgsp", scope: "read", db: db, outputs: &shownOnce)
        let ack = try addKey("ioc", scope: "ack", db: db, outputs: &shownOnce)
        let revoked = try addKey("old", scope: "ack", db: db, outputs: &shownOnce)
        XCTAssertEqual(try GW.run(["api-key", "revoke", "old", "--db", db.path], timeout: 30).status, 0)
        let alert = try raiseAlert(db)
        let server = try APIServer.start(["--db", db.path])
        defer { server.stop() }
        var replies: [HTTPReply] = []
        func call(_ path: String, key: String? = nil, header: String = "Authorization", method: String = "GET",
                  body: String? = nil) throws -> HTTPReply {
            var headers: [String] = []
            if let key { headers.append(header == "Authorization" ? "Authorization: Bearer \(key)" : "\(header): \(key)") }
            let r = try server.request(path, method: method, headers: headers, body: body)
            replies.append(r)
            return r
        }
        // 401 without a key, with a made-up or a revoked one; the open resources answer without.
        for (key, says) in [(nil, "no API key"), ("gwk_00000000_nope", "not one of this site's keys"), (revoked, "'old' has been revoked")] {
            let r = try call("/v1/occupancy", key: key)
            XCTAssertEqual(r.status, 401, r.body)
            XCTAssertEqual(r.header("www-authenticate"), "Bearer")
            XCTAssertEqual(r.header("content-type"), "application/problem+json")
            XCTAssertTrue(r.body.contains(says), r.body)
        }
        XCTAssertEqual(try call("/healthz").status, 200)
        XCTAssertEqual(try call("/v1/openapi.yaml").status, 200)
        XCTAssertEqual(try call("/metrics").status, 401, "metrics need a key by default")
        XCTAssertEqual(try call("/metrics", key: read).status, 200)
        XCTAssertEqual(try call("/v1/occupancy", key: read).status, 200)
        XCTAssertEqual(try call("/v1/occupancy", key: read, header: "X-API-Key").status, 200)
        XCTAssertEqual(try call("/v1/occupancy", key: "Basic " + read, header: "Authorization").status, 401)

        // Acknowledging: a read key is 403; an ack key acknowledges once; then 409; unknown 404.
        let body = #"{"name": "Lan (IOC)", "note": "đã cử bảo vệ"}"#
        let path = "/v1/alerts/\(alert)/acknowledge"
        let forbidden = try call(path, key: read, method: "POST", body: body)
        XCTAssertEqual(forbidden.status, 403, forbidden.body)
        XCTAssertTrue(forbidden.body.contains("scope read"), forbidden.body)
        let done = try call(path, key: ack, method: "POST", body: body)
        XCTAssertEqual(done.status, 200, done.body)
        let acknowledged = try done.json()
        XCTAssertEqual(acknowledged["state"] as? String, "acknowledged")
        XCTAssertEqual((acknowledged["acknowledged"] as? [String: Any])?["by"] as? String, "Lan (IOC)")
        let again = try call(path, key: ack, method: "POST", body: #"{"name": "Minh"}"#)
        XCTAssertEqual(again.status, 409, again.body)
        XCTAssertTrue(again.body.contains("acknowledged by 'Lan (IOC)'"), again.body)
        XCTAssertEqual(try call("/v1/alerts/99999/acknowledge", key: ack, method: "POST", body: body).status, 404)
        for (bad, code) in [("{", 400), (#"{"note": "x"}"#, 400), (#"{"name": "  "}"#, 400), (#"{"name": "a", "who": 1}"#, 400),
                            (#"{"name": "a", "note": "\#(String(repeating: "x", count: 5000))"}"#, 413)] {
            let r = try call(path, key: ack, method: "POST", body: bad)
            XCTAssertEqual(r.status, code, "\(bad.prefix(40)): \(r.body)")
            XCTAssertEqual(r.header("content-type"), "application/problem+json", String(bad.prefix(40)))
        }
        XCTAssertEqual(try call("/v1/alerts/abc/acknowledge", key: ack, method: "POST", body: body).status, 400)
        XCTAssertEqual(try call(path, key: ack).status, 405, "the acknowledge takes POST only")

        // The acknowledge is the console's: `status` shows it, and the audit names the key.
        let status = try GW.run(["status", "--db", db.path, "--json"], timeout: 30)
        XCTAssertTrue(status.stdout.contains("Lan (IOC)"), status.summary)
        let list = try GW.run(["api-key", "list", "--db", db.path, "--json"], timeout: 30)
        outputs += [status.stdout, list.stdout, list.stderr]
        let used = ((try list.json()["keys"] as? [[String: Any]]) ?? []).filter { $0["last_used_ms"] != nil }.compactMap { $0["name"] as? String }
        XCTAssertEqual(Set(used), ["lgsp", "ioc"], "each key's last use is noted; the revoked one was never let in")
        let reader = try GateDatabase.openReader(path: db.path)
        let audit = try reader.apiActions()
        try reader.close()
        XCTAssertEqual(audit.map { "\($0.apiKey)|\($0.by)|\($0.alertId ?? 0)" }, ["ioc|Lan (IOC)|\(alert)"])

        let result = server.stop()
        XCTAssertEqual(result.status, 0, result.summary)
        outputs += [result.stdout, result.stderr]
        Self.assertNoKey([read, ack, revoked], in: outputs + replies.map(\.raw))
    }

    func testMetricsOpenByFlagAndByTheSiteFile() throws {
        let dir = try GW.tempDir(self)
        let db = try countedDatabase(dir)
        let open = try APIServer.start(["--db", db.path, "--metrics", "open"])
        XCTAssertEqual(try open.request("/metrics").status, 200)
        XCTAssertEqual(try open.request("/v1/occupancy").status, 401, "only /metrics is opened")
        XCTAssertTrue(open.stop().stdout.contains("/metrics open"))
        // serve --config takes the api: section; the site file's listen is overridden by the flag.
        let site = try siteDatabase(in: dir, api: "api:\n  listen: 127.0.0.1:1\n  metrics: open\n")
        let byFile = try APIServer.start(["--config", site.config.path, "--db", db.path])
        XCTAssertEqual(try byFile.request("/metrics").status, 200)
        byFile.stop()
        let bad = try siteDatabase(in: dir, api: "api:\n  metrics: public\n")
        let refused = try GW.run(["serve", "--config", bad.config.path], timeout: 30)
        XCTAssertEqual(refused.stderrLines.count, 1, refused.summary)
        XCTAssertTrue(refused.stderr.contains("api.metrics"), refused.summary)
    }

    func testHTTPSWithACertificateMadeByOpenSSL() throws {
        let dir = try GW.tempDir(self)
        let db = try countedDatabase(dir)
        var outputs: [String] = []
        let key = try addKey("lgsp", scope: "read", db: db, outputs: &outputs)
        let cert = dir.appendingPathComponent("cert.pem"), pem = dir.appendingPathComponent("key.pem")
        let made = try Child(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
                              "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", pem.path, "-out", cert.path],
                             executable: URL(fileURLWithPath: "/usr/bin/openssl")).wait(timeout: 60)
        XCTAssertEqual(made.status, 0, made.summary)
        let server = try APIServer.start(["--db", db.path, "--tls-cert", cert.path, "--tls-key", pem.path], tls: cert)
        let r = try server.request("/v1/occupancy", headers: ["Authorization: Bearer \(key)"])
        XCTAssertEqual(r.status, 200, r.raw)
        XCTAssertEqual(try server.request("/v1/occupancy").status, 401)
        let result = server.stop()
        XCTAssertTrue(result.stdout.contains("https://127.0.0.1:"), result.summary)
        Self.assertNoKey([key], in: [result.stdout, result.stderr, r.raw])
        // Bad files are one line each, before anything listens.
        for (args, says) in [(["--tls-cert", dir.appendingPathComponent("none.pem").path, "--tls-key", pem.path], "does not exist"),
                             (["--tls-cert", pem.path, "--tls-key", pem.path], "not a PEM certificate"),
                             (["--tls-cert", cert.path, "--tls-key", cert.path], "not a PEM private key"),
                             (["--tls-cert", cert.path], "--tls-cert is given without --tls-key")] {
            let r = try GW.run(["serve", "--db", db.path, "--listen", "127.0.0.1:0"] + args, timeout: 30)
            XCTAssertNotEqual(r.status, 0, r.summary)
            XCTAssertEqual(r.stderrLines.count, 1, r.summary)
            XCTAssertTrue(r.stderr.contains(says), "\(args): \(r.summary)")
        }
    }

    /// `run` with `api:` serves the API from the run's own database while it counts, and stops with it.
    func testRunServesTheAPIWhileItCounts() throws {
        let dir = try GW.tempDir(self)
        let port = try GW.freePort()
        let site = try siteDatabase(in: dir, api: "api:\n  listen: 127.0.0.1:\(port)\n",
                                    spec: "kind=crowd,seed=4,frames=300,fps=10", realtime: true, loop: true)
        let run = try Child(["run", "--config", site.config.path, "--db", site.db.path])
        defer { run.stopIfRunning() }
        let base = "http://127.0.0.1:\(port)"
        let api = APIServer(child: run, base: base, tls: nil)
        try api.waitForHealthz()
        // A key added beside the running runner (a short write), used at once.
        var outputs: [String] = []
        let key = try addKey("ioc", scope: "read", db: site.db, outputs: &outputs)
        var counted = 0
        let start = Date()
        while Date().timeIntervalSince(start) < 60 {
            let r = try api.request("/v1/occupancy", headers: ["Authorization: Bearer \(key)"])
            XCTAssertEqual(r.status, 200, r.raw)
            let o = try r.json()
            counted = (int(o["ins_today"]) ?? 0) + (int(o["outs_today"]) ?? 0)
            XCTAssertEqual((o["runner"] as? [String: Any])?["liveness"] as? String, "running")
            if counted > 0 { break }
            usleep(500_000)
        }
        XCTAssertGreaterThan(counted, 0, "the run counted while the API answered")
        XCTAssertEqual(try api.request("/metrics").status, 401)
        run.signal(SIGTERM)
        let result = run.wait(timeout: 30)
        XCTAssertEqual(result.status, 0, result.summary)
        XCTAssertTrue(result.stderr.contains("site API: http://127.0.0.1:\(port)/v1"), result.summary)
        // A normal stop is a graceful shutdown: no server error logged on the way out.
        XCTAssertFalse(result.stderr.contains("error gatewatch.serve") || result.stderr.contains("shutdown error"), result.summary)
        XCTAssertThrowsError(try api.request("/healthz"), "the API stops with the run")
        Self.assertNoKey([key], in: outputs.dropFirst() + [result.stdout, result.stderr])
    }

    func testRunRefusesAPortInUseInOneLine() throws {
        let dir = try GW.tempDir(self)
        let db = try countedDatabase(dir)
        let holder = try APIServer.start(["--db", db.path])
        defer { holder.stop() }
        let port = holder.base.split(separator: ":").last.map(String.init) ?? "0"
        let site = try siteDatabase(in: dir, api: "api:\n  listen: 127.0.0.1:\(port)\n")
        let r = try GW.run(["run", "--config", site.config.path, "--db", dir.appendingPathComponent("other.sqlite").path], timeout: 60)
        XCTAssertNotEqual(r.status, 0, r.summary)
        XCTAssertTrue(r.stderr.contains("cannot serve the site API on 127.0.0.1:\(port)"), r.summary)
    }

    static func assertNoKey(_ keys: [String], in texts: [String], file: StaticString = #filePath, line: UInt = #line) {
        for key in keys {
            let secret = String(key.split(separator: "_", maxSplits: 2).last ?? "")   // base64url: may hold "_"
            for text in texts where text.contains(key) || (!secret.isEmpty && text.contains(secret)) {
                XCTFail("a key appears in output: \(text.prefix(300))", file: file, line: line)
            }
        }
    }
}

// MARK: - `serve` and requests through curl (headers, bodies and HTTPS alike)

struct HTTPReply {
    var status: Int
    var headers: [String: String]
    var body: String
    /// Status line, headers and body as received, for the no-key check.
    var raw: String
    func header(_ name: String) -> String? { headers[name.lowercased()] }
    func json() throws -> [String: Any] {
        guard let o = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any] else {
            throw E2EError("not a JSON object: \(body.prefix(300))")
        }
        return o
    }
}

struct APIServer {
    let child: Child
    let base: String
    let tls: URL?

    /// `serve` on a free loopback port (unless the arguments name one), answering /healthz.
    static func start(_ args: [String], tls: URL? = nil) throws -> APIServer {
        let port = try GW.freePort()
        let child = try Child(["serve", "--listen", "127.0.0.1:\(port)"] + args)
        let server = APIServer(child: child, base: (tls == nil ? "http" : "https") + "://127.0.0.1:\(port)", tls: tls)
        try server.waitForHealthz()
        return server
    }

    func waitForHealthz() throws {
        let start = Date()
        while Date().timeIntervalSince(start) < 60 {
            if !child.process.isRunning { throw E2EError("server exited: \(child.wait(timeout: 1).summary)") }
            if let r = try? request("/healthz"), r.status == 200 { return }
            usleep(200_000)
        }
        child.stopIfRunning()
        throw E2EError("no answer on /healthz within 60 s")
    }

    @discardableResult
    func stop() -> ProcResult {
        child.signal(SIGTERM)
        return child.wait(timeout: 20)
    }

    func request(_ path: String, method: String = "GET", headers: [String] = [], body: String? = nil) throws -> HTTPReply {
        var args = ["-s", "-i", "-X", method, "--max-time", "15"]
        if let tls { args += ["--cacert", tls.path] }
        for h in headers { args += ["-H", h] }
        if let body { args += ["-H", "Content-Type: application/json", "--data-binary", body] }
        let r = try Child(args + [base + path], executable: URL(fileURLWithPath: "/usr/bin/curl")).wait(timeout: 30)
        guard r.status == 0 else { throw E2EError("curl \(path): exit \(r.status) \(r.stderr)") }
        let raw = r.stdout
        guard let split = raw.range(of: "\r\n\r\n") else { throw E2EError("no HTTP answer: \(raw.prefix(200))") }
        let head = raw[..<split.lowerBound].split(separator: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
        var fields: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            fields[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return HTTPReply(status: status, headers: fields, body: String(raw[split.upperBound...]), raw: raw)
    }
}
