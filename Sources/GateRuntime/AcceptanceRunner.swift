import Foundation
import GateCore
import GateSynth
import GateVision

/// What running a scenario produced, before judging.
public struct ScenarioObservation: Equatable, Sendable {
    public var totals: [String: LineTotals] = [:]
    /// The synthetic scene's own line and truth, when the source has them.
    public var sceneLine: LineConfig?
    public var sceneTruth: LineTotals?
    public var frames = 0
    /// Wall seconds the run took.
    public var seconds = 0.0
    /// Frames processed per wall second.
    public var fps = 0.0
    /// The source's own frame rate.
    public var sourceFps: Double?
    public var dropped = 0
    /// Frames a second this machine reads the same source with no detection, measured in the
    /// same run: the yardstick that keeps a busy machine's figures readable. Nil for live sources.
    public var decodeOnlyFps: Double?
    /// Alerts raised during the run: kind -> first message.
    public var raised: [AlertKind: String] = [:]
    /// The run could not be done (missing clip, detector failed...).
    public var error: String?
    /// Every crossing counted, in order (the report's plot of counts over time).
    public var crossings: [CrossingEvent] = []
    /// Times of the first and last frames processed (the scenario's span of video).
    public var firstFrameMs: Int64?
    public var lastFrameMs: Int64?
    /// The lines counted on (the scenario's, and a synthetic scene's own).
    public var lines: [LineConfig] = []
    public init() {}
}

public struct LineOutcome: Equatable, Sendable {
    public var lineId: String
    public var expectedIn: Int
    public var expectedOut: Int
    public var countedIn: Int
    public var countedOut: Int
    public var tolerance: CountTolerance
    public var pass: Bool
    public var errorIn: Int { countedIn - expectedIn }
    public var errorOut: Int { countedOut - expectedOut }
}

public struct ScenarioResult: Sendable {
    public var scenario: Scenario
    public var observation: ScenarioObservation
    public var lines: [LineOutcome]
    /// Frames a second required, and whether it was reached (nil: the scenario sets no speed).
    public var requiredFps: Double?
    public var speedPass: Bool?
    /// Why the speed was not reached. Speed is its own verdict: a missed speed fails the
    /// scenario only when the run is strict about speed (`--strict-speed`).
    public var speedNote: String?
    /// One line per failed check, e.g. `main-line: expected in 12 ±1, counted 9 (-3)`.
    public var failures: [String]
    /// Counts and alerts (and speed, when strict).
    public var verdict: TestVerdict
}

/// Pure verdict logic: expectations against what was observed.
public enum AcceptanceJudge {
    public static func judge(_ s: Scenario, _ o: ScenarioObservation, strictSpeed: Bool = false) -> ScenarioResult {
        if let e = o.error {
            return ScenarioResult(scenario: s, observation: o, lines: [], requiredFps: nil, speedPass: nil, speedNote: nil,
                                  failures: ["error: \(e)"], verdict: .error)
        }
        let (outcomes, lineFailures) = judgeLines(s, o)
        var failures = lineFailures
        let speed = judgeSpeed(s, o)
        if strictSpeed, let note = speed.note { failures.append(note) }
        failures += judgeAlerts(s, o)
        // Only a miss in the counts alone is excused by a known weakness; alerts and speed still fail.
        let excused = s.knownWeakness != nil && !lineFailures.isEmpty && failures.count == lineFailures.count
        return ScenarioResult(scenario: s, observation: o, lines: outcomes, requiredFps: speed.required, speedPass: speed.pass,
                              speedNote: speed.note, failures: failures,
                              verdict: failures.isEmpty ? .pass : excused ? .knownWeakness : .fail)
    }

