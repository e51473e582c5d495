import Foundation

/// Widgets draw into a Grid inside a Rect; nothing here knows about ncurses or SQL.
public enum Widgets {
    /// A horizontal gauge: `[██████░░░░] label`. Returns nothing; clipped to the rect's first row.
    public static func gauge(_ g: inout Grid, _ r: Rect, fraction: Double, label: String, role: Role) {
        guard r.w > 0, r.h > 0 else { return }
        let lw = TextWidth.of(g.ascii ? TextWidth.asciiFold(label) : label)
        let barW = max(0, r.w - lw - 3)
        let filled = barString(fraction: fraction, width: barW, glyphs: g.glyphs)
        var x = r.x
        x += g.put("[", x: x, y: r.y, role: .dim)
        let full = filled.prefix(while: { $0 == g.glyphs.full }).count
        x += g.put(String(filled.prefix(full)), x: x, y: r.y, role: role)
        x += g.put(String(filled.dropFirst(full)), x: x, y: r.y, role: .dim)
        x += g.put("] ", x: x, y: r.y, role: .dim)
        g.put(label, x: x, y: r.y, role: role, maxWidth: r.maxX - x)
    }

    /// The bar part of a gauge as text: `width` cells, filled in proportion (clamped 0…1).
    public static func barString(fraction: Double, width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let f = fraction.isFinite ? min(1, max(0, fraction)) : 0
        let n = Int((f * Double(width)).rounded())
        return String(repeating: glyphs.full, count: n) + String(repeating: glyphs.light, count: width - n)
    }

    /// One character per value (the last `width` values), scaled to the largest;
    /// any non-zero value shows at least the lowest step.
    public static func sparkline(_ values: [Double], width: Int, glyphs: Glyphs) -> String {
        guard width > 0 else { return "" }
        let vs = Array(values.suffix(width))
        let top = vs.max() ?? 0
        let levels = glyphs.spark.count - 1
        var s = String(repeating: " ", count: width - vs.count)
        for v in vs {
            if top <= 0 || v <= 0 { s.append(glyphs.spark[0]); continue }
            let k = max(1, Int((v / top * Double(levels)).rounded(.up)))
            s.append(glyphs.spark[min(levels, k)])
        }
        return s
    }

    public static func sparkline(_ values: [Int], width: Int, glyphs: Glyphs) -> String {
        sparkline(values.map(Double.init), width: width, glyphs: glyphs)
    }

    /// Vertical bars with labels under them; each bar `barW` wide with one space between.
    public static func barChart(_ g: inout Grid, _ r: Rect, values: [Int], labels: [String], role: Role = .bar) {
        guard r.h >= 3, !values.isEmpty else { return }
        let n = values.count
        let slot = max(1, r.w / n)
        let barW = max(1, slot - 1)
        let chartH = r.h - 1
        let top = max(1, values.max() ?? 1)
        let eighths = g.glyphs.eighths
        // Value of the tallest bar at the top left, so the scale is readable.
        for (i, v) in values.enumerated() {
            let x0 = r.x + i * slot
            guard x0 + barW <= r.maxX else { break }
            let units = Int((Double(v) / Double(top) * Double(chartH * 8)).rounded())
            let shown = v > 0 ? max(1, units) : 0
            for row in 0..<chartH {
                let y = r.maxY - 2 - row
                let rem = shown - row * 8
                guard rem > 0 else { break }
                let ch = rem >= 8 ? eighths[8] : eighths[rem]
                for dx in 0..<barW { g.put(String(ch), x: x0 + dx, y: y, role: role) }
            }
        }
        // Labels every few bars so they never collide.
        let lw = labels.map { TextWidth.of($0) }.max() ?? 1
        let every = max(1, Int((Double(lw + 1) / Double(slot)).rounded(.up)))
        for (i, l) in labels.enumerated() where i % every == 0 {
            g.put(l, x: r.x + i * slot, y: r.maxY - 1, role: .dim, maxWidth: r.maxX - (r.x + i * slot))
        }
        g.put("\(top)", x: r.x, y: r.y, role: .dim)
    }

    public struct Column {
        public var title: String
        public var width: Int          // 0 = takes the room left over
        public var right: Bool
        public init(_ title: String, _ width: Int, right: Bool = false) { self.title = title; self.width = width; self.right = right }
    }

    /// First visible row so that `selected` stays on screen.
    public static func scrollOffset(selected: Int, count: Int, visible: Int) -> Int {
        guard visible > 0, count > visible else { return 0 }
        return min(max(0, selected - visible + 1), count - visible)
    }

