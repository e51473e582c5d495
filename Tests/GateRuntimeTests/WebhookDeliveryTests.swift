import Foundation
import XCTest
import GateCore
import GateStore
@testable import GateRuntime

/// Answers scripted per try and records every request (the deliverer's transport in tests).
final class ScriptedTransport: WebhookTransport, @unchecked Sendable {
    struct Request { var url: String; var headers: [String: String]; var body: Data }
    private let lock = NSLock()
    private var answers: [WebhookAnswer]
    private(set) var requests: [Request] = []
    init(_ answers: [WebhookAnswer]) { self.answers = answers }
    func post(url: String, headers: [(String, String)], body: Data, timeoutSeconds: Double) async -> WebhookAnswer {
        lock.withLock {
            requests.append(Request(url: url, headers: Dictionary(headers, uniquingKeysWith: { a, _ in a }), body: body))
            return answers.isEmpty ? .status(200) : answers.removeFirst()
        }
    }
    func shutdown() async {}
}

final class WebhookDeliveryTests: XCTestCase {
    static let secret = "whsec_test_0123456789"
    var dir: URL!
    var db: GateDatabase!
    let clock = ManualClock(startMs: 1_795_392_000_000)

    override func setUpWithError() throws {
        dir = try Ops.tempDir("webhooks")
        db = try GateDatabase.openWriter(path: dir.appendingPathComponent("gw.sqlite").path)
        let config = try ConfigLoader.parse(yaml: """
            site: {name: Webhooks, capacity: 100, time_zone: UTC}
            gates: [{id: g1, feeds: [{id: cam1, source: "synthetic:kind=pairs", lines: [{id: l1, from: [0.1, 0.5], to: [0.9, 0.5], inside: [0.5, 0.9]}]}]}]
            """, file: "w.yaml")
        try db.syncSite(config, configPath: nil)
        try db.syncWebhookEndpoints([endpoint()])
    }
    override func tearDownWithError() throws {
        try db.close()
        try? FileManager.default.removeItem(at: dir)
    }

    func endpoint(maxAttempts: Int = 3) -> WebhookEndpoint {
        WebhookEndpoint(id: "ioc", url: "http://127.0.0.1:9/hook", events: [.alerts], secret: WebhookSecret(Self.secret),
                        maxAttempts: maxAttempts)
    }

    func deliverer(_ transport: ScriptedTransport, random: Double = 0.5) -> WebhookDeliverer {
        var s = WebhookDeliverer.Settings()
        s.clock = clock
        s.random = { random }
        return WebhookDeliverer(database: db, endpoints: [endpoint()], transport: transport, settings: s)
    }

    func raise(_ n: Int) throws {
        for i in 0..<n {
            try db.raiseOrUpdate(kind: .surge, subject: .gate("g\(i)"), severity: .warning, message: "surge \(i)", at: clock.nowMs())
        }
    }

    /// The signature of a known body, checked against `openssl dgst -sha256 -hmac`.
    /// A receiver that is not there: the try's error says so in words, not as the client's error dump.
    func testRefusedConnectionIsSaidPlainly() async throws {
        // A port just bound and closed again: nothing listens there.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        close(fd)
        let transport = HTTPWebhookTransport()
        let answer = await transport.post(url: "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))/hook", headers: [],
                                          body: Data("{}".utf8), timeoutSeconds: 5)
        await transport.shutdown()
        guard case .failed(let why) = answer else { return XCTFail("expected a failed try, got \(answer)") }
        XCTAssertTrue(why.hasPrefix("connection refused: is the receiver running"), why)
    }

