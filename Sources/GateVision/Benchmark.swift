import Foundation
import GateCore

/// Figures from one benchmark run of a clip.
public struct BenchmarkResult: Sendable {
    public var clip: String
    public var detector: String
    public var threads: Int
    /// Frames a second when the clip is only decoded.
    public var decodeFps: Double
    public var decodeFrames: Int
    public var summary: PipelineSummary
    public var report: String {
        let s = summary.stageMs
        return String(format: "%@ [%@, %d OpenCV threads, detect every %d]: decode-only %.0f fps (%d frames); "
                      + "pipeline %.1f fps (%d frames in %.2f s); ms/frame decode %.2f motion %.2f detect %.2f track %.2f; "
                      + "detector %.1f ms/run on %d frames, %d skipped by motion gate; crossings %d",
                      clip, detector, threads, summary.detectEvery, decodeFps, decodeFrames,
                      summary.fps, summary.frames, summary.seconds, s.decode, s.motion, s.detect, s.track,
                      summary.detectMsPerRun, summary.detectedFrames, summary.motionSkipped, summary.crossings)
    }
}

/// Measures how fast a clip merely decodes, then counts it as fast as possible with the
/// given detector, and prints both. `threads` sets OpenCV's thread pool (nil leaves it).
@discardableResult
public func benchmarkCount(path: String, detector kind: DetectorKind = .defaultKind, modelPath: String? = nil,
                           detectEvery: Int? = nil, threads: Int? = nil, lines: [LineConfig] = [],
                           confidence: Double = 0.4, printReport: Bool = true) throws -> BenchmarkResult {
    if let threads { VisionThreads.set(threads) }
    let decodeSource = FileSource(path: path)
    try decodeSource.open()
    let t0 = Date()
    var decoded = 0
    while try decodeSource.read() != nil { decoded += 1 }
    let decodeSeconds = Date().timeIntervalSince(t0)
    decodeSource.close()

    let feed = FeedConfig(id: "bench", name: "bench", source: path, detector: kind, confidence: confidence,
                          detectEvery: detectEvery, lines: lines)
    let session = try FeedSession(feed: feed, gateId: "bench", source: FileSource(path: path),
                                  settings: FeedSessionSettings(modelPath: modelPath))
    let detector = session.detector
    let summary = try session.run()
    let result = BenchmarkResult(clip: (path as NSString).lastPathComponent, detector: detector.name,
                                 threads: VisionThreads.current, decodeFps: decodeSeconds > 0 ? Double(decoded) / decodeSeconds : 0,
                                 decodeFrames: decoded, summary: summary)
    if printReport { print(result.report) }
    return result
}
