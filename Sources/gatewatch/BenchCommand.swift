import ArgumentParser
import Foundation
import GateCore
import GateRuntime
import GateVision

/// `gatewatch bench`: how many live feeds this machine holds in real time.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run 1, 2, 3… copies of a clip as live feeds until frames drop; report fps, ms per stage, latency, CPU, memory.",
        discussion: """
            Each copy is paced at the clip's frame rate (like a camera) and counted in live mode; \
            crossings go through the store's batched writer into a temporary database. A step is held \
            when at most 1% of frames are dropped, 95% of the frames due were processed and 95% of \
            crossings were stored within 0.5 s of their frame. Each step runs in a fresh process.

            Example: gatewatch bench --max-feeds 6 --seconds 15
            """
    )

    static let vtest = "/usr/share/doc/opencv-doc/examples/data/vtest.avi"

    @Option(help: "The clip to replay (default: vtest.avi with its annotated line).")
    var clip: String = BenchCommand.vtest

    @Option(help: "The most feeds to try.")
    var maxFeeds: Int = 8

    @Option(help: "A fixed number of feeds: measure 1 and N (instead of searching up to --max-feeds).")
    var feeds: Int?

    @Option(help: "Detection design: shared (one engine, each model loaded once per detector thread), per-feed (each feed its own model), or both (compared in the same run).")
    var engine: String = "shared"

    @Option(help: "How often detectors run in every design measured: adaptive or fixed (default: each design as built: per-feed fixed, shared adaptive).")
    var cadence: CadenceMode?

    @Option(help: "Seconds each step runs.")
    var seconds: Double = 10

    @Option(help: "Counting line X1,Y1,X2,Y2 (default: vtest's annotated line, or a vertical line across the middle).")
    var line: String?

    @Option(help: "A point X,Y on the inside side of the line.")
    var inside: String?

    @Option(help: "Person detector: yolox (default: finds small, far people), ssdlite (cheaper a run; misses people under ~70 px), hog, or motion.")
    var detector: DetectorKind = .defaultKind

    @Option(help: "Path to the person model (frozen_inference_graph.pb, or yolox-nano.onnx for yolox); found by itself when installed.")
    var model: String?

    @Option(help: "OpenCV worker threads (default: OpenCV's choice).")
    var threads: Int?

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    // One step in this process (what each step's child process is asked to do).
    @Option(help: .hidden) var stepEngine: EngineMode?
    @Option(help: .hidden) var stepFeeds: Int?

    func validate() throws {
        try checkFlag(maxFeeds, Limits.benchMaxFeeds, flag: "--max-feeds")
        try checkFlag(feeds, Limits.benchMaxFeeds, flag: "--feeds")
        guard engines != nil else {
            throw ValidationError("--engine \(TextSafety.echo(engine, limit: 20)): use shared, per-feed or both")
        }
        try checkFlag(seconds, Limits.benchSeconds, flag: "--seconds")
        try checkFlag(threads, Limits.threads, flag: "--threads")
        if (line == nil) != (inside == nil) { throw ValidationError("give --line and --inside together") }
    }

    /// The designs `--engine` asks for, in the order they run (nil: not a known word).
    var engines: [EngineMode]? {
        engine == "both" ? [.shared, .perFeed] : EngineMode(rawValue: engine).map { [$0] }
    }

    func run() throws {
        try runReportingErrors {
            if let threads { VisionThreads.set(threads) }
            let countingLine: LineConfig
            if let line, let inside {
                countingLine = try ConfigLoader.lineFromArguments(line: line, inside: inside)
            } else if (clip as NSString).lastPathComponent == "vtest.avi" {
                countingLine = LineConfig(id: "line", name: "line", from: Point(0.40, 0.22), to: Point(0.40, 0.66), inside: Point(0.70, 0.45))
            } else {
                countingLine = LineConfig(id: "line", name: "line", from: Point(0.5, 0.05), to: Point(0.5, 0.95), inside: Point(0.9, 0.5))
            }
            var options = BenchOptions(clip: clip, lines: [countingLine])
            options.maxFeeds = maxFeeds
            options.feeds = feeds
            options.engines = engines ?? [.shared]
            options.cadence = cadence
            options.seconds = seconds
            options.detector = detector
            options.modelPath = model
            if let stepEngine, let stepFeeds {
                let (step, name) = try Bench.runStep(options, feeds: stepFeeds, fps: try Bench.clipFps(clip), engine: stepEngine)
                print(try Bench.stepJSON(step, detector: name))
                return
            }
            let quiet = json
            let result = try Bench.run(options, progress: { if !quiet { printError($0) } },
                                       stepRunner: { try Self.stepInChildProcess(engine: $0, feeds: $1) })
            print(json ? try Bench.json(result) : Bench.table(result))
        }
    }

    /// Runs one step as `gatewatch bench … --step-engine E --step-feeds N` in a fresh process
    /// (same options) and reads back its figures.
    static func stepInChildProcess(engine: EngineMode, feeds: Int) throws -> (BenchStep, String) {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // Every step must measure the same program: a rebuilt binary would mix two.
        guard !exe.hasSuffix(" (deleted)") else {
            throw VisionError("the gatewatch program was replaced (rebuilt?) while bench ran; start bench again")
        }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: exe)
        child.arguments = Array(CommandLine.arguments.dropFirst()).filter { $0 != "--json" }
            + ["--step-engine", engine.rawValue, "--step-feeds", String(feeds), "--json"]
        let out = Pipe()
        child.standardOutput = out
        do { try child.run() } catch {
            throw VisionError("bench could not start its step process \(exe): \(error.localizedDescription)")
        }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        guard child.terminationStatus == 0 else {
            throw VisionError("bench step (\(engine.rawValue), \(feeds) feeds) failed in its own process (exit \(child.terminationStatus))")
        }
        return try Bench.decodeStep(data)
    }
}

extension EngineMode: ExpressibleByArgument {}
