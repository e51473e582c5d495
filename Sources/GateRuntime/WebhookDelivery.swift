import AsyncHTTPClient
import Foundation
import GateCore
import GateStore
import NIOCore
import NIOSSL

/// The answer to one POST: a status code, or why there was none (one line).
public enum WebhookAnswer: Equatable, Sendable {
    case status(Int)
    case failed(String)
}

/// A reply with its body (the hub's acknowledgement or reason), or why there was none.
public enum HTTPReply: Equatable, Sendable {
    case reply(status: Int, body: Data)
    case failed(String)
}

/// Sends one request; AsyncHTTPClient in production, a fake in unit tests.
public protocol WebhookTransport: Sendable {
    func post(url: String, headers: [(String, String)], body: Data, timeoutSeconds: Double) async -> WebhookAnswer
    func shutdown() async
}

/// POSTs with AsyncHTTPClient; redirects are not followed (a 3xx is a failed try: a POST
/// must not turn into a GET somewhere else).
public final class HTTPWebhookTransport: WebhookTransport {
    private let client: HTTPClient
    /// What the reasons call the server ("receiver" for webhooks, "hub" for the sync).
    private let peer: String

    /// `caFile`: a PEM file of the authority the server's certificate must come from (the
    /// province CA for the hub); nil: the system's authorities.
    public init(caFile: String? = nil, peer: String = "receiver") {
        self.peer = peer
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.connect = .seconds(10)
        if let caFile {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.trustRoots = .file(caFile)
            configuration.tlsConfiguration = tls
        }
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func post(url: String, headers: [(String, String)], body: Data, timeoutSeconds: Double) async -> WebhookAnswer {
        switch await exchange(url: url, headers: headers, body: body, timeoutSeconds: timeoutSeconds) {
        case .reply(let status, _): return .status(status)
        case .failed(let why): return .failed(why)
        }
    }

    /// POSTs `body` and reads up to 64 KiB of the reply.
    public func exchange(url: String, headers: [(String, String)], body: Data, timeoutSeconds: Double) async -> HTTPReply {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeoutSeconds * 1000)))
            // Read (a little of) the body: the hub's answer, and the connection can be reused.
            let reply = (try? await response.body.collect(upTo: 64 * 1024)).map { Data($0.readableBytesView) } ?? Data()
            return .reply(status: Int(response.status.code), body: reply)
        } catch {
            return .failed(Self.reason(error, timeoutSeconds: timeoutSeconds, peer: peer))
        }
    }

    public func shutdown() async { try? await client.shutdown() }

    /// Why a try got no answer, in words an operator acts on (the client's own description
    /// otherwise, e.g. for TLS).
    static func reason(_ error: Error, timeoutSeconds: Double, peer: String = "receiver") -> String {
        if let io = error as? IOError {
            switch io.errnoCode {
            case ECONNREFUSED: return "connection refused: is the \(peer) running and listening at that address and port?"
            case ENETUNREACH, EHOSTUNREACH: return "no route to the \(peer)'s host: check the network and the URL's host"
            case ETIMEDOUT: return "the connection timed out: check the \(peer)'s address and any firewall"
            default: return "network error: \(String(cString: strerror(io.errnoCode)))"
            }
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return "no answer within \(Int(timeoutSeconds)) s (the endpoint's timeout)"
            case .connectTimeout: return "could not connect within 10 s: check the \(peer)'s address and any firewall"
            case .remoteConnectionClosed: return "the \(peer) closed the connection before answering"
            default: break
            }
        }
        if error is NIOSSLError || error is BoringSSLError || "\(error)".contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS handshake failed: the server's certificate is not from a trusted authority or not for this host name (\(String(describing: error).prefix(120)))"
        }
        return String(describing: error)
    }
}

/// Delivers each endpoint's outbox events, strictly in order: the next event waits until
/// the one before is delivered (2xx) or dead-lettered (`max_attempts` failed tries). A try
/// is marked delivered only after the 2xx, so a kill -9 or a full disk in between means one
/// more try with the same Idempotency-Key and body: at least once. A failed try waits
/// (`WebhookRetry`, jitter from `random`) and the count and error are stored, so a restart
/// goes on where it stopped. One task per endpoint; at most `batch` events read a round.
public final class WebhookDeliverer: @unchecked Sendable {
    public struct Settings: Sendable {
        public var batch = 100
        /// How often an endpoint with nothing to send looks for new events.
        public var pollSeconds = 0.25
        public var clock: Clock = SystemClock()
        public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
        public var log: @Sendable (String) -> Void = { _ in }
        public init() {}
    }

    /// What one step did (for the loop and the unit tests).
    public enum Step: Equatable, Sendable {
        case idle
        case waiting(untilMs: Int64)
        case delivered(seq: Int64)
        case retryLater(seq: Int64, attempts: Int, atMs: Int64)
        case deadLettered(seq: Int64)
        case storeFailed
    }

    private let database: GateDatabase
    private let endpoints: [WebhookEndpoint]
    private let transport: WebhookTransport
    private let settings: Settings
    private let lock = NSLock()
    private var queued: [String: [OutboxEvent]] = [:]
    private var tries: [String: (attempts: Int, nextMs: Int64?)] = [:]
    /// Endpoints whose last try failed (the log says when one starts and stops failing, not every try).
    private var failing: Set<String> = []
    private var tasks: [Task<Void, Never>] = []

    public init(database: GateDatabase, endpoints: [WebhookEndpoint], transport: WebhookTransport = HTTPWebhookTransport(),
                settings: Settings = Settings()) {
        self.database = database; self.endpoints = endpoints; self.transport = transport; self.settings = settings
        // Tries already made before a restart still count toward max_attempts.
        let stored = (try? database.webhookBacklog()) ?? []
        for b in stored { tries[b.endpointId] = (b.attempts, b.nextAttemptMs) }
    }

