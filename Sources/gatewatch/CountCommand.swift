import ArgumentParser
import Foundation
import GateCore
import GateRuntime
import GateSynth
import GateVision

/// `gatewatch count`: one clip or stream, one line, as fast as possible.
struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count the people crossing one line in a clip, stream or synthetic scene.",
        discussion: """
            Coordinates are normalised to the picture (0…1, origin top-left). Crossing toward
            the side holding the --inside point counts as in.
            Example: gatewatch count vtest.avi --line 0.40,0.22,0.40,0.66 --inside 0.70,0.45 --json
            """
    )

    @Argument(help: "A video file, rtsp:// or http(s):// URL, /dev/videoN, or synthetic:KEY=VALUE,...")
    var source: String

    @Option(help: "The counting line X1,Y1,X2,Y2 (normalised). Defaults to a synthetic scene's own line.")
    var line: String?

    @Option(help: "A point X,Y on the inside side of the line.")
    var inside: String?

    @Option(help: "Person detector: yolox (default: finds small, far people), ssdlite (cheaper a run; misses people under ~70 px), hog, or motion (overhead cameras).")
    var detector: DetectorKind = .defaultKind

    @Option(help: "Path to the person model (frozen_inference_graph.pb, or yolox-nano.onnx for yolox); found by itself when installed.")
    var model: String?

    @Option(help: "Minimum detector score for a person (0…1).")
    var confidence: Double = 0.4

    @Option(help: "Run the detector on every Nth frame (default: chosen from the source's frame rate).")
    var detectEvery: Int?

    @Option(help: "OpenCV worker threads (default: OpenCV's choice).")
    var threads: Int?

    @Option(help: "Where the detector looks: full (default), auto (around the line), or X1,Y1,X2,Y2 (normalised).")
    var detectRegion: String?

    @Flag(help: "Print one JSON object instead of text.")
    var json = false

    @Flag(help: "Print each crossing as it happens.")
    var events = false

    @Flag(inversion: .prefixedNo,
          help: "First decode the clip alone and print how fast it merely decodes, beside the counting rate (clips and synthetic scenes; not live sources).")
    var decodeBaseline = true

    @Option(help: "How often the detector runs: adaptive (default: full rate near the line, less while everybody is far, none while nothing moves) or fixed (every --detect-every frame).")
    var cadence: CadenceMode = .adaptive

    func validate() throws {
        try checkFlag(confidence, Limits.confidence, flag: "--confidence")
        try checkFlag(detectEvery, Limits.detectEvery, flag: "--detect-every")
        try checkFlag(threads, Limits.threads, flag: "--threads")
        if (line == nil) != (inside == nil) { throw ValidationError("give --line and --inside together") }
        if model != nil && ![.ssdlite, .yolox].contains(detector) {
            throw ValidationError("--model is the person model of the ssdlite or yolox detector; drop it or use --detector ssdlite or yolox")
        }
    }

    func run() throws {
        try runReportingErrors {
            if let threads { VisionThreads.set(threads) }
            let countingLine = try resolveLine()
            var decodeFps: Double?
            if decodeBaseline, !SourceKind.isLiveURI(source) { decodeFps = try measureDecodeFps() }

            let source = try makeFeedSource(uri: self.source, realtime: false, loop: false)
            var feed = FeedConfig(id: "count", name: "count", source: self.source, detector: detector,
                                  confidence: confidence, detectEvery: detectEvery, lines: [countingLine])
            feed.detectRegion = try detectRegion.map(ConfigLoader.detectRegionArgument) ?? .full
            feed.cadence = cadence
            var crossings: [CrossingEvent] = []
            let printEvents = events && !json
            let session = try FeedSession(feed: feed, gateId: "count", source: source,
                                          settings: FeedSessionSettings(modelPath: model),
                                          sinks: FeedSinks(crossing: { e in
                crossings.append(e)
                if printEvents { print("frame \(e.frameIndex): \(e.direction.name) (track \(e.trackId))") }
            }))
            let det = session.detector
            let summary = try session.run()
            let totals = summary.totals[countingLine.id] ?? LineTotals()
            // A synthetic scene knows its exact crossings of its own line: show them beside the count.
            let truth = line == nil ? try sceneTruth() : nil
            if json {
                var report = CountReport(summary: summary, totals: totals, detector: det.name,
                                         crossings: crossings, decodeFps: decodeFps)
                report.truth = truth.map { CountReport.Truth(in: $0.totalIn, out: $0.totalOut) }
                print(try report.jsonString())
            } else {
                let s = summary.stageMs
                print("in \(totals.ins), out \(totals.outs)")
                let rate = decodeFps.map { String(format: " (%.1f fps; decode only: %.1f fps, %.2f×)", summary.fps, $0, $0 > 0 ? summary.fps / $0 : 0) }
                    ?? String(format: " (%.1f fps)", summary.fps)
                print(String(format: "%d frames in %.2f s%@, detector %@", summary.frames, summary.seconds, rate, det.name))
                print(String(format: "detector runs: %d of %d frames (every %d frame(s), %@ cadence; skipped: %d nothing moved, %d everybody far from the line)",
                             summary.detectedFrames, summary.frames, summary.detectEvery, summary.cadence.rawValue,
                             summary.motionSkipped, summary.cadenceSkipped))
                print(String(format: "ms per frame: decode %.2f, motion %.2f, detect %.2f, track %.2f (detector %.1f ms a run)",
                             s.decode, s.motion, s.detect, s.track, summary.detectMsPerRun))
                if let truth { print("scene truth: in \(truth.totalIn), out \(truth.totalOut)") }
            }
        }
    }

    private func resolveLine() throws -> LineConfig {
        if let line, let inside {
            return try ConfigLoader.lineFromArguments(line: line, inside: inside)
        }
        if case .synthetic = try SourceKind.parse(source) {
            let spec = try SceneSpec.parse(source)
            return LineConfig(id: "line", name: "line", from: spec.lineFrom, to: spec.lineTo, inside: spec.inside)
        }
        throw ValidationError("give the counting line: --line X1,Y1,X2,Y2 --inside X,Y (normalised 0…1)")
    }

    /// The exact crossings of a synthetic scene's own line (the scene is planned from its
    /// spec alone, so this is the truth of the clip just counted); nil for other sources.
    private func sceneTruth() throws -> SceneTruth? {
        guard case .synthetic = try SourceKind.parse(source) else { return nil }
        return SyntheticScene(spec: try SceneSpec.parse(source)).truth
    }

    private func measureDecodeFps() throws -> Double {
        let src = try makeFeedSource(uri: source, realtime: false, loop: false)
        defer { src.close() }
        let start = Date()
        var n = 0
        while try src.read() != nil { n += 1 }
        let seconds = Date().timeIntervalSince(start)
        return seconds > 0 ? Double(n) / seconds : 0
    }
}

