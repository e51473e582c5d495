import XCTest
@testable import GateCore

final class TrackerTests: XCTestCase {
    private func box(_ gx: Double, _ gy: Double, w: Double = 0.05, h: Double = 0.15) -> Rect {
        Rect(x: gx - w / 2, y: gy - h, width: w, height: h)
    }
    /// Confirmed track ids seen over a run.
    private func confirmedIds(_ r: SceneResult) -> Set<Int> {
        Set(r.tracksPerFrame.flatMap { $0.filter(\.confirmed).map(\.id) })
    }

    func testStraightWalkerKeepsOneIdAndFollowsGroundPoint() {
        let p = Person.walk(from: Point(0.2, 0.3), to: Point(0.8, 0.8), frames: 0...40)
        let r = runScene([p], frames: 41, lines: [], noise: SceneNoise(jitter: 0.004, seed: 3))
        XCTAssertEqual(confirmedIds(r).count, 1)
        XCTAssertEqual(Set(r.tracksPerFrame.flatMap { $0.map(\.id) }).count, 1)
        for f in 5...40 {
            guard let t = r.tracksPerFrame[f].first else { return XCTFail("no track on frame \(f)") }
            XCTAssertLessThan(t.groundPoint.distance(to: p.ground(f)), 0.02, "frame \(f)")
        }
    }

    func testConfirmedAfterThreeHitsNotBefore() {
        let tracker = Tracker()
        for f in 0..<3 {
            let tracks = tracker.update([Detection(box: box(0.3 + 0.01 * Double(f), 0.5), score: 0.9)],
                                        frameIndex: f, timestampMs: Int64(f * 100))
            XCTAssertEqual(tracks.count, 1)
            XCTAssertEqual(tracks[0].confirmed, f == 2, "frame \(f)")
            XCTAssertTrue(tracks[0].observed)
        }
    }

    func testThreeOfFiveConfirmsDespiteOneMiss() {
        let tracker = Tracker()
        var last: [Track] = []
        for (f, seen) in [true, false, true, true].enumerated() {
            let d = seen ? [Detection(box: box(0.3, 0.5), score: 0.8)] : []
            last = tracker.update(d, frameIndex: f, timestampMs: Int64(f * 100))
        }
        XCTAssertEqual(last.count, 1)
        XCTAssertTrue(last[0].confirmed)
    }

    func testOneFrameFalsePositivesNeverConfirm() {
        let tracker = Tracker()
        var rng = SeededRandom(seed: 9)
        var recent: [Point] = []
        for f in 0..<300 {
            // Each false positive shows up once, away from the recent ones.
            var dets: [Detection] = []
            for _ in 0..<(f % 3 == 0 ? 2 : 1) {
                var p = Point(0, 0)
                repeat { p = Point(rng.uniform(0.05, 0.95), rng.uniform(0.2, 0.95)) }
                while recent.suffix(6).contains { $0.distance(to: p) < 0.2 }
                recent.append(p)
                dets.append(Detection(box: box(p.x, p.y), score: 0.5))
            }
            let tracks = tracker.update(dets, frameIndex: f, timestampMs: Int64(f * 100))
            XCTAssertFalse(tracks.contains { $0.confirmed }, "frame \(f)")
        }
    }

    func testScatteredFlickerRarelyConfirms() {
        // Random clutter (0.3 a frame) must not chain into confirmed tracks.
        let tracker = Tracker()
        var rng = SeededRandom(seed: 21)
        var confirmed = Set<Int>()
        for f in 0..<1000 {
            let dets = rng.uniform() < 0.3 ? [Detection(box: box(rng.uniform(0.05, 0.95), rng.uniform(0.2, 0.95)), score: 0.5)] : []
            for t in tracker.update(dets, frameIndex: f, timestampMs: Int64(f * 100)) where t.confirmed { confirmed.insert(t.id) }
        }
        XCTAssertEqual(confirmed.count, 0)
    }

    func testPairSideBySideStaysTwoTracks() {
        // Two people shoulder to shoulder (boxes touching), walking down together.
        let a = Person.walk(from: Point(0.45, 0.25), to: Point(0.45, 0.9), frames: 0...50)
        let b = Person.walk(from: Point(0.505, 0.25), to: Point(0.505, 0.9), frames: 0...50)
        let r = runScene([a, b], frames: 51, lines: [], noise: SceneNoise(jitter: 0.003, seed: 5))
        XCTAssertEqual(confirmedIds(r).count, 2)
        // Each track stays with its person: the left one stays left.
        let leftId = r.tracksPerFrame[5].filter(\.confirmed).min { $0.groundPoint.x < $1.groundPoint.x }?.id
        for f in 5...50 {
            let ts = r.tracksPerFrame[f].filter(\.confirmed).sorted { $0.groundPoint.x < $1.groundPoint.x }
            XCTAssertEqual(ts.count, 2, "frame \(f)")
            XCTAssertEqual(ts.first?.id, leftId, "frame \(f)")
        }
    }

