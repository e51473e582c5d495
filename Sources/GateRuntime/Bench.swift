import Foundation
import GateCore
import GateStore
import GateVision

public struct BenchOptions: Sendable {
    public var clip: String
    public var lines: [LineConfig]
    public var maxFeeds: Int = 8
    /// A fixed number of feeds: runs 1 and this many (1 is the baseline for memory and CPU
    /// per added feed) instead of searching upwards.
    public var feeds: Int?
    /// The detection designs to measure, in this order, in the same run.
    public var engines: [EngineMode] = [.shared]
    /// How often detectors run, for every design measured; nil: each design as built (per-feed,
    /// the design before the engine, at a fixed cadence; shared with the adaptive cadence).
    public var cadence: CadenceMode?
    public var seconds: Double = 10
    public var detector: DetectorKind = .defaultKind
    public var modelPath: String?
    /// Held in real time: at most this share of frames dropped…
    public var maxDropShare: Double = 0.01
    /// …and at least this share of the clip's frames processed…
    public var minProcessedShare: Double = 0.95
    /// …and crossings committed at most this long after their frame was captured (p95, ms):
    /// a count that arrives late is not real time either.
    public var maxLatencyP95Ms: Double = 500
    public init(clip: String, lines: [LineConfig]) { self.clip = clip; self.lines = lines }
}

/// One step of the benchmark: N copies of the clip as live feeds for a few seconds.
public struct BenchStep: Codable, Equatable, Sendable {
    public var engine: EngineMode
    public var cadence: CadenceMode
    public var feeds: Int
    public var seconds: Double
    /// Frames the feeds should have delivered at the clip's rate.
    public var framesExpected: Int
    public var framesCaptured: Int
    public var framesProcessed: Int
    public var dropped: Int
    public var dropShare: Double
    /// Frames processed per second, all feeds together.
    public var fps: Double
    public var stageMs: StageTimes
    public var detectMsPerRun: Double
    /// Detector runs per second, per feed (the frames the motion gate let through).
    public var detectorRunsPerSecondPerFeed: Double
    /// Person models loaded (shared: one per detector thread; per-feed: one per feed).
    public var modelsLoaded: Int
    public var crossingsStored: Int
    /// Frame capture to crossing committed in SQLite, ms.
    public var latencyP50Ms: Double?
    public var latencyP95Ms: Double?
    /// Process CPU over the step, percent of one core.
    public var cpuPercent: Double
    /// Peak resident memory of the process so far (ru_maxrss), MiB.
    public var peakMemoryMiB: Double
    /// Resident memory while the feeds ran (the largest of samples taken each second), MiB.
    public var memoryMiB: Double
    /// Process CPU per feed, percent of one core.
    public var cpuPerFeedPercent: Double { feeds > 0 ? cpuPercent / Double(feeds) : 0 }
    public var held: Bool
    /// Why the step was not held, when it was not.
    public var reason: String?
}

public struct BenchResult: Codable, Sendable {
    public var clip: String
    public var sourceFps: Double
    public var detector: String
    public var machine: MachineInfo
    public var steps: [BenchStep]
    /// Most feeds held in real time (0: not even one), for each design measured.
    public var maxFeedsHeld: [EngineMode: Int]

    /// Memory each feed beyond the first adds, MiB, from the design's 1-feed and largest step.
    public func memoryPerAddedFeedMiB(_ engine: EngineMode) -> Double? {
        let mine = steps.filter { $0.engine == engine }
        guard let one = mine.first(where: { $0.feeds == 1 }), let most = mine.max(by: { $0.feeds < $1.feeds }),
              most.feeds > 1 else { return nil }
        return (most.memoryMiB - one.memoryMiB) / Double(most.feeds - 1)
    }
}

/// Runs 1, 2, 3… copies of a clip as live feeds (paced at its frame rate, drop-oldest
/// live mode, crossings through the store's batched writer) until frames are dropped
/// or processing falls behind, and measures each step.
public enum Bench {
    /// Runs one step (a design with N feeds) and says which detector it used.
    public typealias StepRunner = (_ engine: EngineMode, _ feeds: Int) throws -> (BenchStep, String)

