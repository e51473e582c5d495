import Foundation

/// Multi-object tracker: associates detections frame to frame.
///
/// Each track keeps independent constant-velocity Kalman filters for the
/// ground point (bottom-centre x, bottom y) and smoothed box size. Detections
/// are assigned to tracks by an optimal (Hungarian) assignment on a score that
/// mixes box overlap and ground-point distance, with gating so far or
/// differently sized boxes never match. Boxes clipped by the frame border are
/// re-extended with the track's remembered size so a person leaving through
/// the bottom or a side does not drag the ground point.
public struct TrackerSettings: Equatable, Sendable {
    /// Hits needed within the last `confirmWindow` detector runs to confirm a track.
    public var confirmHits: Int = 3
    public var confirmWindow: Int = 5
    /// A confirmed track coasts (predicted) this long without a match before it is dropped.
    public var maxCoastSeconds: Double = 1.0
    /// Frame rate used until timestamps tell the real cadence.
    public var assumedFps: Double = 10
    /// Overlap that allows a match even outside the motion model's uncertainty.
    public var overrideIoU: Double = 0.3
    /// Matches are always allowed this close (box heights), whatever the motion model says.
    public var minGateHeights: Double = 0.5
    /// Mahalanobis gate on the predicted ground point (standard deviations).
    public var gateSigmas: Double = 4
    /// Outer gate on ground-point distance, in multiples of the track's box height
    /// (grows with time since the last match).
    public var gateHeights: Double = 0.75
    public var gateGrowthPerSecond: Double = 1.0
    /// Gate for tracks not yet confirmed (box heights, fixed).
    public var tentativeGateHeights: Double = 0.6
    /// Largest height ratio between a track and a detection it may take.
    public var maxSizeRatio: Double = 2.0
    /// A box edge within this distance of the frame border is treated as clipped.
    public var edgeMargin: Double = 0.01
    /// An unmatched detection overlapping a matched track this much is a duplicate, not a new person.
    public var duplicateIoU: Double = 0.7
    /// ...or lies this much inside a matched track's larger box.
    public var duplicateContainment: Double = 0.9
    /// Kalman noise, as shares of the box height (position measurement, acceleration per frame).
    public var measurementNoise: Double = 0.05
    public var accelerationNoise: Double = 0.012
    /// Smoothing of the box size (weight of the new measurement).
    public var sizeSmoothing: Double = 0.3
    /// Detections scoring below this only extend existing tracks (second association pass,
    /// after the confident ones): they never start a track. A person the detector is unsure
    /// about for a while (small, far, half turned) keeps the track that confident detections
    /// started instead of being lost through a crossing. 0: every detection may start a track.
    public var birthScore: Double = 0
    /// Confirmation also needs this many detections at or above `birthScore` (counting the
    /// first), so weak detections alone never make a person.
    public var confirmConfidentHits: Int = 2
    public init() {}
}

public struct Track: Equatable, Sendable {
    public var id: Int
    /// Current (possibly predicted) box, normalised. For people clipped by the
    /// frame border it extends past the border to the remembered size, so its
    /// ground point keeps following the person.
    public var box: Rect
    /// Only confirmed tracks are counted.
    public var confirmed: Bool
    /// Detector runs since the last matched detection (0 = matched on the last run).
    public var misses: Int
    /// Mean detector score of the matched detections.
    public var score: Double
    /// True when a detection was matched on this very frame (false while coasting
    /// and on frames where the detector did not run). Line counting only trusts these.
    public var observed: Bool
    /// Ground-point velocity, normalised units per frame.
    public var velocity: Point = Point(0, 0)
    /// Matched detections so far.
    public var hits: Int = 1
    /// Where the person stands according to the latest detections (border-corrected, mean of
    /// the last two): unlike the filtered box it never overshoots when someone stops or turns,
    /// so line counting uses it. Nil for tracks built by hand (then `box.groundPoint` is used).
    public var footPoint: Point? = nil
    public init(id: Int, box: Rect, confirmed: Bool, misses: Int, score: Double) {
        self.id = id; self.box = box; self.confirmed = confirmed; self.misses = misses; self.score = score
        self.observed = misses == 0
    }
    public var groundPoint: Point { box.groundPoint }
    /// The point line counting follows.
    public var countingPoint: Point { footPoint ?? box.groundPoint }
}

/// Constant-velocity Kalman filter on one coordinate (position, velocity per frame).
struct Kalman1D {
    var x: Double
    var v: Double = 0
    var pxx: Double, pxv: Double = 0, pvv: Double