    /// One task per endpoint, until `stop`.
    public func start() {
        for endpoint in endpoints {
            tasks.append(Task.detached { [self] in await self.loop(endpoint) })
        }
    }

    private func loop(_ endpoint: WebhookEndpoint) async {
        while !Task.isCancelled {
            let step = await self.step(endpoint)
            let now = settings.clock.nowMs()
            let pause: Double
            switch step {
            case .idle: pause = settings.pollSeconds
            case .waiting(let until), .retryLater(_, _, let until):
                pause = min(Double(max(0, until - now)) / 1000, 1)
            case .storeFailed: pause = 1
            case .delivered, .deadLettered: continue
            }
            try? await Task.sleep(nanoseconds: UInt64(pause * 1e9))
        }
    }

    /// At most one try of the endpoint's head event.
    public func step(_ endpoint: WebhookEndpoint) async -> Step {
        guard let event = head(endpoint) else { return .idle }
        let now = settings.clock.nowMs()
        let state = lock.withLock { tries[endpoint.id] ?? (0, nil) }
        if let next = state.nextMs, next > now { return .waiting(untilMs: next) }
        let body = Data(event.body.utf8)
        let headers = WebhookSignature.headers(seq: event.seq, type: event.type, body: body, secret: endpoint.secret, nowMs: now)
        let answer = await transport.post(url: endpoint.url, headers: headers, body: body, timeoutSeconds: endpoint.timeoutSeconds)
        // Stopped mid-try: not the receiver's failure; the event goes again at the next start.
        if Task.isCancelled { return .idle }
        if case .status(let code) = answer, (200..<300).contains(code) { return delivered(endpoint, event) }
        return failed(endpoint, event, answer: answer, attempts: state.attempts + 1)
    }

    private func head(_ endpoint: WebhookEndpoint) -> OutboxEvent? {
        if let first = lock.withLock({ queued[endpoint.id]?.first }) { return first }
        guard let read = try? database.webhookEvents(endpointId: endpoint.id, limit: settings.batch), !read.isEmpty else {
            return nil
        }
        lock.withLock { queued[endpoint.id] = read }
        return read.first
    }

    private func moveOn(_ endpoint: WebhookEndpoint) {
        lock.withLock {
            queued[endpoint.id]?.removeFirst()
            tries[endpoint.id] = (0, nil)
        }
    }

    private func delivered(_ endpoint: WebhookEndpoint, _ event: OutboxEvent) -> Step {
        do {
            try database.webhookDelivered(endpointId: endpoint.id, seq: event.seq, at: settings.clock.nowMs())
        } catch {
            // Sent but not recorded (disk full): it will be sent again with the same key.
            settings.log("webhook \(endpoint.id): event \(event.seq) delivered but not recorded: \(error)")
            lock.withLock { queued[endpoint.id] = nil }
            return .storeFailed
        }
        moveOn(endpoint)
        if lock.withLock({ failing.remove(endpoint.id) }) != nil {
            settings.log("webhook \(endpoint.id): delivering again (event \(event.seq))")
        }
        return .delivered(seq: event.seq)
    }

    private func failed(_ endpoint: WebhookEndpoint, _ event: OutboxEvent, answer: WebhookAnswer, attempts: Int) -> Step {
        let now = settings.clock.nowMs()
        let error: String
        switch answer {
        case .status(let code):
            error = "HTTP \(code)"
        case .failed(let text): error = text
        }
        do {
            if attempts >= endpoint.maxAttempts {
                try database.webhookDeadLettered(endpointId: endpoint.id, event: event, attempts: attempts, error: error, at: now)
                settings.log("webhook \(endpoint.id): event \(event.seq) (\(event.type)) dead-lettered after \(attempts) tries: \(error)")
                moveOn(endpoint)
                return .deadLettered(seq: event.seq)
            }
            let wait = WebhookRetry.delaySeconds(afterAttempt: attempts, unit: settings.random())
            let next = now + Int64(wait * 1000)
            try database.webhookFailed(endpointId: endpoint.id, attempts: attempts, error: error, nextAttemptMs: next, at: now)
            lock.withLock { tries[endpoint.id] = (attempts, next) }
            if lock.withLock({ failing.insert(endpoint.id).inserted }) {
                settings.log("webhook \(endpoint.id): event \(event.seq) not delivered (\(error)); retrying with back-off")
            }
            return .retryLater(seq: event.seq, attempts: attempts, atMs: next)
        } catch {
            settings.log("webhook \(endpoint.id): cannot record a failed delivery: \(error)")
            return .storeFailed
        }
    }

    /// Whether every endpoint has sent all it has (read from the store).
    public var drained: Bool {
        let backlog = (try? database.webhookBacklog()) ?? []
        return backlog.allSatisfy { $0.pending == 0 }
    }

    /// Stops every endpoint's task, first letting them send what is waiting for up to
    /// `drainSeconds` (a stopping runner delivers its last minute). What is left stays in
    /// the outbox for the next start.
    public func stop(drainSeconds: Double = 0) {
        let deadline = Date().addingTimeInterval(drainSeconds)
        while drainSeconds > 0, Date() < deadline, !drained { usleep(100_000) }
        for t in tasks { t.cancel() }
        let done = DispatchSemaphore(value: 0)
        Task.detached { [tasks, transport] in
            for t in tasks { await t.value }
            await transport.shutdown()
            done.signal()
        }
        done.wait()
        tasks = []
    }
}
