import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
#if canImport(Glibc)
import Glibc
#endif

/// A webhook receiver on loopback inside the test process: records every request (its
/// Idempotency-Key, event type, body) and whether its signature checks out with the shared
/// secret, the way the README tells a receiver to check it. It can be stopped and started
/// again on the same port, and hold the next request (to kill the sender mid-delivery).
final class WebhookReceiver: @unchecked Sendable {
    struct Received {
        var key: Int64
        var type: String
        var body: Data
        var signatureValid: Bool
    }

    let secret: String
    private(set) var port = 0
    private let lock = NSLock()
    private var received: [Received] = []
    private var task: Task<Void, Error>?
    private var group: ServiceGroup?
    private var holdSeconds = 0.0
    private var holding = false

    init(secret: String) { self.secret = secret }

    var requests: [Received] { lock.withLock { received } }
    var isHolding: Bool { lock.withLock { holding } }

    /// The next request is answered only after `seconds`.
    func holdNext(seconds: Double) { lock.withLock { holdSeconds = seconds } }

    /// Starts listening (on the port it had before, else a free one) and waits until it does.
    func start() throws {
        let listening = DispatchSemaphore(value: 0)
        let router = Router()
        router.post("/hook") { [self] request, _ -> Response in
            let body = Data(try await request.body.collect(upTo: 16 << 20).readableBytesView)
            let hold: Double = lock.withLock {
                let h = holdSeconds; holdSeconds = 0; if h > 0 { holding = true }; return h
            }
            if hold > 0 { try await Task.sleep(nanoseconds: UInt64(hold * 1e9)) }
            record(request.headers, body)
            lock.withLock { holding = false }
            return Response(status: .ok)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { [self] channel in
                                  lock.withLock { port = channel.localAddress?.port ?? 0 }
                                  listening.signal()
                              })
        let group = ServiceGroup(services: [app], logger: Logger(label: "webhook-receiver"))
        self.group = group
        task = Task { try await group.run() }
        guard listening.wait(timeout: .now() + 20) == .success else { throw E2EError("the webhook receiver did not start") }
    }

    /// Shuts down gracefully (a cancelled server with a request in flight traps in NIO).
    func stop() {
        guard let group, let running = task else { return }
        let done = DispatchSemaphore(value: 0)
        Task {
            await group.triggerGracefulShutdown()
            _ = await running.result
            done.signal()
        }
        if done.wait(timeout: .now() + 15) == .timedOut { running.cancel() }
        self.group = nil
        // Until the port answers no more (connection refused), so the sender sees it down.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline, Self.accepts(port: port) { usleep(50_000) }
        self.task = nil
    }

    private func record(_ headers: HTTPFields, _ body: Data) {
        func header(_ name: String) -> String? { HTTPField.Name(name).flatMap { headers[$0] } }
        let signature = header("X-GateWatch-Signature") ?? ""
        let r = Received(key: Int64(header("Idempotency-Key") ?? "") ?? -1, type: header("X-GateWatch-Event") ?? "",
                         body: body, signatureValid: Self.verify(signature, body: body, secret: secret))
        lock.withLock { received.append(r) }
    }

    /// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`, computed here independently of GateWatch.
    static func verify(_ header: String, body: Data, secret: String) -> Bool {
        let parts = Dictionary(header.split(separator: ",").compactMap { p -> (String, String)? in
            let kv = p.split(separator: "=", maxSplits: 1)
            return kv.count == 2 ? (String(kv[0]), String(kv[1])) : nil
        }, uniquingKeysWith: { a, _ in a })
        guard let t = parts["t"], let v1 = parts["v1"] else { return false }
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(t).".utf8) + body, using: SymmetricKey(data: Data(secret.utf8)))
        return mac.map { String(format: "%02x", $0) }.joined() == v1
    }

    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}
