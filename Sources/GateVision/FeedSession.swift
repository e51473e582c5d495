import Foundation
import GateCore

/// Where one feed's results go. Every sink is optional; all run on the feed's
/// processing thread except `state`, which may also come from the capture thread.
public struct FeedSinks {
    /// Each confirmed crossing.
    public var crossing: ((CrossingEvent) -> Void)?
    /// Frame statistics about once a second of video, with the frame's timestamp.
    public var frameStats: ((FrameStats, Int64) -> Void)?
    /// Every processed frame (drawing, progress, a clock that follows the video).
    public var processed: ((ProcessedFrame) -> Void)?
    /// Worker state changes, with the error that caused them.
    public var state: ((WorkerState, String?) -> Void)?
    public init(crossing: ((CrossingEvent) -> Void)? = nil, frameStats: ((FrameStats, Int64) -> Void)? = nil,
                processed: ((ProcessedFrame) -> Void)? = nil, state: ((WorkerState, String?) -> Void)? = nil) {
        self.crossing = crossing; self.frameStats = frameStats; self.processed = processed; self.state = state
    }
}

/// How a feed session runs, beyond the feed's config.
public struct FeedSessionSettings {
    /// Person model override (`--model`); nil finds the installed one.
    public var modelPath: String?
    /// True: live mode (drop-oldest, reconnect); false: fast mode (block, every frame);
    /// nil: the source decides (cameras and paced files are live).
    public var live: Bool?
    /// The clock health and frame times follow (the acceptance runner's follows the video).
    public var clock: Clock
    /// Health thresholds (offline/stale seconds, dropped share) from the site's alert settings.
    public var health: HealthSettings
    /// Overrides of the pipeline's defaults (detect-every, queue, motion gate).
    public var pipeline: PipelineOptions
    /// Where a warning goes (e.g. "person model not found, using HOG"), one line each.
    public var warn: (String) -> Void
    /// The process's detection engine (a site's feeds share its models); nil: the feed
    /// loads its own detector.
    public var engine: DetectionEngine?
    public init(modelPath: String? = nil, live: Bool? = nil, clock: Clock = SystemClock(),
                health: HealthSettings = HealthSettings(), pipeline: PipelineOptions = PipelineOptions(),
                warn: @escaping (String) -> Void = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }) {
        self.modelPath = modelPath; self.live = live; self.clock = clock; self.health = health
        self.pipeline = pipeline; self.warn = warn
    }
}

/// One feed wired end to end: source -> detector -> tracker/line counter -> sinks, with its
/// health monitor. The one place a `FeedPipeline` is built for `run`, `demo`, `test`,
/// `bench` and `count` (a site composes several in `SiteSession`).
public final class FeedSession {
    public let feed: FeedConfig
    public let gateId: String
    public let source: FrameSource
    public let detector: PersonDetector
    public let pipeline: FeedPipeline

    /// Builds the detector (falling back to HOG with a warning when the person model is
    /// missing) and the health monitor; nothing runs until `start()` or `run()`.
    public init(feed: FeedConfig, gateId: String, source: FrameSource, settings: FeedSessionSettings = FeedSessionSettings(),
                sinks: FeedSinks = FeedSinks()) throws {
        self.feed = feed; self.gateId = gateId; self.source = source
        do {
            if let engine = settings.engine {
                detector = try engine.detector(for: feed, warn: settings.warn)
            } else {
                detector = try makeDetector(kind: feed.detector, confidence: feed.confidence, modelPath: settings.modelPath,
                                            onModelError: feed.onModelError, warn: settings.warn)
            }
        } catch let e as VisionError where feed.onModelError == .stopFeed && settings.modelPath == nil {
            settings.warn("\(e.message); this feed stops (on_model_error: stop_feed), the others go on")
            detector = UnavailableDetector(name: feed.detector.rawValue, reason: e.message)
        }
        let monitor = FeedHealthMonitor(feedId: feed.id, expectedFps: feed.fps ?? source.nominalFps,
                                        settings: settings.health, clock: settings.clock)
        var options = settings.pipeline
        if let live = settings.live { options.liveMode = live }
        pipeline = FeedPipeline(feed: feed, gateId: gateId, source: source, detector: detector,
                                options: options, clock: settings.clock, health: monitor)
        connect(sinks)
    }

    /// Points the pipeline's results at `sinks` (before `start()`).
    public func connect(_ sinks: FeedSinks) {
        pipeline.onCrossing = sinks.crossing
        pipeline.onFrameStats = sinks.frameStats
        pipeline.onProcessed = sinks.processed
        pipeline.onStateChange = sinks.state
    }

    public func start() { pipeline.start() }
    public func stop() { pipeline.stop() }
    /// Blocks until the worker ends; its summary (nil if it never ran).
    @discardableResult
    public func wait() -> PipelineSummary? { pipeline.wait() }
    public var isFinished: Bool { pipeline.isFinished }
    public func status() -> WorkerStatus { pipeline.status() }
    public func health() -> FeedHealthSnapshot { pipeline.health() }
    public var monitor: FeedHealthMonitor { pipeline.monitor }

    /// The summary of a finished worker; throws the feed's error when it failed
    /// (a file that cannot be read, a detector that failed).
    public func summary() throws -> PipelineSummary {
        let summary = pipeline.wait()
        let status = pipeline.status()
        if status.state == .failed || summary == nil {
            throw VisionError(status.lastError ?? "feed \(feed.id): the worker did not finish")
        }
        return summary!
    }

    /// Runs the feed to its end on the calling thread (files and scenes, fast mode).
    @discardableResult
    public func run() throws -> PipelineSummary { try pipeline.run() }
}
