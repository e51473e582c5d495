import Foundation
import GateCore
import GateStore
import GateVision

/// One scenario's result as the signed report shows it. Stored as JSON with the result, so a
/// report written later from the database (`gatewatch test report RUN_ID`) is the same report.
public struct ScenarioReport: Codable, Equatable, Sendable {
    public struct Line: Codable, Equatable, Sendable {
        public var id: String
        public var expectedIn, expectedOut, countedIn, countedOut: Int
        /// `exact`, `±1`, `±10%`: always shown, so the signer sees the threshold of every check.
        public var tolerance: String
        public var pass: Bool
        public var errorIn: Int { countedIn - expectedIn }
        public var errorOut: Int { countedOut - expectedOut }
    }

    public struct Speed: Codable, Equatable, Sendable {
        /// What the scenario asks (`≥ 10 fps`, `2 feeds in real time (≥ 20 fps)`); nil: no requirement.
        public var requirement: String?
        public var measuredFps: Double
        /// Decode-only frames a second on the same source, measured in the same run.
        public var decodeOnlyFps: Double?
        public var dropped: Int
        /// nil when the scenario sets no speed.
        public var met: Bool?
        public var note: String?
        /// Measured against decode-only, e.g. 0.12 (the pipeline runs at 12% of the decoder's pace).
        public var ratio: Double? {
            guard let d = decodeOnlyFps, d > 0 else { return nil }
            return measuredFps / d
        }
    }

    public var name: String
    public var file: String
    public var description: String
    /// The scenario's source, with any camera credentials masked.
    public var source: String
    /// The clip's checksum when the source is a file.
    public var clip: FileIdentity?
    public var lines: [Line]
    public var mustRaise: [String]
    public var mustNotRaise: [String]
    public var checksAlerts: Bool
    /// Alert kinds raised during the run, sorted.
    public var raised: [String]
    public var speed: Speed
    public var frames: Int
    public var seconds: Double
    /// Failed checks on counts and alerts (and speed when the run was strict).
    public var failures: [String]
    public var verdict: TestVerdict
    public var error: String?
    /// The scenario's `known_weakness:` text, when it has one.
    public var knownWeakness: String?
    /// What the report's pictures are drawn from (nil: the scenario did not run, or was
    /// stored by a GateWatch without them).
    public var evidence: Evidence?

    /// The crossings over the scenario's time (the report's plot) and where its still comes
    /// from. No picture is stored: the still is taken again from the source each time a report
    /// is written, with people blurred (what is kept are counts, times and lines).
    public struct Evidence: Codable, Equatable, Sendable {
        public struct Crossing: Codable, Equatable, Sendable {
            /// Seconds from the scenario's first frame.
            public var seconds: Double
            public var line: String
            /// `in` or `out`.
            public var direction: String
        }
        /// Seconds of video the scenario covered.
        public var seconds: Double
        public var crossings: [Crossing]
        /// Where the still is taken again: a clip's absolute path or a `synthetic:` scene; nil
        /// for streams and cameras (their picture then is gone, and none is kept).
        public var stillSource: String?
        /// The frame of the first crossing (someone at the line), else the first frame.
        public var stillFrame: Int
        public var lines: [LineConfig]
        public var detectRegion: DetectionRegion
        public var detector: DetectorKind
        public var confidence: Double
    }
}

extension ScenarioResult {
    /// The report's view of this result. `clip` is the source file's identity (computed once by the caller).
    public func report(clip: FileIdentity?) -> ScenarioReport {
        let o = observation
        let lineReports = lines.map {
            ScenarioReport.Line(id: $0.lineId, expectedIn: $0.expectedIn, expectedOut: $0.expectedOut,
                                countedIn: $0.countedIn, countedOut: $0.countedOut,
                                tolerance: $0.tolerance == .exact ? "exact" : $0.tolerance.description, pass: $0.pass)
        }
        let speed = ScenarioReport.Speed(requirement: speedRequirementText, measuredFps: o.fps, decodeOnlyFps: o.decodeOnlyFps,
                                         dropped: o.dropped, met: speedPass, note: speedNote)
        return ScenarioReport(name: scenario.name, file: (scenario.file as NSString).lastPathComponent,
                              description: scenario.description, source: redactedURL(scenario.source), clip: clip,
                              lines: lineReports, mustRaise: scenario.mustRaise.map(\.rawValue),
                              mustNotRaise: scenario.mustNotRaise.map(\.rawValue), checksAlerts: scenario.checksAlerts,
                              raised: o.raised.keys.map(\.rawValue).sorted(), speed: speed, frames: o.frames,
                              seconds: o.seconds, failures: failures, verdict: verdict, error: o.error,
                              knownWeakness: scenario.knownWeakness, evidence: evidence)
    }

    /// The report's pictures' data, from what the run saw (nil when it did not run).
    var evidence: ScenarioReport.Evidence? {
        let o = observation
        guard o.error == nil, let first = o.firstFrameMs, let last = o.lastFrameMs else { return nil }
        let crossings = o.crossings.map {
            ScenarioReport.Evidence.Crossing(seconds: Double($0.timestampMs - first) / 1000, line: $0.lineId, direction: $0.direction.name)
        }
        let stillSource = scenario.isLiveSource ? nil
            : scenario.isSynthetic ? scenario.source : URL(fileURLWithPath: scenario.source).standardizedFileURL.path
        let frameSeconds = o.sourceFps.map { 1 / $0 } ?? 0
        return ScenarioReport.Evidence(seconds: Double(last - first) / 1000 + frameSeconds, crossings: crossings,
                                       stillSource: stillSource, stillFrame: o.crossings.first?.frameIndex ?? 0,
                                       lines: o.lines, detectRegion: scenario.detectRegion, detector: scenario.detector,
                                       confidence: scenario.confidence)
    }

    var speedRequirementText: String? {
        guard let sp = scenario.speed else { return nil }
        switch sp {
        case .minFps(let f): return "≥ \(ConfigLoader.fmtNumber(f)) fps"
        case .realtimeFeeds(let n):
            let fps = requiredFps.map { " (≥ \(ConfigLoader.fmtNumber($0)) fps)" } ?? ""
            let feeds = n == 1 ? "1 feed" : "\(n) feeds"
            return scenario.realtime ? "\(feeds) in real time, ≤ 1% dropped" : "\(feeds) in real time\(fps)"
        }
    }

    /// The source file, for its checksum; nil for synthetic scenes and streams.
    public var clipPath: String? {
        scenario.isSynthetic || scenario.isLiveSource ? nil : scenario.source
    }
}