    init(x: Double, posVar: Double, velVar: Double) { self.x = x; pxx = posVar; pvv = velVar }

    mutating func predict(frames dt: Double, accelVar q: Double) {
        guard dt > 0 else { return }
        x += v * dt
        // P = F P F' + Q (white-noise acceleration).
        let nxx = pxx + 2 * dt * pxv + dt * dt * pvv + q * dt * dt * dt * dt / 4
        let nxv = pxv + dt * pvv + q * dt * dt * dt / 2
        let nvv = pvv + q * dt * dt
        pxx = nxx; pxv = nxv; pvv = nvv
    }

    mutating func update(_ z: Double, measVar r: Double) {
        let s = pxx + r
        let kx = pxx / s, kv = pxv / s
        let y = z - x
        x += kx * y; v += kv * y
        let nxx = (1 - kx) * pxx
        let nxv = (1 - kx) * pxv
        let nvv = pvv - kv * pxv
        pxx = nxx; pxv = nxv; pvv = nvv
    }
}

final class TrackState {
    let id: Int
    var gx: Kalman1D           // ground x (box centre x)
    var gy: Kalman1D           // ground y (box bottom)
    var w: Double, h: Double
    var widthKnown: Bool, heightKnown: Bool
    var confirmed = false
    var misses = 0
    var history: [Bool] = [true]
    var hits = 1
    var confidentHits = 1
    var runs = 1               // detector runs since birth
    var scoreSum: Double
    var observed = true
    var lastObserved: Point    // filtered ground point at the last match
    var lastMatchMs: Int64
    var recentFeet: [Point]    // corrected measured ground points, newest last

    init(id: Int, m: Measurement, score: Double, frame: Int, timestampMs: Int64, settings: TrackerSettings) {
        self.id = id
        let posVar = sq(settings.measurementNoise * m.h)
        let velVar = sq(0.1 * m.h)    // unknown initial velocity: up to ~a tenth of a height per frame
        gx = Kalman1D(x: m.gx, posVar: posVar, velVar: velVar)
        gy = Kalman1D(x: m.gy, posVar: posVar, velVar: velVar)
        w = m.w; h = m.h
        widthKnown = m.widthTrusted; heightKnown = m.heightTrusted
        scoreSum = score
        lastObserved = Point(m.gx, m.gy)
        lastMatchMs = timestampMs
        recentFeet = [Point(m.gx, m.gy)]
    }

    var box: Rect { Rect(x: gx.x - w / 2, y: gy.x - h, width: w, height: h) }
    var score: Double { scoreSum / Double(hits) }

    func snapshot() -> Track {
        var t = Track(id: id, box: box, confirmed: confirmed, misses: misses, score: score)
        t.observed = observed
        t.velocity = Point(gx.v, gy.v)
        t.hits = hits
        let n = Double(recentFeet.count)
        t.footPoint = Point(recentFeet.map(\.x).reduce(0, +) / n, recentFeet.map(\.y).reduce(0, +) / n)
        return t
    }
}

/// A detection turned into ground point and size, corrected for border clipping.
struct Measurement {
    var gx: Double, gy: Double, w: Double, h: Double
    var widthTrusted: Bool, heightTrusted: Bool
}

@inline(__always) func sq(_ v: Double) -> Double { v * v }

public final class Tracker {
    /// Settable so a pipeline can align `birthScore` with its detector's threshold before use.
    public var settings: TrackerSettings
    private var tracks: [TrackState] = []
    private var nextId = 1
    private var lastFrame: Int?
    private var lastDetectFrame: Int?
    private var lastDetectTimestamp: Int64?
    /// Seconds between recent detector runs (from timestamps, or frame numbers at `assumedFps`).
    private var runIntervals: [Double] = []

    public init(settings: TrackerSettings = TrackerSettings()) {
        self.settings = settings
    }

    /// Seconds between detector runs: the median of the recent intervals.
    public var secondsPerDetection: Double {
        guard !runIntervals.isEmpty else { return 1 / max(settings.assumedFps, 0.1) }
        return runIntervals.sorted()[runIntervals.count / 2]
    }

    /// Misses (detector runs) a confirmed track may coast through before it is dropped.
    public var maxMisses: Int {
        max(2, Int((settings.maxCoastSeconds / max(secondsPerDetection, 1e-3)).rounded()))
    }

