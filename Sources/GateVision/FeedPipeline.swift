import Foundation
import GateCore

/// Where a feed's worker thread is. (The feed's health as technicians see it,
/// with rates and offline/stale, is GateCore's FeedHealthSnapshot from `health()`.)
public enum WorkerState: String, Sendable, Codable, Equatable {
    case starting, live, reconnecting, ended, stopped, failed
}

/// Milliseconds per stage: decode (read + decode), motion gate, detector, tracker + counter.
public struct StageTimes: Equatable, Sendable, Codable {
    public var decode: Double
    public var motion: Double
    public var detect: Double
    public var track: Double
    public init(decode: Double = 0, motion: Double = 0, detect: Double = 0, track: Double = 0) {
        self.decode = decode; self.motion = motion; self.detect = detect; self.track = track
    }
}

/// The worker's own counters and state; any thread may poll them with `status()`.
public struct WorkerStatus: Equatable, Sendable {
    public var feedId: String
    public var state: WorkerState
    public var framesCaptured: Int
    public var framesProcessed: Int
    public var framesDetected: Int
    /// Frames dropped because processing fell behind a live source.
    public var dropped: Int
    public var queueDepth: Int
    /// Wall clock (UTC ms) when the last frame arrived from the source; nil before the first.
    public var lastFrameMs: Int64?
    /// Reconnection attempts after a failure.
    public var reconnects: Int
    public var lastError: String?
}

/// What a finished (or stopped) run did, for `count --json` and benchmarks.
public struct PipelineSummary: Equatable, Sendable {
    public var frames: Int
    public var detectedFrames: Int
    /// Scheduled detector runs skipped because the picture did not change.
    public var motionSkipped: Int
    /// Scheduled detector runs skipped because everybody tracked was far from every line.
    public var cadenceSkipped: Int = 0
    /// How the detector's rate was chosen.
    public var cadence: CadenceMode = .fixed
    public var dropped: Int
    public var seconds: Double
    public var fps: Double
    /// Mean ms per processed frame for each stage (they add up to the time per frame;
    /// decode overlaps the other stages on its own thread).
    public var stageMs: StageTimes
    /// Mean ms of one detector run.
    public var detectMsPerRun: Double
    public var detectEvery: Int
    public var totals: [String: LineTotals]
    public var crossings: Int
}

/// One processed frame, for callers that draw or check what the pipeline saw.
public struct ProcessedFrame {
    public let frame: Frame
    public let detections: [Detection]
    public let tracks: [Track]
    /// False when the detector did not run on this frame (not scheduled, or no motion).
    public let detected: Bool
    /// The counting lines in force on this frame (a reload may have replaced the feed's).
    public let lines: [LineConfig]
}

public struct PipelineOptions: Sendable {
    /// Overrides FeedConfig.detectEvery; nil = feed's value, else chosen from the source fps.
    public var detectEvery: Int?
    /// nil = drop-oldest live mode when the source is live, blocking fast mode otherwise.
    public var liveMode: Bool?
    /// Frames held between capture and processing (nil: 4).
    public var queueCapacity: Int?
    public var motionGate: Bool = true
    /// Changed-pixel share below which a scheduled detection is skipped.
    public var motionThreshold: Double = 0.002
    /// Run the detector at least this often (source seconds) even without motion.
    public var maxSecondsWithoutDetection: Double = 2
    /// Overrides FeedConfig.cadence (bench measures the fixed design beside the adaptive one).
    public var cadence: CadenceMode?
    /// The adaptive rule's distances and intervals.
    public var adaptiveCadence = DetectionCadence()
    /// A jump in frame time longer than this (a stream that reconnected) restarts tracking.
    public var maxGapMs: Int64 = 2000
    /// Frame statistics about this often (source time, ms).
    public var statsIntervalMs: Int64 = 1000
    public init(detectEvery: Int? = nil, liveMode: Bool? = nil, queueCapacity: Int? = nil) {
        self.detectEvery = detectEvery; self.liveMode = liveMode; self.queueCapacity = queueCapacity
    }
}

/// Detect every Nth frame so the detector runs 5-10 times a second of video (fps >= 5):
/// walkers move little in 0.2 s and the tracker coasts in between, while the DNN
/// (~20-45 ms a run on 2 shared cores) would otherwise cap counting near real time x 2-4.
public func autoDetectEvery(fps: Double?) -> Int {
    guard let fps, fps > 0 else { return 1 }
    return max(1, Int(fps / 5))
}