    /// A table with a header row; the selected row is highlighted and kept in view.
    /// `roles` gives each cell's role (nil = normal).
    public static func table(_ g: inout Grid, _ r: Rect, columns: [Column], rows: [[String]],
                             selected: Int? = nil, roles: ((Int, Int) -> Role?)? = nil, header: Bool = true) {
        guard r.h > 0, r.w > 0 else { return }
        let fixed = columns.reduce(0) { $0 + $1.width } + max(0, columns.count - 1)
        let flexCount = columns.filter { $0.width == 0 }.count
        let flexW = flexCount > 0 ? max(4, (r.w - fixed) / flexCount) : 0
        let widths = columns.map { $0.width == 0 ? flexW : $0.width }
        func drawRow(_ cells: [String], y: Int, rowIndex: Int?, role: Role) {
            var x = r.x
            for (i, c) in columns.enumerated() where x < r.maxX {
                let w = min(widths[i], r.maxX - x)
                let text = TextWidth.pad(i < cells.count ? cells[i] : "", to: w, right: c.right, ascii: g.ascii)
                let cellRole = rowIndex.flatMap { roles?($0, i) } ?? role
                g.put(text, x: x, y: y, role: cellRole, maxWidth: w)
                x += w + 1
            }
        }
        var y = r.y
        if header {
            g.fill(Rect(x: r.x, y: y, w: r.w, h: 1), role: .header)
            drawRow(columns.map(\.title), y: y, rowIndex: nil, role: .header)
            y += 1
        }
        let visible = r.maxY - y
        let off = scrollOffset(selected: selected ?? 0, count: rows.count, visible: visible)
        for (k, row) in rows.dropFirst(off).prefix(visible).enumerated() {
            let idx = off + k
            drawRow(row, y: y + k, rowIndex: idx, role: .normal)
            if idx == selected { g.paint(Rect(x: r.x, y: y + k, w: r.w, h: 1), role: .selected) }
        }
        if rows.count > visible, visible > 0, header {
            // Where we are in a long list, at the right end of the header when there is room.
            // Only where no header text is, with room for the longest mark (so it never comes and goes).
            let mark = "\(min(rows.count, (selected ?? 0) + 1))/\(rows.count)"
            let longest = TextWidth.of("\(rows.count)/\(rows.count)")
            let lastStart = widths.dropLast().reduce(0) { $0 + $1 + 1 }
            let last = columns.last
            let used = lastStart + (last?.right == true ? widths.last ?? 0 : TextWidth.of(last?.title ?? ""))
            if r.w - used >= longest + 1 { g.put(mark, x: r.maxX - TextWidth.of(mark), y: r.y, role: .header) }
        }
    }

    /// A plain list (a one-column table without header).
    public static func list(_ g: inout Grid, _ r: Rect, items: [String], selected: Int?) {
        table(&g, r, columns: [Column("", 0)], rows: items.map { [$0] }, selected: selected, header: false)
    }

    /// Tabs across one row: ` 1 Overview  2 Gate …`, the active one highlighted.
    public static func tabs(_ g: inout Grid, _ r: Rect, titles: [String], active: Int) {
        g.fill(Rect(x: r.x, y: r.y, w: r.w, h: 1), role: .tabInactive)
        var x = r.x
        for (i, t) in titles.enumerated() {
            let label = " \(i + 1) \(t) "
            let w = TextWidth.of(label)
            if x + w > r.maxX {
                // Not enough room: numbers only for the rest.
                let short = " \(i + 1) "
                x += g.put(short, x: x, y: r.y, role: i == active ? .tabActive : .tabInactive, maxWidth: r.maxX - x)
                continue
            }
            x += g.put(label, x: x, y: r.y, role: i == active ? .tabActive : .tabInactive)
        }
    }

    /// A status bar: left text, right text, one row.
    public static func statusBar(_ g: inout Grid, _ r: Rect, left: String, right: String, role: Role = .status) {
        g.fill(Rect(x: r.x, y: r.y, w: r.w, h: 1), role: role)
        let rw = min(r.w / 2, TextWidth.of(right))
        g.put(" " + left, x: r.x, y: r.y, role: role, maxWidth: r.w - rw - 1)
        g.put(right, x: r.maxX - rw, y: r.y, role: role, maxWidth: rw)
    }
}

/// One line of editable text (filters, acknowledgement notes); Vietnamese input arrives as whole characters.
public struct TextInput: Equatable, Sendable {
    public var label: String
    public var text: String
    public var maxLength: Int
    public init(label: String, text: String = "", maxLength: Int = 200) { self.label = label; self.text = text; self.maxLength = maxLength }

    public enum Outcome: Equatable { case editing, done, cancelled }

    public mutating func handle(_ key: Key) -> Outcome {
        switch key {
        case .enter: return .done
        case .escape: return .cancelled
        case .backspace: if !text.isEmpty { text.removeLast() }
        case .char(let c) where c == "\u{15}": text = ""   // Ctrl-U
        case .char(let c) where !(c.asciiValue.map { $0 < 0x20 || $0 == 0x7F } ?? false):
            if text.count < maxLength { text.append(c) }
        default: break
        }
        return .editing
    }

    public func draw(_ g: inout Grid, _ r: Rect) {
        g.fill(Rect(x: r.x, y: r.y, w: r.w, h: 1), role: .input)
        let head = " \(label): "
        let used = g.put(head, x: r.x, y: r.y, role: .input)
        let room = r.w - used - 1
        // Show the end of long text, where the cursor is.
        var shown = text
        while TextWidth.of(g.ascii ? TextWidth.asciiFold(shown) : shown) > room, !shown.isEmpty { shown.removeFirst() }
        let w = g.put(shown, x: r.x + used, y: r.y, role: .input)
        g.put("_", x: r.x + used + w, y: r.y, role: .input)
    }
}

/// Keys as the console understands them (the backend maps ncurses codes to these).
public enum Key: Equatable, Sendable {
    case char(Character)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, tab, backTab, escape, backspace, resize
    /// Shift with an arrow (the line editor's fine step).
    case shiftUp, shiftDown, shiftLeft, shiftRight
    /// A mouse click at this cell.
    case click(x: Int, y: Int)
}