    /// Feed the detections of one frame; returns the live tracks after the update.
    /// `detections` may be empty on frames where the detector did not run
    /// (`detected == false`): tracks then coast on their motion model without aging as misses.
    public func update(_ detections: [Detection], frameIndex: Int, timestampMs: Int64, detected: Bool = true) -> [Track] {
        predictAll(frames: Double(max(0, frameIndex - (lastFrame ?? frameIndex))))
        lastFrame = frameIndex
        guard detected else {
            return tracks.map { $0.snapshot() }
        }
        learnCadence(frameIndex: frameIndex, timestampMs: timestampMs)

        let dets = detections.filter { $0.box.width > 0 && $0.box.height > 0 && $0.score.isFinite }
        let (pairs, unmatchedDets) = pair(dets, now: timestampMs)
        for (ti, di) in pairs { absorb(dets[di], into: tracks[ti], now: timestampMs) }
        recordRun(matched: Set(pairs.map(\.0)))
        dropLostTracks()
        startTracks(from: unmatchedDets.map { dets[$0] }, frameIndex: frameIndex, timestampMs: timestampMs)
        return tracks.map { $0.snapshot() }
    }

    /// Moves every track on by its motion model; none is observed until matched again.
    private func predictAll(frames dt: Double) {
        for t in tracks {
            let q = sq(settings.accelerationNoise * t.h)
            t.gx.predict(frames: dt, accelVar: q)
            t.gy.predict(frames: dt, accelVar: q)
            t.observed = false
        }
    }

    /// (track index, detection index) matches, and the confident detections left unmatched.
    /// Confident detections first, to every track; then weak ones to the tracks still unmatched.
    private func pair(_ dets: [Detection], now: Int64) -> (pairs: [(Int, Int)], unmatched: [Int]) {
        let strong = dets.indices.filter { dets[$0].score >= settings.birthScore }
        let weak = dets.indices.filter { dets[$0].score < settings.birthScore }
        let (firstPairs, unmatchedDets) = associate(dets, detIndices: strong, trackIndices: Array(tracks.indices), now: now)
        var pairs = firstPairs
        if !weak.isEmpty {
            let taken = Set(pairs.map(\.0))
            let rest = tracks.indices.filter { !taken.contains($0) }
            pairs += associate(dets, detIndices: weak, trackIndices: rest, now: now, weak: true).0
        }
        return (pairs, unmatchedDets)
    }

    /// Folds a matched detection into its track: position, size, score and hit history.
    private func absorb(_ det: Detection, into t: TrackState, now: Int64) {
        let m = measure(det.box, track: t)
        let r = sq(settings.measurementNoise * max(t.h, 1e-3))
        t.gx.update(m.gx, measVar: r)
        t.gy.update(m.gy, measVar: r)
        let a = settings.sizeSmoothing
        if m.widthTrusted {
            t.w = t.widthKnown ? t.w + a * (m.w - t.w) : m.w
            t.widthKnown = true
        } else if !t.widthKnown { t.w = max(t.w, m.w) }
        if m.heightTrusted {
            t.h = t.heightKnown ? t.h + a * (m.h - t.h) : m.h
            t.heightKnown = true
        } else if !t.heightKnown { t.h = max(t.h, m.h) }
        t.misses = 0
        t.lastObserved = Point(t.gx.x, t.gy.x)
        t.recentFeet.append(Point(m.gx, m.gy))
        if t.recentFeet.count > 2 { t.recentFeet.removeFirst() }
        t.lastMatchMs = now
        t.observed = true
        t.hits += 1
        if det.score >= settings.birthScore { t.confidentHits += 1 }
        t.scoreSum += det.score
        t.history.append(true)
    }

    /// Counts this detector run against every track (a miss for the unmatched ones) and
    /// confirms those with enough recent hits.
    private func recordRun(matched: Set<Int>) {
        for (ti, t) in tracks.enumerated() where !matched.contains(ti) {
            t.misses += 1
            t.history.append(false)
        }
        for t in tracks { t.runs += 1 }
        for t in tracks {
            if t.history.count > settings.confirmWindow { t.history.removeFirst(t.history.count - settings.confirmWindow) }
            if !t.confirmed && t.history.filter({ $0 }).count >= settings.confirmHits
                && t.confidentHits >= settings.confirmConfidentHits { t.confirmed = true }
        }
    }

