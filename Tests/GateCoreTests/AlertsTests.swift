import XCTest
@testable import GateCore

/// Drives an AlertEngine one tick a second with a ManualClock.
final class AlertHarness {
    let clock: ManualClock
    let engine: AlertEngine
    var all: [AlertTransition] = []
    private var ticked = false
    init(config: SiteConfig = AlertHarness.site(), tuning: AlertTuning = AlertTuning(), startMs: Int64 = 1_700_000_000_000) {
        clock = ManualClock(startMs: startMs)
        engine = AlertEngine(config: config, tuning: tuning, clock: clock)
    }

    static func site(capacity: Int = 100, configure: (inout AlertSettings) -> Void = { _ in },
                     hours: OpeningHours? = nil) -> SiteConfig {
        var a = AlertSettings()
        configure(&a)
        func feed(_ id: String) -> FeedConfig {
            FeedConfig(id: id, name: id.uppercased(), source: "synthetic:walk", fps: 10, lines: [])
        }
        return SiteConfig(site: SiteInfo(name: "Khu du lịch", capacity: capacity, openingHours: hours),
                          gates: [GateConfig(id: "g1", name: "North", feeds: [feed("cam1"), feed("cam2")]),
                                  GateConfig(id: "g2", name: "South", feeds: [feed("cam3")])],
                          alerts: a)
    }

    var now: Int64 { clock.nowMs() }

    /// A feed delivering frames right now.
    func live(_ id: String, fps: Double = 10) -> FeedHealthSnapshot {
        FeedHealthSnapshot(feedId: id, atMs: now, state: .live, captureFps: fps, processFps: fps,
                           expectedFps: 10, lastFrameMs: now - 100)
    }
    func allLive() -> [String: FeedHealthSnapshot] {
        ["cam1": live("cam1"), "cam2": live("cam2"), "cam3": live("cam3")]
    }

    /// Ticks now, then once a second for `seconds`, building the input each time.
    @discardableResult
    func run(_ seconds: Int, _ input: (AlertHarness) -> AlertInput) -> [AlertTransition] {
        var out: [AlertTransition] = []
        for i in 0..<seconds {
            if ticked { clock.advance(seconds: 1) }
            ticked = true
            out += engine.tick(input(self))
        }
        all += out
        return out
    }

    func entry(_ feed: String, _ gate: String, at ms: Int64? = nil, _ dir: Direction = .in) -> CrossingEvent {
        CrossingEvent(timestampMs: ms ?? now, feedId: feed, gateId: gate, lineId: "\(feed)-l", direction: dir,
                      trackId: 1, confidence: 0.9, frameIndex: 0)
    }
}

func kinds(_ ts: [AlertTransition], _ change: AlertTransition.Change) -> [AlertKind] {
    ts.filter { $0.change == change }.map(\.kind)
}

final class CapacityAlertTests: XCTestCase {
    func occ(_ n: Int) -> (AlertHarness) -> AlertInput { { h in AlertInput(occupancy: n, health: h.allLive()) } }

    func testFiresAfterHoldNotBefore() {
        let h = AlertHarness()
        XCTAssertTrue(h.run(10, occ(85)).isEmpty, "9 s above the warning level is not enough")
        let t = h.run(1, occ(85))
        XCTAssertEqual(t.count, 1)
        XCTAssertEqual(t[0].change, .raise)
        XCTAssertEqual(t[0].kind, .capacity)
        XCTAssertEqual(t[0].subject, .site)
        XCTAssertEqual(t[0].severity, .warning)
        XCTAssertEqual(t[0].value, 85)
        XCTAssertEqual(t[0].messageEn, "Occupancy 85/100 (85%) at or above the warning level (80%)")
        XCTAssertTrue(t[0].messageVi.contains("mức cảnh báo"), t[0].messageVi)
    }

    func testBriefBlipDoesNotFire() {
        let h = AlertHarness()
        h.run(5, occ(90))
        h.run(120, occ(70))
        XCTAssertTrue(h.all.isEmpty)
        XCTAssertTrue(h.engine.openAlerts.isEmpty)
    }

