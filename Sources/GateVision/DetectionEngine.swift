import Foundation
import GateCore

/// A person model that several feeds can share: the score floor is given per call, so one
/// loaded model serves feeds with different confidences.
public protocol SharedModelDetector: PersonDetector {
    func detect(_ frame: Frame, minScore: Double) throws -> [Detection]
}

/// How a process runs its person models.
public enum EngineMode: String, Sendable, CaseIterable, Codable, CodingKeyRepresentable {
    /// One engine: each model loaded once per worker thread (never per feed), detector runs
    /// from every feed scheduled on a pool no larger than the machine's cores.
    case shared
    /// Each feed loads and runs its own model on its own thread (the design before the
    /// engine; kept to compare in `bench`).
    case perFeed = "per-feed"
}

/// One per process (a site session): feeds submit detector runs; `workers` threads run them
/// in arrival order, each with its own instance of each model (a cv::dnn network is not safe
/// to run from two threads at once), so at most `workers` detector runs are busy at a time
/// however many feeds there are. A feed's processing thread waits for its own run only; its
/// capture thread goes on (and in live mode drops the oldest frame, counted for that feed).
/// Stateful or fallback detectors (motion blobs, HOG) stay with their feed.
public final class DetectionEngine: @unchecked Sendable {
    public let workers: Int
    private let modelPath: String?
    private let cond = NSCondition()
    private var jobs: [Job] = []
    private var closed = false
    private var threads: [Thread] = []
    /// Per worker: the model instances it has loaded, by detector kind.
    private var instances: [[DetectorKind: SharedModelDetector]]
    /// Moving means of how long runs waited for a worker and how long they took (ms), and
    /// whether the engine is saturated (GateCore's rule, with hysteresis). Under `cond`.
    private var meanWaitMs = 0.0, meanRunMs = 0.0
    private var loadLevel = EngineLoad.normal
    private let cadenceRule = DetectionCadence()

    private final class Job {
        let kind: DetectorKind
        let frame: Frame
        let minScore: Double
        let queuedNs = DispatchTime.now().uptimeNanoseconds
        var result: Result<[Detection], Error>?
        let done = DispatchSemaphore(value: 0)
        init(kind: DetectorKind, frame: Frame, minScore: Double) { self.kind = kind; self.frame = frame; self.minScore = minScore }
    }

    /// `workers`: detector runs at once (default: the machine's cores). `feeds`: how many feeds
    /// will submit runs.
    public init(workers: Int = ProcessInfo.processInfo.activeProcessorCount, modelPath: String? = nil, feeds: Int = 1) {
        self.workers = max(1, min(workers, 64))
        self.modelPath = modelPath
        // Enough feeds to keep every worker busy, as many workers as cores: OpenCV's threads
        // inside every pass would make twice as many busy threads as cores (and longer waits
        // for every feed), so each pass runs on its worker's thread alone (process-wide). One
        // feed runs one pass at a time, which then uses OpenCV's threads as before.
        if feeds >= self.workers && self.workers >= ProcessInfo.processInfo.activeProcessorCount { VisionThreads.set(1) }
        instances = Array(repeating: [:], count: self.workers)
        for i in 0..<self.workers {
            let t = Thread { [weak self] in self?.workerLoop(i) }
            t.name = "detector \(i + 1)"
            t.stackSize = 8 << 20
            threads.append(t)
            t.start()
        }
    }

    deinit { close() }

    /// Stops the workers once the queued runs are done.
    public func close() {
        cond.lock(); closed = true; cond.broadcast(); cond.unlock()
    }

    /// The detector a feed uses. A model-based detector is loaded here once (by the first
    /// worker, so a missing or damaged model fails now, with its fallback warning) and then
    /// shared; the others are the feed's own, as `makeDetector` builds them.
    public func detector(for feed: FeedConfig, warn: (String) -> Void) throws -> PersonDetector {
        let own = try loadedInstance(kind: feed.detector, worker: 0, feedConfidence: feed.confidence,
                                     onModelError: feed.onModelError, warn: warn)
        guard let shared = own.shared else { return own.detector }
        return EngineDetector(engine: self, kind: shared, name: own.detector.name, confidence: feed.confidence)
    }

