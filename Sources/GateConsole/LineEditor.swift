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

    /// What a key did, for whoever shows the editor (the console's Gate screen, `gatewatch setup`).
    public enum KeyOutcome: Equatable, Sendable {
        /// The lines or the choice of line or end changed (or nothing did: a key that moves nothing).
        case edited
        /// Enter or s: keep these lines.
        case save
        /// Esc: leave without keeping them.
        case cancel
        /// A click at this cell: the host knows where the picture is (`PictureOverlay.point`) and calls `place`.
        case click(x: Int, y: Int)
        /// d on the only line: a feed counts with at least one.
        case lastLineStays
        /// Not an editor key: the host shows the keys.
        case unknown
    }

    /// The editor's keys, the same wherever it is shown: Tab next line, Space/a/b the end,
    /// arrows or h j k l move it (Shift or H J K L a fine step), i flips the in-side, n adds,
    /// d deletes, Enter/s saves, Esc leaves.
    public mutating func handle(_ key: Key) -> KeyOutcome {
        let big = Self.step, fine = Self.fineStep
        switch key {
        case .escape: return .cancel
        case .enter, .char("s"): return .save
        case .click(let x, let y): return .click(x: x, y: y)
        case .tab: nextLine()
        case .char(" "): otherEnd()
        case .char("a"): end = .from
        case .char("b"): end = .to
        case .up, .char("k"): move(dx: 0, dy: -big)
        case .down, .char("j"): move(dx: 0, dy: big)
        case .left, .char("h"): move(dx: -big, dy: 0)
        case .right, .char("l"): move(dx: big, dy: 0)
        case .shiftUp, .char("K"): move(dx: 0, dy: -fine)
        case .shiftDown, .char("J"): move(dx: 0, dy: fine)
        case .shiftLeft, .char("H"): move(dx: -fine, dy: 0)
        case .shiftRight, .char("L"): move(dx: fine, dy: 0)
        case .char("i"): flip()
        case .char("n"), .char("+"): add()
        case .char("d"), .char("-"): if !delete() { return .lastLineStays }
        default: return .unknown
        }
        return .edited
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
