import XCTest
@testable import GateCore

/// The adaptive cadence: the rule on its own, then tracker and counter fed only on the
/// frames the rule picks, against the same scenes at a fixed cadence.
final class DetectionCadenceTests: XCTestCase {
    private let rule = DetectionCadence()
    private let line = LineGeometry(hLine(y: 0.5, x0: 0.1, x1: 0.9))

    private func track(at p: Point, height: Double = 0.15, velocity: Point = Point(0, 0)) -> Track {
        var t = Track(id: 1, box: Rect(x: p.x - 0.025, y: p.y - height, width: 0.05, height: height),
                      confirmed: true, misses: 0, score: 0.9)
        t.velocity = velocity
        return t
    }

    func testRateFollowsMotionAndDistanceToTheLines() {
        XCTAssertEqual(rule.rate(tracks: [], lines: [line], motion: false, motionNearLines: false, fps: 10), .idle, "nothing moves")
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.5, 0.45))], lines: [line], motion: false, motionNearLines: false, fps: 10), .idle,
                       "someone standing still by the line cannot cross without moving")
        XCTAssertEqual(rule.rate(tracks: [], lines: [line], motion: true, motionNearLines: false, fps: 10), .reduced,
                       "something moves far from the line, nobody tracked")
        XCTAssertEqual(rule.rate(tracks: [], lines: [line], motion: true, motionNearLines: true, fps: 10), .full,
                       "something moves near the line: maybe someone just come into view")
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.5, 0.1))], lines: [line], motion: true, motionNearLines: true, fps: 10), .full)
        XCTAssertEqual(rule.rate(tracks: [], lines: [], motion: true, motionNearLines: false, fps: 10), .full, "no lines: no band to rely on")
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.5, 0.45))], lines: [line], motion: true, motionNearLines: false, fps: 10), .full)
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.5, 0.1))], lines: [line], motion: true, motionNearLines: false, fps: 10), .reduced,
                       "0.4 away, standing: more than half a height from the line")
        // The same place, walking toward the line at 0.02 a frame (0.2/s at 10 fps): within 1.5 s of it? 0.3 < 0.4: no.
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.5, 0.1), velocity: Point(0, 0.02))], lines: [line], motion: true, motionNearLines: false, fps: 10), .reduced)
        // Twice as fast: 0.6 in 1.5 s reaches the line.
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.5, 0.1), velocity: Point(0, 0.04))], lines: [line], motion: true, motionNearLines: false, fps: 10), .full)
        // Beyond the end of the segment the distance is to its end.
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.96, 0.5))], lines: [line], motion: true, motionNearLines: false, fps: 10), .full, "0.06 from the end")
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(1.1, 0.5))], lines: [line], motion: true, motionNearLines: false, fps: 10), .reduced, "0.2 beyond the end")
        XCTAssertEqual(rule.rate(tracks: [track(at: Point(0.5, 0.1)), track(at: Point(0.3, 0.55))], lines: [line], motion: true, motionNearLines: false, fps: 10),
                       .full, "one person near a line is enough")
    }

    func testReducedRateStillRunsEveryHalfSecondAndOverdueAlwaysRuns() {
        XCTAssertTrue(rule.shouldRun(.reduced, msSinceLastRun: nil, overdue: false))
        XCTAssertFalse(rule.shouldRun(.reduced, msSinceLastRun: 400, overdue: false))
        XCTAssertTrue(rule.shouldRun(.reduced, msSinceLastRun: 500, overdue: false))
        XCTAssertFalse(rule.shouldRun(.idle, msSinceLastRun: 1900, overdue: false))
        XCTAssertTrue(rule.shouldRun(.idle, msSinceLastRun: 2000, overdue: true))
        XCTAssertTrue(rule.shouldRun(.full, msSinceLastRun: 0, overdue: false))
    }

    /// A busy engine spaces full-rate runs to one per 0.3 s (every 3rd frame at 10 fps), an
    /// overloaded one to one per 0.4 s; levels change one at a time, with hysteresis.
    func testUnderLoadTheFullRateIsSpacedOutAndLoadLevelsHaveHysteresis() {
        XCTAssertEqual(rule.scheduledEvery(detectEvery: 2, fps: 10, load: .normal), 2)
        XCTAssertEqual(rule.scheduledEvery(detectEvery: 2, fps: 10, load: .saturated), 3)
        XCTAssertEqual(rule.scheduledEvery(detectEvery: 2, fps: 10, load: .overloaded), 4)
        XCTAssertEqual(rule.scheduledEvery(detectEvery: 5, fps: 25, load: .saturated), 8)
        XCTAssertEqual(rule.scheduledEvery(detectEvery: 5, fps: 10, load: .overloaded), 5, "never more often than asked")
        XCTAssertEqual(rule.load(was: .normal, meanWaitMs: 20, meanRunMs: 50), .normal)
        XCTAssertEqual(rule.load(was: .normal, meanWaitMs: 30, meanRunMs: 50), .saturated)
        XCTAssertEqual(rule.load(was: .normal, meanWaitMs: 200, meanRunMs: 50), .saturated, "one level at a time")
        XCTAssertEqual(rule.load(was: .saturated, meanWaitMs: 80, meanRunMs: 50), .overloaded)
        XCTAssertEqual(rule.load(was: .saturated, meanWaitMs: 10, meanRunMs: 50), .saturated, "stays until the wait falls well below")
        XCTAssertEqual(rule.load(was: .overloaded, meanWaitMs: 30, meanRunMs: 50), .overloaded)
        XCTAssertEqual(rule.load(was: .overloaded, meanWaitMs: 5, meanRunMs: 50), .saturated)
        XCTAssertEqual(rule.load(was: .saturated, meanWaitMs: 5, meanRunMs: 50), .normal)
        XCTAssertEqual(rule.load(was: .normal, meanWaitMs: 5, meanRunMs: 0), .normal, "no run yet")
    }

    func testDistanceToSegment() {
        XCTAssertEqual(line.distanceToSegment(Point(0.5, 0.3)), 0.2, accuracy: 1e-12)
        XCTAssertEqual(line.distanceToSegment(Point(0.95, 0.5)), 0.05, accuracy: 1e-12)
        XCTAssertEqual(line.distanceToSegment(Point(0.0, 0.5)), 0.1, accuracy: 1e-12)
    }

    /// People who walk a long way to the line (a gate at the far end of a square): the
    /// adaptive cadence counts exactly what the fixed one counts, with fewer runs. Lines in
    /// three places, noisy detections, two frame rates.
    func testAdaptiveCountsLikeFixedWithFewerRuns() {
        for (seed, y) in [(UInt64(1), 0.5), (2, 0.8), (3, 0.25)] {
            for fps in [10.0, 25.0] {
                let every = fps >= 20 ? 5 : 2
                var rng = SeededRandom(seed: seed)
                var people: [Person] = []
                var ins = 0, outs = 0
                for i in 0..<12 {
                    let down = rng.uniform() < 0.5, x = rng.uniform(0.2, 0.8), h = rng.uniform(0.1, 0.2)
                    let start = Int(Double(i) * fps * rng.uniform(2.5, 4)), walk = Int(fps * rng.uniform(6, 9))
                    people.append(.walk(from: Point(x, down ? -0.05 : 1.1), to: Point(x, down ? 1.1 : -0.05),
                                        frames: start...(start + walk), width: h * 0.35, height: h))
                    if down { ins += 1 } else { outs += 1 }
                }
                let frames = people.map(\.frames.upperBound).max()! + 10
                let noise = SceneNoise(jitter: 0.003, missRate: 0.08, falsePositivesPerFrame: 0.05, seed: seed * 3)
                let l = hLine(y: y, x0: 0.05, x1: 0.95)
                let fixed = runScene(people, frames: frames, lines: [l], noise: noise, fps: fps, detectEvery: every)
                let adaptive = runScene(people, frames: frames, lines: [l], noise: noise, fps: fps, detectEvery: every,
                                        cadence: DetectionCadence())
                let label = "seed \(seed), line y \(y), \(fps) fps"
                // No worse than the fixed cadence on the same detections (which itself miscounts
                // one of these noisy cases by one).
                XCTAssertLessThanOrEqual(abs(adaptive.ins - ins), abs(fixed.ins - ins), label)
                XCTAssertLessThanOrEqual(abs(adaptive.outs - outs), abs(fixed.outs - outs), label)
                XCTAssertLessThanOrEqual(abs(adaptive.ins - ins) + abs(adaptive.outs - outs), 1, label)
                XCTAssertLessThan(Double(adaptive.detectorRuns), 0.9 * Double(fixed.detectorRuns),
                                  "\(label): \(adaptive.detectorRuns) runs adaptive vs \(fixed.detectorRuns) fixed")
            }
        }
    }

    /// The noisy mixed scenes SceneTests counts exactly (pairs, stops on the line, turn-backs,
    /// walkers along the line and past its end) count exactly with the adaptive cadence too.
    func testMixedScenesCountExactlyWithTheAdaptiveCadence() {
        for seed in 1...6 as ClosedRange<UInt64> {
            let s = SceneTests.makeScene(seed: seed, crossers: 10)
            let noise = SceneNoise(jitter: 0.004, missRate: 0.1, falsePositivesPerFrame: 0.1, seed: seed * 7)
            let r = runScene(s.people, frames: s.frames, lines: [SceneTests.line], noise: noise, cadence: DetectionCadence())
            XCTAssertEqual(r.ins, s.ins, "seed \(seed) ins"); XCTAssertEqual(r.outs, s.outs, "seed \(seed) outs")
        }
    }
}