    /// `stepRunner` runs each step; by default in this process. `gatewatch bench` runs each in a
    /// fresh process instead, so one step's memory (OpenCV's and malloc's arenas are never
    /// given back) does not show up in the next step's figures.
    public static func run(_ o: BenchOptions, progress: (String) -> Void = { _ in },
                           stepRunner: StepRunner? = nil) throws -> BenchResult {
        let fps = try clipFps(o.clip)
        var steps: [BenchStep] = []
        var held: [EngineMode: Int] = [:]
        var detectorName = o.detector.rawValue
        let counts = o.feeds.map { $0 > 1 ? [1, $0] : [1] } ?? Array(1...max(1, o.maxFeeds))
        for engine in o.engines {
            held[engine] = 0
            for n in counts {
                progress("bench (\(engine.rawValue)): \(n) feed\(n == 1 ? "" : "s") for \(ConfigLoader.fmtNumber(o.seconds)) s…")
                let (step, name) = try stepRunner?(engine, n) ?? runStep(o, feeds: n, fps: fps, engine: engine)
                detectorName = name
                steps.append(step)
                progress(String(format: "bench (%@): %d feeds: %.1f fps, dropped %.2f%%%@", engine.rawValue, n, step.fps,
                                step.dropShare * 100, step.held ? ", held" : ", not held (\(step.reason ?? ""))"))
                if step.held { held[engine] = n } else if o.feeds == nil { break }
            }
        }
        return BenchResult(clip: o.clip, sourceFps: fps, detector: detectorName, machine: MachineInfo.current(),
                           steps: steps, maxFeedsHeld: held)
    }

    /// The clip's frame rate (the pace of every copy).
    public static func clipFps(_ clip: String) throws -> Double {
        let probe = try makeFeedSource(uri: clip, realtime: false, loop: false)
        defer { probe.close() }
        return probe.nominalFps ?? 25
    }