/// The per-feed loop: read -> motion gate -> detect every Nth frame -> tracker -> line
/// counter -> crossing callbacks. A capture thread feeds a small queue: in fast mode it
/// blocks when full (decoding overlaps detection on the second core); in live mode it
/// never blocks and drops the oldest frame, and reconnects with backoff on failure.
public final class FeedPipeline: @unchecked Sendable {
    public let feed: FeedConfig
    public let gateId: String
    public let source: FrameSource
    public let detector: PersonDetector
    public let tracker: Tracker
    /// The line counter; made again when the lines are replaced (a site-file reload).
    public private(set) var counter: LineCounter
    public let options: PipelineOptions

    /// Called on the processing thread for each crossing.
    public var onCrossing: ((CrossingEvent) -> Void)?
    /// Frame statistics about once a second of video (with the frame's timestamp).
    public var onFrameStats: ((FrameStats, Int64) -> Void)?
    /// State changes (from either thread), with the error that caused them.
    public var onStateChange: ((WorkerState, String?) -> Void)?
    /// Every processed frame (processing thread).
    public var onProcessed: ((ProcessedFrame) -> Void)?

    private let clock: Clock
    private var backoff: Backoff
    private let live: Bool
    private let capacity: Int
    private let cond = NSCondition()
    // Guarded by cond:
    private var queue: [QueueItem] = []
    private var stopped = false
    private var captureDone = false
    private var captureError: VisionError?
    private var h: WorkerStatus
    // Processing thread only:
    private var totals = StageTimes()
    private var motionSkipped = 0
    private var cadenceSkipped = 0
    private let cadence: CadenceMode
    private var lineGeometry: [LineGeometry]
    private var crossings = 0
    private var detectEveryUsed = 1
    private var loop = LoopState()
    /// Lowest detector score passed to the tracker (below the feed's confidence: extends tracks only).
    private let weakScore: Double
    private var resetReferenceRequested = false
    /// New counting lines waiting for the processing thread (guarded by cond).
    private var pendingLines: [LineConfig]?
    private let motion = MotionGate()
    /// Motion in the band around the lines (the adaptive cadence's "someone near a line").
    private let lineBandMotion = MotionGate()
    private let meter = FrameStatsMeter()
    private var runner: Thread?
    private let finished = DispatchSemaphore(value: 0)
    private var summaryValue: PipelineSummary?

    public init(feed: FeedConfig, gateId: String, source: FrameSource, detector: PersonDetector,
                tracker: Tracker = Tracker(), options: PipelineOptions = PipelineOptions(),
                clock: Clock = SystemClock(), backoff: Backoff = Backoff(), health: FeedHealthMonitor? = nil) {
        self.feed = feed; self.gateId = gateId; self.source = source; self.detector = detector
        self.tracker = tracker; self.options = options; self.clock = clock; self.backoff = backoff
        self.counter = LineCounter(lines: feed.lines, feedId: feed.id, gateId: gateId)
        // The person model also reports people it is unsure of (down to half the feed's
        // threshold): those only keep existing tracks alive, so a walker the model half
        // loses for a second near the line is still followed; only confident ones start tracks.
        weakScore = detector.reportWeakDetections(downTo: feed.confidence * 0.5, confidence: feed.confidence)
        if tracker.settings.birthScore <= 0 { tracker.settings.birthScore = feed.confidence }
        live = options.liveMode ?? source.isLive
        cadence = options.cadence ?? feed.cadence
        lineGeometry = feed.lines.map(LineGeometry.init)
        // Live: 4 frames (0.4 s at 10 fps) ride out a detector run that waits behind other
        // feeds' on a busy engine instead of dropping frames; fast mode blocks instead.
        capacity = max(1, options.queueCapacity ?? 4)
        motion.threshold = options.motionThreshold
        h = WorkerStatus(feedId: feed.id, state: .starting, framesCaptured: 0, framesProcessed: 0, framesDetected: 0,
                         dropped: 0, queueDepth: 0, lastFrameMs: nil, reconnects: 0, lastError: nil)
        monitor = health ?? FeedHealthMonitor(feedId: feed.id, expectedFps: feed.fps ?? source.nominalFps, clock: clock)
    }