    func testCrossingPathsKeepIdentities() {
        // One walks right, one walks left; they pass each other mid-frame.
        let a = Person.walk(from: Point(0.1, 0.60), to: Point(0.9, 0.62), frames: 0...40)
        let b = Person.walk(from: Point(0.9, 0.63), to: Point(0.1, 0.61), frames: 0...40)
        let r = runScene([a, b], frames: 41, lines: [], noise: SceneNoise(jitter: 0.002, seed: 7))
        let first = r.tracksPerFrame[5].filter(\.confirmed)
        let last = r.tracksPerFrame[40].filter(\.confirmed)
        XCTAssertEqual(first.count, 2); XCTAssertEqual(last.count, 2)
        guard let leftStart = first.min(by: { $0.groundPoint.x < $1.groundPoint.x }),
              let rightEnd = last.max(by: { $0.groundPoint.x < $1.groundPoint.x }) else { return XCTFail() }
        XCTAssertEqual(leftStart.id, rightEnd.id, "the walker from the left must keep its id to the right side")
        XCTAssertEqual(confirmedIds(r).count, 2)
    }

    func testCoastsThroughShortMissesAndKeepsId() {
        let tracker = Tracker()
        var ids = Set<Int>()
        for f in 0..<30 {
            let hidden = (12...17).contains(f)   // 0.6 s occlusion at 10 fps
            let d = hidden ? [] : [Detection(box: box(0.1 + 0.02 * Double(f), 0.6), score: 0.9)]
            let tracks = tracker.update(d, frameIndex: f, timestampMs: Int64(f * 100))
            XCTAssertEqual(tracks.count, 1, "frame \(f)")
            guard let t = tracks.first else { continue }
            ids.insert(t.id)
            if hidden {
                XCTAssertFalse(t.observed)
                XCTAssertEqual(t.misses, f - 11)
                // The prediction keeps walking with the person.
                XCTAssertEqual(t.groundPoint.x, 0.1 + 0.02 * Double(f), accuracy: 0.02, "frame \(f)")
            }
        }
        XCTAssertEqual(ids.count, 1)
    }

    func testDroppedAfterAboutOneSecondOfMisses() {
        for fps in [10.0, 25.0] {
            let tracker = Tracker()
            let dt = 1000 / fps
            var f = 0
            for _ in 0..<10 {
                _ = tracker.update([Detection(box: box(0.5, 0.6), score: 0.9)], frameIndex: f, timestampMs: Int64(Double(f) * dt))
                f += 1
            }
            var lastSeen = 0
            for k in 1...(Int(fps) * 3) {
                let tracks = tracker.update([], frameIndex: f, timestampMs: Int64(Double(f) * dt))
                f += 1
                if !tracks.isEmpty { lastSeen = k }
            }
            let coastSeconds = Double(lastSeen) / fps
            XCTAssertGreaterThanOrEqual(coastSeconds, 0.8, "fps \(fps)")
            XCTAssertLessThanOrEqual(coastSeconds, 1.3, "fps \(fps)")
        }
    }

    func testFramesWithoutDetectionPredictWithoutAging() {
        let tracker = Tracker()
        var ids = Set<Int>()
        for f in 0..<40 {
            let detected = f % 4 == 0
            let d = detected ? [Detection(box: box(0.1 + 0.01 * Double(f), 0.6), score: 0.9)] : []
            let tracks = tracker.update(d, frameIndex: f, timestampMs: Int64(f * 40), detected: detected)
            XCTAssertEqual(tracks.count, 1, "frame \(f)")
            guard let t = tracks.first else { continue }
            ids.insert(t.id)
            XCTAssertEqual(t.misses, 0, "skipped frames are not misses (frame \(f))")
            XCTAssertEqual(t.observed, detected)
            if f >= 12 { XCTAssertEqual(t.groundPoint.x, 0.1 + 0.01 * Double(f), accuracy: 0.01, "frame \(f)") }
        }
        XCTAssertEqual(ids.count, 1)
        // Cadence: one detection every 4 frames at 25 fps = 6.25 runs a second, so ~6 misses to drop.
        XCTAssertEqual(tracker.maxMisses, 6)
    }

