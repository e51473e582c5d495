import Foundation
import GateCore
import GateVision
import XCTest

private func feed(_ source: String, detectEvery: Int? = nil) -> FeedConfig {
    FeedConfig(id: "f1", name: "test feed", source: source, detectEvery: detectEvery,
               lines: [LineConfig(id: "l1", name: "gate", from: Point(0.5, 0), to: Point(0.5, 1), inside: Point(1, 0.5))])
}

final class PipelineTests: XCTestCase {
    func testFastModeProcessesEveryFrameAndEnds() throws {
        let dir = try makeTempDir()
        let path = dir + "/clip.avi"
        try writeClip(path, frames: 30, fps: 10)
        let det = CountingDetector()
        // Fixed cadence: the square moves away from the line, which the adaptive cadence would watch less often.
        var f = feed(path, detectEvery: 1)
        f.cadence = .fixed
        let p = FeedPipeline(feed: f, gateId: "g1", source: FileSource(path: path), detector: det)
        var stats: [FrameStats] = []
        var processed = 0
        p.onFrameStats = { s, _ in stats.append(s) }
        p.onProcessed = { _ in processed += 1 }
        let summary = try p.run()
        XCTAssertEqual(summary.frames, 30)
        XCTAssertEqual(processed, 30)
        XCTAssertEqual(det.calls, 30, "the square moves on every frame")
        XCTAssertEqual(summary.detectedFrames, 30)
        XCTAssertEqual(summary.dropped, 0)
        XCTAssertEqual(stats.count, 3, "about one sample per second of video")
        XCTAssertEqual(stats[0].referenceSimilarity ?? 0, 1, accuracy: 1e-6)
        let h = p.status()
        XCTAssertEqual(h.state, .ended)
        XCTAssertEqual(h.framesCaptured, 30)
        XCTAssertEqual(h.framesProcessed, 30)
        XCTAssertNil(h.lastError)
    }

    /// The adaptive cadence on real frames: while the square moves far from the line the
    /// detector runs every 0.5 s; once it moves in the band around the line, on every frame.
    func testAdaptiveCadenceRunsLessWhileMotionIsFarFromTheLine() throws {
        let dir = try makeTempDir()
        let path = dir + "/clip.avi"
        try writeClip(path, frames: 30, fps: 10)   // a square from x 10 to 155 of 160, 5 px a frame
        var f = feed(path, detectEvery: 1)
        f.lines = [LineConfig(id: "l1", name: "gate", from: Point(0.95, 0), to: Point(0.95, 1), inside: Point(1, 0.5))]
        let p = FeedPipeline(feed: f, gateId: "g1", source: FileSource(path: path), detector: CountingDetector())
        var ran: [Int] = []
        p.onProcessed = { if $0.detected { ran.append($0.frame.index) } }
        let summary = try p.run()
        XCTAssertEqual(summary.cadence, .adaptive)
        let far = ran.filter { $0 < 17 }, near = ran.filter { $0 >= 20 }
        XCTAssertEqual(far, [0, 5, 10, 15], "every 0.5 s while the square is left of the band (x < 120)")
        XCTAssertEqual(near, Array(20..<30), "every frame once it moves in the band")
        XCTAssertEqual(summary.cadenceSkipped, 30 - ran.count)
    }

    func testDetectEveryNthFrameFromTheSourceRate() throws {
        XCTAssertEqual(autoDetectEvery(fps: 10), 2)
        XCTAssertEqual(autoDetectEvery(fps: 25), 5)
        XCTAssertEqual(autoDetectEvery(fps: 30), 6)
        XCTAssertEqual(autoDetectEvery(fps: 8), 1)
        XCTAssertEqual(autoDetectEvery(fps: 3), 1)
        XCTAssertEqual(autoDetectEvery(fps: nil), 1)
        for fps in stride(from: 5.0, through: 60, by: 0.5) {
            let rate = fps / Double(autoDetectEvery(fps: fps))
            XCTAssertTrue(rate >= 5 && rate < 10, "fps \(fps): \(rate) detections/s")
        }
        let dir = try makeTempDir()
        let path = dir + "/clip25.avi"
        try writeClip(path, frames: 30, fps: 25)
        let det = CountingDetector()
        let p = FeedPipeline(feed: feed(path), gateId: "g1", source: FileSource(path: path), detector: det)
        let s = try p.run()
        XCTAssertEqual(s.detectEvery, 5)
        XCTAssertEqual(det.calls, 6)
    }

