import Foundation
import GateCore
import GateStore
import GateVision

/// How a site run is set up beyond its config.
public struct SiteRunOptions {
    /// Person model override (`--model`); nil finds the installed one.
    public var modelPath: String?
    /// How often health, alerts and the heartbeat are written.
    public var monitorInterval: Double = 1
    /// Per-line log messages (state changes, warnings); one line each.
    public var log: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data("gatewatch: \(TextSafety.echo(line, limit: 2000))\n".utf8))
    }
    /// Refuse to start while another live pipeline writes the same database, unless forced.
    public var force = false
    /// What `log` says about counting: every crossing plus a summary a minute, or (quiet)
    /// only the summary, or nothing.
    public enum CrossingLog: Sendable { case each, summary, none }
    public var crossingLog: CrossingLog = .none
    public var clock: Clock = SystemClock()
    /// How long a stopping runner lets webhooks send what is waiting (the rest goes at the next start).
    public var webhookDrainSeconds = 5.0
    /// What the hub sync sends beside the events for the hub's reads (`SitePicture.source`).
    public var hubPicture: HubSyncWorker.PictureSource?
    public init(modelPath: String? = nil) { self.modelPath = modelPath }
}

/// Runs every feed of a site, each on its own worker, and keeps the database current:
/// crossings (batched, one writer), feed health about once a second, alerts through
/// the rule engine (raised, updated, resolved; `on_alert` run for each), the pipeline
/// heartbeat, and retention. Consoles, reports and scripts read the same database.
public final class SiteRunner: @unchecked Sendable {
    public let config: SiteConfig
    public let database: GateDatabase
    public let options: SiteRunOptions
    /// The config file the site came from (absolute), recorded in `site.config_path`.
    public let configPath: String?

    private let writer: EventWriter
    private let engine: AlertEngine
    private let notifier: AlertNotifier?
    private let queries: StoreQueries
    /// Every feed, wired the one way; keeps the site's occupancy in memory.
    private let session: SiteSession
    private let lock = NSLock()
    /// The occupancy period (the day's reset) and the last correction the in-memory occupancy
    /// counts from; when either changes it starts again from the record.
    private var occupancyPeriodStart: Int64?
    private var occupancyCorrectionId: Int64 = 0
    private var monitorThread: Thread?
    private let stopped = DispatchSemaphore(value: 0)
    private var stopRequested = false
    private let stopLock = NSLock()
    private var lastRetentionMs: Int64 = 0
    /// Retention runs on its own thread (a year's backlog takes seconds), never on the
    /// monitor's, so the heartbeat, health and alerts go on meanwhile.
    private var retentionThread: Thread?
    private var pauseDetector: PauseDetector
    private var minute = MinuteSummary()
    /// Pictures for consoles that ask (nil: the folder could not be made; said in the log).
    private var preview: PreviewPublisher?
    /// One reload at a time (SIGHUP's queue and the monitor's file check).
    private let reloadLock = NSLock()
    /// The site file as last read (changes to it are reloaded by the monitor).
    private var configStamp: FileStamp?
    /// The counting lines now in force per feed, where a reload changed them.
    private var appliedLines: [String: [LineConfig]] = [:]
    /// Posts the outbox to the site's webhooks (nil without `webhooks:`).
    var webhooks: WebhookDeliverer?
    /// Sends the outbox to the province hub (nil without `sync:`).
    var hubSync: HubSyncWorker?
    /// When this run started (per-minute counts events start with its minute).
    var startedMs: Int64 = 0

    /// Builds every feed's source and detector up front, so a missing file, a bad
    /// synthetic spec or a missing model fails here with one line, before anything runs.
    /// Network streams and devices that do not answer yet are not an error: their
    /// workers keep reconnecting and the feed shows as offline.
    public init(config: SiteConfig, configPath: String?, database: GateDatabase, options: SiteRunOptions = SiteRunOptions()) throws {
        self.config = config
        self.database = database
        self.options = options
        self.configPath = configPath.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        self.queries = StoreQueries(database)
        pauseDetector = PauseDetector(periodSeconds: options.monitorInterval)
        let log = options.log
        writer = try EventWriter(database: database, onError: { error in log("cannot store crossings: \(error)") })
        engine = AlertEngine(config: config, clock: options.clock)
        notifier = AlertNotifier(settings: config.alerts, siteName: config.site.name, log: log)

        var settings = SiteSessionSettings(modelPath: options.modelPath)
        settings.clock = options.clock
        settings.live = { $0.realtime || SourceKind.isLiveURI($0.source) }
        settings.warn = { feed, text in log("feed \(feed.id): \(text)") }
        session = try SiteSession(config: config, settings: settings, source: { [clock = options.clock] feed in
            SiteRunner.source(for: feed, live: SourceKind.isLiveURI(feed.source), clock: clock, log: log)
        })
    }