    func testHoldsWhileCauseLastsWithOneOpenAlert() {
        let h = AlertHarness()
        h.run(600, occ(85))
        XCTAssertEqual(kinds(h.all, .raise), [.capacity])
        XCTAssertEqual(h.engine.openAlerts.count, 1)
        XCTAssertTrue(kinds(h.all, .resolve).isEmpty)
    }

    func testClearsOnlyBelowLevelMinusMarginAndAfterHold() {
        let h = AlertHarness()
        h.run(11, occ(85))
        XCTAssertEqual(h.engine.openAlerts.count, 1)
        XCTAssertEqual(h.run(120, occ(77)).map(\.change), [.update], "77% is inside the dead band (75…80): new value only")
        XCTAssertTrue(h.run(10, occ(74)).isEmpty, "clear must hold 10 s")
        let t = h.run(1, occ(74))
        XCTAssertEqual(t.map(\.change), [.resolve])
        XCTAssertTrue(h.engine.openAlerts.isEmpty)
    }

    func testDoesNotFlapAroundThreshold() {
        let h = AlertHarness()
        // 79/81 every other second: never 10 s above 80.
        h.run(300) { h in AlertInput(occupancy: (h.now / 1000) % 2 == 0 ? 79 : 81, health: h.allLive()) }
        XCTAssertTrue(h.all.isEmpty)
        // Once raised, 79/81 never clears it (79 is above 75).
        h.run(11, occ(82))
        h.run(300) { h in AlertInput(occupancy: (h.now / 1000) % 2 == 0 ? 79 : 81, health: h.allLive()) }
        XCTAssertEqual(h.all.map(\.change), [.raise])
    }

    func testEscalatesAndDeescalatesWithHysteresis() {
        let h = AlertHarness()
        h.run(11, occ(85))
        var t = h.run(11, occ(100))
        XCTAssertEqual(t.map(\.change), [.update])
        XCTAssertEqual(t.last?.severity, .critical)
        XCTAssertTrue(t.last!.messageEn.contains("critical level (100%)"), t.last!.messageEn)
        XCTAssertTrue(h.run(60, occ(96)).isEmpty, "96% stays critical (margin 5%)")
        t = h.run(11, occ(90))
        XCTAssertEqual(t.map(\.change), [.update])
        XCTAssertEqual(t.last?.severity, .warning)
        XCTAssertEqual(h.engine.openAlerts.count, 1)
        XCTAssertEqual(kinds(h.all, .raise).count, 1)
    }

    func testRaisesCriticalDirectly() {
        let h = AlertHarness()
        let t = h.run(11, occ(120))
        XCTAssertEqual(t.map(\.change), [.raise])
        XCTAssertEqual(t[0].severity, .critical)
    }

    func testValueUpdatesAreRateLimitedAndStepped() {
        let h = AlertHarness()
        h.run(11, occ(85))
        XCTAssertTrue(h.run(60, occ(86)).isEmpty, "one person more is below the 5-person step")
        let t = h.run(31, occ(92))
        XCTAssertEqual(t.map(\.change), [.update])
        XCTAssertEqual(t[0].value, 92)
        XCTAssertEqual(t[0].severity, .warning)
    }

    func testZeroCapacityIsIgnored() {
        let h = AlertHarness(config: AlertHarness.site(capacity: 0))
        h.run(60) { h in AlertInput(occupancy: 50, health: h.allLive()) }
        XCTAssertTrue(h.all.isEmpty)
    }

    func testCapacityFromInputOverridesConfig() {
        let h = AlertHarness()
        let t = h.run(11) { h in AlertInput(occupancy: 45, capacity: 50, health: h.allLive()) }
        XCTAssertEqual(t.first?.messageEn, "Occupancy 45/50 (90%) at or above the warning level (80%)")
    }
}

final class FeedAlertTests: XCTestCase {
    // MARK: offline

