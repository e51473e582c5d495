/// Multi-object tracker: associates detections frame to frame.
/// (API fixed by the skeleton; the implementation is the core issue's work.)
public struct TrackerSettings: Equatable, Sendable {
    public init() {}
}

public struct Track: Equatable, Sendable {
    public var id: Int
    /// Current (possibly predicted) box, normalised.
    public var box: Rect
    /// Only confirmed tracks are counted.
    public var confirmed: Bool
    /// Frames since the last matched detection (0 = matched this frame).
    public var misses: Int
    /// Mean detector score of the matched detections.
    public var score: Double
    public init(id: Int, box: Rect, confirmed: Bool, misses: Int, score: Double) {
        self.id = id; self.box = box; self.confirmed = confirmed; self.misses = misses; self.score = score
    }
}

public final class Tracker {
    public let settings: TrackerSettings
    public init(settings: TrackerSettings = TrackerSettings()) { self.settings = settings }
    /// Feed the detections of one frame; returns the live tracks after the update.
    /// `detections` may be empty on frames where the detector did not run
    /// (`detected == false`): tracks then coast on their motion model without aging as misses.
    public func update(_ detections: [Detection], frameIndex: Int, timestampMs: Int64, detected: Bool = true) -> [Track] {
        []
    }
}
