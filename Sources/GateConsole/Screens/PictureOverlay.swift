import GateCore

/// What is drawn over a feed's picture: the counting lines with their in-side, the detection
/// region and the tracks. Used by the Gate screen and its line editor (and any command that
/// shows a picture): `place` fits the picture into an area, `draw` puts picture and overlay there.
public struct PictureOverlay: Sendable {
    public var lines: [LineConfig]
    /// The line being edited (drawn in the selected role) and its end being moved.
    public var selectedLine: Int?
    public var selectedEnd: LineEditor.End?
    /// Words for the two sides ("vào"/"ra" or "in"/"out").
    public var inWord: String
    public var outWord: String

    public init(lines: [LineConfig], selectedLine: Int? = nil, selectedEnd: LineEditor.End? = nil, inWord: String, outWord: String) {
        self.lines = lines; self.selectedLine = selectedLine; self.selectedEnd = selectedEnd
        self.inWord = inWord; self.outWord = outWord
    }

    /// Where a `pw` × `ph` picture goes in `area`: fitted with its aspect, centred.
    public static func place(pictureWidth pw: Int, height ph: Int, in area: Rect) -> Rect {
        let (cols, rows) = PictureRenderer.fit(width: pw, height: ph, areaW: area.w, areaH: area.h)
        return Rect(x: area.x + (area.w - cols) / 2, y: area.y + (area.h - rows) / 2, w: cols, h: rows)
    }

    /// A normalised picture point (0…1) as the cell it falls in.
    public static func cell(_ p: Point, in r: Rect) -> (x: Int, y: Int) {
        (r.x + min(r.w - 1, max(0, Int(p.x * Double(r.w)))), r.y + min(r.h - 1, max(0, Int(p.y * Double(r.h)))))
    }

    /// The normalised point at the middle of cell (x, y), or nil outside the picture.
    public static func point(atCell x: Int, _ y: Int, in r: Rect) -> Point? {
        guard x >= r.x, x < r.maxX, y >= r.y, y < r.maxY, r.w > 0, r.h > 0 else { return nil }
        return Point(x: (Double(x - r.x) + 0.5) / Double(r.w), y: (Double(y - r.y) + 0.5) / Double(r.h))
    }

    /// The picture in `r` (already placed), then the region, the tracks and the lines over it.
    public func draw(_ g: inout Grid, picture p: PreviewPicture, colors: PictureColors, in r: Rect) {
        g.picture(PictureRenderer.render(p, cols: r.w, rows: r.h, colors: colors), x: r.x, y: r.y)
        if let region = p.region, p.sourceWidth > 0, p.sourceHeight > 0 {
            let sw = Double(p.sourceWidth), sh = Double(p.sourceHeight)
            drawRegion(&g, from: Point(x: Double(region.x) / sw, y: Double(region.y) / sh),
                       to: Point(x: Double(region.x + region.width) / sw, y: Double(region.y + region.height) / sh), in: r)
        }
        for t in p.tracks {
            // The id at the person's feet: the point the line counter follows.
            let c = Self.cell(Point(x: t.x + t.w / 2, y: t.y + t.h), in: r)
            g.put("\(g.glyphs.bullet)\(t.id)", x: c.x, y: c.y, role: .accent, maxWidth: r.maxX - c.x)
        }
        drawLines(&g, in: r)
    }

    /// The lines alone (no picture yet), so the editor works before the first picture arrives.
    public func drawLines(_ g: inout Grid, in r: Rect) {
        for (i, l) in lines.enumerated() {
            let role: Role = i == selectedLine ? .selected : .warn
            let a = Self.cell(l.from, in: r), b = Self.cell(l.to, in: r)
            for (x, y) in Self.cells(from: a, to: b) { g.put(g.ascii ? "*" : "•", x: x, y: y, role: role) }
            let ends = [(a, "A", LineEditor.End.from), (b, "B", LineEditor.End.to)]
            for (c, label, end) in ends {
                g.put(label, x: c.x, y: c.y, role: i == selectedLine && end == selectedEnd ? .banner : role)
            }
            sideLabels(&g, l, role: role, in: r)
        }
    }

    /// The in-side and out-side words a little way from the line's middle, on each side.
    func sideLabels(_ g: inout Grid, _ l: LineConfig, role: Role, in r: Rect) {
        let geo = LineGeometry(l)
        let mid = Point(x: (l.from.x + l.to.x) / 2, y: (l.from.y + l.to.y) / 2)
        // The unit normal towards the inside, in cells (a cell is twice as tall as wide).
        var nx = -(l.to.y - l.from.y) * Double(r.h), ny = (l.to.x - l.from.x) * Double(r.w)
        let len = max(1e-9, (nx * nx + ny * ny).squareRoot())
        nx /= len; ny /= len
        let probe = Point(x: mid.x + nx * 0.01, y: mid.y + ny * 0.01)
        if geo.signedDistance(probe) * geo.signedDistance(l.inside) < 0 { nx = -nx; ny = -ny }
        let m = Self.cell(mid, in: r)
        for (word, sign) in [(inWord, 1.0), (outWord, -1.0)] {
            let x = m.x + Int((sign * nx * 3).rounded()) - word.count / 2, y = m.y + Int((sign * ny * 2).rounded())
            guard y >= r.y, y < r.maxY else { continue }
            g.put(word, x: max(r.x, min(x, r.maxX - word.count)), y: y, role: sign > 0 ? .ok : role)
        }
    }

    func drawRegion(_ g: inout Grid, from a: Point, to b: Point, in r: Rect) {
        let tl = Self.cell(a, in: r), br = Self.cell(Point(x: b.x - 1e-6, y: b.y - 1e-6), in: r)
        let gl = g.glyphs
        for x in tl.x...max(tl.x, br.x) {
            g.put(String(gl.h), x: x, y: tl.y, role: .info); g.put(String(gl.h), x: x, y: br.y, role: .info)
        }
        for y in tl.y...max(tl.y, br.y) {
            g.put(String(gl.v), x: tl.x, y: y, role: .info); g.put(String(gl.v), x: br.x, y: y, role: .info)
        }
    }

    /// The cells on the segment a-b (Bresenham).
    static func cells(from a: (x: Int, y: Int), to b: (x: Int, y: Int)) -> [(Int, Int)] {
        var out: [(Int, Int)] = []
        var x = a.x, y = a.y
        let dx = abs(b.x - a.x), dy = -abs(b.y - a.y), sx = a.x < b.x ? 1 : -1, sy = a.y < b.y ? 1 : -1
        var err = dx + dy
        while true {
            out.append((x, y))
            if x == b.x && y == b.y { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
        return out
    }
}