    /// The feed's source; one that cannot be set up (a missing file) does not stop the
    /// site: it is logged once with its place in the config, and the feed runs as a camera
    /// that does not answer (offline, alerted with the reason, retried).
    static func source(for feed: FeedConfig, live: Bool, clock: Clock, log: @Sendable (String) -> Void) -> FrameSource {
        let make = { try makeFeedSource(uri: feed.source, realtime: feed.realtime || live, loop: feed.loop,
                                        openNow: false, clock: clock) }
        do {
            let source = try make()
            if !live { try source.open() }
            return source
        } catch {
            let message = UnavailableSource.message(error, uri: feed.source, position: feed.sourcePosition)
            // A live or paced feed keeps retrying (the file may be put back); a batch file does not.
            let retried = live || feed.realtime
            log("feed \(feed.id): \(message); the other feeds run, "
                + (retried ? "this one stays offline until its source can be opened" : "this one is skipped"))
            return UnavailableSource(description: "feed \(feed.id) source", uri: feed.source, position: feed.sourcePosition,
                                     make: make)
        }
    }

    /// Records the site, starts every worker and the monitor. Returns at once.
    public func start(version: String) throws {
        try database.syncSite(config, configPath: configPath, at: options.clock.nowMs())
        try startWebhooks()
        // Another runner counts as alive by the same heartbeat rule every reader uses.
        try database.pipelineStarted(version: version, at: options.clock.nowMs(),
                                     staleAfterMs: Int64(engine.thresholds.heartbeatSeconds * 1000), force: options.force)
        // Alerts still open from an earlier run stay the same alerts (no duplicates after a restart).
        engine.adopt(Self.restoredAlerts(try queries.alerts(.unresolved), config: config, log: options.log))
        // People already inside (counted earlier today, before a restart) are the starting point.
        try restartOccupancy(now: options.clock.nowMs())

        session.recordCrossing = { [writer] event in writer.append(event) }
        session.onCrossing = { [weak self] event in
            guard let self, self.options.crossingLog == .each else { return }
            self.options.log(self.crossingLine(event))
        }
        session.onStateChange = { [log = options.log, weak session = self.session] feedId, state, error in
            if let error { log("feed \(feedId): \(state.rawValue): \(error)") }
            // The technician saw "reconnecting" in the log; say when the feed is back too.
            else if state == .live, let n = session?.feeds.first(where: { $0.feed.id == feedId })?.status().reconnects, n > 0 {
                log("feed \(feedId): live again after \(n) reconnect attempt\(n == 1 ? "" : "s")")
            }
        }
        preview = PreviewPublisher(databasePath: database.path,
                                   regions: Dictionary(config.feeds.map { ($0.id, $0.detectRegion) }, uniquingKeysWith: { a, _ in a }),
                                   privacy: config.privacy, log: options.log)
        session.onProcessed = { [weak preview] feedId, p in preview?.offer(feedId: feedId, p) }
        configStamp = configPath.flatMap(FileStamp.init(path:))
        session.start()
        let t = Thread { [weak self] in self?.monitorLoop() }
        t.name = "site monitor"
        monitorThread = t
        t.start()
    }

    /// True once every worker has finished (files that do not loop reach their end).
    public var allFeedsEnded: Bool { session.allFeedsEnded }

    /// Blocks until `stop()` or until every feed has ended.
    public func wait() {
        while true {
            if stopped.wait(timeout: .now() + 0.2) == .success { stopped.signal(); return }
            if allFeedsEnded { return }
        }
    }

