import XCTest
import GateCore
@testable import GateSynth
import GateVision

final class SyntheticTruthTests: XCTestCase {
    let a = Point(0.05, 0.55), b = Point(0.95, 0.55), inside = Point(0.5, 0.9)

    private func line(_ ys: [Double], x: Double = 0.5) -> [Point] { ys.map { Point(x, $0) } }
    private func crossings(_ p: [Point]) -> [(index: Int, direction: Direction)] {
        SyntheticScene.crossings(path: p, from: a, to: b, inside: inside)
    }

    func testStraightCrossingsBothWays() {
        let down = line(stride(from: 0.2, through: 0.9, by: 0.01).map { $0 })
        let c = crossings(down)
        XCTAssertEqual(c.count, 1)
        XCTAssertEqual(c.first?.direction, .in, "toward the inside point is in")
        XCTAssertEqual(down[c[0].index].y, 0.58, accuracy: 0.011, "counted once beyond the margin")
        XCTAssertEqual(crossings(down.reversed()).map(\.direction), [.out])
    }

    func testStopOnTheLineThenBackIsNothing() {
        let p = line([0.3, 0.4, 0.5, 0.54, 0.55, 0.55, 0.56, 0.55, 0.5, 0.4, 0.3])
        XCTAssertTrue(crossings(p).isEmpty)
    }

    func testStopOnTheLineThenOnIsOne() {
        let p = line([0.3, 0.45, 0.55, 0.55, 0.55, 0.55, 0.56, 0.54, 0.6, 0.7])
        XCTAssertEqual(crossings(p).map(\.direction), [.in])
    }

    func testTurnBackBeforeTheLineIsNothing() {
        XCTAssertTrue(crossings(line([0.2, 0.3, 0.4, 0.5, 0.52, 0.5, 0.4, 0.2])).isEmpty)
    }

    func testTurnBackAfterCrossingIsInAndOut() {
        XCTAssertEqual(crossings(line([0.2, 0.4, 0.5, 0.6, 0.7, 0.65, 0.5, 0.3])).map(\.direction), [.in, .out])
    }

    func testJitterOnTheLineCountsOnce() {
        let p = line([0.4, 0.5, 0.58, 0.56, 0.58, 0.56, 0.585, 0.7])
        XCTAssertEqual(crossings(p).count, 1)
    }

    func testWalkingAlongIsNothing() {
        let p = (0...100).map { Point(Double($0) / 100, 0.5) }
        XCTAssertTrue(crossings(p).isEmpty)
    }

    func testOutsideTheSegmentIsNothing() {
        // Crosses the line's extension beyond its end, and goes round the end.
        XCTAssertTrue(crossings(line([0.2, 0.5, 0.6, 0.9], x: 0.98)).isEmpty)
        let round = [Point(0.5, 0.4), Point(0.9, 0.4), Point(0.99, 0.4), Point(0.99, 0.7), Point(0.9, 0.7), Point(0.5, 0.7)]
        XCTAssertTrue(crossings(round).isEmpty)
    }

    func testSameSeedSameScene() {
        for kind in SceneKind.allCases {
            let s1 = SyntheticScene(spec: SceneSpec(kind: kind, seed: 9, frames: 400))
            let s2 = SyntheticScene(spec: SceneSpec(kind: kind, seed: 9, frames: 400))
            XCTAssertEqual(s1.truth, s2.truth, "\(kind)")
            for f in stride(from: 0, to: 400, by: 37) { XCTAssertEqual(s1.walkers(at: f), s2.walkers(at: f), "\(kind) frame \(f)") }
            let s3 = SyntheticScene(spec: SceneSpec(kind: kind, seed: 10, frames: 400))
            let all1 = stride(from: 0, to: 400, by: 10).flatMap { s1.walkers(at: $0) }
            let all3 = stride(from: 0, to: 400, by: 10).flatMap { s3.walkers(at: $0) }
            XCTAssertNotEqual(all1, all3, "\(kind): another seed, another scene")
        }
    }

    /// Truth is recomputed from the paths the scene actually plays.
    private func recount(_ s: SyntheticScene) -> (Int, Int) {
        var i = 0, o = 0
        for w in 0..<s.walkerCount {
            let (start, feet) = s.path(ofWalker: w)!
            for c in SyntheticScene.crossings(path: feet, from: s.spec.lineFrom, to: s.spec.lineTo, inside: s.spec.inside)
            where start + c.index < s.spec.frames {
                if c.direction == .in { i += 1 } else { o += 1 }
            }
        }
        return (i, o)
    }

