import XCTest
@testable import GateCore

/// Tracker and line counter together on noisy simulated detections with known crossings.
final class SceneTests: XCTestCase {
    struct Scene { var people: [Person]; var ins: Int; var outs: Int; var frames: Int }

    /// A seeded mix: crossers both ways (some in side-by-side pairs), people who stop on the
    /// line then go on, people who turn back, people who walk along the line, people who pass
    /// beside the segment's end.
    static func makeScene(seed: UInt64, crossers: Int, timeScale: Double = 1) -> Scene {
        func k(_ n: Int) -> Int { Int((Double(n) * timeScale).rounded()) }
        var rng = SeededRandom(seed: seed)
        var people: [Person] = []
        var ins = 0, outs = 0
        var start = 0
        for _ in 0..<crossers {
            let down = rng.uniform() < 0.5
            let x = rng.uniform(0.25, 0.75)
            let h = rng.uniform(0.12, 0.2), w = h * rng.uniform(0.3, 0.4)
            let legs = k(Int(rng.uniform(18, 35)))
            let a = Point(x, down ? 0.25 : 0.92), b = Point(x + rng.uniform(-0.1, 0.1), down ? 0.92 : 0.25)
            people.append(.walk(from: a, to: b, frames: start...(start + legs), width: w, height: h))
            if down { ins += 1 } else { outs += 1 }
            if rng.uniform() < 0.3 {   // a companion shoulder to shoulder
                let dx = w * 1.05
                people.append(.walk(from: Point(a.x + dx, a.y), to: Point(b.x + dx, b.y), frames: start...(start + legs), width: w, height: h))
                if down { ins += 1 } else { outs += 1 }
            }
            start += k(Int(rng.uniform(3, 12)))
        }
        // Stops on the line for 3 s, then goes on (counts once).
        people.append(.path([Point(0.4, 0.25), Point(0.4, 0.505), Point(0.4, 0.505), Point(0.4, 0.85)], framesPerLeg: [k(12), k(30), k(15)], start: k(5)))
        ins += 1
        // Turns back in the band (counts zero), pausing a moment as people do when they turn.
        people.append(.path([Point(0.6, 0.85), Point(0.6, 0.495), Point(0.6, 0.495), Point(0.6, 0.85)], framesPerLeg: [k(15), k(4), k(15)], start: k(20)))
        // Walks along the line.
        people.append(.walk(from: Point(0.12, 0.5), to: Point(0.88, 0.505), frames: k(40)...k(80)))
        // Passes beside the right end of the segment.
        people.append(.walk(from: Point(0.95, 0.25), to: Point(0.95, 0.9), frames: k(30)...k(55)))
        return Scene(people: people, ins: ins, outs: outs, frames: start + k(60))
    }

    static let line = hLine(y: 0.5, x0: 0.1, x1: 0.9)
    var line: LineConfig { Self.line }

    func testCleanScenesCountExactly() {
        for seed in 1...4 as ClosedRange<UInt64> {
            let s = Self.makeScene(seed: seed, crossers: 8)
            let r = runScene(s.people, frames: s.frames, lines: [line])
            XCTAssertEqual(r.ins, s.ins, "seed \(seed) ins"); XCTAssertEqual(r.outs, s.outs, "seed \(seed) outs")
        }
    }

    func testNoisyScenesCountExactly() {
        for seed in 1...8 as ClosedRange<UInt64> {
            let s = Self.makeScene(seed: seed, crossers: 10)
            let noise = SceneNoise(jitter: 0.004, missRate: 0.1, falsePositivesPerFrame: 0.1, seed: seed * 7)
            let r = runScene(s.people, frames: s.frames, lines: [line], noise: noise)
            XCTAssertEqual(r.ins, s.ins, "seed \(seed) ins"); XCTAssertEqual(r.outs, s.outs, "seed \(seed) outs")
        }
    }

    func testDetectorEveryOtherFrameCountsExactly() {
        for seed in 11...14 as ClosedRange<UInt64> {
            let s = Self.makeScene(seed: seed, crossers: 10)
            let noise = SceneNoise(jitter: 0.003, missRate: 0.05, falsePositivesPerFrame: 0.05, seed: seed)
            let r = runScene(s.people, frames: s.frames, lines: [line], noise: noise, fps: 20, detectEvery: 2)
            XCTAssertEqual(r.ins, s.ins, "seed \(seed) ins"); XCTAssertEqual(r.outs, s.outs, "seed \(seed) outs")
        }
    }

    func testSparseDetectionAtHigherFrameRateCountsExactly() {
        // 25 fps, detector on every third frame; people walk at the same real speed.
        for seed in 21...24 as ClosedRange<UInt64> {
            let s = Self.makeScene(seed: seed, crossers: 10, timeScale: 2.5)
            let noise = SceneNoise(jitter: 0.004, missRate: 0.1, falsePositivesPerFrame: 0.1, seed: seed)
            let r = runScene(s.people, frames: s.frames, lines: [line], noise: noise, fps: 25, detectEvery: 3)
            XCTAssertEqual(r.ins, s.ins, "seed \(seed) ins"); XCTAssertEqual(r.outs, s.outs, "seed \(seed) outs")
        }
    }

    func testCrowdOfTwentyCountsExactly() {
        let s = Self.makeScene(seed: 99, crossers: 22)
        let noise = SceneNoise(jitter: 0.003, missRate: 0.05, falsePositivesPerFrame: 0.05, seed: 5)
        let r = runScene(s.people, frames: s.frames, lines: [line], noise: noise)
        XCTAssertGreaterThanOrEqual(s.ins + s.outs, 20)
        XCTAssertEqual(r.ins, s.ins); XCTAssertEqual(r.outs, s.outs)
    }

    func testExitThroughBottomEdgeJustAfterLineCounts() {
        // A line near the bottom: people leave the frame right after it, boxes clipped by the border.
        let l = hLine(y: 0.9, x0: 0.1, x1: 0.9)
        let people = (0..<5).map { i in
            Person.walk(from: Point(0.2 + 0.15 * Double(i), 0.5), to: Point(0.2 + 0.15 * Double(i), 1.2), frames: (i * 8)...(i * 8 + 25))
        }
        let r = runScene(people, frames: 80, lines: [l], noise: SceneNoise(jitter: 0.003, seed: 3))
        XCTAssertEqual(r.ins, 5); XCTAssertEqual(r.outs, 0)
    }

    func testNoPeopleNoCounts() {
        let r = runScene([], frames: 500, lines: [line], noise: SceneNoise(falsePositivesPerFrame: 0.3, seed: 8))
        XCTAssertEqual(r.events.count, 0)
    }
}

/// Prints the cost of tracking and counting (no timing assertions: the figure is for the report).
final class CoreSpeedTests: XCTestCase {
    func testPrintTrackAndCountSpeed() {
        let s = SceneTests.makeScene(seed: 7, crossers: 40)
        let noise = SceneNoise(jitter: 0.004, missRate: 0.1, falsePositivesPerFrame: 0.2, seed: 7)
        let start = Date()
        let r = runScene(s.people, frames: s.frames, lines: [SceneTests.line, hLine("b", y: 0.7)], noise: noise)
        let ms = Date().timeIntervalSince(start) * 1000
        let peak = r.tracksPerFrame.map(\.count).max() ?? 0
        print(String(format: "core speed: %d frames, peak %d tracks, %.3f ms/frame (tracker + counter + scene simulation)",
                     s.frames, peak, ms / Double(s.frames)))
        XCTAssertEqual(r.counter.totals["l"], LineTotals(ins: s.ins, outs: s.outs))
    }
}