    /// Stops the workers, writes what is pending and marks the pipeline stopped.
    /// Safe to call more than once and from several threads (a signal handler's queue
    /// and the main thread): every caller returns only once the stop is complete.
    public func stop() {
        stopLock.lock(); defer { stopLock.unlock() }
        if stopRequested { return }
        stopRequested = true
        lock.lock(); stopping = true; lock.unlock()
        session.stop()
        stopped.signal()
        // Let the monitor finish its last tick (and retention its current chunk), then record the final state.
        while let t = monitorThread, !t.isFinished { usleep(10_000) }
        while let t = retentionThread, !t.isFinished { usleep(10_000) }
        do { try writer.close() } catch { options.log("could not store the last crossings: \(error)") }
        monitorTick(final: true)
        do { try database.pipelineStopped(at: options.clock.nowMs()) } catch { options.log("\(error)") }
        webhooks?.stop(drainSeconds: options.webhookDrainSeconds)
        hubSync?.stop(drainSeconds: options.webhookDrainSeconds)
        if let notifier {
            _ = notifier.waitUntilIdle(timeoutSeconds: config.alerts.onAlertTimeoutSeconds + 2)
            notifier.stop()
        }
    }

    /// Writes the crossings queued so far (before a minute's counts are taken from the store).
    func flushCrossings() throws { try writer.flush() }

    /// Current health of each feed (for callers that print progress).
    public func health() -> [FeedHealthSnapshot] { session.health() }

    /// The people inside now, as the alert engine sees them (kept in memory from the crossings).
    public var occupancy: Int { session.currentOccupancy }

    /// Starts the in-memory occupancy again from the record: what is queued is written first,
    /// then the store's reading (the period's reset or the last correction, and the crossings
    /// since) replaces it, with crossings held meanwhile.
    private func restartOccupancy(now: Int64) throws {
        try session.restartOccupancy { [writer, queries] in
            try writer.flush()
            let r = try queries.occupancy(now: now)
            return (r.anchor, r.counts)
        }
        occupancyPeriodStart = config.site.occupancyReset.periodStart(nowMs: now, timeZone: siteZone)
        occupancyCorrectionId = try queries.lastOccupancyCorrectionId()
    }

    private var siteZone: TimeZone { TimeZone(identifier: config.site.timeZone) ?? TimeZone(identifier: "UTC")! }

    /// A new period (the day's reset) or a correction made at the desk since the last tick.
    private func followOccupancyRecord(now: Int64) {
        do {
            let period = config.site.occupancyReset.periodStart(nowMs: now, timeZone: siteZone)
            let correctionId = try queries.lastOccupancyCorrectionId()
            guard period != occupancyPeriodStart || correctionId != occupancyCorrectionId else { return }
            try restartOccupancy(now: now)
            if let c = session.occupancyAnchor.correction, c.id == correctionId, correctionId != 0 {
                options.log("occupancy set to \(c.count) by \(TextSafety.echo(c.by, limit: 64)) (was \(c.previous)): \(TextSafety.echo(c.note, limit: 200))")
            }
        } catch {
            options.log("cannot read the occupancy record: \(error)")
        }
    }

    // MARK: monitor

    private func monitorLoop() {
        while stopped.wait(timeout: .now() + options.monitorInterval) == .timedOut {
            monitorTick(final: false)
            if allFeedsEnded { break }
        }
    }

    private func monitorTick(final: Bool) {
        let now = options.clock.nowMs()
        if !final, let gap = pauseDetector.tick(nowMs: now) { processResumed(gapMs: gap, now: now) }
        if !final { followOccupancyRecord(now: now) }
        if !final { reloadIfFileChanged() }
        let tick = session.drain()
        let snapshots = tick.health
        do {
            try database.updateFeedHealth(snapshots.map { Self.storeHealth($0, at: now, stopped: final) })
        } catch {
            options.log("cannot store feed health: \(error)")
        }
        if options.crossingLog != .none {
            minute.add(tick.crossings)
            if let line = minute.line(nowMs: now, final: final, config: config, health: snapshots) { options.log(line) }
        }
        if !final {
            evaluateAlerts(tick)
            closeCountMinutes(now: now)
        }
        do {
            try database.pipelineBeat(at: now, writer: writer.statistics)
        } catch {
            options.log("cannot write the pipeline heartbeat: \(error)")
        }
        if !final, let days = config.retentionDays, now - lastRetentionMs > 3_600_000,
           retentionThread?.isFinished ?? true {
            lastRetentionMs = now
            startRetention(days: days, now: now)
        }
    }

