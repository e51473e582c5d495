import Foundation

/// What a feed is doing, as shown to technicians and written to `feed_health.state`.
public enum FeedState: String, Sendable, Codable, CaseIterable {
    case starting       // opened, no frame yet
    case live           // frames arriving
    case stale          // no frame for `staleSeconds`, not yet offline
    case offline        // no frame for `offlineSeconds`
    case reconnecting   // the source failed since the last frame and the worker is reopening it
    case ended          // a file source reached its end
    case stopped        // the runner stopped cleanly (readers of the database only)
    case unknown        // the runner is not responding, so nobody can vouch for the feed
}

/// Names of the pipeline stages timed per frame (keys of `stageMs`). Workers may
/// time other stages too; these are the ones the schema has columns for.
public enum HealthStage {
    public static let decode = "decode"
    public static let detect = "detect"
    public static let track = "track"
}

public struct HealthSettings: Equatable, Sendable {
    /// Sliding window for the frame rates.
    public var windowSeconds: Double = 5
    /// No frame for this long: `stale`.
    public var staleSeconds: Double = SiteThresholds.defaultStaleSeconds
    /// No frame for this long: `offline` (the offline alert uses the same figure).
    public var offlineSeconds: Double = 20
    /// Weight of the newest sample in the per-stage moving average.
    public var stageSmoothing: Double = 0.1
    public init() {}
    public init(windowSeconds: Double = 5, staleSeconds: Double = 3, offlineSeconds: Double = 20,
                stageSmoothing: Double = 0.1) {
        self.windowSeconds = windowSeconds; self.staleSeconds = staleSeconds
        self.offlineSeconds = offlineSeconds; self.stageSmoothing = stageSmoothing
    }
}

/// One feed's health at one instant (cumulative counters plus windowed rates).
public struct FeedHealthSnapshot: Equatable, Sendable, Codable {
    public var feedId: String
    public var atMs: Int64
    public var state: FeedState
    public var captureFps: Double
    public var processFps: Double
    public var expectedFps: Double?
    /// Detector runs a second (the adaptive cadence lowers it while nobody is near a line).
    public var detectorRunsPerSecond: Double = 0
    /// Moving average of milliseconds per stage (see `HealthStage`).
    public var stageMs: [String: Double]
    public var framesCaptured: Int
    public var framesProcessed: Int
    public var dropped: Int
    /// Share of the frames captured over the rate window that were thrown away because
    /// processing fell behind (0…1).
    public var droppedShare: Double
    public var queueDepth: Int
    public var lastFrameMs: Int64?
    public var reconnects: Int
    public var lastError: String?
    /// When `lastError` happened.
    public var lastErrorMs: Int64?
    /// Silence is counted from here when it is later than the last frame: the last frame
    /// moved forward by the time the process stood still (nil: never paused).
    public var resumedMs: Int64?

    public init(feedId: String, atMs: Int64, state: FeedState, captureFps: Double = 0, processFps: Double = 0,
                expectedFps: Double? = nil, detectorRunsPerSecond: Double = 0, stageMs: [String: Double] = [:], framesCaptured: Int = 0,
                framesProcessed: Int = 0, dropped: Int = 0, droppedShare: Double = 0, queueDepth: Int = 0,
                lastFrameMs: Int64? = nil, reconnects: Int = 0, lastError: String? = nil, lastErrorMs: Int64? = nil,
                resumedMs: Int64? = nil) {
        self.feedId = feedId; self.atMs = atMs; self.state = state; self.captureFps = captureFps
        self.processFps = processFps; self.expectedFps = expectedFps; self.stageMs = stageMs
        self.detectorRunsPerSecond = detectorRunsPerSecond
        self.framesCaptured = framesCaptured; self.framesProcessed = framesProcessed; self.dropped = dropped
        self.droppedShare = droppedShare
        self.queueDepth = queueDepth; self.lastFrameMs = lastFrameMs; self.reconnects = reconnects
        self.lastError = lastError; self.lastErrorMs = lastErrorMs; self.resumedMs = resumedMs
    }

    /// Seconds the feed has been silent: since its last captured frame, or since the
    /// process resumed from a pause if that is later; nil before the first frame.
    /// The source's error since the last frame (why the feed is down), nil when none.
    public var currentError: String? {
        guard let lastError, let at = lastErrorMs, at >= (lastFrameMs ?? Int64.min) else { return nil }
        return lastError
    }