    public static func runStep(_ o: BenchOptions, feeds n: Int, fps: Double, engine: EngineMode) throws -> (BenchStep, String) {
        let dir = NSTemporaryDirectory() + "gatewatch-bench-\(getpid())-\(n)"
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let database = try GateDatabase.openWriter(path: dir + "/bench.sqlite")
        defer { try? database.close() }

        var feeds: [FeedConfig] = []
        for i in 1...n {
            // Each copy gets its own line ids so the store keeps them apart.
            let lines = o.lines.map { LineConfig(id: "\($0.id)-\(i)", name: $0.name, from: $0.from, to: $0.to, inside: $0.inside) }
            feeds.append(FeedConfig(id: "feed\(i)", name: "copy \(i)", source: o.clip, fps: fps, realtime: true, loop: true,
                                    detector: o.detector, lines: lines))
        }
        let site = SiteConfig(site: SiteInfo(name: "bench", capacity: 1_000_000),
                              gates: [GateConfig(id: "bench", name: "bench", feeds: feeds)])
        try database.syncSite(site, configPath: nil)

        let latencies = LatencyLog()
        let writer = try EventWriter(database: database, onCommit: { events, committedMs in
            latencies.add(events.map { Double(committedMs - $0.timestampMs) })
        })
        var settings = SiteSessionSettings(modelPath: o.modelPath)
        settings.live = { _ in true }
        settings.warn = { _, _ in }
        settings.engineMode = engine
        let cadence = o.cadence ?? (engine == .perFeed ? .fixed : .adaptive)
        settings.pipeline.cadence = cadence
        let session = try SiteSession(config: site, settings: settings, source: { _ in
            try makeFeedSource(uri: o.clip, realtime: true, loop: true, openNow: false)
        })
        session.recordCrossing = { writer.append($0) }
        let name = session.feeds.first?.detector.name ?? o.detector.rawValue
        let cpu0 = cpuSeconds()
        let t0 = Date()
        session.start()
        var memory = 0.0
        let end = Date().addingTimeInterval(o.seconds)
        while Date() < end {
            Thread.sleep(forTimeInterval: min(1, max(0, end.timeIntervalSinceNow)))
            memory = max(memory, residentMemoryMiB())
        }
        let models = session.engine?.loadedModels ?? session.feeds.filter { $0.detector.sharedModel != nil }.count
        session.stop()
        let wall = Date().timeIntervalSince(t0)
        try writer.close()
        let cpu = (cpuSeconds() - cpu0) / wall * 100
        let summaries = try session.feeds.map { f -> PipelineSummary in
            do { return try f.summary() } catch { throw VisionError("bench feed \(f.feed.id) failed: \(error)") }
        }
        let sums = summaries
        let captured = session.feeds.reduce(0) { $0 + $1.status().framesCaptured }
        let processed = sums.reduce(0) { $0 + $1.frames }
        let dropped = sums.reduce(0) { $0 + $1.dropped }
        let expected = Int((o.seconds * fps).rounded()) * n
        let k = Double(max(1, sums.count))
        let stages = StageTimes(decode: sums.reduce(0) { $0 + $1.stageMs.decode } / k,
                                motion: sums.reduce(0) { $0 + $1.stageMs.motion } / k,
                                detect: sums.reduce(0) { $0 + $1.stageMs.detect } / k,
                                track: sums.reduce(0) { $0 + $1.stageMs.track } / k)
        let dropShare = captured > 0 ? Double(dropped) / Double(captured) : 0
        let processedShare = expected > 0 ? Double(processed) / Double(expected) : 0
        var reason: String?
        if dropShare > o.maxDropShare {
            reason = String(format: "%.1f%% of frames dropped (at most %.0f%%)", dropShare * 100, o.maxDropShare * 100)
        } else if processedShare < o.minProcessedShare {
            reason = String(format: "processed %d of %d frames due (%.0f%%): falling behind", processed, expected, processedShare * 100)
        }
        let lat = latencies.sorted()
        if reason == nil, let p95 = percentile(lat, 0.95), p95 > o.maxLatencyP95Ms {
            reason = String(format: "crossings stored %.0f ms after their frame (p95; at most %.0f)", p95, o.maxLatencyP95Ms)
        }
        let detectorRuns = session.feeds.reduce(0) { $0 + $1.status().framesDetected }
        let step = BenchStep(engine: engine, cadence: cadence, feeds: n, seconds: wall, framesExpected: expected, framesCaptured: captured,
                             framesProcessed: processed, dropped: dropped, dropShare: dropShare,
                             fps: Double(processed) / wall, stageMs: stages,
                             detectMsPerRun: sums.reduce(0) { $0 + $1.detectMsPerRun } / k,
                             detectorRunsPerSecondPerFeed: Double(detectorRuns) / wall / Double(n), modelsLoaded: models,
                             crossingsStored: lat.count, latencyP50Ms: percentile(lat, 0.5), latencyP95Ms: percentile(lat, 0.95),
                             cpuPercent: cpu, peakMemoryMiB: peakMemoryMiB(), memoryMiB: memory,
                             held: reason == nil, reason: reason)
        return (step, name)
    }