    func testMotionGateSkipsTheDetectorOnAStillPicture() throws {
        let dir = try makeTempDir()
        let path = dir + "/still.avi"
        try writeClip(path, frames: 50, fps: 10, moving: false)
        let det = CountingDetector()
        let p = FeedPipeline(feed: feed(path, detectEvery: 1), gateId: "g1", source: FileSource(path: path), detector: det)
        let s = try p.run()
        // The first frame, then once every 2 s of video (maxSecondsWithoutDetection).
        XCTAssertEqual(det.calls, 3)
        XCTAssertEqual(s.motionSkipped, 47)
        XCTAssertEqual(s.frames, 50)
    }

    func testLiveModeDropsTheOldestWhenBehind() throws {
        let dir = try makeTempDir()
        let path = dir + "/clip.avi"
        try writeClip(path, frames: 60, fps: 10)
        let det = CountingDetector(delay: 0.02)
        var opts = PipelineOptions(detectEvery: 1, liveMode: true, queueCapacity: 2)
        opts.motionGate = false
        let p = FeedPipeline(feed: feed(path), gateId: "g1", source: FileSource(path: path), detector: det, options: opts)
        let s = try p.run()
        let h = p.status()
        print("live mode: captured \(h.framesCaptured), processed \(s.frames), dropped \(s.dropped)")
        XCTAssertEqual(h.framesCaptured, 60)
        XCTAssertGreaterThan(s.dropped, 0)
        XCTAssertEqual(s.frames + s.dropped, 60)
    }

    func testDeadStreamReconnectsWithBackoffAndStopsCleanly() throws {
        let source = StreamSource(url: "rtsp://127.0.0.1:1/cam", openTimeoutMs: 1000, readTimeoutMs: 1000)
        var states: [WorkerState] = []
        let lock = NSLock()
        let p = FeedPipeline(feed: feed("rtsp://127.0.0.1:1/cam"), gateId: "g1", source: source, detector: CountingDetector(),
                             backoff: Backoff(base: 0.05, cap: 0.2, random: { 0.5 }))
        p.onStateChange = { s, _ in lock.lock(); states.append(s); lock.unlock() }
        p.start()
        var h = p.status()
        let deadline = Date().addingTimeInterval(20)
        while h.reconnects < 3 && Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
            h = p.status()
        }
        XCTAssertEqual(h.state, .reconnecting)
        XCTAssertGreaterThanOrEqual(h.reconnects, 3)
        XCTAssertTrue(h.lastError?.contains("127.0.0.1:1") ?? false, "\(h.lastError ?? "nil")")
        p.stop()
        p.wait()
        XCTAssertEqual(p.status().state, .stopped)
        lock.lock(); XCTAssertEqual(states.first, .reconnecting); XCTAssertEqual(states.last, .stopped); lock.unlock()
    }

    func testMissingFileFailsTheRun() {
        let p = FeedPipeline(feed: feed("/nonexistent/a.avi"), gateId: "g1", source: FileSource(path: "/nonexistent/a.avi"),
                             detector: CountingDetector())
        XCTAssertThrowsError(try p.run()) { assertOneLine($0, contains: "/nonexistent/a.avi") }
        XCTAssertEqual(p.status().state, .failed)
    }

    func testStopEndsAFastRunEarly() throws {
        try requireFile(vtestPath, "vtest.avi")
        let det = CountingDetector()
        let p = FeedPipeline(feed: feed(vtestPath, detectEvery: 1), gateId: "g1", source: FileSource(path: vtestPath), detector: det)
        p.onProcessed = { [unowned p] f in if f.frame.index == 20 { p.stop() } }
        let s = try p.run()
        XCTAssertEqual(s.frames, 21)
        XCTAssertEqual(p.status().state, .stopped)
    }

    /// Not an assertion of speed: prints the figures for issue 2 when asked.
    func testBenchmarkVtest() throws {
        guard ProcessInfo.processInfo.environment["GATEWATCH_BENCH"] != nil else {
            throw XCTSkip("benchmark runs only when GATEWATCH_BENCH=1 (use a release build: swift test -c release)")
        }
        try requireFile(vtestPath, "vtest.avi")
        _ = try requireModel()
        let env = ProcessInfo.processInfo.environment
        let threads = (env["GATEWATCH_BENCH_THREADS"] ?? "2").split(separator: ",").compactMap { Int($0) }
        let every = env["GATEWATCH_BENCH_EVERY"].flatMap { Int($0) }
        for t in threads {
            let r = try benchmarkCount(path: vtestPath, detector: .ssdlite, detectEvery: every, threads: t)
            XCTAssertEqual(r.summary.frames, 795)
        }
    }
}
