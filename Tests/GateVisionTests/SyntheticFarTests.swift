import GateCore
@testable import GateSynth
import XCTest

/// The `far` kind and true perspective: people as small as a camera sees them far away.
final class SyntheticFarTests: XCTestCase {
    /// Every walker of a far scene, while any of it is in the picture, is 30–70 px tall.
    func testFarWalkersAreThirtyToSeventyPixelsTall() {
        for seed: UInt64 in 1...4 {
            let s = SyntheticScene(spec: SceneSpec(kind: .far, seed: seed, frames: 600))
            var seen = 0
            for f in 0..<600 {
                for w in s.walkers(at: f) where w.foot.x > -0.05 && w.foot.x < 1.05 {
                    let px = w.height * Double(s.spec.height)
                    XCTAssertGreaterThanOrEqual(px, 30, "seed \(seed) walker \(w.id) frame \(f)")
                    XCTAssertLessThanOrEqual(px, 70, "seed \(seed) walker \(w.id) frame \(f)")
                    seen += 1
                }
            }
            XCTAssertGreaterThan(seen, 1000, "seed \(seed): walkers on screen")
        }
    }

    /// Under perspective a walker's height is proportional to its feet's distance below the
    /// horizon: it grows with foot y, along every path, and the far kind is drawn that way.
    func testPerspectiveHeightGrowsWithFootY() {
        var last = 0.0
        for y in stride(from: 0.1, through: 1.0, by: 0.05) {
            let h = SyntheticScene.boxHeight(y: y, size: 1, sizing: .perspective)
            XCTAssertGreaterThan(h, last, "y \(y)")
            XCTAssertEqual(h, SyntheticScene.perspectiveSlope * (y - SyntheticScene.horizon), accuracy: 1e-12)
            last = h
        }
        // As measured on vtest.avi: ~60 px with the feet at 0.3 of the picture, ~150 px at its bottom.
        XCTAssertEqual(SyntheticScene.boxHeight(y: 0.3, size: 1, sizing: .perspective) * 576, 63, accuracy: 5)
        XCTAssertEqual(SyntheticScene.boxHeight(y: 1.0, size: 1, sizing: .perspective) * 576, 148, accuracy: 8)
        var spec = SceneSpec(kind: .both, seed: 2, frames: 600)
        spec.perspective = true
        for s in [SyntheticScene(spec: spec), SyntheticScene(spec: SceneSpec(kind: .far, seed: 2, frames: 600))] {
            var checked = 0
            for f in stride(from: 0, to: 600, by: 3) {
                for w in s.walkers(at: f) {
                    // Below 1.3 of the frame (well out of the picture) heights stop growing.
                    guard let later = s.walkers(at: f + 20).first(where: { $0.id == w.id }), abs(later.foot.y - w.foot.y) > 0.001,
                          max(w.foot.y, later.foot.y) < 1.3 else { continue }
                    // Same walker, same size: the ratio of heights is the ratio of depths.
                    let depth = (later.foot.y - SyntheticScene.horizon) / (w.foot.y - SyntheticScene.horizon)
                    XCTAssertEqual(later.height / w.height, depth, accuracy: 1e-9, "\(s.spec.kind) walker \(w.id)")
                    XCTAssertEqual(later.height > w.height, later.foot.y > w.foot.y)
                    checked += 1
                }
            }
            XCTAssertGreaterThan(checked, 5, "\(s.spec.kind): walkers changing depth")
        }
    }

    /// The far kind's truth is exact: recomputed from the played paths, both directions, each
    /// walker across once, with pairs side by side and one behind the other.
    func testFarTruthExactBothWaysWithPairs() {
        var sideBySide = 0, behind = 0, ins = 0, outs = 0
        for seed: UInt64 in 1...4 {
            let s = SyntheticScene(spec: SceneSpec(kind: .far, seed: seed, frames: 600))
            XCTAssertEqual(s.walkerCount, 12)
            var i = 0, o = 0
            for w in 0..<s.walkerCount {
                let (start, feet) = s.path(ofWalker: w)!
                let cs = SyntheticScene.crossings(path: feet, from: s.spec.lineFrom, to: s.spec.lineTo, inside: s.spec.inside)
                XCTAssertLessThanOrEqual(cs.count, 1, "seed \(seed) walker \(w) crosses at most once")
                for c in cs where start + c.index < s.spec.frames { if c.direction == .in { i += 1 } else { o += 1 } }
            }
            XCTAssertEqual(i, s.truth.totalIn, "seed \(seed)"); XCTAssertEqual(o, s.truth.totalOut, "seed \(seed)")
            XCTAssertGreaterThanOrEqual(s.truth.crossings.count, 10, "seed \(seed): nearly everyone crosses in 60 s")
            ins += s.truth.totalIn; outs += s.truth.totalOut
            for c in s.truth.crossings {
                let ws = s.walkers(at: c.frame)
                let w = ws.first { $0.id == c.walker }!
                for other in ws where other.id != w.id && abs(other.heading - w.heading) < 0.2 {
                    let dy = abs(other.foot.y - w.foot.y) / w.height, dx = abs(other.foot.x - w.foot.x) * 768 / 576 / w.height
                    if dy > 0.3 && dy < 0.7 && dx < 1.2 { sideBySide += 1 }
                    if dy < 0.1 && dx < 2.5 { behind += 1 }
                }
            }
        }
        XCTAssertGreaterThan(ins, 0); XCTAssertGreaterThan(outs, 0)
        XCTAssertGreaterThan(sideBySide, 0, "pairs walking side by side")
        XCTAssertGreaterThan(behind, 0, "pairs walking one behind the other")
    }

    /// The far kind's line lies in the picture's upper third; older kinds keep their sizes and line.
    func testFarSpecDefaultsAndRoundTrip() throws {
        let far = try SceneSpec.parse("synthetic:kind=far,seed=3")
        XCTAssertTrue(far.perspective)
        XCTAssertLessThanOrEqual(max(far.lineFrom.y, far.lineTo.y), 1.0 / 3)
        XCTAssertEqual(try SceneSpec.parse(far.uri), far)
        XCTAssertEqual(far, SceneSpec(kind: .far, seed: 3))
        let both = try SceneSpec.parse("synthetic:both")
        XCTAssertFalse(both.perspective)
        XCTAssertEqual(both.lineFrom, Point(0.05, 0.55))
        XCTAssertFalse(both.uri.contains("perspective"), "older kinds' URIs are unchanged")
        let flat = try SceneSpec.parse("synthetic:line=0.1:0.3:0.9:0.3,kind=far,perspective=false")
        XCTAssertFalse(flat.perspective); XCTAssertEqual(flat.lineFrom, Point(0.1, 0.3))
        XCTAssertEqual(try SceneSpec.parse(flat.uri), flat)
        XCTAssertThrowsError(try SceneSpec.parse("synthetic:far,perspective=maybe")) {
            XCTAssertTrue("\($0)".contains("perspective=maybe must be true or false"), "\($0)")
        }
    }
}