    func testOfflineFiresAtOfflineSecondsAndResolvesAfterReconnect() {
        let h = AlertHarness()
        let lastFrame = h.now
        let down: (AlertHarness) -> AlertInput = { h in
            var health = h.allLive()
            let age = Double(h.now - lastFrame) / 1000
            health["cam2"] = FeedHealthSnapshot(feedId: "cam2", atMs: h.now, state: age >= 20 ? .offline : .reconnecting,
                                                lastFrameMs: lastFrame)
            return AlertInput(occupancy: 0, health: health)
        }
        XCTAssertTrue(h.run(20, down).isEmpty, "19 s without a frame")
        let t = h.run(1, down)
        XCTAssertEqual(t.map(\.change), [.raise])
        XCTAssertEqual(t[0].kind, .offline)
        XCTAssertEqual(t[0].subject, .feed("cam2"))
        XCTAssertEqual(t[0].severity, .critical)
        XCTAssertEqual(t[0].messageEn, "Feed CAM2 (cam2): no frame for 20 s")
        XCTAssertTrue(t[0].messageVi.contains("không nhận được hình"))
        XCTAssertTrue(h.run(120, down).isEmpty, "one open alert while the outage lasts")
        // Frames back for 3 s, then gone again: no resolve.
        h.run(3) { h in AlertInput(occupancy: 0, health: h.allLive()) }
        let again = h.now - 3000
        h.run(5) { h in
            var health = h.allLive()
            health["cam2"] = FeedHealthSnapshot(feedId: "cam2", atMs: h.now, state: .stale, lastFrameMs: again)
            return AlertInput(occupancy: 0, health: health)
        }
        XCTAssertEqual(h.all.map(\.change), [.raise])
        XCTAssertTrue(h.run(10) { h in AlertInput(occupancy: 0, health: h.allLive()) }.isEmpty)
        let r = h.run(1) { h in AlertInput(occupancy: 0, health: h.allLive()) }
        XCTAssertEqual(r.map(\.change), [.resolve])
        XCTAssertEqual(r[0].raisedMs, t[0].atMs)
    }

    func testShortOutageDoesNotFire() {
        let h = AlertHarness()
        let lastFrame = h.now
        h.run(15) { h in
            var health = h.allLive()
            health["cam1"] = FeedHealthSnapshot(feedId: "cam1", atMs: h.now, state: .reconnecting, lastFrameMs: lastFrame)
            return AlertInput(occupancy: 0, health: health)
        }
        h.run(60) { h in AlertInput(occupancy: 0, health: h.allLive()) }
        XCTAssertTrue(h.all.isEmpty)
    }

    func testFeedThatNeverStartedIsOffline() {
        let h = AlertHarness()
        let t = h.run(1) { h in
            var health = h.allLive()
            health["cam3"] = FeedHealthSnapshot(feedId: "cam3", atMs: h.now, state: .offline)
            return AlertInput(occupancy: 0, health: health)
        }
        XCTAssertEqual(t.map(\.kind), [.offline])
        XCTAssertTrue(t[0].messageEn.contains("no frame since it started"), t[0].messageEn)
    }

    func testEndedFileIsNotOffline() {
        let h = AlertHarness()
        let lastFrame = h.now
        h.run(120) { h in
            var health = h.allLive()
            health["cam1"] = FeedHealthSnapshot(feedId: "cam1", atMs: h.now, state: .ended, lastFrameMs: lastFrame)
            return AlertInput(occupancy: 0, health: health)
        }
        XCTAssertTrue(h.all.isEmpty)
    }

    // MARK: frozen

    func stats(_ change: Double, b: Double = 120, c: Double = 50, sim: Double? = 0.9) -> FrameStats {
        FrameStats(brightness: b, contrast: c, sharpness: 100, change: change, referenceSimilarity: sim)
    }
    func withStats(_ s: FrameStats, feed: String = "cam1") -> (AlertHarness) -> AlertInput {
        { h in AlertInput(occupancy: 0, health: h.allLive(), frameStats: [feed: s]) }
    }

    func testFrozenPicture() {
        let h = AlertHarness()
        XCTAssertTrue(h.run(10, withStats(stats(0))).isEmpty)
        let t = h.run(1, withStats(stats(0)))
        XCTAssertEqual(t.map(\.kind), [.frozen])
        XCTAssertEqual(t[0].subject, .feed("cam1"))
        XCTAssertTrue(h.run(60, withStats(stats(0.3))).isEmpty, "0.3 is inside the dead band: stays frozen")
        XCTAssertTrue(h.run(10, withStats(stats(3))).isEmpty)
        XCTAssertEqual(h.run(1, withStats(stats(3))).map(\.change), [.resolve])
    }