    func testSignatureKnownVector() {
        let body = Data(#"{"sequence":1}"#.utf8)
        // printf '%s.%s' 1700000000 '{"sequence":1}' | openssl dgst -sha256 -hmac 'whsec_test_0123456789'
        let expected = "80d9ca93b22a353bb987020ec6753ad686ca3a20ca1aca3073fd99886fac560a"
        XCTAssertEqual(WebhookSignature.hmacHex(secret: Self.secret, timestamp: 1_700_000_000, body: body), expected)
        let header = WebhookSignature.header(secret: WebhookSecret(Self.secret), timestamp: 1_700_000_000, body: body)
        XCTAssertEqual(header, "t=1700000000,v1=\(expected)")
        XCTAssertTrue(WebhookSignature.verify(header: header, body: body, secret: Self.secret))
        XCTAssertFalse(WebhookSignature.verify(header: header, body: Data(#"{"sequence":2}"#.utf8), secret: Self.secret))
        XCTAssertFalse(WebhookSignature.verify(header: header, body: body, secret: "another-secret-0123"))
    }

    /// A 2xx moves on; the headers carry the sequence, the type, the time and a valid signature.
    func testDeliveredInOrderWithSignedHeaders() async throws {
        try raise(2)
        let transport = ScriptedTransport([])
        let d = deliverer(transport)
        let e = endpoint()
        let first = await d.step(e), second = await d.step(e), third = await d.step(e)
        guard case .delivered(let s1) = first, case .delivered(let s2) = second else { return XCTFail("\(first) \(second)") }
        XCTAssertLessThan(s1, s2)
        XCTAssertEqual(third, .idle)
        XCTAssertEqual(transport.requests.count, 2)
        let r = transport.requests[0]
        XCTAssertEqual(r.headers["Idempotency-Key"], String(s1))
        XCTAssertEqual(r.headers["X-GateWatch-Event"], "alert.raised")
        XCTAssertEqual(r.headers["X-GateWatch-Timestamp"], String(clock.nowMs() / 1000))
        XCTAssertTrue(WebhookSignature.verify(header: r.headers["X-GateWatch-Signature"] ?? "", body: r.body, secret: Self.secret))
        XCTAssertEqual(try db.webhookBacklog().first?.pending, 0)
        XCTAssertEqual(try db.webhookBacklog().first?.lastDeliveredSeq, s2)
    }

    /// A failed try waits by the schedule (jitter injected), the next event waits behind it,
    /// and after max_attempts the event is dead-lettered and the next one goes.
    func testRetryScheduleThenDeadLetterThenNext() async throws {
        try raise(2)
        let transport = ScriptedTransport([.status(503), .failed("connection refused"), .status(500), .status(204)])
        let d = deliverer(transport, random: 1)   // +25%
        let e = endpoint(maxAttempts: 3)
        let start = clock.nowMs()
        guard case .retryLater(let seq, 1, let at1) = await d.step(e) else { return XCTFail("first try should fail") }
        XCTAssertEqual(at1, start + 1_250)
        let early = await d.step(e)
        XCTAssertEqual(early, .waiting(untilMs: at1), "no try before the back-off ends")
        XCTAssertEqual(transport.requests.count, 1)
        clock.set(ms: at1)
        guard case .retryLater(seq, 2, let at2) = await d.step(e) else { return XCTFail("second try should fail") }
        XCTAssertEqual(at2, at1 + 2_500)
        let backlog = try XCTUnwrap(try db.webhookBacklog().first)
        XCTAssertEqual(backlog.attempts, 2)
        XCTAssertEqual(backlog.lastError, "connection refused")
        clock.set(ms: at2)
        let last = await d.step(e)
        XCTAssertEqual(last, .deadLettered(seq: seq))
        // The next event goes at once, and is delivered.
        guard case .delivered(let next) = await d.step(e) else { return XCTFail("the next event should go") }
        XCTAssertGreaterThan(next, seq)
        let keys = transport.requests.map { $0.headers["Idempotency-Key"] }
        XCTAssertEqual(keys, [String(seq), String(seq), String(seq), String(next)], "the same key on every try of one event")
        XCTAssertEqual(Set(transport.requests.prefix(3).map(\.body)).count, 1, "the same body on every try")
        let after = try XCTUnwrap(try db.webhookBacklog().first)
        XCTAssertEqual(after.deadLettered, 1)
        XCTAssertEqual(after.pending, 0)
        XCTAssertEqual(after.lastError, "HTTP 500")
    }

    /// Tries made before a restart still count: a new deliverer goes on from the stored state.
    func testTriesSurviveARestart() async throws {
        try raise(1)
        let e = endpoint(maxAttempts: 2)
        let failing = ScriptedTransport([.status(502)])
        guard case .retryLater(let seq, 1, let at) = await deliverer(failing).step(e) else { return XCTFail() }
        let again = ScriptedTransport([.status(502)])
        let restarted = deliverer(again)
        let waiting = await restarted.step(e)
        XCTAssertEqual(waiting, .waiting(untilMs: at))
        clock.set(ms: at)
        let given = await restarted.step(e)
        XCTAssertEqual(given, .deadLettered(seq: seq))
    }
}
