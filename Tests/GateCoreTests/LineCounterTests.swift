import XCTest
@testable import GateCore

final class LineCounterTests: XCTestCase {
    func track(_ id: Int, _ g: Point, h: Double = 0.15, confirmed: Bool = true, observed: Bool = true,
               score: Double = 0.8) -> Track {
        var t = Track(id: id, box: Rect(x: g.x - 0.025, y: g.y - h, width: 0.05, height: h),
                      confirmed: confirmed, misses: observed ? 0 : 1, score: score)
        t.observed = observed
        return t
    }
    /// Ground points along a straight path, `steps + 1` of them.
    func path(_ a: Point, _ b: Point, steps: Int) -> [Point] {
        (0...steps).map { i in let s = Double(i) / Double(steps); return Point(a.x + (b.x - a.x) * s, a.y + (b.y - a.y) * s) }
    }
    /// Feeds one track along `points`, one frame each.
    @discardableResult
    func feed(_ c: LineCounter, id: Int, _ points: [Point], from frame: Int = 0, confirmed: Bool = true) -> [CrossingEvent] {
        var ev: [CrossingEvent] = []
        for (i, p) in points.enumerated() {
            ev += c.update(tracks: [track(id, p, confirmed: confirmed)], frameIndex: frame + i, timestampMs: Int64((frame + i) * 100))
        }
        return ev
    }
    func counter(_ lines: [LineConfig]) -> LineCounter { LineCounter(lines: lines, feedId: "cam", gateId: "gate") }