    /// Deletes what is older than `days` in small chunks on a background thread, pausing
    /// between chunks so the heartbeat and the crossing writer get the database in turn.
    private func startRetention(days: Int, now: Int64) {
        let t = Thread { [database, options, weak self] in
            let started = Date()
            do {
                let r = try database.applyRetention(days: days, now: now, batchSize: 500, pauseSeconds: 0.005,
                                                    keepGoing: { self?.isStopping == false })
                let n = r.crossingsDeleted + r.healthMinutesDeleted + r.alertsDeleted + r.rollupsDeleted
                if n > 0 {
                    options.log(String(format: "retention: deleted %d crossings, %d health minutes, %d alerts older than %d days in %.1f s",
                                       r.crossingsDeleted, r.healthMinutesDeleted, r.alertsDeleted, days,
                                       Date().timeIntervalSince(started)))
                }
            } catch {
                options.log("retention: \(error)")
            }
        }
        t.name = "retention"
        retentionThread = t
        t.start()
    }

    /// Set at the start of `stop()` (under `lock`, not `stopLock`, which `stop()` holds while it waits).
    private var stopping = false
    private var isStopping: Bool { lock.lock(); defer { lock.unlock() }; return stopping }

    /// The whole process stood still (SIGSTOP, a suspended machine): every camera looks
    /// silent at once. That is not an outage, so the freshness clocks and rule holds
    /// restart instead of raising offline alerts (and running on_alert) for healthy cameras.
    private func processResumed(gapMs: Int64, now: Int64) {
        options.log("the runner was paused for \(gapMs / 1000) s (stopped process or suspended machine); "
                    + "feed freshness restarts now instead of raising offline alerts")
        for f in session.feeds { f.monitor.processResumed(pausedMs: gapMs, atMs: now) }
        engine.processResumed()
    }

    private func evaluateAlerts(_ tick: SiteTick) {
        var input = tick.alertInput(capacity: config.site.capacity)
        if hubSync != nil { input.syncLagSeconds = (try? database.hubSyncBacklog())??.lagSeconds(now: options.clock.nowMs()) }
        let transitions = engine.tick(input)
        for t in transitions {
            do {
                switch t.change {
                case .raise, .update:
                    let change = try database.raiseOrUpdate(kind: t.kind, subject: t.subject,
                                                            severity: t.severity, message: t.messageEn,
                                                            messageVi: t.messageVi, value: t.value, at: t.atMs)
                    if t.change == .raise || change.escalated { notifier?.notify(t, alertId: change.id) }
                    if t.change == .raise { options.log("alert: \(t.severity.rawValue) \(t.kind.rawValue) \(t.subject.id): \(t.messageEn)") }
                case .resolve:
                    let id = try database.resolve(kind: t.kind, subject: t.subject, at: t.atMs)
                    notifier?.notify(t, alertId: id)
                    options.log("resolved: \(t.kind.rawValue) \(t.subject.id)")
                }
            } catch {
                options.log("cannot store alert \(t.kind.rawValue) for \(t.subject.id): \(error)")
            }
        }
    }

    /// One log line for a crossing: site-local time, gate, direction, feed and line.
    func crossingLine(_ e: CrossingEvent) -> String {
        let gate = config.gates.first { $0.id == e.gateId }
        let line = config.feeds.first { $0.id == e.feedId }?.lines.first { $0.id == e.lineId }
        let dir = e.direction == .in ? "in " : "out"
        return "crossing \(siteClock(e.timestampMs, config)) \(dir) gate \(gate?.name ?? e.gateId) (\(e.gateId)), "
            + "feed \(e.feedId), line \(line?.name ?? e.lineId)"
    }