    /// Drop: confirmed tracks after ~maxCoastSeconds of misses; tentative ones as soon as
    /// they can no longer reach confirmation, so a one-frame false positive dies quietly.
    private func dropLostTracks() {
        let limit = maxMisses
        let tentativeLimit = max(1, settings.confirmWindow - settings.confirmHits)
        tracks.removeAll { t in
            if t.confirmed { return t.misses > limit || isFarOutside(t.box) }
            return t.misses >= tentativeLimit || t.runs > 2 * settings.confirmWindow
        }
    }

    /// New tracks from unmatched detections, largest first, skipping duplicates of live tracks.
    private func startTracks(from unmatched: [Detection], frameIndex: Int, timestampMs: Int64) {
        let matchedBoxes = tracks.filter { $0.observed }.map { $0.box }
        var newBoxes: [Rect] = []
        for det in unmatched.sorted(by: { $0.box.area > $1.box.area }) {
            let b = det.box
            // Detector duplicates that survive its NMS, or a part of an existing box (head and
            // shoulders inside the full body), are not a second person.
            func duplicate(_ m: Rect) -> Bool {
                m.iou(b) >= settings.duplicateIoU
                    || (b.area < m.area && (m.intersection(b)?.area ?? 0) >= settings.duplicateContainment * b.area)
            }
            if matchedBoxes.contains(where: duplicate) || newBoxes.contains(where: duplicate) { continue }
            newBoxes.append(b)
            let m = measure(b, track: nil)
            tracks.append(TrackState(id: nextId, m: m, score: det.score, frame: frameIndex, timestampMs: timestampMs, settings: settings))
            nextId += 1
        }
    }

    /// Forget all tracks (a looped file restarted, a stream reconnected); ids keep increasing.
    public func reset() {
        tracks.removeAll()
        lastFrame = nil; lastDetectFrame = nil; lastDetectTimestamp = nil
    }

    private func learnCadence(frameIndex: Int, timestampMs: Int64) {
        if let lf = lastDetectFrame, frameIndex > lf {
            var seconds = Double(frameIndex - lf) / max(settings.assumedFps, 0.1)
            if let lt = lastDetectTimestamp, timestampMs > lt, timestampMs - lt < 10_000 {
                seconds = Double(timestampMs - lt) / 1000
            }
            runIntervals.append(seconds)
            if runIntervals.count > 15 { runIntervals.removeFirst() }
        }
        lastDetectFrame = frameIndex
        lastDetectTimestamp = timestampMs
    }

    private func isFarOutside(_ b: Rect) -> Bool {
        b.maxX < 0 || b.minX > 1 || b.maxY < 0 || b.minY > 1.0 + b.height
    }

    /// Ground point and size of a detection; when the box touches a border, the clipped
    /// side is rebuilt from the track's remembered size.
    func measure(_ b: Rect, track t: TrackState?) -> Measurement {
        let e = settings.edgeMargin
        let left = b.minX <= e, right = b.maxX >= 1 - e
        let top = b.minY <= e, bottom = b.maxY >= 1 - e
        var m = Measurement(gx: b.center.x, gy: b.maxY, w: b.width, h: b.height,
                            widthTrusted: !(left || right), heightTrusted: !(top || bottom))
        guard let t else { return m }
        if t.widthKnown && t.w > b.width {
            if left && !right { m.gx = b.maxX - t.w / 2 }
            else if right && !left { m.gx = b.minX + t.w / 2 }
        }
        if bottom && !top && t.heightKnown && t.h > b.height { m.gy = b.minY + t.h }
        return m
    }