    /// The feed's health (rates, ms per stage, live/stale/offline...), from the one health
    /// model in GateCore that alerts, the store and the console share. Safe from any thread.
    public let monitor: FeedHealthMonitor
    public func health() -> FeedHealthSnapshot {
        monitor.setQueueDepth(status().queueDepth)
        return monitor.snapshot()
    }

    /// A consistent copy of the worker's own counters; safe from any thread.
    public func status() -> WorkerStatus {
        cond.lock(); defer { cond.unlock() }
        var s = h
        s.queueDepth = queue.count
        return s
    }

    /// True once the worker has finished (ended, stopped or failed).
    public var isFinished: Bool {
        cond.lock(); defer { cond.unlock() }
        return [.ended, .stopped, .failed].contains(h.state)
    }

    /// The next frame-statistics sample becomes the feed's reference view (after an operator
    /// confirms a camera was moved on purpose).
    /// Counts with these lines from the next frame on (the people near the old lines start
    /// afresh; crossings already counted stay). Safe from any thread.
    public func replaceLines(_ lines: [LineConfig]) { cond.lock(); pendingLines = lines; cond.unlock() }

    /// On the processing thread: the replaced lines take over, and the detection region
    /// (`auto` follows the lines) is made again for them.
    private func applyPendingLines() {
        cond.lock(); let lines = pendingLines; pendingLines = nil; cond.unlock()
        guard let lines else { return }
        counter = LineCounter(lines: lines, feedId: feed.id, gateId: gateId, settings: counter.settings)
        lineGeometry = lines.map(LineGeometry.init)
        loop.regionSize = nil
    }

    public func resetReference() { cond.lock(); resetReferenceRequested = true; cond.unlock() }

    /// Asks the worker to finish; returns at once. The capture thread leaves after its
    /// current read (bounded by the source's read timeout).
    public func stop() {
        cond.lock(); stopped = true; cond.broadcast(); cond.unlock()
    }

    /// Runs on a background thread; see `wait()`.
    public func start() {
        let t = Thread { [self] in
            _ = try? self.run()
            self.finished.signal()
        }
        t.stackSize = 8 << 20
        t.name = "feed \(feed.id)"
        runner = t
        t.start()
    }

    /// Blocks until a `start()`ed worker ends; returns its summary.
    @discardableResult
    public func wait() -> PipelineSummary? {
        finished.wait(); finished.signal()
        return summaryValue
    }

    /// Runs the feed on the calling thread until the source ends or `stop()`.
    /// Throws when a file cannot be read or the detector fails; live sources reconnect instead.
    @discardableResult
    public func run() throws -> PipelineSummary {
        let started = Date()
        let capture = Thread { [self] in self.captureLoop() }
        capture.stackSize = 8 << 20
        capture.name = "capture \(feed.id)"
        capture.start()
        loop = LoopState()
        var error: VisionError?
        while let item = nextItem() {
            do { try process(item) } catch let e as VisionError { error = e; break }
        }
        // People still near a line when the video ends may have crossed on the last frames.
        if error == nil, let last = loop.lastFrame {
            emit(counter.finish(frameIndex: last.index, timestampMs: last.timestampMs))
        }
        let endedByStop = releaseCapture(failed: error != nil)
        source.close()
        return try finishRun(started: started, error: error, endedByStop: endedByStop)
    }

    /// A captured frame waiting for processing.
    private typealias QueueItem = (frame: Frame, decodeMs: Double, round: Int)

    /// What the processing loop remembers between frames (processing thread only).
    private struct LoopState {
        var lastFrame: (index: Int, timestampMs: Int64, round: Int)?
        /// Frames since the last scheduled detection (.max: detect on the next frame).
        var sinceDetect = Int.max
        var lastDetectTs: Int64 = .min
        var lastStatsTs: Int64 = .min
        /// The detection region's tiles for the picture size they were made for (none: whole picture).
        var regionSize: (Int, Int)?
        var region: PixelRect?
        var regionTiles: [PixelRect] = []
        /// The band around the lines (`DetectionRegion.auto`); nil: the whole picture.
        var lineBand: PixelRect?
        /// The tracker's output on the previous frame (what the cadence rule looks at).
        var tracks: [Track] = []
    }

    /// What the detection step did on one frame.
    private struct DetectStep {
        var detections: [Detection] = []
        var ran = false
        var motionMs = 0.0
        var detectMs = 0.0
    }

