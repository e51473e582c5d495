import GateCore

/// The Gate screen's line editor (pure): one feed's counting lines being changed by keys and
/// clicks, before they are saved to the site file.
public struct LineEditor: Equatable, Sendable {
    public enum End: Equatable, Sendable { case from, to }
    public var feedId: String
    public var lines: [LineConfig]
    public var selected = 0
    public var end = End.from
    /// Changed since opened or saved.
    public var dirty = false

    /// An arrow key moves an end this far (a share of the picture); with Shift or H J K L, `fineStep`.
    public static let step = 0.02, fineStep = 0.005
    /// How far from the line's middle the in-side point is kept.
    static let insideOffset = 0.1

    public init(feedId: String, lines: [LineConfig]) { self.feedId = feedId; self.lines = lines }

    public var current: LineConfig? { lines.indices.contains(selected) ? lines[selected] : nil }

    /// Moves the chosen end; the in-side stays on the same side of the line.
    public mutating func move(dx: Double, dy: Double) {
        guard let l = current else { return }
        var p = end == .from ? l.from : l.to
        p = Point(x: Self.clamp(p.x + dx), y: Self.clamp(p.y + dy))
        place(p)
    }

    /// Puts the chosen end at `p` (a click on the picture).
    public mutating func place(_ p: Point) {
        guard var l = current else { return }
        let p = Point(x: Self.clamp(p.x), y: Self.clamp(p.y))
        let side = Self.side(l)
        if end == .from { l.from = p } else { l.to = p }
        guard l.from != l.to else { return }
        l.inside = Self.insidePoint(l, side: side)
        lines[selected] = l
        dirty = true
    }

    /// The in-side goes to the other side of the line.
    public mutating func flip() {
        guard let l = current else { return }
        let side = Self.side(l)
        lines[selected].inside = Self.insidePoint(l, side: -side)
        dirty = true
    }

    /// A new horizontal line across the middle, in-side below, selected.
    public mutating func add() {
        let ids = Set(lines.map(\.id))
        let n = (1...).first { !ids.contains("\(feedId)-line\($0)") }!
        var l = LineConfig(id: "\(feedId)-line\(n)", name: "\(feedId) line \(n)",
                           from: Point(x: 0.1, y: 0.5), to: Point(x: 0.9, y: 0.5), inside: Point(x: 0.5, y: 0.6))
        l.inside = Self.insidePoint(l, side: Self.side(l))
        lines.append(l)
        selected = lines.count - 1
        end = .from
        dirty = true
    }

    /// Deletes the selected line; false when it is the last (a feed counts with at least one).
    public mutating func delete() -> Bool {
        guard lines.count > 1, current != nil else { return false }
        lines.remove(at: selected)
        selected = min(selected, lines.count - 1)
        dirty = true
        return true
    }

    public mutating func nextLine() { if !lines.isEmpty { selected = (selected + 1) % lines.count } }
    public mutating func otherEnd() { end = end == .from ? .to : .from }

    /// +1 when the in-side is left of from→to, else -1 (turns with the line as an end moves).
    static func side(_ l: LineConfig) -> Double {
        (l.to.x - l.from.x) * (l.inside.y - l.from.y) - (l.to.y - l.from.y) * (l.inside.x - l.from.x) >= 0 ? 1 : -1
    }

    /// A point `insideOffset` from the middle of the line on `side`, kept inside the picture.
    static func insidePoint(_ l: LineConfig, side: Double) -> Point {
        let dx = l.to.x - l.from.x, dy = l.to.y - l.from.y
        let len = max(1e-9, (dx * dx + dy * dy).squareRoot())
        let mx = (l.from.x + l.to.x) / 2, my = (l.from.y + l.to.y) / 2
        return Point(x: clamp(mx - dy / len * side * insideOffset), y: clamp(my + dx / len * side * insideOffset))
    }

    /// Within the picture, to a thousandth (what the site file shows; finer is below a pixel).
    static func clamp(_ v: Double) -> Double { (min(1, max(0, v)) * 1000).rounded() / 1000 }
}
