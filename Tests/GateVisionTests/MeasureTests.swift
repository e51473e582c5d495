import Foundation
import GateCore
import GateVision
import XCTest

final class BackoffTests: XCTestCase {
    func testDoublesFromOneSecondUpToThirty() {
        var b = Backoff(random: { 0.5 }) // 0.5 = no jitter
        XCTAssertEqual((0..<8).map { _ in b.next() }, [1, 2, 4, 8, 16, 30, 30, 30])
        XCTAssertEqual(b.attempt, 8)
        b.reset()
        XCTAssertEqual(b.next(), 1)
    }

    func testJitterStaysWithinBounds() {
        var low = Backoff(jitter: 0.2, random: { 0 })
        XCTAssertEqual((0..<4).map { _ in low.next() }, [1, 1.6, 3.2, 6.4].map { $0 }, "clamped at 1 s, then -20%")
        var high = Backoff(jitter: 0.2, random: { 0.999999 })
        let seq = (0..<7).map { _ in high.next() }
        XCTAssertEqual(seq[0], 1.2, accuracy: 1e-4)
        XCTAssertEqual(seq[6], 30, "never above the cap")
        var real = Backoff()
        for _ in 0..<50 { let d = real.next(); XCTAssertTrue(d >= 1 && d <= 30) }
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