    /// Step 1, read: the next captured frame; nil once stopped or the capture has ended and drained.
    private func nextItem() -> QueueItem? {
        cond.lock(); defer { cond.unlock() }
        while queue.isEmpty && !captureDone && !stopped { cond.wait() }
        if stopped || queue.isEmpty { return nil }
        let item = queue.removeFirst()
        cond.broadcast()
        return item
    }

    /// One frame through every step: detect (when due) -> track -> count -> report.
    private func process(_ item: QueueItem) throws {
        let frame = item.frame
        applyPendingLines()
        if loop.lastFrame == nil {
            detectEveryUsed = max(1, options.detectEvery ?? feed.detectEvery ?? autoDetectEvery(fps: source.nominalFps ?? feed.fps))
        }
        restartIfDiscontinuous(frame, round: item.round)
        loop.lastFrame = (frame.index, frame.timestampMs, item.round)
        let step = try detectIfDue(frame)
        let t = DispatchTime.now().uptimeNanoseconds
        let tracks = tracker.update(step.detections, frameIndex: frame.index, timestampMs: frame.timestampMs, detected: step.ran)
        loop.tracks = tracks
        let events = counter.update(tracks: tracks, frameIndex: frame.index, timestampMs: frame.timestampMs)
        let trackMs = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
        emit(events)
        onProcessed?(ProcessedFrame(frame: frame, detections: step.detections.filter { $0.score >= feed.confidence },
                                    tracks: tracks, detected: step.ran, lines: counter.lines))
        reportFrameStats(frame)
        account(decodeMs: item.decodeMs, step: step, trackMs: trackMs)
    }

    /// A looped file starts again and a reconnected stream resumes after a gap: the people
    /// tracked before are not the people now, so tracks and line states start afresh
    /// (crossings already confirmed stay counted).
    private func restartIfDiscontinuous(_ frame: Frame, round: Int) {
        guard let last = loop.lastFrame,
              frame.index < last.index || frame.timestampMs - last.timestampMs > options.maxGapMs || round != last.round
        else { return }
        tracker.reset()
        counter.reset()
        loop.tracks = []
        loop.sinceDetect = .max
        // A looping file or scene shows its first picture again: that is the view to
        // compare with from now on, not a moved camera (tamper reference restarts).
        if round != last.round { cond.lock(); resetReferenceRequested = true; cond.unlock() }
    }

    /// Step 2, decide and detect: on every Nth frame, the cadence decides whether the
    /// detector runs: not while nothing moves in the region, less often while everybody
    /// tracked is far from every line (adaptive), and always once the longest gap has passed.
    private func detectIfDue(_ frame: Frame) throws -> DetectStep {
        var step = DetectStep()
        loop.sinceDetect = loop.sinceDetect == .max ? .max : loop.sinceDetect + 1
        let rule = options.adaptiveCadence
        let fps = source.nominalFps ?? feed.fps ?? 10
        let every = cadence == .fixed ? detectEveryUsed
            : rule.scheduledEvery(detectEvery: detectEveryUsed, fps: fps, load: detector.load)
        guard loop.sinceDetect >= every else { return step }
        loop.sinceDetect = 0
        updateRegion(frame)
        var t = DispatchTime.now().uptimeNanoseconds
        let moving = !options.motionGate || measureMotion(frame) >= options.motionThreshold
        // Only the adaptive cadence asks where the motion is; when the band is the region, it is the same answer.
        let nearLines = cadence == .fixed || !moving || loop.lineBand == nil || loop.lineBand == loop.region
            ? moving : measureMotion(frame, in: loop.lineBand, gate: lineBandMotion) >= options.motionThreshold
        let now = DispatchTime.now().uptimeNanoseconds
        step.motionMs = Double(now - t) / 1e6
        let sinceRun = loop.lastDetectTs == .min ? nil : frame.timestampMs - loop.lastDetectTs
        let overdue = sinceRun.map { Double($0) >= options.maxSecondsWithoutDetection * 1000 } ?? true
        let rate: CadenceRate = cadence == .fixed ? (moving ? .full : .idle)
            : rule.rate(tracks: loop.tracks, lines: lineGeometry, motion: moving, motionNearLines: nearLines, fps: fps)
        guard rule.shouldRun(rate, msSinceLastRun: sinceRun, overdue: overdue) else {
            if rate == .idle { motionSkipped += 1 } else { cadenceSkipped += 1 }
            return step
        }
        t = now
        do {
            step.detections = try detectInRegion(frame).filter { $0.score >= weakScore }
        } catch let e {
            let text = (e as? VisionError)?.message ?? "\(e)"
            throw VisionError("\(detector.name) detector failed on \(source.description) frame \(frame.index): \(text)")
        }
        step.detectMs = Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6
        step.ran = true
        loop.lastDetectTs = frame.timestampMs
        return step
    }