    /// The first worker's instance for `kind` (built on first use); when the kind fell back
    /// to a detector that cannot be shared, the feed's own detector instead.
    private func loadedInstance(kind: DetectorKind, worker: Int, feedConfidence: Double, onModelError: ModelErrorPolicy,
                                warn: (String) -> Void) throws -> (detector: PersonDetector, shared: DetectorKind?) {
        cond.lock()
        if let d = instances[worker][kind] { cond.unlock(); return (d, kind) }
        cond.unlock()
        let d = try makeDetector(kind: kind, confidence: feedConfidence, modelPath: modelPath, onModelError: onModelError, warn: warn)
        guard let model = d.sharedModel, let actual = DetectorKind(rawValue: model.name) else { return (d, nil) }
        cond.lock(); instances[worker][actual] = instances[worker][actual] ?? model; cond.unlock()
        return (model, actual)
    }

    /// Runs one detection on the pool; blocks the calling feed until it is done.
    func detect(kind: DetectorKind, frame: Frame, minScore: Double) throws -> [Detection] {
        let job = Job(kind: kind, frame: frame, minScore: minScore)
        cond.lock()
        guard !closed else { cond.unlock(); throw VisionError("the detection engine has stopped") }
        jobs.append(job)
        cond.signal()
        cond.unlock()
        job.done.wait()
        return try job.result!.get()
    }

    private func workerLoop(_ worker: Int) {
        while true {
            cond.lock()
            while jobs.isEmpty && !closed { cond.wait() }
            if jobs.isEmpty { cond.unlock(); return }
            let job = jobs.removeFirst()
            let model = instances[worker][job.kind]
            cond.unlock()
            let started = DispatchTime.now().uptimeNanoseconds
            job.result = Result {
                let m = try model ?? loadForWorker(worker, kind: job.kind)
                return try m.detect(job.frame, minScore: job.minScore)
            }
            recordLoad(waitedNs: started - job.queuedNs, ranNs: DispatchTime.now().uptimeNanoseconds - started)
            job.done.signal()
        }
    }

    /// A worker's own copy of a model the first worker already loaded (same files).
    private func loadForWorker(_ worker: Int, kind: DetectorKind) throws -> SharedModelDetector {
        let d = try makeDetector(kind: kind, modelPath: modelPath, warn: { _ in })
        guard let model = d.sharedModel, model.name == kind.rawValue else {
            throw VisionError("\(kind.rawValue) model could not be loaded again for detector thread \(worker + 1)")
        }
        cond.lock(); instances[worker][kind] = model; cond.unlock()
        return model
    }

    /// Over about the last 20 runs: runs waiting behind other feeds' for half their own time
    /// or more mean more work than workers (see `DetectionCadence.load`).
    private func recordLoad(waitedNs: UInt64, ranNs: UInt64) {
        let a = 0.05
        cond.lock()
        meanWaitMs += a * (Double(waitedNs) / 1e6 - meanWaitMs)
        meanRunMs = meanRunMs == 0 ? Double(ranNs) / 1e6 : meanRunMs + a * (Double(ranNs) / 1e6 - meanRunMs)
        loadLevel = cadenceRule.load(was: loadLevel, meanWaitMs: meanWaitMs, meanRunMs: meanRunMs)
        cond.unlock()
    }

    /// How much detector runs queue up for the workers (feeds then space their runs out).
    public var load: EngineLoad { cond.lock(); defer { cond.unlock() }; return loadLevel }

    /// Models loaded so far, over all workers (for bench and tests).
    public var loadedModels: Int { cond.lock(); defer { cond.unlock() }; return instances.reduce(0) { $0 + $1.count } }
}

/// A feed's handle on a shared model: its own score floor (the feed's confidence, or the
/// weak band below it), the engine's instances.
final class EngineDetector: PersonDetector {
    let name: String
    private let engine: DetectionEngine
    private let kind: DetectorKind
    private var minScore: Double

    init(engine: DetectionEngine, kind: DetectorKind, name: String, confidence: Double) {
        self.engine = engine; self.kind = kind; self.name = name; minScore = confidence
    }

    func reportWeakDetections(downTo floor: Double, confidence: Double) -> Double {
        minScore = min(minScore, floor)
        return minScore
    }

    func detect(_ frame: Frame) throws -> [Detection] {
        try engine.detect(kind: kind, frame: frame, minScore: minScore)
    }

    var load: EngineLoad { engine.load }
}
