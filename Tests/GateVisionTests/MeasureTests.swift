import Foundation
import GateCore
import GateVision
import XCTest

final class BackoffTests: XCTestCase {
    func testLongPhaseDoublesUpToThirty() {
        var b = Backoff(quickSeconds: 0, random: { 0.5 }) // 0.5 = no jitter; no quick phase
        XCTAssertEqual((0..<6).map { _ in b.next() }, [4, 8, 16, 30, 30, 30])
        XCTAssertEqual(b.attempt, 6)
        b.reset()
        XCTAssertEqual(b.next(), 4)
    }

    /// A camera that was live a moment ago is probed every 1-2 s for the first minutes
    /// (a stream back after a 40 s outage is found within ~2 s, not 16-30 s)...
    func testQuickPhaseForARecentOutage() {
        var b = Backoff(random: { 0.5 })
        let first = (0..<5).map { _ in b.next() }
        XCTAssertEqual(first, [1, 2, 2, 2, 2])
        // A 40 s outage: every delay stays at 2 s or less.
        var elapsed = first.reduce(0, +)
        while elapsed < 40 { let d = b.next(); XCTAssertLessThanOrEqual(d, 2); elapsed += d }
        // ...and only a camera gone for longer than the quick phase backs off to 30 s.
        while b.isQuick { XCTAssertLessThanOrEqual(b.next(), 2) }
        XCTAssertEqual((0..<5).map { _ in b.next() }, [4, 8, 16, 30, 30])
        b.reset()
        XCTAssertTrue(b.isQuick)
        XCTAssertEqual(b.next(), 1, "a success starts the quick phase again")
    }

    func testJitterStaysWithinBounds() {
        var low = Backoff(jitter: 0.2, random: { 0 })
        XCTAssertEqual((0..<4).map { _ in low.next() }, [1, 1.6, 1.6, 1.6], "clamped at 1 s, then -20%")
        var high = Backoff(jitter: 0.2, random: { 0.999999 })
        XCTAssertEqual(high.next(), 1.2, accuracy: 1e-4)
        XCTAssertEqual(high.next(), 2, "never above the quick cap")
        var longHigh = Backoff(jitter: 0.2, quickSeconds: 0, random: { 0.999999 })
        XCTAssertEqual((0..<7).map { _ in longHigh.next() }[6], 30, "never above the cap")
        var real = Backoff()
        for _ in 0..<200 { let d = real.next(); XCTAssertTrue(d >= 1 && d <= 30) }
        XCTAssertFalse(real.isQuick)
    }
}

final class MotionGateTests: XCTestCase {
    func testStaticPairHasNoMotionMovingPairHas() throws {
        let gate = MotionGate()
        let a = Frame.blank(width: 320, height: 240)
        a.fill(x: 0, y: 0, width: 320, height: 240, blue: 100, green: 110, red: 120)
        a.fill(x: 50, y: 60, width: 30, height: 60, blue: 240, green: 240, red: 240)
        XCTAssertEqual(gate.measure(a), 1, "the first frame is all new")
        XCTAssertEqual(gate.measure(a.clone()), 0, accuracy: 1e-9)
        XCTAssertFalse(gate.hasMotion(a.clone()))
        let b = a.clone()
        b.fill(x: 50, y: 60, width: 30, height: 60, blue: 100, green: 110, red: 120)
        b.fill(x: 90, y: 60, width: 30, height: 60, blue: 240, green: 240, red: 240)
        let share = gate.measure(b)
        XCTAssertGreaterThan(share, 0.03)
        XCTAssertLessThan(share, 0.2)
        gate.reset()
        XCTAssertEqual(gate.measure(b), 1)
    }

    func testRealFootage() throws {
        try requireFile(vtestPath, "vtest.avi")
        let gate = MotionGate()
        let f0 = try frame(of: vtestPath, at: 50)
        let f1 = try frame(of: vtestPath, at: 51)
        _ = gate.measure(f0)
        XCTAssertEqual(gate.measure(f0.clone()), 0, accuracy: 1e-9)
        XCTAssertGreaterThan(gate.measure(f1), gate.threshold, "people walk on vtest")
    }
}

final class FrameStatsTests: XCTestCase {
    func testBlackFrameVersusRealFrame() throws {
        try requireFile(vtestPath, "vtest.avi")
        let meter = FrameStatsMeter()
        let black = meter.measure(Frame.blank(width: 768, height: 576))
        XCTAssertEqual(black.brightness, 0)
        XCTAssertEqual(black.contrast, 0)
        XCTAssertEqual(black.sharpness, 0)
        XCTAssertEqual(black.change, 0)
        XCTAssertNil(black.referenceSimilarity)
        let real = try frame(of: vtestPath, at: 100)
        let s = meter.measure(real)
        print("vtest frame 100 stats: \(s)")
        XCTAssertGreaterThan(s.brightness, 60)
        XCTAssertGreaterThan(s.contrast, 20)
        XCTAssertGreaterThan(s.sharpness, 50)
        XCTAssertGreaterThan(s.change, 30, "black -> picture is a big change")
        XCTAssertEqual(meter.measure(real).change, 0, accuracy: 1e-9)
    }

    func testReferenceSimilarityDropsWhenTheViewChanges() throws {
        try requireFile(vtestPath, "vtest.avi")
        try requireFile(treePath, "tree.avi")
        let meter = FrameStatsMeter()
        let ref = try frame(of: vtestPath, at: 10)
        meter.setReference(ref)
        let same = meter.measure(try frame(of: vtestPath, at: 300)).referenceSimilarity ?? 0
        let other = meter.measure(try frame(of: treePath, at: 10).resized(width: 768, height: 576)).referenceSimilarity ?? 1
        let covered = meter.measure(Frame.blank(width: 768, height: 576)).referenceSimilarity ?? 1
        // A moved camera: the same scene shifted by a sixth of the frame.
        let moved = meter.measure(ref.translated(dx: 128, dy: 60)).referenceSimilarity ?? 1
        print("reference similarity: same view later \(same), camera moved \(moved), other scene \(other), covered \(covered)")
        XCTAssertGreaterThan(same, 0.7)
        XCTAssertLessThan(other, 0.5)
        XCTAssertEqual(covered, 0)
        XCTAssertLessThan(moved, 0.6)
        meter.clearReference()
        XCTAssertNil(meter.measure(ref).referenceSimilarity)
    }
}
