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

/// How busy the shared detection engine is (its runs wait for a worker).
public enum EngineLoad: Int, Comparable, Sendable {
    case normal, saturated, overloaded
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
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
    /// Overloaded (runs still wait longer than `overloadedWaitShare` of a run's time at that
    /// rate): one run per this long (every 4th frame at 10 fps: on vtest.avi YOLOX-Nano gives
    /// 11 / 15, 14 / 18 and 4 / 4 there, within 10% on all three lines).
    public var overloadIntervalSeconds: Double = 0.4
    /// The engine counts as saturated when runs wait, on average, more than this share of a
    /// run's own time before a worker takes them, overloaded above `overloadedWaitShare`, and
    /// steps back down a level below `relievedWaitShare` (hysteresis).
    public var saturatedWaitShare: Double = 0.5
    public var overloadedWaitShare: Double = 1.5
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

    /// Frames between scheduled runs: `detectEvery`, or under load the frames in
    /// `underLoadIntervalSeconds` (3 at 10 fps) or `overloadIntervalSeconds` (4), if more.
    public func scheduledEvery(detectEvery: Int, fps: Double, load: EngineLoad) -> Int {
        guard fps > 0 else { return detectEvery }
        switch load {
        case .normal: return detectEvery
        case .saturated: return max(detectEvery, Int((fps * underLoadIntervalSeconds).rounded()))
        case .overloaded: return max(detectEvery, Int((fps * overloadIntervalSeconds).rounded()))
        }
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

    /// The engine's load level from the mean wait of runs before a worker took them and the
    /// mean time of a run: one level up past its threshold, one level down below
    /// `relievedWaitShare` (feeds do not flap between rates).
    public func load(was: EngineLoad, meanWaitMs: Double, meanRunMs: Double) -> EngineLoad {
        guard meanRunMs > 0 else { return .normal }
        let share = meanWaitMs / meanRunMs
        switch was {
        case .normal: return share > saturatedWaitShare ? .saturated : .normal
        case .saturated: return share > overloadedWaitShare ? .overloaded : (share < relievedWaitShare ? .normal : .saturated)
        case .overloaded: return share < relievedWaitShare ? .saturated : .overloaded
        }
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