    func testFrozenBlipAndOscillationDoNotFire() {
        let h = AlertHarness()
        h.run(6, withStats(stats(0)))
        h.run(30, withStats(stats(4)))
        // Identical frames for 5 s out of every 6: never 10 s in a row.
        h.run(300) { h in
            let s = (h.now / 1000) % 6 == 0 ? self.stats(2) : self.stats(0)
            return AlertInput(occupancy: 0, health: h.allLive(), frameStats: ["cam1": s])
        }
        XCTAssertTrue(h.all.isEmpty)
    }

    func testStatsOfAFeedWithoutFramesAreNotEvidence() {
        let h = AlertHarness()
        h.run(60) { h in
            var health = h.allLive()
            health["cam1"] = FeedHealthSnapshot(feedId: "cam1", atMs: h.now, state: .stale, lastFrameMs: h.now - 4000)
            return AlertInput(occupancy: 0, health: health, frameStats: ["cam1": self.stats(0)])
        }
        XCTAssertTrue(h.all.isEmpty)
    }

    // MARK: low frame rate

    func fps(_ f: Double) -> (AlertHarness) -> AlertInput {
        { h in
            var health = h.allLive()
            health["cam3"] = h.live("cam3", fps: f)
            return AlertInput(occupancy: 0, health: health)
        }
    }

    func testLowFrameRate() {
        let h = AlertHarness()
        XCTAssertTrue(h.run(30, fps(4)).isEmpty, "29 s below half the expected rate")
        let t = h.run(1, fps(4))
        XCTAssertEqual(t.map(\.kind), [.lowFps])
        XCTAssertEqual(t[0].messageEn, "Feed CAM3 (cam3): processing 4.0 fps, expected 10.0")
        XCTAssertEqual(t[0].messageVi, "Camera CAM3 (cam3): chỉ xử lý 4,0 khung hình/giây, cần 10,0")
        XCTAssertTrue(h.run(60, fps(5.5)).isEmpty, "5.5 fps is inside the dead band (5…6)")
        XCTAssertTrue(h.run(10, fps(9)).isEmpty)
        XCTAssertEqual(h.run(1, fps(9)).map(\.change), [.resolve])
    }

    func testLowFrameRateDoesNotFlap() {
        let h = AlertHarness()
        h.run(300) { h in self.fps((h.now / 1000) % 10 == 0 ? 6 : 4.5)(h) }
        XCTAssertTrue(h.all.isEmpty, "a good second every 10 s restarts the hold")
        h.run(31, fps(4))
        h.run(300) { h in self.fps((h.now / 1000) % 2 == 0 ? 4.8 : 5.4)(h) }
        XCTAssertEqual(h.all.map(\.change), [.raise])
    }

    func testOfflineFeedIsNotAlsoLowFps() {
        let h = AlertHarness()
        h.run(60) { h in
            var health = h.allLive()
            health["cam3"] = FeedHealthSnapshot(feedId: "cam3", atMs: h.now, state: .offline, processFps: 0,
                                                lastFrameMs: h.now - 25_000)
            return AlertInput(occupancy: 0, health: health)
        }
        XCTAssertEqual(kinds(h.all, .raise), [.offline])
    }

    // MARK: covered / blinded

    func testCoveredLens() {
        let h = AlertHarness()
        let dark = stats(0.5, b: 6, c: 2, sim: 0.1)
        XCTAssertTrue(h.run(5, withStats(dark, feed: "cam2")).isEmpty)
        let t = h.run(1, withStats(dark, feed: "cam2"))
        XCTAssertEqual(t.map(\.kind), [.covered], "no moved alert for a covered lens")
        XCTAssertEqual(t[0].severity, .critical)
        XCTAssertEqual(t[0].messageEn, "Feed CAM2 (cam2): lens covered or too dark (brightness 6, contrast 2)")
        XCTAssertTrue(t[0].messageVi.contains("ống kính bị che"))
        XCTAssertTrue(h.run(60, withStats(stats(1, b: 35, c: 12), feed: "cam2")).isEmpty, "dim: dead band")
        XCTAssertTrue(h.run(10, withStats(stats(2), feed: "cam2")).isEmpty)
        XCTAssertEqual(h.run(1, withStats(stats(2), feed: "cam2")).map(\.change), [.resolve])
        XCTAssertEqual(h.all.filter { $0.kind == .moved }.count, 0)
    }

