import Foundation
import GateCore
import GateVision

/// How a site session runs.
public struct SiteSessionSettings {
    /// Person model override (`--model`); nil finds the installed one.
    public var modelPath: String?
    /// The clock health, alerts and frame times follow (a video clock in acceptance runs).
    public var clock: Clock = SystemClock()
    /// Live or fast mode per feed; nil lets each source decide.
    public var live: (FeedConfig) -> Bool? = { _ in nil }
    /// Overrides of the pipeline's defaults, for every feed.
    public var pipeline = PipelineOptions()
    /// Shared: one detection engine for the site's feeds (each model loaded once per
    /// detector thread); per-feed: each feed its own model (for comparison in `bench`).
    public var engineMode: EngineMode = .shared
    /// Detector threads of the shared engine (nil: the machine's cores).
    public var engineWorkers: Int?
    /// A feed's warning (e.g. the person model is missing, HOG is used), one line each.
    public var warn: (FeedConfig, String) -> Void = { feed, text in
        FileHandle.standardError.write(Data("feed \(feed.id): \(text)\n".utf8))
    }
    public init(modelPath: String? = nil) { self.modelPath = modelPath }
}

/// What the feeds produced since the last `drain()`: the input of one alert-engine tick.
public struct SiteTick {
    public var crossings: [CrossingEvent]
    public var frameStats: [String: FrameStats]
    public var health: [FeedHealthSnapshot]
    /// People inside now (in-memory, from the crossings as they are confirmed).
    public var occupancy: Int
    public func alertInput(capacity: Int? = nil) -> AlertInput {
        var byFeed: [String: FeedHealthSnapshot] = [:]
        for s in health { byFeed[s.feedId] = s }
        return AlertInput(occupancy: occupancy, capacity: capacity, health: byFeed, frameStats: frameStats, crossings: crossings)
    }
}

/// Every feed of a site wired the one way (`FeedSession` each) into site-level sinks: the
/// crossings since the last tick, the latest frame statistics per feed, and the site's
/// occupancy kept in memory where the crossings are produced (seeded from the store at
/// start; the store stays the record). Used by `run`/`demo` (SiteRunner), `test`
/// (AcceptanceRunner) and `bench`.
public final class SiteSession: @unchecked Sendable {
    public let config: SiteConfig
    public let feeds: [FeedSession]
    /// The site's detection engine (nil in per-feed mode).
    public let engine: DetectionEngine?
    /// The record's sink (the store's writer queue), called under the session's lock with each
    /// crossing as it is counted, so a restart of the occupancy from the record (which holds
    /// the same lock) never misses or double-counts one. Must not block; processing thread.
    public var recordCrossing: ((CrossingEvent) -> Void)?
    /// Extra per-crossing sink (the crossing log); processing thread, outside the lock.
    public var onCrossing: ((CrossingEvent) -> Void)?
    /// Every processed frame, with its feed id (progress, a video clock); processing thread.
    public var onProcessed: ((String, ProcessedFrame) -> Void)?
    /// Worker state changes, with the feed id and the error that caused them.
    public var onStateChange: ((String, WorkerState, String?) -> Void)?

    private let lock = NSLock()
    private var occupancy: Occupancy
    private var pending: [CrossingEvent] = []
    private var latestStats: [String: FrameStats] = [:]

    /// Builds every feed's detector and health monitor up front, so a missing model falls
    /// back (with its warning) or fails here, before anything runs. `source` gives each
    /// feed's source and whether the feed runs live.
    public init(config: SiteConfig, settings: SiteSessionSettings,
                source: (FeedConfig) throws -> FrameSource) throws {
        self.config = config
        occupancy = Occupancy(capacity: config.site.capacity, alerts: config.alerts)
        let engine = settings.engineMode == .shared
            ? DetectionEngine(workers: settings.engineWorkers ?? ProcessInfo.processInfo.activeProcessorCount,
                              modelPath: settings.modelPath, feeds: config.feeds.count)
            : nil
        self.engine = engine
        var feeds: [FeedSession] = []
        let warn = settings.warn
        for gate in config.gates {
            for feed in gate.feeds {
                var feedSettings = FeedSessionSettings(
                    modelPath: settings.modelPath, live: settings.live(feed), clock: settings.clock,
                    health: HealthSettings(alerts: config.alerts), pipeline: settings.pipeline,
                    warn: { warn(feed, $0) })
                feedSettings.engine = engine
                feeds.append(try FeedSession(feed: feed, gateId: gate.id, source: try source(feed), settings: feedSettings))
            }
        }
        self.feeds = feeds
        for f in feeds { f.connect(sinks(for: f.feed.id)) }
    }

    // The engine's threads hold it until closed.
    deinit { engine?.close() }

    private func sinks(for feedId: String) -> FeedSinks {
        FeedSinks(
            crossing: { [weak self] e in
                guard let self else { return }
                self.lock.lock()
                self.pending.append(e); self.occupancy.record(e); self.recordCrossing?(e)
                self.lock.unlock()
                self.onCrossing?(e)
            },
            frameStats: { [weak self] stats, _ in
                guard let self else { return }
                self.lock.lock(); self.latestStats[feedId] = stats; self.lock.unlock()
            },
            processed: { [weak self] p in self?.onProcessed?(feedId, p) },
            state: { [weak self] state, error in self?.onStateChange?(feedId, state, error) })
    }

    /// Starts the occupancy again from the record (at start, at the day's reset, after a
    /// correction at the desk). `read` runs under the session's lock: crossings wait while the
    /// record catches up (flush, then read), so none is missed or counted twice.
    public func restartOccupancy(from read: () throws -> (anchor: OccupancyAnchor, counts: GateFeedCounts)) rethrows {
        lock.lock(); defer { lock.unlock() }
        let r = try read()
        occupancy.restart(anchor: r.anchor, counts: r.counts)
    }
    /// Where the occupancy counts from now.
    public var occupancyAnchor: OccupancyAnchor { lock.lock(); defer { lock.unlock() }; return occupancy.anchor }
    public var currentOccupancy: Int { lock.lock(); defer { lock.unlock() }; return occupancy.count }

    /// The crossings since the last drain, the latest frame statistics, every feed's health
    /// and the occupancy now.
    public func drain() -> SiteTick {
        let health = feeds.map { $0.health() }
        lock.lock(); defer { lock.unlock() }
        let tick = SiteTick(crossings: pending, frameStats: latestStats, health: health, occupancy: occupancy.count)
        pending.removeAll()
        return tick
    }

    public func start() { for f in feeds { f.start() } }
    /// Asks every worker to stop and waits for them.
    public func stop() {
        for f in feeds { f.stop() }
        for f in feeds { f.wait() }
        engine?.close()
    }
    public var allFeedsEnded: Bool { feeds.allSatisfy { $0.isFinished } }
    public func health() -> [FeedHealthSnapshot] { feeds.map { $0.health() } }
}