    func testStraightCrossingCountsInAndOut() {
        let c = counter([hLine()])
        let ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.7), steps: 20))
        XCTAssertEqual(ev.map(\.direction), [.in])
        XCTAssertEqual(ev.first?.lineId, "l"); XCTAssertEqual(ev.first?.feedId, "cam"); XCTAssertEqual(ev.first?.gateId, "gate")
        XCTAssertEqual(ev.first?.trackId, 1)
        let ev2 = feed(c, id: 2, path(Point(0.4, 0.7), Point(0.4, 0.3), steps: 20), from: 30)
        XCTAssertEqual(ev2.map(\.direction), [.out])
        XCTAssertEqual(c.totals["l"], LineTotals(ins: 1, outs: 1))
    }

    func testInsideAboveFlipsDirection() {
        let c = counter([hLine(insideAbove: true)])
        XCTAssertEqual(feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.7), steps: 20)).map(\.direction), [.out])
    }

    func testCountIsConfirmedAfterHysteresisNotOnTheLine() {
        let c = counter([hLine()])
        let ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.7), steps: 40))   // 0.01 a frame
        XCTAssertEqual(ev.count, 1)
        // Band is 0.015 for a 0.15-high box; two updates beyond it: y = 0.52 (frame 22) and 0.53 (frame 23).
        XCTAssertEqual(ev.first?.frameIndex, 23)
    }

    func testDiagonalLineBothDirections() {
        let line = LineConfig(id: "d", name: "d", from: Point(0.2, 0.2), to: Point(0.8, 0.8), inside: Point(0.8, 0.2))
        let c = counter([line])
        XCTAssertEqual(feed(c, id: 1, path(Point(0.3, 0.7), Point(0.7, 0.3), steps: 30)).map(\.direction), [.in])
        XCTAssertEqual(feed(c, id: 2, path(Point(0.65, 0.35), Point(0.35, 0.65), steps: 30), from: 40).map(\.direction), [.out])
        // Walking along the diagonal never counts.
        XCTAssertEqual(feed(c, id: 3, path(Point(0.25, 0.26), Point(0.75, 0.76), steps: 40), from: 80).count, 0)
        XCTAssertEqual(c.totals["d"], LineTotals(ins: 1, outs: 1))
    }

    func testBoundedSegmentIgnoresPassingBesideTheEnd() {
        let c = counter([hLine(x0: 0.3, x1: 0.7)])
        XCTAssertEqual(feed(c, id: 1, path(Point(0.8, 0.3), Point(0.8, 0.7), steps: 20)).count, 0)
        XCTAssertEqual(feed(c, id: 2, path(Point(0.2, 0.7), Point(0.2, 0.3), steps: 20), from: 30).count, 0)
        XCTAssertEqual(feed(c, id: 3, path(Point(0.75, 0.3), Point(0.75, 0.7), steps: 20), from: 60).count, 0)
        // Just inside the end (within the tolerance) still counts.
        XCTAssertEqual(feed(c, id: 4, path(Point(0.71, 0.3), Point(0.71, 0.7), steps: 20), from: 90).map(\.direction), [.in])
        XCTAssertEqual(c.totals["l"], LineTotals(ins: 1, outs: 0))
    }

    func testGoingRoundTheEndThenCrossingBackCountsOnlyTheRealCrossing() {
        let c = counter([hLine(x0: 0.3, x1: 0.7)])
        // Outside -> round the right end -> inside (not counted) -> back across the segment (out).
        let pts = path(Point(0.5, 0.3), Point(0.8, 0.3), steps: 10) + path(Point(0.8, 0.3), Point(0.8, 0.7), steps: 10)
            + path(Point(0.8, 0.7), Point(0.5, 0.7), steps: 10) + path(Point(0.5, 0.7), Point(0.5, 0.3), steps: 20)
        XCTAssertEqual(feed(c, id: 1, pts).map(\.direction), [.out])
    }

    func testJitterOnTheLineNeverCounts() {
        let c = counter([hLine()])
        var pts = path(Point(0.5, 0.3), Point(0.5, 0.5), steps: 10)
        var rng = SeededRandom(seed: 11)
        for i in 0..<80 { pts.append(Point(0.5 + rng.gaussian(0.005), 0.5 + (i % 2 == 0 ? 0.012 : -0.012) + rng.gaussian(0.002))) }
        // Single-frame excursions beyond the band on alternate sides.
        for i in 0..<40 { pts.append(Point(0.5, i % 2 == 0 ? 0.53 : 0.47)) }
        XCTAssertEqual(feed(c, id: 1, pts).count, 0)
        XCTAssertEqual(c.totals["l"], LineTotals())
    }

    func testStopOnTheLineThenContinueCountsOnce() {
        let c = counter([hLine()])
        var pts = path(Point(0.5, 0.3), Point(0.5, 0.5), steps: 10)
        pts += Array(repeating: Point(0.5, 0.505), count: 50)
        pts += path(Point(0.5, 0.505), Point(0.5, 0.75), steps: 15)
        XCTAssertEqual(feed(c, id: 1, pts).map(\.direction), [.in])
    }

    func testStopOnTheLineForeverCountsNothing() {
        let c = counter([hLine()])
        let pts = path(Point(0.5, 0.3), Point(0.5, 0.505), steps: 10) + Array(repeating: Point(0.5, 0.505), count: 100)
        XCTAssertEqual(feed(c, id: 1, pts).count, 0)
    }

    func testTurningBackBeforeTheFarSideCountsZero() {
        let c = counter([hLine()])
        let pts = path(Point(0.5, 0.3), Point(0.5, 0.512), steps: 15) + path(Point(0.5, 0.512), Point(0.5, 0.3), steps: 15)
        XCTAssertEqual(feed(c, id: 1, pts).count, 0)
    }

    func testCrossAndReturnCountsInThenOut() {
        let c = counter([hLine()])
        let pts = path(Point(0.5, 0.3), Point(0.5, 0.65), steps: 20) + path(Point(0.5, 0.65), Point(0.5, 0.3), steps: 20)
        XCTAssertEqual(feed(c, id: 1, pts).map(\.direction), [.in, .out])
        XCTAssertEqual(c.totals["l"], LineTotals(ins: 1, outs: 1))
    }

    func testFlickerAfterCrossingDoesNotCountAgain() {
        let c = counter([hLine()])
        var pts = path(Point(0.5, 0.3), Point(0.5, 0.6), steps: 15)
        // Hovers near the line on the new side, dipping into the band and back out many times.
        for i in 0..<60 { pts.append(Point(0.5, i % 3 == 0 ? 0.505 : 0.53)) }
        XCTAssertEqual(feed(c, id: 1, pts).map(\.direction), [.in])
    }

    func testUnconfirmedTrackNeverCounts() {
        let c = counter([hLine()])
        XCTAssertEqual(feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.7), steps: 20), confirmed: false).count, 0)
        XCTAssertEqual(c.totals["l"], LineTotals())
    }

    func testCrossingWhileTentativeCountsOnceConfirmed() {
        let c = counter([hLine()])
        let pts = path(Point(0.5, 0.46), Point(0.5, 0.6), steps: 7)
        var ev: [CrossingEvent] = []
        for (i, p) in pts.enumerated() {
            ev += c.update(tracks: [track(1, p, confirmed: i >= 6)], frameIndex: i, timestampMs: Int64(i * 100))
        }
        XCTAssertEqual(ev.map(\.direction), [.in])
        XCTAssertEqual(ev.first?.frameIndex, 6)
    }

    func testFirstSeenBeyondTheLineDoesNotCount() {
        let c = counter([hLine()])
        XCTAssertEqual(feed(c, id: 1, path(Point(0.5, 0.6), Point(0.5, 0.9), steps: 20)).count, 0)
        XCTAssertEqual(feed(c, id: 2, path(Point(0.5, 0.505), Point(0.5, 0.9), steps: 20), from: 30).count, 0)
    }

    func testIdSwitchAcrossTheLineCountsOnce() {
        let c = counter([hLine()])
        var ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.49), steps: 10))
        // Track 1 coasts unobserved while a new track 2 picks the person up on the other side.
        var frame = 11
        for p in path(Point(0.51, 0.52), Point(0.51, 0.7), steps: 12) {
            let t1 = track(1, Point(0.5, 0.49 + 0.01 * Double(frame - 10)), observed: false)
            ev += c.update(tracks: [t1, track(2, p)], frameIndex: frame, timestampMs: Int64(frame * 100))
            frame += 1
        }
        // Track 1 is finally dropped: it handed over, so no second count on loss.
        ev += c.update(tracks: [track(2, Point(0.51, 0.72))], frameIndex: frame, timestampMs: Int64(frame * 100))
        XCTAssertEqual(ev.map(\.direction), [.in])
        XCTAssertEqual(ev.first?.trackId, 2)
    }

    func testIdSwitchAfterTrackDroppedCountsOnce() {
        let c = counter([hLine()])
        var ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.495), steps: 10))
        ev += c.update(tracks: [], frameIndex: 11, timestampMs: 1100)   // dropped, nothing pending
        ev += feed(c, id: 2, path(Point(0.5, 0.53), Point(0.5, 0.7), steps: 10), from: 15)
        XCTAssertEqual(ev.map(\.direction), [.in])
    }

    func testIdSwitchAfterCountingDoesNotCountAgain() {
        let c = counter([hLine()])
        var ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.56), steps: 13))
        XCTAssertEqual(ev.count, 1)
        ev += c.update(tracks: [], frameIndex: 14, timestampMs: 1400)
        ev += feed(c, id: 2, path(Point(0.5, 0.57), Point(0.5, 0.8), steps: 10), from: 15)
        XCTAssertEqual(ev.map(\.direction), [.in])
    }

    func testNewTrackFarFromTheLostOneIsNotASwitch() {
        let c = counter([hLine()])
        var ev = feed(c, id: 1, path(Point(0.2, 0.3), Point(0.2, 0.49), steps: 10))
        ev += c.update(tracks: [], frameIndex: 11, timestampMs: 1100)
        ev += feed(c, id: 2, path(Point(0.7, 0.55), Point(0.7, 0.8), steps: 10), from: 12)
        XCTAssertEqual(ev.count, 0)
    }

    func testNewTrackLongAfterTheLostOneIsNotASwitch() {
        let c = counter([hLine()])
        var ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.49), steps: 10))
        ev += c.update(tracks: [], frameIndex: 11, timestampMs: 1100)
        for f in 12..<40 { ev += c.update(tracks: [], frameIndex: f, timestampMs: Int64(f * 100)) }
        ev += feed(c, id: 2, path(Point(0.5, 0.53), Point(0.5, 0.8), steps: 10), from: 40)
        XCTAssertEqual(ev.count, 0)
    }

    func testTrackLostRightAfterCrossingCountsOnLoss() {
        let c = counter([hLine()])
        var ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.52), steps: 11))   // one update beyond the band
        XCTAssertEqual(ev.count, 0)
        ev += c.update(tracks: [], frameIndex: 30, timestampMs: 3000)
        XCTAssertEqual(ev.map(\.direction), [.in])
        XCTAssertEqual(ev.first?.frameIndex, 11, "dated when last seen")
        XCTAssertEqual(ev.first?.timestampMs, 1100)
    }

    func testFinishFlushesPendingCrossings() {
        let c = counter([hLine()])
        feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.52), steps: 11))
        XCTAssertEqual(c.finish(frameIndex: 12, timestampMs: 1200).map(\.direction), [.in])
        XCTAssertEqual(c.totals["l"], LineTotals(ins: 1, outs: 0))
    }

    func testPredictedPositionsDoNotCount() {
        let c = counter([hLine()])
        var ev = feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.45), steps: 8))
        for (i, p) in path(Point(0.5, 0.47), Point(0.5, 0.7), steps: 10).enumerated() {
            ev += c.update(tracks: [track(1, p, observed: false)], frameIndex: 9 + i, timestampMs: Int64((9 + i) * 100))
        }
        ev += c.update(tracks: [], frameIndex: 25, timestampMs: 2500)
        XCTAssertEqual(ev.count, 0)
    }

    func testTotalsPerLineAndConfidenceIsTrackScore() {
        let c = counter([hLine("a", y: 0.4), hLine("b", y: 0.6, insideAbove: true)])
        var ev: [CrossingEvent] = []
        for (i, p) in path(Point(0.5, 0.2), Point(0.5, 0.8), steps: 30).enumerated() {
            ev += c.update(tracks: [track(7, p, score: 0.66)], frameIndex: i, timestampMs: Int64(i * 100))
        }
        XCTAssertEqual(ev.map(\.lineId), ["a", "b"])
        XCTAssertEqual(c.totals["a"], LineTotals(ins: 1, outs: 0))
        XCTAssertEqual(c.totals["b"], LineTotals(ins: 0, outs: 1))
        XCTAssertEqual(c.total, LineTotals(ins: 1, outs: 1))
        for e in ev { XCTAssertEqual(e.confidence, 0.66, accuracy: 1e-9) }
        XCTAssertLessThan(ev[0].timestampMs, ev[1].timestampMs)
    }

    func testBandScalesWithPersonSize() {
        // A large (close) person swaying ±0.03 around the line must not count; band = 0.1 * 0.5 = 0.05.
        let c = counter([hLine()])
        var ev: [CrossingEvent] = []
        for i in 0..<60 {
            let y = i < 10 ? 0.3 + 0.02 * Double(i) : 0.5 + (i % 4 < 2 ? 0.03 : -0.03)
            ev += c.update(tracks: [track(1, Point(0.5, y), h: 0.5)], frameIndex: i, timestampMs: Int64(i * 100))
        }
        XCTAssertEqual(ev.count, 0)
    }

    func testGeometry() {
        let g = LineGeometry(from: Point(0.2, 0.5), to: Point(0.8, 0.5), inside: Point(0.5, 0.9))
        XCTAssertEqual(g.signedDistance(Point(0.5, 0.6)), 0.1, accuracy: 1e-12)
        XCTAssertEqual(g.signedDistance(Point(0.5, 0.4)), -0.1, accuracy: 1e-12)
        XCTAssertEqual(g.along(Point(0.5, 0.1)), 0.5, accuracy: 1e-12)
        let flipped = LineGeometry(from: Point(0.8, 0.5), to: Point(0.2, 0.5), inside: Point(0.5, 0.9))
        XCTAssertEqual(flipped.signedDistance(Point(0.5, 0.6)), 0.1, accuracy: 1e-12)
    }

    func testTrackFirstSeenJustPastTheBandTakesNoSideThere() {
        // Someone found standing on the line (hidden by another walker until then) may have
        // come from either side: stopping there and walking back counts nothing.
        let c = counter([hLine()])   // band 0.015 for these 0.15-high boxes
        var points = Array(repeating: Point(0.5, 0.52), count: 10)
        points += path(Point(0.5, 0.52), Point(0.5, 0.3), steps: 11)
        XCTAssertEqual(feed(c, id: 1, points).count, 0)
        // Once clearly on a side, the crossing back counts as usual.
        XCTAssertEqual(feed(c, id: 1, path(Point(0.5, 0.3), Point(0.5, 0.6), steps: 15), from: 30).map(\.direction), [.in])
    }

    func testTentativeTrackDoesNotHandOverItsSide() {
        // A part box at the frame border (tentative, its "ground point" above the line) fades
        // while the real person, below the line, is picked up nearby and walks along it.
        let c = counter([hLine()])
        var ev: [CrossingEvent] = []
        for f in 0..<2 {
            ev += c.update(tracks: [track(1, Point(0.9, 0.45), confirmed: false)], frameIndex: f, timestampMs: Int64(f * 100))
        }
        var frame = 2
        for p in path(Point(0.88, 0.54), Point(0.6, 0.55), steps: 12) {
            let t1 = track(1, Point(0.9, 0.45), confirmed: false, observed: false)
            ev += c.update(tracks: frame < 4 ? [t1, track(2, p)] : [track(2, p)], frameIndex: frame, timestampMs: Int64(frame * 100))
            frame += 1
        }
        XCTAssertEqual(ev.count, 0)
    }
}