    func testBlindedCamera() {
        let h = AlertHarness()
        let t = h.run(6, withStats(stats(1, b: 250, c: 3)))
        XCTAssertEqual(t.map(\.kind), [.covered])
        XCTAssertTrue(t[0].messageEn.contains("blinded"), t[0].messageEn)
        XCTAssertTrue(t[0].messageVi.contains("chói"), t[0].messageVi)
    }

    func testCoveredBlipDoesNotFire() {
        let h = AlertHarness()
        for _ in 0..<20 {   // someone walks past the lens: 3 s dark, 3 s normal
            h.run(3, withStats(stats(5, b: 8, c: 3, sim: 0.2)))
            h.run(3, withStats(stats(3)))
        }
        XCTAssertTrue(h.all.isEmpty)
    }

    // MARK: moved

    func testCameraMoved() {
        let h = AlertHarness()
        XCTAssertTrue(h.run(5, withStats(stats(2, sim: 0.3))).isEmpty)
        let t = h.run(1, withStats(stats(2, sim: 0.3)))
        XCTAssertEqual(t.map(\.kind), [.moved])
        XCTAssertEqual(t[0].value, 0.3)
        XCTAssertEqual(t[0].messageEn, "Feed CAM1 (cam1): camera moved or view changed (similarity 0.30 to the reference view)")
        XCTAssertTrue(h.run(60, withStats(stats(2, sim: 0.6))).isEmpty, "0.6 is inside the dead band")
        XCTAssertTrue(h.run(60, withStats(stats(2, sim: nil))).isEmpty, "no reference: no evidence either way")
        XCTAssertTrue(h.run(10, withStats(stats(2, sim: 0.9))).isEmpty)
        XCTAssertEqual(h.run(1, withStats(stats(2, sim: 0.9))).map(\.change), [.resolve])
    }

    func testMovedDoesNotFlap() {
        let h = AlertHarness()
        h.run(300) { h in self.withStats(self.stats(2, sim: (h.now / 1000) % 4 == 0 ? 0.55 : 0.45))(h) }
        XCTAssertTrue(h.all.isEmpty)
    }

    func testAdoptedAlertResolvesWithoutNewRaise() {
        let h = AlertHarness()
        h.engine.adopt([OpenAlert(kind: .offline, subject: .feed("cam1"), severity: .critical, value: 30,
                                  messageEn: "x", messageVi: "x", raisedMs: h.now - 60_000, updatedMs: h.now - 60_000)])
        XCTAssertEqual(h.engine.openAlerts.count, 1)
        h.run(12) { h in AlertInput(occupancy: 0, health: h.allLive()) }
        XCTAssertEqual(h.all.map(\.change), [.resolve])
        XCTAssertEqual(h.all[0].raisedMs, h.now - 60_000 - 11_000)
    }
}

final class CrossingAlertTests: XCTestCase {
    // MARK: surge

    func testSurgeCountsGateOnceAndClearsAfterTheMinute() {
        let h = AlertHarness(config: AlertHarness.site { $0.surgePerMinute = 10 })
        // Both cameras of gate g1 see the same 8 people: 8 entries, not 16.
        h.run(1) { h in AlertInput(occupancy: 8, health: h.allLive(),
                                   crossings: (0..<8).flatMap { _ in [h.entry("cam1", "g1"), h.entry("cam2", "g1")] }) }
        h.run(30) { h in AlertInput(occupancy: 8, health: h.allLive()) }
        XCTAssertTrue(h.all.isEmpty)
        // Three more at gate g2 make 11 in the minute; exits do not count.
        h.run(1) { h in AlertInput(occupancy: 11, health: h.allLive(),
                                   crossings: (0..<3).map { _ in h.entry("cam3", "g2") } + [h.entry("cam3", "g2", .out)]) }
        XCTAssertTrue(h.run(9) { h in AlertInput(occupancy: 11, health: h.allLive()) }.isEmpty, "hold 10 s")
        let t = h.run(1) { h in AlertInput(occupancy: 11, health: h.allLive()) }
        XCTAssertEqual(t.map(\.kind), [.surge])
        XCTAssertEqual(t[0].value, 11)
        XCTAssertEqual(t[0].messageEn, "Surge: 11 entries in the last minute (limit 10)")
        // The first 8 leave the window at 60 s; clear holds 10 s after that.
        let rest = h.run(60) { h in AlertInput(occupancy: 11, health: h.allLive()) }
        XCTAssertEqual(rest.map(\.change), [.resolve])
        XCTAssertEqual(kinds(h.all, .raise), [.surge])
    }

