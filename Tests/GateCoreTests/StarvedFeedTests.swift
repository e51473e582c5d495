import XCTest
@testable import GateCore

/// Dropped frames are a health problem (low-fps alert), and a starved pipeline is not a
/// tampered camera.
final class StarvedFeedTests: XCTestCase {
    func testDroppedShareOverTheRateWindow() {
        let clock = ManualClock(startMs: 1_000_000)
        let m = FeedHealthMonitor(feedId: "cam1", expectedFps: 10, clock: clock)
        for i in 0..<100 {   // 10 fps for 10 s, every 5th frame dropped
            m.frameCaptured()
            if i % 5 == 0 { m.framesDropped(1) } else { m.frameProcessed() }
            clock.advance(ms: 100)
        }
        XCTAssertEqual(m.snapshot().droppedShare, 0.2, accuracy: 0.03)
        XCTAssertEqual(m.snapshot().dropped, 20)
        for _ in 0..<60 { m.frameCaptured(); m.frameProcessed(); clock.advance(ms: 100) }
        XCTAssertEqual(m.snapshot().droppedShare, 0, "old drops leave the window")
    }

    func feed(_ h: AlertHarness, fps: Double, dropped: Double) -> FeedHealthSnapshot {
        var s = h.live("cam1", fps: fps)
        s.droppedShare = dropped
        return s
    }

    func testFifteenPercentDroppedRaisesLowFps() {
        let h = AlertHarness()
        let t = h.run(40) { h in AlertInput(occupancy: 0, health: ["cam1": self.feed(h, fps: 9.8, dropped: 0.15)]) }
        let raised = t.filter { $0.change == .raise }
        XCTAssertEqual(raised.map(\.kind), [.lowFps])
        XCTAssertEqual(raised.first?.messageEn, "Feed CAM1 (cam1): 15% of frames dropped, processing cannot keep up (9.8 fps processed)")
        XCTAssertEqual(raised.first?.messageVi, "Camera CAM1 (cam1): bỏ 15% khung hình vì xử lý không kịp (xử lý 9,8 khung hình/giây)")
        // Clears once drops are well below the threshold (dead band in between).
        XCTAssertTrue(h.run(20) { h in AlertInput(occupancy: 0, health: ["cam1": self.feed(h, fps: 10, dropped: 0.07)]) }.isEmpty)
        let cleared = h.run(12) { h in AlertInput(occupancy: 0, health: ["cam1": self.feed(h, fps: 10, dropped: 0.02)]) }
        XCTAssertEqual(cleared.map(\.change), [.resolve])
    }

    func testDropThresholdComesFromTheSettings() {
        let h = AlertHarness(config: AlertHarness.site { $0.droppedShare = 0.3 })
        XCTAssertTrue(h.run(40) { h in AlertInput(occupancy: 0, health: ["cam1": self.feed(h, fps: 9.8, dropped: 0.15)]) }.isEmpty)
    }

    func moved(_ h: AlertHarness, fps: Double, dropped: Double) -> AlertInput {
        AlertInput(occupancy: 0, health: ["cam1": feed(h, fps: fps, dropped: dropped)],
                   frameStats: ["cam1": FrameStats(brightness: 120, contrast: 50, sharpness: 100, change: 5, referenceSimilarity: 0.24)])
    }

    func testStarvedPipelineRaisesNoTamperAlert() {
        // The case: six readers drove the feed from 9.8 to 1.8 fps, similarity 0.24.
        let slow = AlertHarness()
        let t = slow.run(60) { h in self.moved(h, fps: 1.8, dropped: 0) }
        XCTAssertFalse(t.contains { $0.kind == .moved || $0.kind == .covered }, "\(t.map(\.kind))")
        XCTAssertEqual(kinds(t, .raise), [.lowFps], "the starvation itself is reported")
        // Frames dropped at a normal processed rate: held too.
        let dropping = AlertHarness()
        XCTAssertFalse(dropping.run(60) { h in self.moved(h, fps: 9, dropped: 0.3) }.contains { $0.kind == .moved })
        // The same picture on a pipeline that keeps up is a moved camera.
        let healthy = AlertHarness()
        XCTAssertEqual(kinds(healthy.run(10) { h in self.moved(h, fps: 10, dropped: 0) }, .raise), [.moved])
    }

    func testStarvedPipelineRaisesNoCoveredAlert() {
        let h = AlertHarness()
        let dark = FrameStats(brightness: 10, contrast: 3, sharpness: 1, change: 1, referenceSimilarity: 0.9)
        let t = h.run(30) { h in AlertInput(occupancy: 0, health: ["cam1": self.feed(h, fps: 2, dropped: 0)], frameStats: ["cam1": dark]) }
        XCTAssertFalse(t.contains { $0.kind == .covered })
    }
}
