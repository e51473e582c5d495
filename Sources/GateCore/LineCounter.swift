/// Counts crossings of directed counting lines by confirmed tracks.
///
/// Per track and line the counter keeps an *anchor* side: the side of the line
/// the person was last firmly seen on (beyond a band around the line). A
/// crossing counts when the ground point is then seen beyond the band on the
/// other side for `confirmUpdates` consecutive observed updates, and the path
/// crossed the line within the segment (plus a small tolerance). The anchor then
/// moves to the new side, so jitter, stops on the line and flicker never count
/// twice, and a person must really go back (counting the opposite direction)
/// before the same direction can count again.
///
/// Only frames where the track matched a detection (`Track.observed`) move the
/// state: predicted positions are guesses, not evidence. A new track takes its first
/// side only `firstSideBands` band half-widths from the line, so someone first found
/// standing on it (after being hidden) does not count when walking back.
///
/// ID switches: when a track is first observed, and another track was last
/// observed within `switchSeconds`, close by (`switchDistanceHeights` box
/// heights) and near a line, but is not observed now (coasting or just dropped),
/// the new track takes over that (confirmed) track's state for the lines it was near. A
/// crossing split over the two IDs then counts once, and a person who had
/// already counted does not count again. The old track is marked as handed over
/// and will not count on loss; if it is matched again it resumes from its
/// successor's state.
///
/// A confirmed track that disappears after being seen beyond the band on the far
/// side, but fewer than `confirmUpdates` times (a person leaving the frame right
/// after the line), counts when it is dropped, unless a successor took it over; the event
/// carries the frame and time it was last seen.
public struct CountingSettings: Equatable, Sendable {
    /// Half-width of the hysteresis band: this share of the person's box height,
    /// clamped to [minBand, maxBand] (normalised units).
    public var bandHeightShare: Double = 0.1
    public var minBand: Double = 0.01
    public var maxBand: Double = 0.05
    /// Consecutive observed updates beyond the band on the new side needed to count.
    public var confirmUpdates: Int = 2
    /// A track without a side yet takes one only this many band half-widths from the line.
    public var firstSideBands: Double = 2
    /// How far past the segment's ends a crossing still counts (normalised units).
    public var extentTolerance: Double = 0.02
    /// ID-switch continuation window and distance (in box heights, at least minSwitchDistance).
    public var switchSeconds: Double = 1.0
    public var switchDistanceHeights: Double = 0.75
    public var minSwitchDistance: Double = 0.03
    /// A lost track may hand over its state for a line only if it was last seen this close to it
    /// (box heights, at least the band).
    public var switchNearLineHeights: Double = 1.0
    /// Count a crossing seen beyond the band fewer than `confirmUpdates` times when the track is lost.
    public var countPendingOnLoss: Bool = true
    public init() {}
}

public struct LineTotals: Equatable, Sendable, Codable {
    public var ins: Int
    public var outs: Int
    public init(ins: Int = 0, outs: Int = 0) { self.ins = ins; self.outs = outs }
}

/// Precomputed geometry of a directed counting segment.
public struct LineGeometry: Equatable, Sendable {
    public let from: Point
    public let to: Point
    public let length: Double
    let ux: Double, uy: Double
    /// +1 if `inside` lies to the left of from→to (cross product > 0), -1 otherwise.
    let insideSign: Double

    public init(from: Point, to: Point, inside: Point) {
        self.from = from; self.to = to
        let dx = to.x - from.x, dy = to.y - from.y
        length = (dx * dx + dy * dy).squareRoot()
        ux = length > 0 ? dx / length : 1; uy = length > 0 ? dy / length : 0
        let c = ux * (inside.y - from.y) - uy * (inside.x - from.x)
        insideSign = c >= 0 ? 1 : -1
    }
    public init(_ line: LineConfig) { self.init(from: line.from, to: line.to, inside: line.inside) }

    /// Distance from the (infinite) line, positive on the inside side.
    public func signedDistance(_ p: Point) -> Double {
        (ux * (p.y - from.y) - uy * (p.x - from.x)) * insideSign
    }
    /// Position along the segment: 0 at `from`, 1 at `to`.
    public func along(_ p: Point) -> Double {
        length > 0 ? (ux * (p.x - from.x) + uy * (p.y - from.y)) / length : 0
    }
    /// Where the path a→b meets the infinite line, as a position along the segment.
    func crossingAlong(_ a: Point, _ b: Point) -> Double {
        let da = signedDistance(a), db = signedDistance(b)
        let s = da == db ? 0.5 : da / (da - db)
        return along(Point(a.x + (b.x - a.x) * s, a.y + (b.y - a.y) * s))
    }
}

public final class LineCounter {
    public let lines: [LineConfig]
    public let feedId: String
    public let gateId: String
    public let settings: CountingSettings
    public private(set) var totals: [String: LineTotals] = [:]

