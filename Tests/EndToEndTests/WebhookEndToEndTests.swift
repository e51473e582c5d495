import XCTest
import Foundation
import GateStore
#if canImport(Glibc)
import Glibc
#endif

/// `gatewatch run` with webhooks to a receiver on loopback: the receiver is stopped and
/// started again while the site counts, or the runner is killed with -9 mid-delivery and
/// started again; afterwards the receiver holds every event exactly once by
/// Idempotency-Key, in order, signed, and the crossing events are the crossings stored.
final class WebhookEndToEndTests: XCTestCase {
    static let secret = "e2e-webhook-secret-0123456789"

    private func writeSite(in dir: URL, port: Int) throws -> URL {
        let url = dir.appendingPathComponent("site.yaml")
        try """
        site: {name: "Webhook site", capacity: 1000, time_zone: Asia/Ho_Chi_Minh}
        gates:
          - id: g1
            feeds:
              - id: f1
                source: "synthetic:kind=crowd,seed=4,frames=300,fps=10"
                fps: 10
                realtime: true
                loop: true
                detector: ssdlite
                lines:
                  - {id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}
        webhooks:
          - id: rx
            url: "http://127.0.0.1:\(port)/hook"
            events: [crossings, counts, alerts, feeds]
            secret: "\(Self.secret)"
            timeout: 3

        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Waits (bounded) until `condition` holds.
    private func waitFor(_ what: String, seconds: Double, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            if Date() > deadline { throw E2EError("gave up waiting \(Int(seconds)) s for \(what)") }
            usleep(200_000)
        }
    }

    private func crossingEvents(_ r: WebhookReceiver) -> Int { r.requests.filter { $0.type == "crossings" }.count }

    /// Every request signed; one body per key; keys 1...N each once, first seen in order;
    /// the crossing events' ids exactly the database's crossings; nothing left to send.
    private func checkReceived(_ receiver: WebhookReceiver, db: URL, file: StaticString = #filePath, line: UInt = #line) throws {
        let requests = receiver.requests
        XCTAssertTrue(requests.allSatisfy(\.signatureValid), "a request with a bad signature", file: file, line: line)
        var bodies: [Int64: Data] = [:], order: [Int64] = []
        for r in requests {
            if let seen = bodies[r.key] {
                XCTAssertEqual(seen, r.body, "key \(r.key) sent again with another body", file: file, line: line)
            } else {
                bodies[r.key] = r.body; order.append(r.key)
            }
        }
        XCTAssertEqual(order, order.sorted(), "events out of order", file: file, line: line)
        XCTAssertEqual(order, Array(1...Int64(max(1, order.count))), "an event missing (keys not 1...N)", file: file, line: line)
        var crossingIds: [Int64] = []
        for key in order where requests.first(where: { $0.key == key })?.type == "crossings" {
            let json = try JSONSerialization.jsonObject(with: bodies[key]!) as? [String: Any]
            XCTAssertEqual((json?["sequence"] as? NSNumber)?.int64Value, key, file: file, line: line)
            let list = ((json?["data"] as? [String: Any])?["crossings"] as? [[String: Any]]) ?? []
            crossingIds += list.compactMap { ($0["id"] as? NSNumber)?.int64Value }
        }
        let database = try GateDatabase.openReader(path: db.path)
        defer { try? database.close() }
        let stored = try StoreQueries(database).crossings(afterId: 0, limit: 1_000_000).map(\.id)
        XCTAssertGreaterThan(stored.count, 0, "the scene should have crossings", file: file, line: line)
        XCTAssertEqual(crossingIds, stored, "the crossing events are not the stored crossings", file: file, line: line)
        let backlog = try database.webhookBacklog()
        XCTAssertEqual(backlog.map(\.pending), [0], "events left undelivered: \(backlog)", file: file, line: line)
        XCTAssertEqual(backlog.map(\.deadLettered), [0], file: file, line: line)
        let types = Dictionary(grouping: requests, by: \.type).mapValues(\.count).sorted { $0.key < $1.key }
        print("E2E webhooks: \(requests.count) requests, \(order.count) events, \(stored.count) crossings, "
              + "\(requests.count - order.count) repeats; by type: \(types.map { "\($0.key) \($0.value)" }.joined(separator: ", "))")
    }

    private func stopRunner(_ child: Child) {
        child.signal(SIGTERM)
        let r = child.wait(timeout: 30)
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertFalse(r.stderr.contains(Self.secret), "the secret in the log")
    }

    /// A receiver, a site posting to it and a runner counting, once the first crossing event arrived.
    private func startCounting(dbName: String) throws -> (WebhookReceiver, URL, URL, Child) {
        let dir = try GW.tempDir(self)
        let receiver = WebhookReceiver(secret: Self.secret)
        try receiver.start()
        let site = try writeSite(in: dir, port: receiver.port)
        let db = dir.appendingPathComponent(dbName)
        let child = try Child(["run", "--quiet", "--config", site.path, "--db", db.path])
        do {
            try waitFor("the first crossing event", seconds: 90) { crossingEvents(receiver) > 0 }
        } catch {
            child.stopIfRunning(); receiver.stop()
            throw error
        }
        return (receiver, site, db, child)
    }

    func testReceiverDownAndBackGetsEveryEventOnceInOrder() throws {
        let (receiver, _, db, child) = try startCounting(dbName: "w.sqlite")
        defer { receiver.stop(); child.stopIfRunning() }
        receiver.stop()
        let before = receiver.requests.count
        usleep(5_000_000)   // the site counts on, the receiver is down
        let status = try GW.run(["status", "--db", db.path, "--json"], timeout: 30)
        let hooks = (try? status.json())?["webhooks"] as? [[String: Any]]
        XCTAssertGreaterThan(int(hooks?.first?["attempts"]) ?? 0, 0, "status should show the failing tries: \(status.stdout)")
        XCTAssertNotNil(hooks?.first?["last_error"], status.stdout)
        try receiver.start()
        try waitFor("deliveries after the restart", seconds: 30) { receiver.requests.count > before }
        usleep(2_000_000)
        stopRunner(child)
        try checkReceived(receiver, db: db)
    }

    func testKillNineMidDeliveryThenRestartLosesNothing() throws {
        let (receiver, site, db, first) = try startCounting(dbName: "k.sqlite")
        defer { receiver.stop(); first.stopIfRunning() }
        receiver.holdNext(seconds: 2)
        try waitFor("a request held by the receiver", seconds: 30) { receiver.isHolding }
        first.signal(SIGKILL)
        XCTAssertEqual(first.wait(timeout: 10).reason, .uncaughtSignal)
        let second = try Child(["run", "--quiet", "--config", site.path, "--db", db.path])
        defer { second.stopIfRunning() }
        let before = receiver.requests.count
        try waitFor("deliveries from the restarted runner", seconds: 60) { receiver.requests.count > before + 2 }
        usleep(2_000_000)
        stopRunner(second)
        try checkReceived(receiver, db: db)
    }
}
