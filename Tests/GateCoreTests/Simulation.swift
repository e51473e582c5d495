import XCTest
@testable import GateCore

/// Deterministic random numbers for reproducible noisy scenes.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    mutating func uniform(_ a: Double, _ b: Double) -> Double { a + (b - a) * uniform() }
    mutating func gaussian(_ sigma: Double) -> Double {
        let u1 = max(uniform(), 1e-12), u2 = uniform()
        return sigma * (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }
}

/// A simulated person: where their feet are on each frame they are in view.
struct Person {
    var frames: ClosedRange<Int>
    var width: Double = 0.05
    var height: Double = 0.15
    var ground: (Int) -> Point

    /// Straight walk from `a` to `b` over the frame range.
    static func walk(from a: Point, to b: Point, frames: ClosedRange<Int>, width: Double = 0.05, height: Double = 0.15) -> Person {
        let n = Double(max(1, frames.count - 1))
        return Person(frames: frames, width: width, height: height) { f in
            let s = Double(f - frames.lowerBound) / n
            return Point(a.x + (b.x - a.x) * s, a.y + (b.y - a.y) * s)
        }
    }
    /// Walk through waypoints, spending `framesPerLeg[i]` frames on each leg.
    static func path(_ pts: [Point], framesPerLeg: [Int], start: Int, width: Double = 0.05, height: Double = 0.15) -> Person {
        let total = framesPerLeg.reduce(0, +)
        return Person(frames: start...(start + total), width: width, height: height) { f in
            var k = f - start
            for (i, n) in framesPerLeg.enumerated() {
                if k <= n || i == framesPerLeg.count - 1 {
                    let s = Double(min(k, n)) / Double(max(n, 1))
                    let a = pts[i], b = pts[i + 1]
                    return Point(a.x + (b.x - a.x) * s, a.y + (b.y - a.y) * s)
                }
                k -= n
            }
            return pts.last!
        }
    }
    func trueBox(_ f: Int) -> Rect {
        let g = ground(f)
        return Rect(x: g.x - width / 2, y: g.y - height, width: width, height: height)
    }
}

/// The detector's view of a box: clipped to the frame, nil if nothing is visible.
func clipped(_ r: Rect) -> Rect? {
    r.intersection(Rect(x: 0, y: 0, width: 1, height: 1))
}

struct SceneNoise {
    var jitter: Double = 0          // sigma of each box edge, normalised
    var missRate: Double = 0        // chance a visible person is not detected
    var falsePositivesPerFrame: Double = 0
    var seed: UInt64 = 1
}

struct SceneResult {
    var events: [CrossingEvent]
    var tracksPerFrame: [[Track]]
    var counter: LineCounter
    /// Frames the detector ran on.
    var detectorRuns = 0
    var ins: Int { events.filter { $0.direction == .in }.count }
    var outs: Int { events.filter { $0.direction == .out }.count }
}

/// Runs people through a detector model, the tracker and a line counter.
func runScene(_ people: [Person], frames: Int, lines: [LineConfig], noise: SceneNoise = SceneNoise(),
              fps: Double = 10, detectEvery: Int = 1, tracker settings: TrackerSettings = TrackerSettings(),
              counting: CountingSettings = CountingSettings(), cadence: DetectionCadence? = nil) -> SceneResult {
    var rng = SeededRandom(seed: noise.seed)
    let tracker = Tracker(settings: settings)
    let counter = LineCounter(lines: lines, feedId: "f", gateId: "g", settings: counting)
    var events: [CrossingEvent] = []
    var perFrame: [[Track]] = []
    let geometry = lines.map(LineGeometry.init)
    let band = DetectionRegion.auto.normalised(lines: lines)
    var lastRunMs: Int64?
    var runs = 0
    for f in 0..<frames {
        let ts = Int64((Double(f) / fps * 1000).rounded())
        var detected = f % detectEvery == 0
        if detected, let cadence {
            // The pipeline's decision: motion whenever somebody is in view.
            let visible = people.filter { $0.frames.contains(f) }.compactMap { clipped($0.trueBox(f)) }
            let nearLines = visible.contains { b in band.map { b.intersection($0) != nil } ?? true }
            let rate = cadence.rate(tracks: perFrame.last ?? [], lines: geometry, motion: !visible.isEmpty,
                                    motionNearLines: nearLines, fps: fps)
            let overdue = lastRunMs.map { ts - $0 >= 2000 } ?? true
            detected = cadence.shouldRun(rate, msSinceLastRun: lastRunMs.map { ts - $0 }, overdue: overdue)
        }
        if detected { lastRunMs = ts; runs += 1 }
        var dets: [Detection] = []
        if detected {
            for p in people where p.frames.contains(f) {
                if rng.uniform() < noise.missRate { continue }
                var b = p.trueBox(f)
                if noise.jitter > 0 {
                    let j = noise.jitter
                    let x0 = b.minX + rng.gaussian(j), x1 = b.maxX + rng.gaussian(j)
                    let y0 = b.minY + rng.gaussian(j), y1 = b.maxY + rng.gaussian(j)
                    b = Rect(x: x0, y: y0, width: max(0.005, x1 - x0), height: max(0.005, y1 - y0))
                }
                if let c = clipped(b), c.width > 0.004, c.height > 0.004 { dets.append(Detection(box: c, score: rng.uniform(0.6, 0.95))) }
            }
            if noise.falsePositivesPerFrame > 0 && rng.uniform() < noise.falsePositivesPerFrame {
                let b = Rect(x: rng.uniform(0, 0.9), y: rng.uniform(0, 0.8), width: 0.05, height: 0.15)
                dets.append(Detection(box: b, score: rng.uniform(0.4, 0.6)))
            }
        }
        let tracks = tracker.update(dets, frameIndex: f, timestampMs: ts, detected: detected)
        perFrame.append(tracks)
        events += counter.update(tracks: tracks, frameIndex: f, timestampMs: ts)
    }
    events += counter.finish(frameIndex: frames, timestampMs: Int64(Double(frames) / fps * 1000))
    return SceneResult(events: events, tracksPerFrame: perFrame, counter: counter, detectorRuns: runs)
}

/// A horizontal line at y across [x0, x1]; inside is below (larger y) unless `insideAbove`.
func hLine(_ id: String = "l", y: Double = 0.5, x0: Double = 0.1, x1: Double = 0.9, insideAbove: Bool = false) -> LineConfig {
    LineConfig(id: id, name: id, from: Point(x0, y), to: Point(x1, y),
               inside: Point((x0 + x1) / 2, insideAbove ? y - 0.2 : y + 0.2))
}