    func testSurgeHoldsAtRateJustBelowLimit() {
        let h = AlertHarness(config: AlertHarness.site { $0.surgePerMinute = 10 })
        h.run(1) { h in AlertInput(occupancy: 0, crossings: (0..<12).map { _ in h.entry("cam3", "g2") }) }
        h.run(10) { _ in AlertInput(occupancy: 0) }
        XCTAssertEqual(h.all.map(\.change), [.raise])
        // Then 10 a minute: at the limit, not above it, but above 80% of it, so it stays open.
        var k = 0
        h.run(600) { h in
            k += 1
            return AlertInput(occupancy: 0, crossings: k % 6 == 0 ? [h.entry("cam3", "g2")] : [])
        }
        XCTAssertEqual(kinds(h.all, .raise).count, 1)
        XCTAssertTrue(kinds(h.all, .resolve).isEmpty)
    }

    // MARK: after hours

    /// 2026-11-29 20:00 in Asia/Ho_Chi_Minh (UTC+7) = 13:00 UTC.
    static let evening: Int64 = 1_795_957_200_000
    let hours = OpeningHours(openMinute: 7 * 60, closeMinute: 18 * 60)

    func testEntryAfterHoursRaisesAtOnceAndClearsWhenQuiet() {
        let h = AlertHarness(config: AlertHarness.site(hours: hours), startMs: Self.evening)
        XCTAssertEqual(h.engine.localMinuteOfDay(Self.evening), 20 * 60)
        let t = h.run(1) { h in AlertInput(occupancy: 1, crossings: [h.entry("cam3", "g2")]) }
        XCTAssertEqual(t.map(\.kind), [.afterHours])
        XCTAssertEqual(t[0].subject, .gate("g2"))
        XCTAssertEqual(t[0].messageEn, "Gate South (g2): 1 entry outside opening hours (07:00–18:00)")
        XCTAssertEqual(t[0].messageVi, "Cổng South (g2): 1 lượt vào ngoài giờ mở cửa (07:00–18:00)")
        // A second person 40 s later updates the same alert.
        h.run(40) { _ in AlertInput(occupancy: 1) }
        let u = h.run(1) { h in AlertInput(occupancy: 2, crossings: [h.entry("cam3", "g2")]) }
        XCTAssertEqual(u.map(\.change), [.update])
        XCTAssertEqual(u[0].value, 2)
        // Quiet for the 10-minute window plus the clear hold.
        let rest = h.run(700) { _ in AlertInput(occupancy: 2) }
        XCTAssertEqual(rest.map(\.change), [.resolve])
        XCTAssertEqual(kinds(h.all, .raise), [.afterHours])
    }

    func testEntriesInsideHoursAndExitsDoNotFire() {
        let morning = Self.evening - 10 * 3_600_000   // 10:00 local
        let h = AlertHarness(config: AlertHarness.site(hours: hours), startMs: morning)
        h.run(5) { h in AlertInput(occupancy: 3, crossings: [h.entry("cam3", "g2")]) }
        h.clock.set(ms: Self.evening)
        h.run(5) { h in AlertInput(occupancy: 0, crossings: [h.entry("cam3", "g2", .out)]) }
        XCTAssertTrue(h.all.isEmpty)
    }

    func testSiteTimeZoneDecidesOpeningHours() {
        let h = AlertHarness(config: AlertHarness.site(hours: hours))
        let midnightUTC: Int64 = 1_795_910_400_000   // 2026-11-29 00:00 UTC = 07:00 local
        XCTAssertEqual(h.engine.localMinuteOfDay(midnightUTC - 30 * 60_000), 6 * 60 + 30)
        XCTAssertEqual(h.engine.localMinuteOfDay(midnightUTC + 30 * 60_000), 7 * 60 + 30)
    }