    func testBottomEdgeClippingDoesNotDragGroundPoint() {
        // Walks down and out of the bottom of the frame: the detector sees a shrinking box.
        let p = Person.walk(from: Point(0.5, 0.5), to: Point(0.5, 1.12), frames: 0...31)
        let r = runScene([p], frames: 32, lines: [], noise: SceneNoise(jitter: 0.002, seed: 2))
        var clippedFrames = 0
        for f in 5...31 where p.trueBox(f).maxY > 1 {
            clippedFrames += 1
            guard let t = r.tracksPerFrame[f].first(where: \.observed) else { return XCTFail("lost at \(f)") }
            XCTAssertEqual(t.groundPoint.y, p.ground(f).y, accuracy: 0.025, "frame \(f)")
            XCTAssertEqual(t.box.height, 0.15, accuracy: 0.02)
        }
        XCTAssertGreaterThan(clippedFrames, 5)
    }

    func testSideEdgeClippingKeepsCentre() {
        let p = Person.walk(from: Point(0.4, 0.7), to: Point(-0.02, 0.7), frames: 0...28, width: 0.08)
        let r = runScene([p], frames: 29, lines: [], noise: SceneNoise(jitter: 0.002, seed: 4))
        var checked = 0
        for f in 5...28 where p.trueBox(f).minX < 0 {
            guard let t = r.tracksPerFrame[f].first(where: \.observed) else { return XCTFail("lost at \(f)") }
            XCTAssertEqual(t.groundPoint.x, p.ground(f).x, accuracy: 0.02, "frame \(f)")
            checked += 1
        }
        XCTAssertGreaterThan(checked, 3)
    }

    func testDuplicateBoxDoesNotSpawnSecondTrack() {
        let tracker = Tracker()
        var tracks: [Track] = []
        for f in 0..<20 {
            let b = box(0.3 + 0.01 * Double(f), 0.6)
            let dup = Rect(x: b.x + 0.002, y: b.y + 0.003, width: b.width, height: b.height - 0.004)
            tracks = tracker.update([Detection(box: b, score: 0.9), Detection(box: dup, score: 0.7)],
                                    frameIndex: f, timestampMs: Int64(f * 100))
        }
        XCTAssertEqual(tracks.count, 1)
    }

    func testPartBoxInsideAPersonIsNotASecondPerson() {
        let tracker = Tracker()
        var tracks: [Track] = []
        for f in 0..<20 {
            let b = box(0.3 + 0.01 * Double(f), 0.6)
            let upperBody = Rect(x: b.x + 0.005, y: b.y + 0.005, width: b.width - 0.01, height: b.height * 0.45)
            tracks = tracker.update([Detection(box: b, score: 0.9), Detection(box: upperBody, score: 0.6)],
                                    frameIndex: f, timestampMs: Int64(f * 100))
        }
        XCTAssertEqual(tracks.count, 1)
    }

    func testResetForgetsTracksButNotIds() {
        let tracker = Tracker()
        var last: [Track] = []
        for f in 0..<5 { last = tracker.update([Detection(box: box(0.3, 0.6), score: 0.9)], frameIndex: f, timestampMs: Int64(f * 100)) }
        let firstId = last.first?.id
        tracker.reset()
        XCTAssertEqual(tracker.update([], frameIndex: 0, timestampMs: 0).count, 0)
        last = tracker.update([Detection(box: box(0.3, 0.6), score: 0.9)], frameIndex: 1, timestampMs: 100)
        XCTAssertEqual(last.count, 1)
        XCTAssertNotEqual(last.first?.id, firstId)
        XCTAssertFalse(last[0].confirmed)
    }

    func testHungarianFindsOptimum() {
        // Greedy would take (0,0)=1 and then (1,1)=10; the optimum is 2+3.
        XCTAssertEqual(hungarian([[1, 2], [3, 10]]), [1, 0])
        XCTAssertEqual(hungarian([[5, 1, 9]]), [1])
        XCTAssertEqual(hungarian([[4], [1], [3]]), [-1, 0, -1])
    }

    // MARK: weak detections (below `birthScore`)

    private func weakTracker() -> Tracker {
        var s = TrackerSettings(); s.birthScore = 0.4
        return Tracker(settings: s)
    }

