/// Semantic colour roles; a theme maps each to colours and attributes.
public enum Role: String, CaseIterable, Sendable {
    case normal, dim, title, header, border, selected, accent, ok, warn, crit, info
    case tabActive = "tab_active", tabInactive = "tab_inactive", status, banner, input, bar
}

/// One terminal cell. `width` is 0 for the right half of a wide character.
public struct Cell: Equatable, Sendable {
    public var char: Character
    public var width: UInt8
    public var role: Role
    /// A picture cell's own colours (nil: the role's).
    public var paint: Paint? = nil
    public static let blank = Cell(char: " ", width: 1, role: .normal)
}

public struct Rect: Equatable, Sendable {
    public var x: Int, y: Int, w: Int, h: Int
    public init(x: Int, y: Int, w: Int, h: Int) { self.x = x; self.y = y; self.w = max(0, w); self.h = max(0, h) }
    public var maxX: Int { x + w }
    public var maxY: Int { y + h }
    public func inset(_ d: Int) -> Rect { Rect(x: x + d, y: y + d, w: w - 2 * d, h: h - 2 * d) }
    /// Splits off the top `n` rows.
    public func top(_ n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), h)
        return (Rect(x: x, y: y, w: w, h: k), Rect(x: x, y: y + k, w: w, h: h - k))
    }
    /// Splits off the left `n` columns.
    public func left(_ n: Int) -> (Rect, Rect) {
        let k = min(max(0, n), w)
        return (Rect(x: x, y: y, w: k, h: h), Rect(x: x + k, y: y, w: w - k, h: h))
    }
}

/// Glyphs for borders, bars and marks, in Unicode or plain ASCII.
public struct Glyphs: Sendable {
    public let h, v, tl, tr, bl, br: Character
    public let full, light: Character
    public let spark: [Character]
    public let eighths: [Character]
    public let ellipsis: String
    public let up, down, dot, bullet: String

    public static let unicode = Glyphs(h: "─", v: "│", tl: "┌", tr: "┐", bl: "└", br: "┘", full: "█", light: "░",
                                       spark: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
                                       eighths: [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"],
                                       ellipsis: "…", up: "↑", down: "↓", dot: "·", bullet: "●")
    public static let ascii = Glyphs(h: "-", v: "|", tl: "+", tr: "+", bl: "+", br: "+", full: "#", light: ".",
                                     spark: [" ", "_", ".", ",", "-", "=", "+", "*", "#"],
                                     eighths: [" ", " ", " ", " ", "#", "#", "#", "#", "#"],
                                     ellipsis: "~", up: "^", down: "v", dot: "-", bullet: "*")
}

/// A pure-Swift screen: what the backend draws and what snapshot tests read.
public struct Grid: Sendable {
    public let width: Int
    public let height: Int
    /// Fold every string to ASCII (non-UTF-8 terminals).
    public let ascii: Bool
    public private(set) var cells: [Cell]
    /// Where a picture was drawn (clicks on it are read as picture points).
    public var pictureArea: Rect?

    public init(width: Int, height: Int, ascii: Bool = false) {
        self.width = max(0, width); self.height = max(0, height); self.ascii = ascii
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    public var glyphs: Glyphs { ascii ? .ascii : .unicode }
    public var bounds: Rect { Rect(x: 0, y: 0, w: width, h: height) }

    public subscript(x: Int, y: Int) -> Cell { cells[y * width + x] }

    /// Sets one cell, keeping wide characters whole (a half-overwritten wide char becomes a space).
    mutating func set(_ x: Int, _ y: Int, _ cell: Cell) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        let i = y * width + x
        if cells[i].width == 0, x > 0 { cells[i - 1] = Cell(char: " ", width: 1, role: cells[i - 1].role) }
        if cells[i].width == 2, x + 1 < width { cells[i + 1] = Cell(char: " ", width: 1, role: cells[i + 1].role) }
        cells[i] = cell
    }

    /// Writes `s` at (x, y) clipped to `maxWidth` columns and the grid; returns the columns used.
    @discardableResult
    public mutating func put(_ s: String, x: Int, y: Int, role: Role = .normal, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let text = ascii ? TextWidth.asciiFold(s) : s
        let limit = min(width - x, maxWidth ?? Int.max)
        var col = x
        var used = 0
        for c in text {
            let w = TextWidth.of(c)
            if w == 0 { continue }
            if used + w > limit {
                if w == 2 && used < limit { set(col, y, Cell(char: " ", width: 1, role: role)); used += 1 }
                break
            }
            if col >= 0 {
                set(col, y, Cell(char: c, width: UInt8(w), role: role))
                if w == 2 { set(col + 1, y, Cell(char: " ", width: 0, role: role)) }
            }
            col += w; used += w
        }
        return used
    }

    public mutating func fill(_ r: Rect, _ ch: Character = " ", role: Role = .normal) {
        for yy in max(0, r.y)..<min(height, r.maxY) {
            for xx in max(0, r.x)..<min(width, r.maxX) { set(xx, yy, Cell(char: ch, width: 1, role: role)) }
        }
    }

    /// Changes the role of cells without touching their text (selection highlight).
    public mutating func paint(_ r: Rect, role: Role) {
        for yy in max(0, r.y)..<min(height, r.maxY) {
            for xx in max(0, r.x)..<min(width, r.maxX) { cells[yy * width + xx].role = role }
        }
    }

    public mutating func box(_ r: Rect, title: String? = nil, role: Role = .border) {
        guard r.w >= 2, r.h >= 2 else { return }
        let g = glyphs
        for xx in r.x + 1..<r.maxX - 1 {
            set(xx, r.y, Cell(char: g.h, width: 1, role: role))
            set(xx, r.maxY - 1, Cell(char: g.h, width: 1, role: role))
        }
        for yy in r.y + 1..<r.maxY - 1 {
            set(r.x, yy, Cell(char: g.v, width: 1, role: role))
            set(r.maxX - 1, yy, Cell(char: g.v, width: 1, role: role))
        }
        set(r.x, r.y, Cell(char: g.tl, width: 1, role: role))
        set(r.maxX - 1, r.y, Cell(char: g.tr, width: 1, role: role))
        set(r.x, r.maxY - 1, Cell(char: g.bl, width: 1, role: role))
        set(r.maxX - 1, r.maxY - 1, Cell(char: g.br, width: 1, role: role))
        if let t = title, r.w > 6 {
            put(" " + TextWidth.truncate(t, to: r.w - 6, ascii: ascii) + " ", x: r.x + 2, y: r.y, role: .title)
        }
    }

    /// Text of one row, right-trimmed, wide characters once.
    public func rowText(_ y: Int) -> String {
        var s = ""
        for x in 0..<width {
            let c = cells[y * width + x]
            if c.width == 0 { continue }
            s.append(c.char)
        }
        while s.last == " " { s.removeLast() }
        return s
    }

    /// The whole screen as text (snapshot tests).
    public func text() -> String {
        (0..<height).map(rowText).joined(separator: "\n") + "\n"
    }
}