    static func storeHealth(_ s: FeedHealthSnapshot, at now: Int64, stopped: Bool) -> GateStore.FeedHealth {
        var state = s.state.rawValue
        if stopped && s.state != .ended { state = "stopped" }
        return GateStore.FeedHealth(feedId: s.feedId, updatedMs: now, state: state, captureFps: s.captureFps,
                                    processFps: s.processFps, decodeMs: s.decodeMs, detectMs: s.detectMs, trackMs: s.trackMs,
                                    frames: s.framesProcessed, dropped: s.dropped, queueDepth: s.queueDepth,
                                    lastFrameMs: s.lastFrameMs, reconnects: s.reconnects, lastError: s.lastError,
                                    detectorRunsPerS: s.detectorRunsPerSecond)
    }

    /// Alerts still open in the store, as the engine's open alerts; logs each one left as stored.
    static func restoredAlerts(_ rows: [AlertRow], config: SiteConfig, log: (String) -> Void) -> [OpenAlert] {
        rows.compactMap { row in
            let alert = openAlert(row, config: config)
            if alert == nil {
                log("alert #\(row.id) (\(row.kind) \(row.subjectType.map { "\($0) " } ?? "")\(row.subjectId)) stays open as stored: "
                    + "no rule of this run can resolve it (its subject is not in this config, or a newer GateWatch wrote it)")
            }
            return alert
        }
    }

    /// An alert row still open in the database, as the engine's open alert, about the subject
    /// type it was stored with. Rows from before subject types were stored (NULL, see the
    /// "v4-typed-alerts" migration) fall back to the config: a gate id first, then a feed id.
    /// nil: a kind, severity or subject type this GateWatch does not know, or a gate or feed
    /// no longer in the config (no rule of this run can resolve it, so it is left alone).
    static func openAlert(_ row: AlertRow, config: SiteConfig) -> OpenAlert? {
        guard let kind = row.kind.known, let severity = row.severity.known else { return nil }
        let isGate = config.gates.contains { $0.id == row.subjectId }
        let isFeed = config.feeds.contains { $0.id == row.subjectId }
        let subject: AlertSubject
        switch row.subjectType {
        case .known(.site)?: subject = .site
        case .known(.gate)?: guard isGate else { return nil }; subject = .gate(row.subjectId)
        case .known(.feed)?: guard isFeed else { return nil }; subject = .feed(row.subjectId)
        case .unknown?: return nil
        case nil:
            if row.subjectId == "site" { subject = .site }
            else if isGate { subject = .gate(row.subjectId) }
            else if isFeed { subject = .feed(row.subjectId) }
            else { return nil }
        }
        return OpenAlert(kind: kind, subject: subject, severity: severity, value: row.value,
                         messageEn: row.message, messageVi: row.messageVi ?? row.message,
                         raisedMs: row.raisedMs, updatedMs: row.updatedMs)
    }
}

/// HH:mm:ss in the site's time zone.
func siteClock(_ ms: Int64, _ config: SiteConfig) -> String {
    let tz = TimeZone(identifier: config.site.timeZone) ?? TimeZone(identifier: "UTC")!
    let local = ms / 1000 + Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000)))
    let s = ((local % 86_400) + 86_400) % 86_400
    return String(format: "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
}

/// Crossings of the current minute per gate, for the runner's once-a-minute log line,
/// so a technician watching the log sees that counting works (even when it is 0).
struct MinuteSummary {
    private var startMs: Int64?
    private var ins: [String: Int] = [:]
    private var outs: [String: Int] = [:]

    mutating func add(_ events: [CrossingEvent]) {
        for e in events {
            if e.direction == .in { ins[e.gateId, default: 0] += 1 } else { outs[e.gateId, default: 0] += 1 }
        }
    }

    /// The summary once a minute has passed since the last one (or at the final tick).
    mutating func line(nowMs: Int64, final: Bool, config: SiteConfig, health: [FeedHealthSnapshot]) -> String? {
        guard let start = startMs else { startMs = nowMs; return nil }
        guard final || nowMs - start >= 60_000 else { return nil }
        let gates = config.gates.map { "\($0.id) in \(ins[$0.id] ?? 0) out \(outs[$0.id] ?? 0)" }.joined(separator: ", ")
        let live = health.filter { $0.state == .live }.count
        let total = ins.values.reduce(0, +) + outs.values.reduce(0, +)
        let secs = Int((nowMs - start) / 1000)
        startMs = nowMs; ins = [:]; outs = [:]
        return "\(siteClock(nowMs, config)) last \(secs) s: \(total) crossing\(total == 1 ? "" : "s") (\(gates)); "
            + "feeds live \(live)/\(health.count)"
    }
}