    /// Each line with an expectation (and the synthetic scene's own line): counted against expected.
    private static func judgeLines(_ s: Scenario, _ o: ScenarioObservation) -> (outcomes: [LineOutcome], failures: [String]) {
        var failures: [String] = []
        var outcomes: [LineOutcome] = []
        var checks = s.lines.filter { $0.expected != nil }
        if var scene = s.sceneLine {
            if let l = o.sceneLine { scene.line = l }
            checks.append(scene)
        }
        for c in checks {
            let id = c.line.id
            let expected: LineTotals
            switch c.expected! {
            case .counts(let i, let o): expected = LineTotals(ins: i, outs: o)
            case .sceneTruth:
                guard let t = o.sceneTruth else {
                    failures.append("\(id): the source has no ground truth of its own ('truth' needs a synthetic: scene)")
                    continue
                }
                expected = t
            }
            let counted = o.totals[id] ?? LineTotals()
            var pass = true
            for (dir, e, n) in [("in", expected.ins, counted.ins), ("out", expected.outs, counted.outs)] {
                let err = n - e
                if Double(abs(err)) > c.tolerance.allowed(for: e) + 1e-9 {
                    pass = false
                    let tol = c.tolerance == .exact ? "" : " \(c.tolerance)"
                    failures.append("\(id): expected \(dir) \(e)\(tol), counted \(n) (\(err > 0 ? "+" : "")\(err))")
                }
            }
            outcomes.append(LineOutcome(lineId: id, expectedIn: expected.ins, expectedOut: expected.outs,
                                        countedIn: counted.ins, countedOut: counted.outs, tolerance: c.tolerance, pass: pass))
        }
        return (outcomes, failures)
    }

    /// Frames a second required, whether they were reached and, if not, why (all nil: no speed set).
    private static func judgeSpeed(_ s: Scenario, _ o: ScenarioObservation) -> (required: Double?, pass: Bool?, note: String?) {
        var required: Double?, speedPass: Bool?, speedNote: String?
        if let sp = s.speed {
            switch sp {
            case .minFps(let f):
                required = f
                speedPass = o.fps + 1e-9 >= f
                if speedPass == false {
                    speedNote = String(format: "speed: needs %.1f fps, measured %.1f fps", f, o.fps)
                }
            case .realtimeFeeds(let n):
                let fps = o.sourceFps ?? 25
                required = Double(n) * fps
                if s.realtime {
                    // Paced: the feed is held in real time when (almost) no frame is dropped.
                    let share = o.frames + o.dropped > 0 ? Double(o.dropped) / Double(o.frames + o.dropped) : 0
                    speedPass = n == 1 && share <= 0.01
                    if speedPass == false {
                        speedNote = n == 1
                            ? String(format: "speed: dropped %d of %d frames (%.1f%%, at most 1%% allowed in real time)", o.dropped, o.frames + o.dropped, share * 100)
                            : "speed: a paced (realtime: true) scenario runs one feed; use 'gatewatch bench' or realtime: false for \(n) feeds"
                    }
                } else {
                    speedPass = o.fps + 1e-9 >= required!
                    if speedPass == false {
                        speedNote = String(format: "speed: needs %.1f fps (%d feeds × %@ fps in real time), measured %.1f fps",
                                           required!, n, ConfigLoader.fmtNumber(fps), o.fps)
                    }
                }
            }
        }
        return (required, speedPass, speedNote)
    }

    /// Alerts that had to be raised and were not, and ones raised that must not be.
    private static func judgeAlerts(_ s: Scenario, _ o: ScenarioObservation) -> [String] {
        var failures: [String] = []
        for k in s.mustRaise where o.raised[k] == nil {
            failures.append("alerts: expected '\(k.rawValue)' to be raised, it was not (raised: \(raisedList(o)))")
        }
        for k in s.mustNotRaise {
            if let msg = o.raised[k] { failures.append("alerts: '\(k.rawValue)' was raised but must not be: \(msg)") }
        }
        return failures
    }

    static func raisedList(_ o: ScenarioObservation) -> String {
        o.raised.isEmpty ? "none" : o.raised.keys.map(\.rawValue).sorted().joined(separator: ", ")
    }
}

/// The crossings of a scenario and the span of its frames, for the report's plot; written on
/// the processing thread, read after the run.
final class TimelineRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var crossings: [CrossingEvent] = []
    private var first: Int64?, last: Int64?
    func record(_ e: CrossingEvent) { lock.lock(); crossings.append(e); lock.unlock() }
    func saw(_ frame: Frame) {
        lock.lock(); if first == nil { first = frame.timestampMs }; last = frame.timestampMs; lock.unlock()
    }
    var result: ([CrossingEvent], Int64?, Int64?) { lock.lock(); defer { lock.unlock() }; return (crossings, first, last) }
}