    struct LineState {
        var anchor = 0              // +1 inside, -1 outside, 0 not yet known
        var pendingCount = 0
        var crossAlong: Double?     // where the latest move from the anchor side crossed the line
        var lastPoint: Point?
    }
    struct Memory {
        var states: [LineState]
        var lastPoint = Point(0, 0)
        var lastVelocity = Point(0, 0)
        var lastFrame = 0
        var lastMs: Int64 = 0
        var height = 0.0
        var confirmed = false
        var score = 0.0
        var seen = false            // observed at least once
        var present = true
        var successor: Int?         // handed over to this track after an ID switch
    }
    private let geometry: [LineGeometry]
    private var memory: [Int: Memory] = [:]

    public init(lines: [LineConfig], feedId: String, gateId: String, settings: CountingSettings = CountingSettings()) {
        self.lines = lines; self.feedId = feedId; self.gateId = gateId; self.settings = settings
        geometry = lines.map(LineGeometry.init)
        for l in lines { totals[l.id] = LineTotals() }
    }

    /// Totals over all lines of this counter.
    public var total: LineTotals {
        totals.values.reduce(into: LineTotals()) { $0.ins += $1.ins; $0.outs += $1.outs }
    }

    /// Feed the tracker's output for one frame; returns the crossings confirmed on this frame.
    public func update(tracks: [Track], frameIndex: Int, timestampMs: Int64) -> [CrossingEvent] {
        var events: [CrossingEvent] = []
        let present = Set(tracks.map(\.id))
        // Tracks that vanished this frame: a pending crossing may still count.
        for id in memory.keys.sorted() where !present.contains(id) && memory[id]!.present {
            memory[id]!.present = false
            events += flushPending(id: id, frameIndex: frameIndex, timestampMs: timestampMs)
        }
        for t in tracks.sorted(by: { $0.id < $1.id }) {
            if memory[t.id] == nil { memory[t.id] = Memory(states: Array(repeating: LineState(), count: lines.count)) }
            memory[t.id]!.present = true
            memory[t.id]!.confirmed = t.confirmed
            memory[t.id]!.score = t.score
            guard t.observed else { continue }
            let p = t.countingPoint, h = max(t.box.height, 1e-3)
            if !memory[t.id]!.seen {
                inheritFromSwitch(newId: t.id, point: p, height: h, frameIndex: frameIndex, timestampMs: timestampMs)
            } else if let succ = memory[t.id]!.successor {
                // The old track came back after handing over. If the successor counted the
                // crossing meanwhile, take its side so the crossing is not counted again.
                if let s = memory[succ] {
                    for i in lines.indices where s.states[i].anchor != 0 && s.states[i].anchor != memory[t.id]!.states[i].anchor {
                        memory[t.id]!.states[i] = LineState(anchor: s.states[i].anchor, pendingCount: 0,
                                                            crossAlong: nil, lastPoint: memory[t.id]!.lastPoint)
                    }
                }
                memory[t.id]!.successor = nil
            }
            for i in lines.indices {
                if let e = step(id: t.id, line: i, point: p, height: h, frameIndex: frameIndex, timestampMs: timestampMs) {
                    events.append(e)
                }
            }
            memory[t.id]!.seen = true
            memory[t.id]!.lastPoint = p
            memory[t.id]!.lastVelocity = t.velocity
            memory[t.id]!.lastFrame = frameIndex
            memory[t.id]!.lastMs = timestampMs
            memory[t.id]!.height = h
        }
        // Forget tracks gone for longer than the switch window.
        let windowMs = Int64(settings.switchSeconds * 1000)
        memory = memory.filter { $0.value.present || (timestampMs - $0.value.lastMs <= windowMs && frameIndex - $0.value.lastFrame <= 300) }
        return events
    }

    /// End of the source: count crossings still pending on live tracks.
    public func finish(frameIndex: Int, timestampMs: Int64) -> [CrossingEvent] {
        var events: [CrossingEvent] = []
        for id in memory.keys.sorted() where memory[id]!.present {
            memory[id]!.present = false
            events += flushPending(id: id, frameIndex: frameIndex, timestampMs: timestampMs)
        }
        memory.removeAll()
        return events
    }

    /// Forget every track (after `Tracker.reset()`); totals are kept.
    public func reset() { memory.removeAll() }

    private func band(height h: Double) -> Double {
        min(settings.maxBand, max(settings.minBand, settings.bandHeightShare * h))
    }

    private func withinExtent(_ along: Double?, line i: Int) -> Bool {
        guard let a = along, geometry[i].length > 0 else { return false }
        let tol = settings.extentTolerance / geometry[i].length
        return a >= -tol && a <= 1 + tol
    }

