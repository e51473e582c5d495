/// Direction of a crossing relative to the line's `inside` point.
public enum Direction: Int, Sendable, Codable, CaseIterable {
    case `in` = 1
    case out = -1
    public var name: String { self == .in ? "in" : "out" }
}

/// One person crossing one counting line. Times are UTC milliseconds.
public struct CrossingEvent: Equatable, Sendable, Codable {
    public var timestampMs: Int64
    public var feedId: String
    public var gateId: String
    public var lineId: String
    public var direction: Direction
    public var trackId: Int
    public var confidence: Double
    /// Index of the frame (from the start of the source) on which the crossing was confirmed.
    public var frameIndex: Int
    public init(timestampMs: Int64, feedId: String, gateId: String, lineId: String,
                direction: Direction, trackId: Int, confidence: Double, frameIndex: Int) {
        self.timestampMs = timestampMs; self.feedId = feedId; self.gateId = gateId
        self.lineId = lineId; self.direction = direction; self.trackId = trackId
        self.confidence = confidence; self.frameIndex = frameIndex
    }
}

/// Per-frame picture statistics measured by the vision layer (0…255 scale
/// for brightness/contrast). Used by the tamper and frozen-picture rules.
public struct FrameStats: Equatable, Sendable, Codable {
    public var brightness: Double      // mean grey level
    public var contrast: Double        // standard deviation of grey level
    public var sharpness: Double       // variance of the Laplacian
    public var change: Double          // mean absolute difference to the previous frame
    /// 0…1 similarity of this frame's structure to the feed's reference view
    /// (1 = same scene); nil until a reference exists.
    public var referenceSimilarity: Double?
    public init(brightness: Double, contrast: Double, sharpness: Double, change: Double,
                referenceSimilarity: Double? = nil) {
        self.brightness = brightness; self.contrast = contrast; self.sharpness = sharpness
        self.change = change; self.referenceSimilarity = referenceSimilarity
    }
}