    /// Nearest-rank percentile of sorted values.
    public static func percentile(_ sorted: [Double], _ p: Double) -> Double? {
        guard !sorted.isEmpty else { return nil }
        let rank = Int((p * Double(sorted.count)).rounded(.up))
        return sorted[min(sorted.count - 1, max(0, rank - 1))]
    }

    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_utime.tv_sec) + Double(u.ru_utime.tv_usec) / 1e6 + Double(u.ru_stime.tv_sec) + Double(u.ru_stime.tv_usec) / 1e6
    }

    /// VmRSS now, from /proc/self/statm (pages).
    static func residentMemoryMiB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
        return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / (1024 * 1024)
    }

    /// ru_maxrss is in KiB on Linux.
    static func peakMemoryMiB() -> Double {
        var u = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &u)
        return Double(u.ru_maxrss) / 1024
    }

    public static func table(_ r: BenchResult) -> String {
        let header = ["engine", "cadence", "feeds", "fps", "dropped", "decode", "motion", "detect", "track", "det/run", "runs/s/feed",
                      "models", "crossings", "lat p50", "lat p95", "CPU", "CPU/feed", "memory", "held"]
        var rows = [header]
        func ms(_ v: Double?) -> String { v.map { String(format: "%.0f ms", $0) } ?? "—" }
        for s in r.steps {
            rows.append([s.engine.rawValue, s.cadence.rawValue, "\(s.feeds)", String(format: "%.1f", s.fps), String(format: "%d (%.2f%%)", s.dropped, s.dropShare * 100),
                         String(format: "%.2f", s.stageMs.decode), String(format: "%.2f", s.stageMs.motion),
                         String(format: "%.2f", s.stageMs.detect), String(format: "%.2f", s.stageMs.track),
                         String(format: "%.1f", s.detectMsPerRun), String(format: "%.1f", s.detectorRunsPerSecondPerFeed),
                         "\(s.modelsLoaded)", "\(s.crossingsStored)", ms(s.latencyP50Ms), ms(s.latencyP95Ms),
                         String(format: "%.0f%%", s.cpuPercent), String(format: "%.0f%%", s.cpuPerFeedPercent),
                         String(format: "%.0f MiB", s.memoryMiB),
                         s.held ? "yes" : "no: \(s.reason ?? "")"])
        }
        let widths = header.indices.map { i in rows.map { $0[i].count }.max() ?? 0 }
        var out = [String(format: "bench: %@ (%.0f fps), detector %@, %@", (r.clip as NSString).lastPathComponent, r.sourceFps,
                          r.detector, r.machine.summary),
                   "ms per frame by stage; latency = frame capture to crossing committed in SQLite; CPU = process CPU time / wall time (100% = one core); memory = resident while running"]
        for (i, row) in rows.enumerated() {
            out.append(row.enumerated().map { j, c in
                j == row.count - 1 ? c : (j == 0 ? c.padding(toLength: widths[j], withPad: " ", startingAt: 0)
                                                  : String(repeating: " ", count: widths[j] - c.count) + c)
            }.joined(separator: "  "))
            if i == 0 { out.append(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")) }
        }
        for (engine, n) in r.maxFeedsHeld.sorted(by: { $0.key.rawValue > $1.key.rawValue }) {
            let perFeed = r.memoryPerAddedFeedMiB(engine).map { String(format: "; %.1f MiB per added feed", $0) } ?? ""
            out.append("\(engine.rawValue): most feeds held in real time (≤1% dropped, crossings stored ≤0.5 s after their frame, p95): \(n)\(perFeed)")
        }
        return out.joined(separator: "\n")
    }

    /// One step's figures as a child process prints them for `gatewatch bench`.
    private struct StepReport: Codable { var step: BenchStep; var detector: String }

    public static func stepJSON(_ step: BenchStep, detector: String) throws -> String {
        String(decoding: try JSONEncoder().encode(StepReport(step: step, detector: detector)), as: UTF8.self)
    }

    public static func decodeStep(_ data: Data) throws -> (BenchStep, String) {
        do {
            let r = try JSONDecoder().decode(StepReport.self, from: data)
            return (r.step, r.detector)
        } catch {
            throw VisionError("a bench step printed something that is not its figures (\(data.count) bytes)")
        }
    }

    public static func json(_ r: BenchResult) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .prettyPrinted]
        return String(decoding: try e.encode(r), as: UTF8.self)
    }
}

/// Latencies collected on the writer queue, read after the step.
private final class LatencyLog: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [Double] = []
    func add(_ v: [Double]) { lock.lock(); values += v; lock.unlock() }
    func sorted() -> [Double] { lock.lock(); defer { lock.unlock() }; return values.sorted() }
}