// MARK: reload

/// What tells a changed file: its inode (a file replaced by rename), size and modification time.
struct FileStamp: Equatable {
    var inode: UInt64, size: Int64, mtimeNs: Int64
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        inode = UInt64(st.st_ino); size = Int64(st.st_size)
        mtimeNs = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
    }
}

extension SiteRunner {
    /// Reads the site file again and applies, without stopping, what can change while counting:
    /// each feed's counting lines (the detection region follows them). Other changes wait for
    /// the next start, and the log and the record say so. Refused (nothing changes) when the
    /// file does not pass the config checks. Every reload is recorded in the database (audit).
    @discardableResult
    public func reload(trigger: ConfigReload.Trigger) -> ConfigReload? {
        guard let path = configPath else { return nil }
        if isStopping { return nil }   // a SIGHUP while stopping: the database may be closing
        reloadLock.lock(); defer { reloadLock.unlock() }
        configStamp = FileStamp(path: path)
        let now = options.clock.nowMs()
        var outcome = ConfigReload.Outcome.unchanged, detail: String
        do {
            let fresh = try ConfigLoader.load(path: path)
            let changed = fresh.feeds.filter { f in
                session.feeds.contains { $0.feed.id == f.id } && f.lines != (appliedLines[f.id] ?? config.feeds.first { $0.id == f.id }?.lines)
            }
            for f in changed {
                session.feeds.first { $0.feed.id == f.id }?.pipeline.replaceLines(f.lines)
                appliedLines[f.id] = f.lines
            }
            var parts = changed.map { f in "feed \(f.id): " + f.lines.map(Self.describe).joined(separator: ", ") }
            if !changed.isEmpty { outcome = .applied }
            if Self.withoutLines(fresh) != Self.withoutLines(config) { parts.append("other changes take effect at the next start") }
            detail = parts.isEmpty ? "no counting line changed" : parts.joined(separator: "; ")
        } catch {
            outcome = .refused
            detail = "\(error); the lines in force stay"
        }
        options.log("site file \(outcome == .refused ? "not reloaded" : "reloaded") (\(trigger.rawValue)): \(detail)")
        var recorded: ConfigReload?
        do {
            recorded = try database.recordConfigReload(ConfigReload(atMs: now, trigger: trigger, configPath: path, outcome: outcome, detail: detail))
            // After the record: a console that sees the new lines also sees when they began.
            if outcome == .applied { try database.syncSite(appliedConfig, configPath: path, at: now) }
        } catch {
            options.log("cannot record the reload: \(error)")
        }
        return recorded
    }

    /// The monitor's check (once a tick): the site file was saved since it was last read.
    func reloadIfFileChanged() {
        guard let path = configPath else { return }
        reloadLock.lock(); let changed = FileStamp(path: path) != configStamp; reloadLock.unlock()
        if changed { reload(trigger: .fileChanged) }
    }

    /// The config as it runs now: the start's, with the lines reloads applied.
    var appliedConfig: SiteConfig {
        var c = config
        for g in c.gates.indices {
            for f in c.gates[g].feeds.indices { if let l = appliedLines[c.gates[g].feeds[f].id] { c.gates[g].feeds[f].lines = l } }
        }
        return c
    }

    static func withoutLines(_ c: SiteConfig) -> SiteConfig {
        var c = c
        for g in c.gates.indices { for f in c.gates[g].feeds.indices { c.gates[g].feeds[f].lines = []; c.gates[g].feeds[f].sourcePosition = nil } }
        return c
    }

    static func describe(_ l: LineConfig) -> String {
        func p(_ q: Point) -> String { "[\(ConfigLoader.fmtNumber(q.x)), \(ConfigLoader.fmtNumber(q.y))]" }
        return "\(l.id) \(p(l.from))-\(p(l.to)) in \(p(l.inside))"
    }
}