    func testWeakDetectionsNeverStartATrack() {
        let tracker = weakTracker()
        for f in 0..<20 {
            let tracks = tracker.update([Detection(box: box(0.3 + 0.01 * Double(f), 0.5), score: 0.25)],
                                        frameIndex: f, timestampMs: Int64(f * 100))
            XCTAssertTrue(tracks.isEmpty, "frame \(f)")
        }
    }

    func testWeakDetectionsKeepAStartedTrackFollowingThePerson() {
        // A far walker: confident on the first two runs, then the model is unsure for a
        // second and a half while the person keeps walking. The track must stay on them,
        // observed (line counting trusts only observed points), with one id.
        let tracker = weakTracker()
        var ids = Set<Int>()
        for f in 0..<20 {
            let p = Point(0.3, 0.3 + 0.015 * Double(f))
            let tracks = tracker.update([Detection(box: box(p.x, p.y), score: f < 2 || f == 19 ? 0.7 : 0.25)],
                                        frameIndex: f, timestampMs: Int64(f * 100))
            XCTAssertEqual(tracks.count, 1, "frame \(f)")
            guard let t = tracks.first else { continue }
            ids.insert(t.id)
            XCTAssertTrue(t.observed, "frame \(f)")
            XCTAssertEqual(t.confirmed, f >= 2, "frame \(f)")
            XCTAssertLessThan(t.countingPoint.distance(to: p), 0.02, "frame \(f)")
        }
        XCTAssertEqual(ids.count, 1)
    }

    func testConfirmationNeedsTwoConfidentDetections() {
        let tracker = weakTracker()
        var last: [Track] = []
        for f in 0..<4 {
            last = tracker.update([Detection(box: box(0.3, 0.5), score: f == 0 ? 0.7 : 0.3)],
                                  frameIndex: f, timestampMs: Int64(f * 100))
            XCTAssertFalse(last.first?.confirmed ?? true, "frame \(f)")
        }
        last = tracker.update([Detection(box: box(0.3, 0.5), score: 0.7)], frameIndex: 4, timestampMs: 400)
        XCTAssertTrue(last.first?.confirmed ?? false)
    }

    func testConfidentDetectionWinsOverCloserWeakOne() {
        // The track's person is detected confidently a little off the prediction, and a weak
        // box (a part, a shadow) sits right on it: the track takes the confident one and the
        // weak one neither steals it nor starts a track.
        let tracker = weakTracker()
        for f in 0..<5 {
            _ = tracker.update([Detection(box: box(0.3, 0.5), score: 0.8)], frameIndex: f, timestampMs: Int64(f * 100))
        }
        let strong = Detection(box: box(0.33, 0.51), score: 0.8)
        let weak = Detection(box: box(0.3, 0.5, w: 0.045, h: 0.14), score: 0.3)
        let tracks = tracker.update([weak, strong], frameIndex: 5, timestampMs: 500)
        XCTAssertEqual(tracks.count, 1)
        XCTAssertEqual(tracks.first?.countingPoint.x ?? 0, 0.315, accuracy: 0.003)
    }

    /// A walker tracked for half a second, then missed for half a second (the track coasts);
    /// on the next run one detection of `score` shows up 0.085 (0.57 heights) off the prediction.
    private func coastThenFarDetection(score: Double) -> (id: Int, after: [Track]) {
        let tracker = weakTracker()
        var id = 0
        for f in 0..<6 {
            id = tracker.update([Detection(box: box(0.3, 0.3 + 0.01 * Double(f)), score: 0.8)],
                                frameIndex: f, timestampMs: Int64(f * 100)).first?.id ?? -1
        }
        for f in 6..<11 { _ = tracker.update([], frameIndex: f, timestampMs: Int64(f * 100)) }
        let far = Detection(box: box(0.3 + 0.085, 0.41), score: score)
        return (id, tracker.update([far], frameIndex: 11, timestampMs: 1100))
    }

    func testWeakDetectionFarFromACoastingTrackDoesNotExtendIt() {
        // A confident detection there is accepted (the grown motion uncertainty allows it)...
        let strong = coastThenFarDetection(score: 0.8)
        XCTAssertEqual(strong.after.filter { $0.observed }.map(\.id), [strong.id])
        // ...an unsure one is not: a coasting track must not jump to someone else's weak box.
        let weak = coastThenFarDetection(score: 0.3)
        XCTAssertEqual(weak.after.map(\.id), [weak.id])
        XCTAssertEqual(weak.after.first?.observed, false)
    }
}