    /// Optimal assignment of the given detections to the given tracks; returns (track index,
    /// detection index) pairs and the detections left over (indices into `tracks` and `dets`).
    /// `weak`: the detections are below `birthScore`; they may only extend a track where it is
    /// expected (near its prediction or last position, or overlapping its box), never through
    /// the motion model's uncertainty alone, which grows while a track coasts: a coasting track
    /// of someone who left must not jump to an unsure detection of someone else far away.
    private func associate(_ allDets: [Detection], detIndices: [Int], trackIndices: [Int], now: Int64,
                           weak: Bool = false) -> ([(Int, Int)], [Int]) {
        let n = trackIndices.count, m = detIndices.count
        guard n > 0, m > 0 else { return ([], detIndices) }
        let dets = detIndices.map { allDets[$0] }
        let forbidden = 1e6
        var cost = [[Double]](repeating: [Double](repeating: forbidden, count: m), count: n)
        for (i, ti) in trackIndices.enumerated() {
            let t = tracks[ti]
            let pb = t.box
            // Outer gate: a few box heights at most, growing while the track coasts. Tentative
            // tracks have no trusted velocity yet, so theirs is tight: scattered false positives
            // must not chain into a track.
            let maxGate = t.confirmed
                ? max(settings.gateHeights * t.h * (1 + settings.gateGrowthPerSecond * Double(max(0, now - t.lastMatchMs)) / 1000), 0.02)
                : max(settings.tentativeGateHeights * t.h, 0.015)
            let minGate = settings.minGateHeights * t.h
            let r = sq(settings.measurementNoise * max(t.h, 1e-3))
            let sx = (t.gx.pxx + r).squareRoot(), sy = (t.gy.pxx + r).squareRoot()
            for (j, d) in dets.enumerated() {
                let meas = measure(d.box, track: t)
                let ratio = meas.heightTrusted && t.heightKnown ? max(meas.h / t.h, t.h / meas.h) : 1
                if ratio > settings.maxSizeRatio { continue }
                let dx = meas.gx - t.gx.x, dy = meas.gy - t.gy.x
                let dist = (dx * dx + dy * dy).squareRoot()
                if dist > maxGate { continue }
                let iou = pb.iou(d.box)
                // Inner gate: the motion model's own uncertainty (Mahalanobis distance), so a
                // confirmed track does not jump to a person appearing beside its prediction.
                let m2 = sq(dx / sx) + sq(dy / sy)
                // Second hypothesis: the person stopped or turned round since the last match.
                let dStill = ((meas.gx - t.lastObserved.x) * (meas.gx - t.lastObserved.x)
                              + (meas.gy - t.lastObserved.y) * (meas.gy - t.lastObserved.y)).squareRoot()
                guard dist <= minGate || dStill <= minGate || (!weak && m2 <= sq(settings.gateSigmas))
                        || iou >= settings.overrideIoU else { continue }
                let closeness = max(exp(-0.5 * m2 / sq(settings.gateSigmas / 2)), 0.5 * max(0, 1 - dStill / minGate))
                let similarity = 0.4 * iou + 0.6 * closeness
                if similarity <= 0.01 { continue }
                // Confirmed tracks win ties against fresh ones (fewer ID switches).
                cost[i][j] = 1 - similarity - (t.confirmed ? 0.05 : 0)
            }
        }
        let assignment = hungarian(cost)
        var pairs: [(Int, Int)] = []
        var used = Set<Int>()
        for (i, j) in assignment.enumerated() where j >= 0 && cost[i][j] < forbidden / 2 {
            pairs.append((trackIndices[i], detIndices[j])); used.insert(j)
        }
        return (pairs, (0..<m).filter { !used.contains($0) }.map { detIndices[$0] })
    }
}

/// Minimum-cost assignment (Hungarian / Kuhn–Munkres with potentials) for an n×m
/// matrix; returns for each row the chosen column or -1.
func hungarian(_ a: [[Double]]) -> [Int] {
    let n0 = a.count
    guard n0 > 0 else { return [] }
    let m0 = a[0].count
    guard m0 > 0 else { return [Int](repeating: -1, count: n0) }
    // The algorithm wants rows <= columns; transpose otherwise.
    let transposed = n0 > m0
    let n = transposed ? m0 : n0, m = transposed ? n0 : m0
    func c(_ i: Int, _ j: Int) -> Double { transposed ? a[j][i] : a[i][j] }
    var u = [Double](repeating: 0, count: n + 1), v = [Double](repeating: 0, count: m + 1)
    var p = [Int](repeating: 0, count: m + 1), way = [Int](repeating: 0, count: m + 1)
    for i in 1...n {
        p[0] = i
        var j0 = 0
        var minv = [Double](repeating: .infinity, count: m + 1)
        var used = [Bool](repeating: false, count: m + 1)
        repeat {
            used[j0] = true
            let i0 = p[j0]
            var delta = Double.infinity, j1 = 0
            for j in 1...m where !used[j] {
                let cur = c(i0 - 1, j - 1) - u[i0] - v[j]
                if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                if minv[j] < delta { delta = minv[j]; j1 = j }
            }
            for j in 0...m {
                if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
            }
            j0 = j1
        } while p[j0] != 0
        repeat {
            let j1 = way[j0]
            p[j0] = p[j1]
            j0 = j1
        } while j0 != 0
    }
    var result = [Int](repeating: -1, count: n0)
    for j in 1...m where p[j] != 0 {
        if transposed { result[j - 1] = p[j] - 1 } else { result[p[j] - 1] = j - 1 }
    }
    return result
}
