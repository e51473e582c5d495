import XCTest
@testable import GateCore

/// A pause of the whole process (SIGSTOP, a suspended machine) is not a camera outage.
final class PauseTests: XCTestCase {
    func testDetectorFlagsOnlyLongGaps() {
        var d = PauseDetector(periodSeconds: 1)
        XCTAssertNil(d.tick(nowMs: 0))
        for t in 1...10 { XCTAssertNil(d.tick(nowMs: Int64(t) * 1000)) }
        XCTAssertNil(d.tick(nowMs: 13_500), "a tick 3.5 s late on a loaded machine is not a pause")
        XCTAssertEqual(d.tick(nowMs: 43_500), 30_000)
        XCTAssertNil(d.tick(nowMs: 44_500), "the next tick on time is normal again")
        XCTAssertEqual(PauseDetector(periodSeconds: 2).thresholdMs, 10_000)
        XCTAssertEqual(PauseDetector(periodSeconds: 0.1).thresholdMs, 5_000)
    }

    func testPauseRaisesNoOfflineAlertForHealthyCameras() {
        let site = PauseSite()
        site.run(seconds: 10, frames: ["a", "b"])
        site.clock.advance(seconds: 40)   // SIGSTOP ... SIGCONT
        site.tick()
        XCTAssertEqual(site.monitors.map { $0.snapshot().state }, [.live, .live])
        site.run(seconds: 30, frames: ["a", "b"])
        XCTAssertEqual(site.transitions.filter { $0.kind == .offline }, [], "no offline alert after a pause")
    }

    func testWithoutPauseHandlingThePauseLooksLikeAnOutage() {
        // The rule this guards against: the same pause, unhandled, raises critical offline alerts.
        let site = PauseSite()
        site.handlePauses = false
        site.run(seconds: 10, frames: ["a", "b"])
        site.clock.advance(seconds: 40)
        site.tick()
        XCTAssertEqual(Set(site.transitions.filter { $0.kind == .offline && $0.change == .raise }.map(\.subject.id)), ["a", "b"])
    }

    func testCameraAlreadyDownBeforeThePauseStaysDown() {
        let site = PauseSite()
        site.run(seconds: 5, frames: ["a", "b"])
        site.run(seconds: 25, frames: ["a"])   // b goes offline (20 s) before the pause
        XCTAssertEqual(site.transitions.filter { $0.kind == .offline }.map(\.change), [.raise])
        site.clock.advance(seconds: 40)
        site.tick()
        site.run(seconds: 30, frames: ["a"])
        XCTAssertEqual(site.transitions.filter { $0.kind == .offline }.map(\.change), [.raise],
                       "no resolve (and no second SMS) for a camera that was down all along")
        XCTAssertEqual(site.monitors[1].snapshot().state, .offline)
    }

    func testSilenceBeforeThePauseStillCounts() {
        let site = PauseSite()
        site.run(seconds: 5, frames: ["a", "b"])
        site.run(seconds: 15, frames: ["a"])   // b silent 15 s, then the pause
        site.clock.advance(seconds: 40)
        site.tick()
        site.run(seconds: 7, frames: ["a"])    // 15 + 7 s of running silence: offline
        let raised = site.transitions.filter { $0.kind == .offline && $0.change == .raise }
        XCTAssertEqual(raised.map(\.subject.id), ["b"])
    }

    func testCameraThatIsReallyDownAfterThePauseStillGoesOffline() {
        let site = PauseSite()
        site.run(seconds: 10, frames: ["a", "b"])
        site.clock.advance(seconds: 40)
        site.tick()
        site.run(seconds: 25, frames: ["a"])   // b never comes back
        let raised = site.transitions.filter { $0.kind == .offline && $0.change == .raise }
        XCTAssertEqual(raised.map(\.subject.id), ["b"])
        // Counted from the resume: 20 s of silence in running time, not the pause.
        XCTAssertEqual(raised.first.map { Double($0.atMs - (site.clock.nowMs() - 25_000)) / 1000 } ?? -1, 20, accuracy: 1.01)
    }
}

/// A site monitor: ticks once a second, feeding the engine the cameras' health, and
/// restarting freshness when the detector sees a pause (as SiteRunner does).
final class PauseSite {
    let clock: ManualClock
    let config: SiteConfig
    let engine: AlertEngine
    let monitors: [FeedHealthMonitor]
    init() {
        clock = ManualClock(startMs: 1_700_000_000_000)
        config = SiteConfig(site: SiteInfo(name: "S", capacity: 100), gates: [GateConfig(id: "g", name: "G", feeds: [
            FeedConfig(id: "a", name: "A", source: "x", fps: 10, lines: []),
            FeedConfig(id: "b", name: "B", source: "y", fps: 10, lines: [])])], alerts: AlertSettings())
        engine = AlertEngine(config: config, tuning: AlertTuning(), clock: clock)
        monitors = config.feeds.map { [clock, config] in
            FeedHealthMonitor(feedId: $0.id, expectedFps: 10, settings: HealthSettings(alerts: config.alerts), clock: clock)
        }
    }
    var detector = PauseDetector(periodSeconds: 1)
    var handlePauses = true
    var transitions: [AlertTransition] = []

    /// `seconds` of running time; `frames`: which feeds deliver frames (10 fps).
    func run(seconds: Int, frames: Set<String>) {
        for _ in 0..<seconds {
            for _ in 0..<10 {
                for m in monitors where frames.contains(m.feedId) { m.frameCaptured(); m.frameProcessed() }
                clock.advance(ms: 100)
            }
            tick()
        }
    }

    func tick() {
        let now = clock.nowMs()
        if handlePauses, let gap = detector.tick(nowMs: now) {
            for m in monitors { m.processResumed(pausedMs: gap, atMs: now) }
            engine.processResumed()
        }
        let health = Dictionary(uniqueKeysWithValues: monitors.map { ($0.feedId, $0.snapshot()) })
        transitions += engine.tick(AlertInput(occupancy: 0, health: health))
    }
}
