import Foundation

/// How often a feed's person detector runs. A detector run is the dearest step by far; on
/// a 2-core box the number of runs per second decides how many feeds one box serves. Config
/// `cadence`: `adaptive` (default) or `fixed` (every `detect_every`-th frame, the design
/// before the engine; kept to compare and for a scene that fools the rule).
public enum CadenceMode: String, Equatable, Sendable, CaseIterable, Codable {
    case adaptive, fixed
}

/// What a feed does when its person model is missing or does not load (`on_model_error`).
public enum ModelErrorPolicy: String, Equatable, Sendable, CaseIterable {
    /// Use the next model down (YOLOX-Nano → SSDLite → HOG), with one warning naming the file.
    case fallBack = "fall_back"
    /// This feed stops with that line (its health says why); the site's other feeds go on.
    case stopFeed = "stop_feed"
}

/// The rate a feed needs right now.
public enum CadenceRate: String, Equatable, Sendable, CaseIterable {
    /// Every scheduled frame (`detect_every`): something moves in the band around the
    /// lines, or someone tracked is within reach of a line.
    case full
    /// Things move only far from every line, and everybody tracked is far from them too:
    /// the tracker predicts in between, and nobody can cross before the next run.
    case reduced
    /// Nothing moves in the detection region: no run (one at least every
    /// `maxSecondsWithoutDetection`, so a person standing still is not forgotten).
    case idle
}

/// The adaptive rule, pure so it can be tested without pictures. Distances are in the
/// normalised picture coordinates lines and tracks use.
public struct DetectionCadence: Equatable, Sendable {
    /// A track is within reach of a line when it could walk there in this long at its
    /// current speed, plus the gap between two reduced-rate runs…
    public var reachSeconds: Double = 1.0
    /// …and never closer than this many of its own heights (a person standing still may
    /// start walking; a fresh track's speed is not known yet).
    public var minReachHeights: Double = 0.5
    /// Longest gap between two runs while everybody is far from every line.
    public var reducedIntervalSeconds: Double = 0.5
    /// While the shared engine is saturated (runs wait behind other feeds'), full rate means
    /// at most one run this often instead of every `detect_every`-th frame: the box then
    /// serves more feeds at a lower rate each rather than dropping frames. At 10 fps this is
    /// every 3rd frame; on vtest.avi YOLOX-Nano stays within 10% per direction on all three
    /// hand-annotated lines at every 3rd and every 4th frame (SSDLite does not: road 10 / 13).
    public var underLoadIntervalSeconds: Double = 0.3
    /// The engine counts as saturated when runs wait, on average, more than this share of a
    /// run's own time before a worker takes them, and as relieved below `relievedWaitShare`.
    public var saturatedWaitShare: Double = 0.5
    public var relievedWaitShare: Double = 0.15

    public init() {}

    /// The rate for the next scheduled frame, from the tracks of the last frame and where the
    /// picture changed: `motion` anywhere the detector looks, `motionNearLines` in the band
    /// around the lines (`DetectionRegion.auto`). Motion near a line with nobody tracked there
    /// is someone just come into view (from behind a pillar, a bus, the frame's edge): they
    /// must be seen on their first side before they cross, so the rate is full at once.
    public func rate(tracks: [Track], lines: [LineGeometry], motion: Bool, motionNearLines: Bool, fps: Double) -> CadenceRate {
        guard motion else { return .idle }
        guard !motionNearLines, !lines.isEmpty else { return .full }
        let horizon = reachSeconds + reducedIntervalSeconds
        for t in tracks {
            let speed = (t.velocity.x * t.velocity.x + t.velocity.y * t.velocity.y).squareRoot() * max(fps, 1)
            let reach = max(minReachHeights * t.box.height, speed * horizon)
            if lines.contains(where: { $0.distanceToSegment(t.countingPoint) <= reach }) { return .full }
        }
        return .reduced
    }

    /// Frames between scheduled runs: `detectEvery`, or while the shared engine is
    /// saturated, the frames in `underLoadIntervalSeconds` if that is more (3 at 10 fps).
    public func scheduledEvery(detectEvery: Int, fps: Double, underLoad: Bool) -> Int {
        guard underLoad, fps > 0 else { return detectEvery }
        return max(detectEvery, Int((fps * underLoadIntervalSeconds).rounded()))
    }

    /// Whether a scheduled frame gets a detector run, given the rate and the time since the
    /// last run. `overdue`: the longest allowed gap has passed (see `idle`).
    public func shouldRun(_ rate: CadenceRate, msSinceLastRun: Int64?, overdue: Bool) -> Bool {
        if overdue { return true }
        switch rate {
        case .full: return true
        case .idle: return false
        case .reduced:
            guard let since = msSinceLastRun else { return true }
            return Double(since) >= reducedIntervalSeconds * 1000
        }
    }

    /// Saturation with hysteresis, from the mean wait of runs before a worker took them and
    /// the mean time of a run.
    public func saturated(wasSaturated: Bool, meanWaitMs: Double, meanRunMs: Double) -> Bool {
        guard meanRunMs > 0 else { return false }
        let share = meanWaitMs / meanRunMs
        return wasSaturated ? share > relievedWaitShare : share > saturatedWaitShare
    }
}

extension LineGeometry {
    /// Distance from the segment (not the infinite line): beyond an end, the distance to it.
    public func distanceToSegment(_ p: Point) -> Double {
        guard length > 0 else { return p.distance(to: from) }
        let a = along(p)
        if a < 0 { return p.distance(to: from) }
        if a > 1 { return p.distance(to: to) }
        return abs(signedDistance(p))
    }
}