    public var lastFrameAgeSeconds: Double? {
        lastFrameMs.map { Double(atMs - max($0, resumedMs ?? $0)) / 1000 }
    }
    public var decodeMs: Double { stageMs[HealthStage.decode] ?? 0 }
    public var detectMs: Double { stageMs[HealthStage.detect] ?? 0 }
    public var trackMs: Double { stageMs[HealthStage.track] ?? 0 }
}

/// Health bookkeeping for one feed. Capture and processing threads report events
/// to it; anyone may take a snapshot. Thread-safe; all times come from the
/// caller or the injected clock.
public final class FeedHealthMonitor: @unchecked Sendable {
    public let feedId: String
    public let expectedFps: Double?
    public let settings: HealthSettings
    private let clock: Clock
    private let lock = NSLock()

    private let startMs: Int64
    private var captureTimes = TimeWindow()
    private var processTimes = TimeWindow()
    private var detectorRunTimes = TimeWindow()
    private var dropTimes = TimeWindow()
    private var stageMs: [String: Double] = [:]
    private var framesCaptured = 0
    private var framesProcessed = 0
    private var dropped = 0
    private var queueDepth = 0
    private var lastFrameMs: Int64?
    private var reconnects = 0
    private var lastReconnectMs: Int64?
    private var lastErrorMs: Int64?
    private var lastError: String?
    private var endedMs: Int64?
    private var failedMs: Int64?
    private var resumedMs: Int64?

    public init(feedId: String, expectedFps: Double? = nil, settings: HealthSettings = HealthSettings(), clock: Clock) {
        self.feedId = feedId; self.expectedFps = expectedFps; self.settings = settings; self.clock = clock
        startMs = clock.nowMs()
    }

    private func locked<T>(_ body: () -> T) -> T { lock.lock(); defer { lock.unlock() }; return body() }

    /// A frame came out of the source (capture thread).
    public func frameCaptured(atMs t: Int64? = nil) {
        let t = t ?? clock.nowMs()
        locked {
            framesCaptured += 1
            captureTimes.append(t)
            lastFrameMs = max(lastFrameMs ?? t, t)
            endedMs = nil
        }
    }

    /// A frame went through the pipeline (processing thread). `stageMs` holds this
    /// frame's time per stage; `queueDepth` the frames still waiting, when known;
    /// `detectorRan` whether the person detector ran on it.
    public func frameProcessed(atMs t: Int64? = nil, stageMs stages: [String: Double] = [:], queueDepth depth: Int? = nil,
                               detectorRan: Bool = false) {
        let t = t ?? clock.nowMs()
        locked {
            framesProcessed += 1
            processTimes.append(t)
            if detectorRan { detectorRunTimes.append(t) }
            let a = settings.stageSmoothing
            for (name, ms) in stages where ms.isFinite && ms >= 0 {
                stageMs[name] = stageMs[name].map { $0 + a * (ms - $0) } ?? ms
            }
            if let depth { queueDepth = max(0, depth) }
        }
    }

    /// Frames thrown away because processing fell behind a live source.
    public func framesDropped(_ count: Int = 1, atMs t: Int64? = nil) {
        let t = t ?? clock.nowMs()
        locked {
            dropped += max(0, count)
            for _ in 0..<min(max(0, count), 10_000) { dropTimes.append(t) }
        }
    }

    public func setQueueDepth(_ depth: Int) { locked { queueDepth = max(0, depth) } }

    /// The worker starts reopening the source (counts one reconnect).
    public func reconnectAttempt(atMs t: Int64? = nil) {
        let t = t ?? clock.nowMs()
        locked { reconnects += 1; lastReconnectMs = t }
    }

    /// The source failed (one line for the technician).
    public func sourceError(_ message: String, atMs t: Int64? = nil) {
        let t = t ?? clock.nowMs()
        locked { lastError = message; lastErrorMs = t }
    }

    /// A file source reached its end (and does not loop).
    public func sourceEnded(atMs t: Int64? = nil) {
        let t = t ?? clock.nowMs()
        locked { endedMs = t; queueDepth = 0 }
    }

    /// The feed's worker gave up (e.g. its person model does not load and the site says
    /// `on_model_error: stop_feed`): the feed reads `stopped`, with the reason as its error.
    public func workerFailed(_ message: String, atMs t: Int64? = nil) {
        let t = t ?? clock.nowMs()
        locked { failedMs = t; lastError = message; lastErrorMs = t; queueDepth = 0 }
    }

