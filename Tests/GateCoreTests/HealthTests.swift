import XCTest
@testable import GateCore

final class HealthTests: XCTestCase {
    func testFrameRatesOverSlidingWindow() {
        let clock = ManualClock(startMs: 1_000_000)
        let m = FeedHealthMonitor(feedId: "cam1", expectedFps: 10, clock: clock)
        // 10 fps captured, every second frame processed, for 10 s.
        for i in 0..<100 {
            m.frameCaptured()
            if i % 2 == 0 { m.frameProcessed(stageMs: [HealthStage.detect: 30]) }
            clock.advance(ms: 100)
        }
        let s = m.snapshot()
        XCTAssertEqual(s.captureFps, 10, accuracy: 0.3)
        XCTAssertEqual(s.processFps, 5, accuracy: 0.3)
        XCTAssertEqual(s.framesCaptured, 100)
        XCTAssertEqual(s.framesProcessed, 50)
        XCTAssertEqual(s.state, .live)
        XCTAssertEqual(s.expectedFps, 10)
    }

    func testRateWhileWindowNotYetFull() {
        let clock = ManualClock(startMs: 0)
        let m = FeedHealthMonitor(feedId: "cam1", clock: clock)
        for _ in 0..<21 { m.frameCaptured(); clock.advance(ms: 100) }   // 2 s at 10 fps
        XCTAssertEqual(m.snapshot().captureFps, 10, accuracy: 0.6)
        XCTAssertEqual(m.snapshot().processFps, 0)
    }

    func testRateFallsToZeroWhenFramesStop() {
        let clock = ManualClock(startMs: 0)
        let m = FeedHealthMonitor(feedId: "cam1", clock: clock)
        for _ in 0..<80 { m.frameCaptured(); clock.advance(ms: 100) }
        clock.advance(seconds: 2.5)
        XCTAssertEqual(m.snapshot().captureFps, 5, accuracy: 0.6)   // half the 5 s window still holds frames
        clock.advance(seconds: 3)
        XCTAssertEqual(m.snapshot().captureFps, 0)
    }

    func testStageMovingAverage() {
        let clock = ManualClock()
        let m = FeedHealthMonitor(feedId: "cam1", settings: HealthSettings(stageSmoothing: 0.5), clock: clock)
        m.frameProcessed(stageMs: [HealthStage.detect: 40, HealthStage.decode: 4])
        XCTAssertEqual(m.snapshot().detectMs, 40)
        m.frameProcessed(stageMs: [HealthStage.detect: 20])
        XCTAssertEqual(m.snapshot().detectMs, 30)
        XCTAssertEqual(m.snapshot().decodeMs, 4)
        m.frameProcessed(stageMs: [HealthStage.detect: .nan, HealthStage.track: -1])
        XCTAssertEqual(m.snapshot().detectMs, 30, "invalid samples are ignored")
        XCTAssertEqual(m.snapshot().trackMs, 0)
    }

    func testCountersDropsQueueAndReconnects() {
        let clock = ManualClock()
        let m = FeedHealthMonitor(feedId: "cam1", clock: clock)
        m.frameCaptured()
        m.framesDropped(3); m.framesDropped()
        m.frameProcessed(queueDepth: 2)
        m.reconnectAttempt(); m.reconnectAttempt()
        m.sourceError("stream closed by peer")
        let s = m.snapshot()
        XCTAssertEqual(s.dropped, 4)
        XCTAssertEqual(s.queueDepth, 2)
        XCTAssertEqual(s.reconnects, 2)
        XCTAssertEqual(s.lastError, "stream closed by peer")
        m.setQueueDepth(0)
        XCTAssertEqual(m.snapshot().queueDepth, 0)
    }

    func testStates() {
        let clock = ManualClock(startMs: 0)
        let m = FeedHealthMonitor(feedId: "cam1", settings: HealthSettings(staleSeconds: 3, offlineSeconds: 20), clock: clock)
        XCTAssertEqual(m.snapshot().state, .starting)
        clock.advance(seconds: 1)
        m.frameCaptured()
        XCTAssertEqual(m.snapshot().state, .live)
        XCTAssertEqual(m.snapshot().lastFrameAgeSeconds, 0)
        clock.advance(seconds: 3)
        XCTAssertEqual(m.snapshot().state, .live)
        clock.advance(seconds: 0.5)
        XCTAssertEqual(m.snapshot().state, .stale)
        XCTAssertEqual(m.snapshot().lastFrameAgeSeconds ?? 0, 3.5, accuracy: 0.001)
        m.sourceError("read failed")
        XCTAssertEqual(m.snapshot().state, .reconnecting)
        m.reconnectAttempt()
        XCTAssertEqual(m.snapshot().state, .reconnecting)
        clock.advance(seconds: 17)
        XCTAssertEqual(m.snapshot().state, .offline, "a long outage reads offline even while retrying")
        m.frameCaptured()
        XCTAssertEqual(m.snapshot().state, .live)
        m.sourceEnded()
        XCTAssertEqual(m.snapshot().state, .ended)
        clock.advance(seconds: 100)
        XCTAssertEqual(m.snapshot().state, .ended)
    }

    func testNeverStartedGoesOffline() {
        let clock = ManualClock(startMs: 0)
        let m = FeedHealthMonitor(feedId: "cam1", settings: HealthSettings(alerts: AlertSettings()), clock: clock)
        clock.advance(seconds: 19.9)
        XCTAssertEqual(m.snapshot().state, .starting)
        clock.advance(seconds: 0.1)
        XCTAssertEqual(m.snapshot().state, .offline)
        XCTAssertNil(m.snapshot().lastFrameAgeSeconds)
    }

    func testConcurrentReportingIsSafe() {
        let clock = ManualClock()
        let m = FeedHealthMonitor(feedId: "cam1", clock: clock)
        DispatchQueue.concurrentPerform(iterations: 4) { k in
            for _ in 0..<1000 {
                if k % 2 == 0 { m.frameCaptured() } else { m.frameProcessed(stageMs: ["detect": 1]) }
                _ = m.snapshot()
            }
        }
        XCTAssertEqual(m.snapshot().framesCaptured, 2000)
        XCTAssertEqual(m.snapshot().framesProcessed, 2000)
    }

}

final class DetectorRunRateTests: XCTestCase {
    /// Detector runs a second come from the frames the detector ran on, over the same window as the frame rates.
    func testDetectorRunsPerSecond() {
        let clock = ManualClock(startMs: 0)
        let m = FeedHealthMonitor(feedId: "cam1", expectedFps: 10, clock: clock)
        for i in 0..<100 {   // 10 fps for 10 s, the detector on every fifth frame
            m.frameCaptured(); m.frameProcessed(detectorRan: i % 5 == 0); clock.advance(ms: 100)
        }
        XCTAssertEqual(m.snapshot().processFps, 10, accuracy: 0.3)
        XCTAssertEqual(m.snapshot().detectorRunsPerSecond, 2, accuracy: 0.2)
        for _ in 0..<60 { m.frameCaptured(); m.frameProcessed(); clock.advance(ms: 100) }   // nothing moves: no runs
        XCTAssertEqual(m.snapshot().detectorRunsPerSecond, 0)
    }
}