    private func step(id: Int, line i: Int, point p: Point, height h: Double,
                      frameIndex: Int, timestampMs: Int64) -> CrossingEvent? {
        let g = geometry[i]
        guard g.length > 0 else { return nil }
        var st = memory[id]!.states[i]
        defer { st.lastPoint = p; memory[id]!.states[i] = st }
        let sd = g.signedDistance(p)
        let anchor = Double(st.anchor)
        if st.anchor != 0, let lp = st.lastPoint, g.signedDistance(lp) * anchor >= 0, sd * anchor < 0 {
            st.crossAlong = g.crossingAlong(lp, p)
        }
        let b = band(height: h)
        let zone = sd > b ? 1 : (sd < -b ? -1 : 0)
        if st.anchor == 0 {
            // A track's first side must be firm: someone first seen just past the band (found
            // on the line after being hidden by or merged with another person) may have come
            // from either side, so a stop there and a walk back must not count.
            if abs(sd) > settings.firstSideBands * b { st.anchor = sd > 0 ? 1 : -1 }
            return nil
        }
        if zone == st.anchor { st.pendingCount = 0; return nil }
        if zone == 0 { st.pendingCount = 0; return nil }
        st.pendingCount += 1
        // No observed sign change (e.g. the state came from an ID switch): use where the
        // first point beyond the band projects onto the line.
        if st.crossAlong == nil { st.crossAlong = g.along(p) }
        guard st.pendingCount >= settings.confirmUpdates else { return nil }
        guard withinExtent(st.crossAlong, line: i) else {
            // Went round the end of the segment: now on the other side, nothing to count.
            st.anchor = zone; st.pendingCount = 0; st.crossAlong = nil
            return nil
        }
        // A tentative track keeps its pending crossing until it is confirmed (or dies).
        guard memory[id]!.confirmed else { return nil }
        st.anchor = zone; st.pendingCount = 0; st.crossAlong = nil
        return record(line: i, direction: zone > 0 ? .in : .out, trackId: id,
                      score: memory[id]!.score, frameIndex: frameIndex, timestampMs: timestampMs)
    }

    private func flushPending(id: Int, frameIndex: Int, timestampMs: Int64) -> [CrossingEvent] {
        guard settings.countPendingOnLoss, let m = memory[id], m.confirmed, m.successor == nil else { return [] }
        var events: [CrossingEvent] = []
        for i in lines.indices {
            var st = m.states[i]
            guard st.anchor != 0, st.pendingCount >= 1, withinExtent(st.crossAlong, line: i) else { continue }
            let dir: Direction = st.anchor > 0 ? .out : .in
            st.anchor = -st.anchor; st.pendingCount = 0; st.crossAlong = nil
            memory[id]!.states[i] = st
            // Dated when the person was last seen beyond the line, not when the track was dropped.
            events.append(record(line: i, direction: dir, trackId: id, score: m.score,
                                 frameIndex: m.lastFrame, timestampMs: m.lastMs))
        }
        return events
    }

    /// A new track close to where an unobserved track was last seen near a line continues it.
    private func inheritFromSwitch(newId: Int, point p: Point, height h: Double, frameIndex: Int, timestampMs: Int64) {
        let windowMs = Int64(settings.switchSeconds * 1000)
        var best: (id: Int, dist: Double)?
        // Only confirmed tracks hand over: a tentative one is often a part box (a head at the
        // frame border) whose ground point, hence side, is wrong.
        for (id, m) in memory where id != newId && m.seen && m.confirmed && m.successor == nil && m.lastFrame < frameIndex {
            guard timestampMs - m.lastMs <= windowMs else { continue }
            let gap = Double(min(frameIndex - m.lastFrame, 30))
            let predicted = m.lastPoint + m.lastVelocity * gap
            let d = min(p.distance(to: m.lastPoint), p.distance(to: predicted))
            let limit = max(settings.minSwitchDistance, settings.switchDistanceHeights * max(h, m.height))
            guard d <= limit else { continue }
            // Only worth it where the new track is not already firmly on the old one's side.
            guard lines.indices.contains(where: { i in
                nearLine(m, line: i) && geometry[i].signedDistance(p) * Double(m.states[i].anchor) <= band(height: h)
            }) else { continue }
            if best == nil || d < best!.dist || (d == best!.dist && id < best!.id) { best = (id, d) }
        }
        guard let donor = best?.id, let m = memory[donor] else { return }
        for i in lines.indices where nearLine(m, line: i)
            && geometry[i].signedDistance(p) * Double(m.states[i].anchor) <= band(height: h) {
            memory[newId]!.states[i] = m.states[i]
        }
        memory[donor]!.successor = newId
    }

    private func nearLine(_ m: Memory, line i: Int) -> Bool {
        let g = geometry[i]
        guard g.length > 0, m.states[i].anchor != 0 else { return false }
        let near = max(band(height: m.height), settings.switchNearLineHeights * m.height)
        let a = g.along(m.lastPoint)
        let tol = (settings.extentTolerance + near) / g.length
        return abs(g.signedDistance(m.lastPoint)) <= near && a >= -tol && a <= 1 + tol
    }

    private func record(line i: Int, direction: Direction, trackId: Int, score: Double,
                        frameIndex: Int, timestampMs: Int64) -> CrossingEvent {
        let id = lines[i].id
        var t = totals[id] ?? LineTotals()
        if direction == .in { t.ins += 1 } else { t.outs += 1 }
        totals[id] = t
        return CrossingEvent(timestampMs: timestampMs, feedId: feedId, gateId: gateId, lineId: id,
                             direction: direction, trackId: trackId, confidence: score, frameIndex: frameIndex)
    }
}
