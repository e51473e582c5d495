import GateCore

/// How pictures are drawn, chosen once from what the terminal can show (`PictureColors.choose`).
public enum PictureColors: String, Equatable, Sendable {
    /// Half blocks, foreground and background in 24-bit colour (a direct-colour terminal).
    case direct
    /// Half blocks in the 256-colour palette (6×6×6 cube and grey ramp).
    case c256
    /// Half blocks in the 8 basic colours.
    case c8
    /// Shade blocks (░▒▓█) without colour: a UTF-8 terminal without colours or a monochrome theme.
    case grey
    /// Characters by brightness (` .:-=+*#%@`): a non-UTF-8 locale or NO_COLOR.
    case ascii

    /// The one rule: NO_COLOR or a non-UTF-8 terminal give ASCII; else the most colours the
    /// terminal has (`colors` as ncurses reports it; ≥ 2^24 is a direct-colour terminal).
    public static func choose(utf8: Bool, noColor: Bool, monochrome: Bool, colors: Int) -> PictureColors {
        if noColor || !utf8 { return .ascii }
        if monochrome || colors < 8 { return .grey }
        if colors >= 0x1000000 { return .direct }
        return colors >= 256 ? .c256 : .c8
    }
}

/// A cell's own colours (a picture cell), over the theme's role: the numbers are 0xRRGGBB for
/// `.direct`, palette indices for `.c256` and `.c8`.
public struct Paint: Hashable, Sendable {
    public var fg: Int32
    public var bg: Int32
    public init(fg: Int32, bg: Int32) { self.fg = fg; self.bg = bg }
}

/// A picture fitted to a terminal area: `cols` × `rows` cells, each two pixel rows tall.
public struct PictureCells: Equatable, Sendable {
    public var cols: Int
    public var rows: Int
    public var chars: [Character]
    public var paints: [Paint?]
}

/// Turns a small RGB picture into terminal cells (pure, so tests read it as text).
public enum PictureRenderer {
    /// The cell size that fits `areaW` × `areaH` keeping the aspect (a cell is one pixel wide and two tall).
    public static func fit(width: Int, height: Int, areaW: Int, areaH: Int) -> (cols: Int, rows: Int) {
        guard width > 0, height > 0, areaW > 0, areaH > 0 else { return (0, 0) }
        var cols = areaW
        var rows = Int((Double(cols) * Double(height) / Double(width) / 2).rounded())
        if rows > areaH {
            rows = areaH
            cols = min(areaW, Int((Double(rows) * 2 * Double(width) / Double(height)).rounded()))
        }
        return (max(1, cols), max(1, rows))
    }

    public static func render(_ p: PreviewPicture, cols: Int, rows: Int, colors: PictureColors) -> PictureCells {
        var chars: [Character] = [], paints: [Paint?] = []
        chars.reserveCapacity(cols * rows); paints.reserveCapacity(cols * rows)
        for y in 0..<rows {
            for x in 0..<cols {
                let top = sample(p, x, 2 * y, cols, 2 * rows), bottom = sample(p, x, 2 * y + 1, cols, 2 * rows)
                let (c, paint) = cell(top, bottom, colors)
                chars.append(c); paints.append(paint)
            }
        }
        return PictureCells(cols: cols, rows: rows, chars: chars, paints: paints)
    }

    static let asciiRamp: [Character] = [" ", ".", ":", "-", "=", "+", "*", "#", "%", "@"]
    static let shadeRamp: [Character] = [" ", "░", "▒", "▓", "█"]

    typealias RGB = (r: Int, g: Int, b: Int)

    static func cell(_ top: RGB, _ bottom: RGB, _ colors: PictureColors) -> (Character, Paint?) {
        switch colors {
        case .direct: return ("▀", Paint(fg: rgb24(top), bg: rgb24(bottom)))
        case .c256: return ("▀", Paint(fg: Int32(index256(top)), bg: Int32(index256(bottom))))
        case .c8: return ("▀", Paint(fg: Int32(index8(top)), bg: Int32(index8(bottom))))
        case .grey: return (ramp(shadeRamp, luma(top) + luma(bottom)), nil)
        case .ascii: return (ramp(asciiRamp, luma(top) + luma(bottom)), nil)
        }
    }

    /// The mean colour of the source pixels under target pixel (x, y) of a tw × th picture.
    static func sample(_ p: PreviewPicture, _ x: Int, _ y: Int, _ tw: Int, _ th: Int) -> RGB {
        let x0 = x * p.width / tw, y0 = y * p.height / th
        let x1 = max(x0 + 1, (x + 1) * p.width / tw), y1 = max(y0 + 1, (y + 1) * p.height / th)
        var r = 0, g = 0, b = 0, n = 0
        for yy in y0..<min(y1, p.height) {
            var i = (yy * p.width + x0) * 3
            for _ in x0..<min(x1, p.width) {
                r += Int(p.rgb[i]); g += Int(p.rgb[i + 1]); b += Int(p.rgb[i + 2]); n += 1; i += 3
            }
        }
        return n == 0 ? (0, 0, 0) : (r / n, g / n, b / n)
    }

    /// Brightness 0…255 (Rec. 601 weights).
    static func luma(_ c: RGB) -> Int { (299 * c.r + 587 * c.g + 114 * c.b) / 1000 }

    /// The ramp's character for a brightness sum of two pixels (0…510).
    static func ramp(_ chars: [Character], _ sum: Int) -> Character {
        chars[min(chars.count - 1, sum * chars.count / 511)]
    }

    static func rgb24(_ c: RGB) -> Int32 { Int32(c.r << 16 | c.g << 8 | c.b) }

    /// The nearest of the 256-colour cube (16…231) or grey ramp (232…255).
    static func index256(_ c: RGB) -> Int {
        func level(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let steps = [0, 95, 135, 175, 215, 255]
        let (r, g, b) = (level(c.r), level(c.g), level(c.b))
        let cube = 16 + 36 * r + 6 * g + b
        let cubeErr = sq(steps[r] - c.r) + sq(steps[g] - c.g) + sq(steps[b] - c.b)
        let mean = (c.r + c.g + c.b) / 3
        let grey = mean > 238 ? 23 : max(0, (mean - 3) / 10)
        let gv = 8 + 10 * grey
        let greyErr = sq(gv - c.r) + sq(gv - c.g) + sq(gv - c.b)
        return greyErr < cubeErr ? 232 + grey : cube
    }

    /// The nearest of the 8 basic colours (each channel on or off, bright enough to show).
    static func index8(_ c: RGB) -> Int {
        let mx = max(c.r, c.g, c.b)
        guard mx >= 48 else { return 0 }
        let cut = mx * 2 / 3
        return (c.r >= cut ? 1 : 0) | (c.g >= cut ? 2 : 0) | (c.b >= cut ? 4 : 0)
    }

    static func sq(_ v: Int) -> Int { v * v }
}

extension Grid {
    /// Puts picture cells with their own colours at (x, y).
    public mutating func picture(_ p: PictureCells, x: Int, y: Int) {
        for row in 0..<p.rows {
            for col in 0..<p.cols {
                let i = row * p.cols + col
                set(x + col, y + row, Cell(char: p.chars[i], width: 1, role: .normal, paint: p.paints[i]))
            }
        }
    }
}