    /// The feed's region and its tiles for this picture size (recomputed when the size changes).
    private func updateRegion(_ frame: Frame) {
        let size = (frame.width, frame.height)
        guard loop.regionSize == nil || loop.regionSize! != size else { return }
        loop.regionSize = size
        loop.region = feed.detectRegion.pixels(lines: counter.lines, width: size.0, height: size.1)
        loop.regionTiles = loop.region?.tiles() ?? []
        loop.lineBand = DetectionRegion.auto.pixels(lines: counter.lines, width: size.0, height: size.1)
    }

    /// Changed-pixel share in the detection region (the whole picture when there is none):
    /// a tree swaying outside the gate's band does not wake the detector.
    private func measureMotion(_ frame: Frame) -> Double { measureMotion(frame, in: loop.region, gate: motion) }

    private func measureMotion(_ frame: Frame, in rect: PixelRect?, gate: MotionGate) -> Double {
        guard let rect, let crop = frame.cropped(rect) else { return gate.measure(frame) }
        return gate.measure(crop)
    }

    /// The detector on the feed's region: the whole picture, or the region cut at full
    /// resolution (in overlapping tiles when it is long), with the boxes mapped back to the
    /// picture and people found in two tiles kept once.
    private func detectInRegion(_ frame: Frame) throws -> [Detection] {
        let size = (frame.width, frame.height)
        guard !loop.regionTiles.isEmpty else { return try detector.detect(frame) }
        var found: [Detection] = []
        for tile in loop.regionTiles {
            guard let crop = frame.cropped(tile) else { continue }
            found += try detector.detect(crop).map {
                Detection(box: tile.mapToPicture($0.box, width: size.0, height: size.1), score: $0.score)
            }
        }
        return loop.regionTiles.count > 1 ? found.suppressingOverlaps() : found
    }

    /// Step 3, count: crossings confirmed by the line counter go to the sink.
    private func emit(_ events: [CrossingEvent]) {
        crossings += events.count
        for e in events { onCrossing?(e) }
    }

    /// Step 4, report: frame statistics about once a second of video (or at once after a
    /// reference reset), for the tamper and darkness rules.
    private func reportFrameStats(_ frame: Frame) {
        cond.lock(); let resetPending = resetReferenceRequested; cond.unlock()
        guard loop.lastStatsTs == .min || frame.timestampMs - loop.lastStatsTs >= options.statsIntervalMs || resetPending
        else { return }
        loop.lastStatsTs = frame.timestampMs
        cond.lock(); let resetRef = resetReferenceRequested; resetReferenceRequested = false; cond.unlock()
        if resetRef || !meter.hasReference { meter.setReference(frame) }
        onFrameStats?(meter.measure(frame), frame.timestampMs)
    }

    /// Stage times into the summary and the health monitor.
    private func account(decodeMs: Double, step: DetectStep, trackMs: Double) {
        totals.decode += decodeMs; totals.motion += step.motionMs; totals.detect += step.detectMs; totals.track += trackMs
        cond.lock()
        h.framesProcessed += 1
        if step.ran { h.framesDetected += 1 }
        let depth = queue.count
        cond.unlock()
        // The detector's average is per run, so frames where it did not run leave it alone.
        var stages = [HealthStage.decode: decodeMs, "motion": step.motionMs, HealthStage.track: trackMs]
        if step.ran { stages[HealthStage.detect] = step.detectMs }
        monitor.frameProcessed(stageMs: stages, queueDepth: depth, detectorRan: step.ran)
    }

    /// Releases the capture thread (it may be waiting for room) and waits for it to leave.
    /// True when the run ended because of `stop()`.
    private func releaseCapture(failed: Bool) -> Bool {
        cond.lock()
        if failed { stopped = true }
        let endedByStop = stopped
        cond.broadcast()
        cond.unlock()
        while true {
            cond.lock()
            if captureDone { cond.unlock(); break }
            stopped = true; cond.broadcast()
            _ = cond.wait(until: Date().addingTimeInterval(0.05))
            cond.unlock()
        }
        return endedByStop
    }