    func testKindsProduceWhatTheySay() {
        for seed: UInt64 in 1...4 {
            let along = SyntheticScene(spec: SceneSpec(kind: .along, seed: seed, frames: 600))
            XCTAssertEqual(along.truth.crossings.count, 0, "along never crosses (seed \(seed))")
            XCTAssertEqual(along.walkerCount, 12)

            let both = SyntheticScene(spec: SceneSpec(kind: .both, seed: seed, frames: 600))
            XCTAssertGreaterThan(both.truth.totalIn, 0); XCTAssertGreaterThan(both.truth.totalOut, 0)
            XCTAssertEqual(both.truth.totalIn + both.truth.totalOut, 12, "each walker crosses once (seed \(seed))")
            XCTAssertEqual(recount(both).0, both.truth.totalIn)

            let crowd = SyntheticScene(spec: SceneSpec(kind: .crowd, seed: seed, frames: 600))
            XCTAssertGreaterThanOrEqual(crowd.walkerCount, 20)
            XCTAssertGreaterThanOrEqual(crowd.truth.crossings.count, 20)

            let turn = SyntheticScene(spec: SceneSpec(kind: .turnbacks, seed: seed, frames: 800))
            // Turn-backs after the line give in+out pairs from the same walker, before give nothing.
            let perWalker = Dictionary(grouping: turn.truth.crossings, by: \.walker)
            XCTAssertTrue(perWalker.values.allSatisfy { $0.count == 2 && $0[0].direction != $0[1].direction })
            XCTAssertLessThan(perWalker.count, turn.walkerCount, "some turn back before the line")
            XCTAssertGreaterThan(perWalker.count, 0, "some turn back after crossing")

            let stops = SyntheticScene(spec: SceneSpec(kind: .stops, seed: seed, frames: 800))
            XCTAssertTrue(Dictionary(grouping: stops.truth.crossings, by: \.walker).values.allSatisfy { $0.count == 1 })
            let stopped = (0..<800).contains { f in stops.walkers(at: f).contains { !$0.moving && abs($0.foot.y - 0.55) < 0.02 } }
            XCTAssertTrue(stopped, "someone stops on the line")
        }
    }

    func testWalkersWholeAndApartWhenCrossing() {
        for kind in [SceneKind.pairs, .crowd, .mixed, .both] {
            let s = SyntheticScene(spec: SceneSpec(kind: kind, seed: 5, frames: 600))
            for c in s.truth.crossings {
                let ws = s.walkers(at: c.frame)
                let w = ws.first { $0.id == c.walker }!
                let h = w.height, wd = h * 0.45 * 576 / 768
                XCTAssertGreaterThanOrEqual(w.foot.y - h, 0, "\(kind) walker \(w.id) head inside the picture when crossing")
                XCTAssertGreaterThanOrEqual(w.foot.x - wd / 2, 0); XCTAssertLessThanOrEqual(w.foot.x + wd / 2, 1)
                // Nobody overlaps the crosser: the detector must see each person.
                for o in ws where o.id != w.id {
                    let ow = o.height * 0.45 * 576 / 768
                    let xOverlap = min(w.foot.x + wd / 2, o.foot.x + ow / 2) - max(w.foot.x - wd / 2, o.foot.x - ow / 2)
                    let yOverlap = min(w.foot.y, o.foot.y) - max(w.foot.y - h, o.foot.y - o.height)
                    XCTAssertFalse(xOverlap > 0 && yOverlap > 0, "\(kind): walkers \(w.id) and \(o.id) overlap at frame \(c.frame)")
                }
            }
        }
    }

    func testSpeedsAreWalkingSpeeds() {
        let s = SyntheticScene(spec: SceneSpec(kind: .both, seed: 2, frames: 2000))
        for w in 0..<s.walkerCount {
            let feet = s.path(ofWalker: w)!.feet
            let inside = feet.filter { $0.y > 0.2 && $0.y < 1 && $0.x > 0 && $0.x < 1 }
            // Frames to cross the picture at 10 fps: between about 3 and 10 s.
            XCTAssertGreaterThan(inside.count, 15, "walker \(w) too fast")
            XCTAssertLessThan(inside.count, 120, "walker \(w) too slow")
        }
    }

    func testTamperTruthStopsAtTamperFrame() {
        let plain = SyntheticScene(spec: SceneSpec(kind: .both, seed: 3, frames: 600))
        var spec = SceneSpec(kind: .both, seed: 3, frames: 600); spec.cover = 300
        let covered = SyntheticScene(spec: spec)
        XCTAssertEqual(covered.truth.tamperFrame, 300)
        XCTAssertEqual(covered.truth.crossings, plain.truth.crossings.filter { $0.frame < 300 })
    }

    func testTruthJSONRoundTrip() throws {
        let t = SyntheticScene(spec: SceneSpec(kind: .mixed, seed: 1)).truth
        let data = try JSONEncoder().encode(t)
        XCTAssertTrue(String(decoding: data, as: UTF8.self).contains("\"direction\":\"in\"") || t.totalIn == 0)
        XCTAssertEqual(try JSONDecoder().decode(SceneTruth.self, from: data), t)
    }
}

final class SyntheticCustomLineTests: XCTestCase {
    func testCustomLinesStillCrossOnce() throws {
        for uri in ["synthetic:kind=both,line=0.5:0.1:0.5:0.9,inside=0.9:0.5,seed=2",
                    "synthetic:kind=both,line=0.1:0.3:0.9:0.7,inside=0.2:0.9,seed=3",
                    "synthetic:kind=overhead,seed=4"] {
            let spec = try SceneSpec.parse(uri)
            let s = SyntheticScene(spec: spec)
            XCTAssertEqual(s.walkerCount, spec.people, uri)
            if spec.kind == .both {
                XCTAssertEqual(s.truth.totalIn + s.truth.totalOut, spec.people, uri)
                XCTAssertGreaterThan(s.truth.totalIn, 0, uri); XCTAssertGreaterThan(s.truth.totalOut, 0, uri)
            } else {
                XCTAssertGreaterThan(s.truth.crossings.count, 0, uri)
            }
        }
    }
}
