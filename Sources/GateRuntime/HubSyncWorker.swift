import Foundation
import GateCore
import GateStore

/// Sends the site's outbox to the province hub, in order, in batches: a batch's events stay
/// in the outbox until the hub answers that it committed them (`acknowledged_through`), so
/// a cut link, a kill -9 of either side or a hub restart means the same events again, which
/// the hub takes once. Nothing is ever dropped: a batch the hub refuses (a revoked key, a
/// clock off by a day) is tried again with back-off, its reason logged and kept for
/// status, and the lag alert tells the desk. With nothing new, an empty batch every
/// `HubWire.heartbeatSeconds` carries the site's status.
public final class HubSyncWorker: @unchecked Sendable {
    public struct Settings: Sendable {
        public var clock: Clock = SystemClock()
        public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
        public var log: @Sendable (String) -> Void = { _ in }
        /// How often an idle worker looks for new events.
        public var pollSeconds = 0.25
        /// The site's live picture and acceptance runs for the hub's reads (GateAPI's `SitePicture`).
        public var picture: PictureSource?
        public init() {}
    }

    /// JSON of the site as its own API answers (`live`) and, when asked (`withTests`), of its
    /// newest acceptance runs; nil when the site cannot be read now (the batch goes without).
    public typealias PictureSource = @Sendable (_ database: GateDatabase, _ withTests: Bool) async -> (live: Data, tests: Data?)?

    private let database: GateDatabase
    private let sync: SyncSettings
    private let siteName: String
    private let transport: HTTPWebhookTransport
    private let settings: Settings
    private let lock = NSLock()
    private var attempts = 0
    private var nextTryMs: Int64?
    private var lastSentMs: Int64 = 0
    private var failing = false
    /// The runs the hub acknowledged last: sent again only when they change, looked at every
    /// `HubWire.testRunsCheckSeconds` (reading them is a query a run).
    private var testsAcknowledged: Data?
    private var testsCheckedMs: Int64 = .min / 2
    private var task: Task<Void, Never>?

    public init(database: GateDatabase, sync: SyncSettings, siteName: String,
                transport: HTTPWebhookTransport? = nil, settings: Settings = Settings()) {
        self.database = database; self.sync = sync; self.siteName = siteName
        self.transport = transport ?? HTTPWebhookTransport(caFile: sync.caFile, peer: "hub")
        self.settings = settings
        if let stored = try? database.hubSyncBacklog() { attempts = stored.attempts }
    }

    public func start() {
        task = Task.detached { [self] in
            while !Task.isCancelled {
                let sentSomething = await self.step()
                if !sentSomething { try? await Task.sleep(nanoseconds: UInt64(self.settings.pollSeconds * 1e9)) }
            }
        }
    }

    /// At most one batch; true when one went and more may be waiting.
    @discardableResult
    public func step() async -> Bool {
        let now = settings.clock.nowMs()
        if let next = lock.withLock({ nextTryMs }), next > now { return false }
        guard let events = try? database.hubSyncEvents(limit: sync.batch + 1) else { return false }
        let batch = Array(events.prefix(sync.batch))
        let heartbeatDue = Double(now - lastSentMs) >= HubWire.heartbeatSeconds * 1000
        guard !batch.isEmpty || heartbeatDue else { return false }
        guard var status = try? database.hubSiteStatus(now: now) else { return false }
        // What waits after this batch (the hub's view of this site's lag).
        status.backlog = max(0, status.backlog - batch.count)
        status.oldest_pending_ms = events.count > batch.count ? events[batch.count].createdMs : nil
        let withTests = lock.withLock { Double(now - testsCheckedMs) >= HubWire.testRunsCheckSeconds * 1000 }
        let picture = await settings.picture?(database, withTests)
        if withTests, picture != nil { lock.withLock { testsCheckedMs = now } }
        let tests = picture?.tests.flatMap { t in lock.withLock { t == testsAcknowledged } ? nil : t }
        let body = Self.body(site: siteName, sentMs: now, status: status, events: batch.map(\.body),
                             picture: picture?.live, tests: tests)
        let headers = [("Authorization", "Bearer \(sync.key.value)"), ("Content-Type", "application/json"),
                       ("User-Agent", "gatewatch-sync")]
        let reply = await transport.exchange(url: sync.batchesURL, headers: headers, body: body, timeoutSeconds: sync.timeoutSeconds)
        if Task.isCancelled { return false }
        lastSentMs = now
        switch reply {
        case .reply(200, let data):
            guard let ack = try? JSONDecoder().decode(HubAckReply.self, from: data) else {
                return failed("the hub answered 200 without an acknowledgement: is sync.hub a GateWatch hub?")
            }
            if let tests { lock.withLock { testsAcknowledged = tests } }
            return acknowledged(ack.acknowledged_through, sent: batch.count)
        case .reply(let status, let data):
            let refusal = try? JSONDecoder().decode(HubRefusalReply.self, from: data)
            return failed(refusal.map { "the hub refused the batch (\($0.code)): \($0.reason)" } ?? "the hub answered HTTP \(status)")
        case .failed(let why):
            return failed(why)
        }
    }