    /// The final state and the run's summary; throws the run's error.
    private func finishRun(started: Date, error runError: VisionError?, endedByStop: Bool) throws -> PipelineSummary {
        let seconds = Date().timeIntervalSince(started)
        var error = runError
        cond.lock()
        if let error { h.lastError = error.message; h.state = .failed }
        else if let f = captureError { error = f; h.state = .failed }
        else if endedByStop { h.state = .stopped } else { h.state = .ended }
        let state = h.state
        if state == .ended { monitor.sourceEnded() }
        if let runError { monitor.workerFailed(runError.message) }   // the detector failed (a source failure keeps its own state)
        let frames = h.framesProcessed, detected = h.framesDetected, dropped = h.dropped
        cond.unlock()
        onStateChange?(state, error?.message)
        let n = Double(max(frames, 1))
        let summary = PipelineSummary(
            frames: frames, detectedFrames: detected, motionSkipped: motionSkipped, cadenceSkipped: cadenceSkipped,
            cadence: cadence, dropped: dropped,
            seconds: seconds, fps: seconds > 0 ? Double(frames) / seconds : 0,
            stageMs: StageTimes(decode: totals.decode / n, motion: totals.motion / n, detect: totals.detect / n, track: totals.track / n),
            detectMsPerRun: detected > 0 ? totals.detect / Double(detected) : 0,
            detectEvery: detectEveryUsed, totals: counter.totals, crossings: crossings)
        summaryValue = summary
        if let error { throw error }
        return summary
    }

    // MARK: capture thread

    private func captureLoop() {
        defer {
            cond.lock(); captureDone = true; cond.broadcast(); cond.unlock()
        }
        var isOpen = false
        while !isStopped() {
            if !isOpen {
                do {
                    try source.open()
                    isOpen = true
                    setState(.live, nil)
                } catch {
                    let message = (error as? VisionError)?.message ?? "\(source.description): \(error)"
                    if !live || !source.retriesAfterFailure { fail(message); return }
                    if !waitBeforeReconnect(message) { return }
                    continue
                }
            }
            let t = DispatchTime.now().uptimeNanoseconds
            let frame: Frame?
            do {
                frame = try source.read()
            } catch {
                let message = (error as? VisionError)?.message ?? "\(source.description): \(error)"
                if !live || !source.retriesAfterFailure { fail(message); return }
                source.close(); isOpen = false
                if !waitBeforeReconnect(message) { return }
                continue
            }
            let paced = source.lastPacingWaitMs
            let decodeMs = max(0, Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6 - paced)
            guard let frame else { return } // end of file
            // Only a frame proves the source is back: a stream that accepts the connection
            // and fails at once must keep backing off, not be retried every second.
            if backoff.attempt > 0 { backoff.reset() }
            cond.lock()
            if live {
                if queue.count >= capacity { queue.removeFirst(); h.dropped += 1; monitor.framesDropped(1) }
            } else {
                while queue.count >= capacity && !stopped { cond.wait() }
            }
            if stopped { cond.unlock(); return }
            queue.append((frame, decodeMs, source.restarts))
            h.framesCaptured += 1
            h.lastFrameMs = clock.nowMs()
            monitor.frameCaptured()
            cond.signal()
            cond.unlock()
        }
    }

    private func isStopped() -> Bool { cond.lock(); defer { cond.unlock() }; return stopped }

    private func setState(_ s: WorkerState, _ error: String?) {
        cond.lock()
        let changed = h.state != s
        h.state = s
        if let error { h.lastError = error }
        cond.unlock()
        if changed { onStateChange?(s, error) }
    }

    private func fail(_ message: String) {
        cond.lock(); captureError = VisionError(message); h.lastError = message; cond.unlock()
        monitor.sourceError(message)
    }

    /// Sleeps the backoff delay, waking early on stop(). False when stopped.
    private func waitBeforeReconnect(_ message: String) -> Bool {
        setState(.reconnecting, message)
        let delay = backoff.next()
        let deadline = Date().addingTimeInterval(delay)
        cond.lock(); defer { cond.unlock() }
        h.reconnects += 1
        monitor.sourceError(message)
        monitor.reconnectAttempt()
        while !stopped && Date() < deadline { _ = cond.wait(until: deadline) }
        return !stopped
    }
}