    func testAfterHoursDisabled() {
        let h = AlertHarness(config: AlertHarness.site(configure: { $0.afterHoursEntries = false }, hours: hours),
                             startMs: Self.evening)
        h.run(5) { h in AlertInput(occupancy: 1, crossings: [h.entry("cam3", "g2")]) }
        XCTAssertTrue(h.all.isEmpty)
    }

    // MARK: disagreement

    func crossings(_ h: AlertHarness, cam1: Int, cam2: Int) -> [CrossingEvent] {
        (0..<cam1).map { _ in h.entry("cam1", "g1") } + (0..<cam2).map { _ in h.entry("cam2", "g1", .out) }
    }

    func testFeedsOfOneGateDisagree() {
        let h = AlertHarness()
        h.run(1) { h in AlertInput(occupancy: 0, health: h.allLive(), crossings: self.crossings(h, cam1: 30, cam2: 20)) }
        XCTAssertTrue(h.run(59) { h in AlertInput(occupancy: 0, health: h.allLive()) }.isEmpty, "hold 60 s")
        let t = h.run(1) { h in AlertInput(occupancy: 0, health: h.allLive()) }
        XCTAssertEqual(t.map(\.kind), [.disagreement])
        XCTAssertEqual(t[0].subject, .gate("g1"))
        XCTAssertEqual(t[0].value ?? 0, 1.0 / 3, accuracy: 1e-9)
        XCTAssertEqual(t[0].messageEn, "Gate North (g1): feeds cam1 and cam2 disagree: 30 vs 20 crossings in 10 min (33% apart)")
        // 30 vs 23 (23% apart): inside the dead band, stays open.
        h.run(1) { h in AlertInput(occupancy: 0, health: h.allLive(), crossings: self.crossings(h, cam1: 0, cam2: 3)) }
        XCTAssertTrue(h.run(60) { h in AlertInput(occupancy: 0, health: h.allLive()) }.filter { $0.change == .resolve }.isEmpty)
        // 30 vs 28: agree again.
        h.run(1) { h in AlertInput(occupancy: 0, health: h.allLive(), crossings: self.crossings(h, cam1: 0, cam2: 5)) }
        let r = h.run(11) { h in AlertInput(occupancy: 0, health: h.allLive()) }
        XCTAssertEqual(r.map(\.change), [.resolve])
        XCTAssertEqual(kinds(h.all, .raise), [.disagreement])
    }

    func testFewCrossingsOrADownFeedDoNotCountAsDisagreement() {
        let h = AlertHarness()
        h.run(1) { h in AlertInput(occupancy: 0, health: h.allLive(), crossings: self.crossings(h, cam1: 15, cam2: 2)) }
        h.run(120) { h in AlertInput(occupancy: 0, health: h.allLive()) }
        XCTAssertTrue(h.all.isEmpty, "below the minimum count")
        let h2 = AlertHarness()
        let lastFrame = h2.now
        let cam2Down: (AlertHarness) -> [String: FeedHealthSnapshot] = { h in
            var health = h.allLive()
            health["cam2"] = FeedHealthSnapshot(feedId: "cam2", atMs: h.now, state: .reconnecting, lastFrameMs: lastFrame)
            return health
        }
        h2.run(1) { h in AlertInput(occupancy: 0, health: cam2Down(h), crossings: self.crossings(h, cam1: 40, cam2: 0)) }
        h2.run(15) { h in AlertInput(occupancy: 0, health: cam2Down(h)) }
        XCTAssertTrue(h2.all.isEmpty)
    }