    private func acknowledged(_ seq: Int64, sent: Int) -> Bool {
        do {
            try database.hubSyncAcknowledged(through: seq, at: settings.clock.nowMs())
        } catch {
            // Stored at the hub but not recorded here: sent again, and the hub takes it once.
            settings.log("hub sync: batch through \(seq) acknowledged but not recorded: \(error)")
            return false
        }
        let recovered = lock.withLock { () -> Bool in
            attempts = 0; nextTryMs = nil
            defer { failing = false }
            return failing
        }
        if recovered { settings.log("hub sync: sending again (acknowledged through event \(seq))") }
        return sent > 0
    }

    private func failed(_ reason: String) -> Bool {
        let now = settings.clock.nowMs()
        let (tries, first) = lock.withLock { () -> (Int, Bool) in
            attempts += 1
            defer { failing = true }
            return (attempts, !failing)
        }
        // A site waits at most HubWire.maxRetrySeconds: the hub is its own, and a link that
        // came back should carry the backlog at once (the hub takes resends once).
        let wait = min(HubWire.maxRetrySeconds, WebhookRetry.delaySeconds(afterAttempt: tries, unit: settings.random()))
        let next = now + Int64(wait * 1000)
        lock.withLock { nextTryMs = next }
        try? database.hubSyncFailed(attempts: tries, error: reason, nextAttemptMs: next, at: now)
        if first { settings.log("hub sync: not sent (\(redactedURL(reason))); events stay at the site and are retried with back-off") }
        return false
    }

    /// `{"site", "sent_ms", "status", "picture", "tests", "events": [...]}` with each event's stored
    /// JSON as is (`picture` and `tests` only when given).
    public static func body(site: String, sentMs: Int64, status: HubSiteStatus?, events: [String],
                            picture: Data? = nil, tests: Data? = nil) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let siteJSON = String(decoding: (try? encoder.encode(site)) ?? Data("\"\"".utf8), as: UTF8.self)
        let statusJSON = String(decoding: (try? encoder.encode(status)) ?? Data("null".utf8), as: UTF8.self)
        var text = "{\"site\":\(siteJSON),\"sent_ms\":\(sentMs),\"status\":\(statusJSON),"
        if let picture { text += "\"picture\":" + String(decoding: picture, as: UTF8.self) + "," }
        if let tests { text += "\"tests\":" + String(decoding: tests, as: UTF8.self) + "," }
        text += "\"events\":["
        text += events.joined(separator: ",")
        text += "]}"
        return Data(text.utf8)
    }

    /// Lets the worker send what waits for up to `drainSeconds`, then stops it.
    public func stop(drainSeconds: Double = 0) {
        let deadline = Date().addingTimeInterval(drainSeconds)
        while drainSeconds > 0, Date() < deadline, ((try? database.hubSyncBacklog())??.pending ?? 0) > 0, lock.withLock({ !failing }) {
            usleep(100_000)
        }
        task?.cancel()
        let done = DispatchSemaphore(value: 0)
        Task.detached { [task, transport] in
            await task?.value
            await transport.shutdown()
            done.signal()
        }
        done.wait()
        task = nil
    }

    private struct HubAckReply: Decodable { var acknowledged_through: Int64 }
    private struct HubRefusalReply: Decodable { var code: String; var reason: String }
}
