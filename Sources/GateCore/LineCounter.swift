/// Counts crossings of directed counting lines by confirmed tracks.
/// (API fixed by the skeleton; the implementation is the core issue's work.)
public struct CountingSettings: Equatable, Sendable {
    public init() {}
}

public struct LineTotals: Equatable, Sendable, Codable {
    public var ins: Int
    public var outs: Int
    public init(ins: Int = 0, outs: Int = 0) { self.ins = ins; self.outs = outs }
}

public final class LineCounter {
    public let lines: [LineConfig]
    public let feedId: String
    public let gateId: String
    public private(set) var totals: [String: LineTotals] = [:]
    public init(lines: [LineConfig], feedId: String, gateId: String, settings: CountingSettings = CountingSettings()) {
        self.lines = lines; self.feedId = feedId; self.gateId = gateId
    }
    /// Feed the tracker's output for one frame; returns the crossings confirmed on this frame.
    public func update(tracks: [Track], frameIndex: Int, timestampMs: Int64) -> [CrossingEvent] {
        []
    }
}