extension DetectorKind: ExpressibleByArgument {}
extension CadenceMode: ExpressibleByArgument {}

/// The JSON `count --json` prints.
struct CountReport: Encodable {
    struct Stages: Encodable { var decode, motion, detect, track: Double }
    struct Crossing: Encodable { var frame: Int; var direction: String; var track: Int; var confidence: Double }
    var `in`: Int
    var out: Int
    var frames: Int
    var seconds: Double
    var fps: Double
    var stages_ms: Stages
    var detect_ms_per_run: Double
    var detect_every: Int
    var detector: String
    var motion_skipped: Int
    var cadence: String
    var cadence_skipped: Int
    var detector_runs: Int
    var decode_fps: Double?
    var crossings: [Crossing]
    struct Truth: Encodable { var `in`: Int; var out: Int }
    /// Exact totals of a synthetic scene on its own line.
    var truth: Truth?

    init(summary: PipelineSummary, totals: LineTotals, detector: String, crossings: [CrossingEvent], decodeFps: Double?) {
        let s = summary.stageMs
        self.in = totals.ins; out = totals.outs; frames = summary.frames
        seconds = (summary.seconds * 1000).rounded() / 1000
        fps = (summary.fps * 10).rounded() / 10
        stages_ms = Stages(decode: round2(s.decode), motion: round2(s.motion), detect: round2(s.detect), track: round2(s.track))
        detect_ms_per_run = round2(summary.detectMsPerRun)
        detect_every = summary.detectEvery
        self.detector = detector
        motion_skipped = summary.motionSkipped
        cadence = summary.cadence.rawValue
        cadence_skipped = summary.cadenceSkipped
        detector_runs = summary.detectedFrames
        decode_fps = decodeFps.map { ($0 * 10).rounded() / 10 }
        self.crossings = crossings.map { Crossing(frame: $0.frameIndex, direction: $0.direction.name, track: $0.trackId,
                                                  confidence: round2($0.confidence)) }
    }

    func jsonString() throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        return String(decoding: try enc.encode(self), as: UTF8.self)
    }
}

func round2(_ v: Double) -> Double { (v * 100).rounded() / 100 }