/// A clock that follows the video: the processing thread sets it to each frame's
/// timestamp, so a 60 s clip is judged by the alert rules in the seconds it takes to process.
final class VideoClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Int64
    init(startMs: Int64) { now = startMs }
    func nowMs() -> Int64 { lock.lock(); defer { lock.unlock() }; return now }
    func follow(_ ms: Int64) { lock.lock(); now = max(now, ms); lock.unlock() }
}

/// Runs scenarios: the feed pipeline in fast mode for files and synthetic scenes (with
/// alert rules on video time), in live mode for streams and paced clips (wall time).
public final class AcceptanceRunner {
    public var modelPath: String?
    public var log: (String) -> Void
    /// A missed speed fails the scenario (otherwise speed is reported as its own verdict).
    public var strictSpeed: Bool
    public init(modelPath: String? = nil, strictSpeed: Bool = false, log: @escaping (String) -> Void = { _ in }) {
        self.modelPath = modelPath; self.strictSpeed = strictSpeed; self.log = log
    }

    /// Runs one scenario and judges it. `progress` gets 0…1 (from the processing thread).
    public func run(_ s: Scenario, progress: @escaping (Double) -> Void = { _ in }) -> ScenarioResult {
        AcceptanceJudge.judge(s, observe(s, progress: progress), strictSpeed: strictSpeed)
    }

    /// Reads the scenario's source with no detection for up to 200 frames or 2 s, right before the
    /// scenario runs: how fast this machine, loaded as it is now, merely decodes (or renders) it.
    func decodeOnlyFps(_ s: Scenario) -> Double? {
        guard !(s.isLiveSource || s.realtime) else { return nil }
        do {
            let source: FrameSource = s.isSynthetic
                ? try SyntheticSource(uri: s.source, startMs: 0)
                : try makeFrameSource(uri: s.source, realtime: false, loop: false, openNow: false)
            try source.open()
            defer { source.close() }
            let started = Date()
            var frames = 0
            while frames < 200, Date().timeIntervalSince(started) < 2, try source.read() != nil { frames += 1 }
            let seconds = Date().timeIntervalSince(started)
            return frames > 0 && seconds > 0 ? Double(frames) / seconds : nil
        } catch {
            return nil   // the scenario's own run reports why the source cannot be read
        }
    }

    public func observe(_ s: Scenario, progress: @escaping (Double) -> Void = { _ in }) -> ScenarioObservation {
        var o = ScenarioObservation()
        let live = s.isLiveSource || s.realtime
        let videoClock = live ? nil : VideoClock(startMs: currentMs())
        let clock: Clock = videoClock ?? SystemClock()
        o.decodeOnlyFps = decodeOnlyFps(s)
        let started = Date()
        do {
            let (source, sceneTruth) = try scenarioSource(s, clock: clock, videoClock: videoClock)
            var lines = s.lines.map(\.line)
            if let truth = sceneTruth {
                let line = LineConfig(id: "scene", name: "scene", from: truth.line.from, to: truth.line.to, inside: truth.line.inside)
                o.sceneLine = line
                o.sceneTruth = LineTotals(ins: truth.totalIn, outs: truth.totalOut)
                if s.sceneLine != nil || lines.isEmpty { lines.append(line) }
            } else if s.sceneLine != nil {
                throw VisionError("\(source.description) has no line of its own; add 'lines:' to the scenario")
            }
            o.sourceFps = source.nominalFps
            var feed = FeedConfig(id: "feed", name: s.name, source: s.source, realtime: s.realtime, detector: s.detector,
                                  confidence: s.confidence, detectEvery: s.detectEvery, lines: lines)
            feed.detectRegion = s.detectRegion
            feed.cadence = s.cadence
            feed.onModelError = s.onModelError
            let site = SiteConfig(site: SiteInfo(name: s.name, capacity: 1_000_000),
                                  gates: [GateConfig(id: "gate", name: "gate", feeds: [feed])], alerts: s.alertSettings)
            var settings = SiteSessionSettings(modelPath: modelPath)
            settings.clock = clock
            settings.live = { _ in live }
            settings.warn = { [log] _, text in log("\(s.name): \(text)") }
            let session = try SiteSession(config: site, settings: settings, source: { _ in source })
            o.lines = lines
            let timeline = TimelineRecorder()
            session.onCrossing = timeline.record
            let summary = try observeRun(session, s, live: live, totalFrames: source.frameCount, started: started,
                                         videoClock: videoClock, timeline: timeline, progress: progress, raised: &o.raised)
            (o.crossings, o.firstFrameMs, o.lastFrameMs) = timeline.result
            progress(1)
            o.totals = summary.totals
            o.frames = summary.frames
            o.fps = summary.fps
            o.dropped = summary.dropped
        } catch let e as VisionError {
            o.error = e.message
        } catch {
            o.error = "\(error)"
        }
        o.seconds = Date().timeIntervalSince(started)
        return o
    }