    /// The whole process stood still for `pausedMs` (see `PauseDetector`): the pause does
    /// not count as silence, so it is not taken for a camera outage, while silence before
    /// it still counts (a camera already down stays down).
    public func processResumed(pausedMs: Int64, atMs t: Int64? = nil) {
        let t = t ?? clock.nowMs()
        locked {
            let origin = max(lastFrameMs ?? startMs, resumedMs ?? Int64.min)
            resumedMs = min(t, origin &+ max(0, pausedMs))
        }
    }

    public func snapshot(atMs t: Int64? = nil) -> FeedHealthSnapshot {
        let now = t ?? clock.nowMs()
        return locked {
            let windowMs = Int64(settings.windowSeconds * 1000)
            let captured = captureTimes.count(now: now, windowMs: windowMs)
            let drops = dropTimes.count(now: now, windowMs: windowMs)
            return FeedHealthSnapshot(
                feedId: feedId, atMs: now, state: state(now: now),
                captureFps: captureTimes.rate(now: now, windowMs: windowMs),
                processFps: processTimes.rate(now: now, windowMs: windowMs),
                expectedFps: expectedFps, detectorRunsPerSecond: detectorRunTimes.rate(now: now, windowMs: windowMs),
                stageMs: stageMs, framesCaptured: framesCaptured,
                framesProcessed: framesProcessed, dropped: dropped,
                droppedShare: captured > 0 ? min(1, Double(drops) / Double(captured)) : 0, queueDepth: queueDepth,
                lastFrameMs: lastFrameMs, reconnects: reconnects, lastError: lastError, lastErrorMs: lastErrorMs,
                resumedMs: resumedMs)
        }
    }

    // Order matters: a finished file is `ended` however old its last frame;
    // a long outage reads `offline` even while the worker keeps retrying.
    private func state(now: Int64) -> FeedState {
        if endedMs != nil { return .ended }
        if failedMs != nil { return .stopped }
        let since = Double(now - max(lastFrameMs ?? startMs, resumedMs ?? Int64.min)) / 1000
        let aged = FeedState.fresh(frameAgeSeconds: since, thresholds: settings.thresholds)
        if aged == .offline { return .offline }
        let failedAt = max(lastReconnectMs ?? Int64.min, lastErrorMs ?? Int64.min)
        if failedAt != Int64.min, failedAt >= (lastFrameMs ?? Int64.min) { return .reconnecting }
        guard lastFrameMs != nil else { return .starting }
        return aged
    }
}

/// Timestamps of recent events, for a rate over a sliding window.
private struct TimeWindow {
    private var times: [Int64] = []
    private var head = 0
    private var first: Int64?
    private var keepMs: Int64 = 60_000

    mutating func append(_ t: Int64) {
        if first == nil { first = t }
        times.append(t)
        // Trim by age; compact now and then so the array does not grow without bound.
        if let newest = times.last {
            while head < times.count, times[head] < newest - keepMs { head += 1 }
        }
        if head > 1024 { times.removeFirst(head); head = 0 }
    }

    /// Events in the last `windowMs` up to `now`.
    mutating func count(now: Int64, windowMs: Int64) -> Int {
        keepMs = max(keepMs, windowMs)
        let from = now - windowMs
        var n = 0
        var i = times.count - 1
        while i >= head, times[i] > from { if times[i] <= now { n += 1 }; i -= 1 }
        return n
    }

    /// Events per second over the last `windowMs`; while the window is not yet
    /// full (just started), over the time since the first event.
    mutating func rate(now: Int64, windowMs: Int64) -> Double {
        keepMs = max(keepMs, windowMs)
        guard let first, windowMs > 0 else { return 0 }
        let from = now - windowMs
        var n = 0
        var i = times.count - 1
        while i >= head, times[i] > from { if times[i] <= now { n += 1 }; i -= 1 }
        if first > from {
            let span = now - first
            guard span > 0, n > 1 else { return 0 }
            return Double(n - 1) * 1000 / Double(span)
        }
        return Double(n) * 1000 / Double(windowMs)
    }
}

extension HealthSettings {
    /// Health settings whose offline threshold matches the site's offline alert.
    public init(alerts: AlertSettings) { self.init(); offlineSeconds = alerts.offlineSeconds }

    /// The freshness part of the site's thresholds (the one rule, see `FeedState.fresh`).
    public var thresholds: SiteThresholds {
        SiteThresholds(staleSeconds: staleSeconds, offlineSeconds: offlineSeconds)
    }
}

extension FeedState {
    /// A feed that gives no pictures and is not expected to stop (the province view's
    /// "feeds offline"; a file that ended or a stopped runner is not down).
    public var isDown: Bool { self == .offline || self == .reconnecting || self == .unknown }
}