    func testTransitionsAreOnePerCauseAcrossRules() {
        // Everything at once: each cause opens exactly one alert (a covered lens is not also "frozen").
        let h = AlertHarness(config: AlertHarness.site(configure: { $0.surgePerMinute = 5 }))
        h.run(1) { h in AlertInput(occupancy: 150, health: h.allLive(), crossings: self.crossings(h, cam1: 40, cam2: 10)) }
        h.run(120) { h in
            AlertInput(occupancy: 150, health: h.allLive(),
                       frameStats: ["cam1": FrameStats(brightness: 5, contrast: 1, sharpness: 0, change: 0),
                                    "cam3": FrameStats(brightness: 120, contrast: 40, sharpness: 9, change: 3, referenceSimilarity: 0.2)])
        }
        let raised = h.all.filter { $0.change == .raise }.map { "\($0.kind.rawValue)/\($0.subject.id)" }
        XCTAssertEqual(Set(raised).count, raised.count)
        XCTAssertEqual(Set(raised), ["capacity/site", "surge/site", "disagreement/g1", "covered/cam1", "moved/cam3"])
        XCTAssertEqual(h.engine.openAlerts.first?.severity, .critical)
    }
}

final class AlertEngineSpeedTests: XCTestCase {
    /// Prints the cost of a tick on a big site; no timed assertion.
    func testTickCostOnABusySite() {
        let feeds = (0..<16).map { FeedConfig(id: "cam\($0)", name: "Cam \($0)", source: "synthetic:walk", fps: 10, lines: []) }
        let gates = stride(from: 0, to: 16, by: 2).map { GateConfig(id: "g\($0)", name: "Gate \($0)", feeds: [feeds[$0], feeds[$0 + 1]]) }
        var settings = AlertSettings(); settings.surgePerMinute = 100_000
        let h = AlertHarness(config: SiteConfig(site: SiteInfo(name: "big", capacity: 10_000,
                                                               openingHours: OpeningHours(openMinute: 0, closeMinute: 1439)),
                                                gates: gates, alerts: settings))
        var health: [String: FeedHealthSnapshot] = [:]
        var stats: [String: FrameStats] = [:]
        var ticks = 0
        let started = Date()
        h.run(600) { h in
            for f in feeds {
                health[f.id] = h.live(f.id)
                stats[f.id] = FrameStats(brightness: 120, contrast: 40, sharpness: 50, change: 3, referenceSimilarity: 0.9)
            }
            ticks += 1
            // 40 crossings a second across the site: 24,000 in the 10-minute window.
            let crossings = (0..<40).map { i in h.entry("cam\(i % 16)", "g\((i % 16) / 2 * 2)") }
            return AlertInput(occupancy: 500, health: health, frameStats: stats, crossings: crossings)
        }
        let ms = Date().timeIntervalSince(started) * 1000 / Double(ticks)
        print("AlertEngine: \(String(format: "%.2f", ms)) ms per tick (16 feeds, 8 gates, 24,000 crossings in window, debug build)")
        XCTAssertEqual(ticks, 600)
    }
}

final class CrossingWindowTests: XCTestCase {
    func testLateCrossingsOutsideTheWindowAreNotCounted() {
        let h = AlertHarness(config: AlertHarness.site { $0.surgePerMinute = 5 })
        // Ten entries stamped 2 minutes ago arrive now (a lagging feed): not a surge.
        h.run(30) { h in AlertInput(occupancy: 0, crossings: h.all.isEmpty && h.now == 1_700_000_000_000
                                    ? (0..<10).map { _ in h.entry("cam3", "g2", at: h.now - 120_000) } : []) }
        XCTAssertTrue(h.all.isEmpty)
        // Six fresh ones are.
        h.run(1) { h in AlertInput(occupancy: 0, crossings: (0..<6).map { _ in h.entry("cam3", "g2") }) }
        h.run(10) { _ in AlertInput(occupancy: 0) }
        XCTAssertEqual(h.all.map(\.kind), [.surge])
        XCTAssertEqual(h.all.first?.value, 6)
    }
}

final class AlertWordingTests: XCTestCase {
    func testVietnameseNamesAreNotPrefixedTwice() {
        XCTAssertEqual(AlertEngine.named("Cổng", "Cổng phụ"), "Cổng phụ")
        XCTAssertEqual(AlertEngine.named("Cổng", "South"), "Cổng South")
        XCTAssertEqual(AlertEngine.named("Camera", "camera cổng chính"), "camera cổng chính")
        XCTAssertEqual(AlertEngine.named("Camera", "CAM3"), "Camera CAM3")
    }
}