    /// The scenario's source, and a synthetic scene's exact truth. A scene is built here (not
    /// by makeFeedSource) so its frame times start on the video clock.
    private func scenarioSource(_ s: Scenario, clock: Clock, videoClock: VideoClock?) throws -> (FrameSource, SceneTruth?) {
        guard s.isSynthetic else {
            return (try makeFrameSource(uri: s.source, realtime: s.realtime, loop: false, openNow: !s.isLiveSource, clock: clock), nil)
        }
        let uri = s.realtime && !s.source.lowercased().contains("realtime") ? s.source + ",realtime" : s.source
        let syn = try SyntheticSource(uri: uri, startMs: videoClock?.nowMs())
        if syn.spec.loop { throw VisionError("\(s.source): a looping scene never ends; remove 'loop' (the scene's truth covers one round)") }
        try syn.open()
        return (syn, syn.truth)
    }

    /// Runs the session to the end of the source (fast mode, alert rules ticked on video time)
    /// or for the scenario's seconds (live mode, ticked on wall time); collects raised alerts.
    private func observeRun(_ session: SiteSession, _ s: Scenario, live: Bool, totalFrames: Int?, started: Date,
                            videoClock: VideoClock?, timeline: TimelineRecorder, progress: @escaping (Double) -> Void,
                            raised: inout [AlertKind: String]) throws -> PipelineSummary {
        let engine = AlertEngine(config: session.config, clock: videoClock ?? SystemClock())
        var found: [AlertKind: String] = [:]
        func tick() {
            for t in engine.tick(session.drain().alertInput()) where t.change == .raise && found[t.kind] == nil {
                found[t.kind] = t.messageEn
            }
        }
        var nextTick: Int64 = .min
        var lastProgress = -1.0
        session.onProcessed = { _, p in
            timeline.saw(p.frame)
            if let videoClock {
                videoClock.follow(p.frame.timestampMs)
                if nextTick == .min { nextTick = p.frame.timestampMs + 1000 }
                while p.frame.timestampMs >= nextTick { tick(); nextTick += 1000 }
            }
            if let n = totalFrames, n > 0 {
                let f = min(1, Double(p.frame.index + 1) / Double(n))
                if f - lastProgress >= 0.01 { lastProgress = f; progress(f) }
            }
        }
        let feed = session.feeds[0]
        defer { raised = found }
        if !live {
            let summary = try feed.run()
            tick()
            return summary
        }
        let limit = s.seconds ?? (totalFrames.map { Double($0) / (feed.source.nominalFps ?? 25) + 2 } ?? 10)
        session.start()
        while !session.allFeedsEnded {
            let elapsed = Date().timeIntervalSince(started)
            if elapsed >= limit { break }
            Thread.sleep(forTimeInterval: min(1, limit - elapsed))
            tick()
            if totalFrames == nil { progress(min(1, Date().timeIntervalSince(started) / limit)) }
        }
        session.stop()
        return try feed.summary()
    }

    private func currentMs() -> Int64 { currentTimeMs() }
}
