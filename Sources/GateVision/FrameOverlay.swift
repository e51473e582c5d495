import CVisionLoader
import Foundation
import GateCore

/// Draws what a feed counts on its picture, for evidence (snapshots, the acceptance report):
/// each counting line with an arrow toward its in-side and the words in/out on either side,
/// its name, the detection region and its tiles; and a caption in a band below the picture.
public enum FrameOverlay {
    /// Colours, B G R. The line's colour is exact on its centre pixels (tests read it back).
    public static let lineColour = (blue: 0, green: 255, red: 255)
    static let inColour = (blue: 60, green: 220, red: 60)
    static let outColour = (blue: 0, green: 140, red: 255)
    static let regionColour = (blue: 255, green: 0, red: 255)
    static let tileColour = (blue: 255, green: 160, red: 0)

    /// Line thickness for a picture this wide (3 px at 640).
    public static func lineThickness(width: Int) -> Int { max(2, width / 213) }

    /// The picture with the overlays drawn on it and the caption below it (a new frame: the
    /// picture keeps its size and place at the top, so a point of the site file is where it was).
    public static func draw(on frame: Frame, lines: [LineConfig], region: DetectionRegion, caption: [String]) -> Frame {
        let w = frame.width, h = frame.height
        let scale = max(0.5, Double(min(w, h)) / 480)
        if let r = region.pixels(lines: lines, width: w, height: h) {
            let tiles = r.tiles()
            if tiles.count > 1 {
                for t in tiles { rect(frame, t, tileColour, thickness: 1, dashed: true) }
            }
            rect(frame, r, regionColour, thickness: max(1, lineThickness(width: w) - 1), dashed: false)
        }
        for line in lines { drawLine(line, on: frame, scale: scale) }
        let lineHeight = Int(24 * scale)
        let out = Frame(handle: gw_frame_extend_below(frame.handle, Int32(caption.count * lineHeight + lineHeight / 2), 32, 32, 32),
                        index: frame.index, timestampMs: frame.timestampMs)
        for (i, text) in caption.enumerated() {
            drawText(out, pictureText(text), x: Int(8 * scale), y: h + (i + 1) * lineHeight, scale: scale * 0.8, colour: (255, 255, 255))
        }
        return out
    }

    /// The segment, an arrow across its middle pointing to the in-side, "VAO / IN" on that
    /// side and "RA / OUT" on the other, and the line's name by its start.
    private static func drawLine(_ line: LineConfig, on frame: Frame, scale: Double) {
        let w = Double(frame.width), h = Double(frame.height)
        let a = (x: line.from.x * w, y: line.from.y * h), b = (x: line.to.x * w, y: line.to.y * h)
        let length = max(1, hypot(b.x - a.x, b.y - a.y))
        // The unit normal (pixels) that points toward the inside point.
        var n = (x: -(b.y - a.y) / length, y: (b.x - a.x) / length)
        let inside = (x: line.inside.x * w, y: line.inside.y * h)
        if (inside.x - a.x) * n.x + (inside.y - a.y) * n.y < 0 { n = (-n.x, -n.y) }
        let thickness = lineThickness(width: frame.width)
        gw_draw_line(frame.handle, Int32(a.x.rounded()), Int32(a.y.rounded()), Int32(b.x.rounded()), Int32(b.y.rounded()),
                     Int32(lineColour.blue), Int32(lineColour.green), Int32(lineColour.red), Int32(thickness))
        let mid = (x: (a.x + b.x) / 2, y: (a.y + b.y) / 2)
        let reach = 34 * scale
        gw_draw_arrow(frame.handle, Int32(mid.x - n.x * reach), Int32(mid.y - n.y * reach),
                      Int32(mid.x + n.x * reach), Int32(mid.y + n.y * reach),
                      Int32(inColour.blue), Int32(inColour.green), Int32(inColour.red), Int32(thickness))
        let labelReach = 58 * scale
        centred(frame, label(.in), at: (mid.x + n.x * labelReach, mid.y + n.y * labelReach), scale: scale, colour: inColour)
        centred(frame, label(.out), at: (mid.x - n.x * labelReach, mid.y - n.y * labelReach), scale: scale, colour: outColour)
        // The name a little past the start, on the out-side, clear of the line.
        let along = (x: (b.x - a.x) / length, y: (b.y - a.y) / length)
        let at = (a.x + along.x * 40 * scale - n.x * 22 * scale, a.y + along.y * 40 * scale - n.y * 22 * scale)
        centred(frame, pictureText(line.name), at: at, scale: scale * 0.8, colour: lineColour)
    }

    /// "VAO / IN": the shared words, Vietnamese first, in the ASCII a picture font can draw.
    static func label(_ d: Direction) -> String {
        pictureText(Words.direction(d, .vi)).uppercased() + " / " + Words.direction(d, .en).uppercased()
    }

    /// Text for the picture font, which draws ASCII only: Vietnamese loses its marks (đ → d),
    /// other characters become '?' in the vision library.
    public static func pictureText(_ s: String) -> String {
        let folded = s.decomposedStringWithCanonicalMapping.unicodeScalars.compactMap { u -> Character? in
            switch u.value {
            case 0x0300...0x036F: return nil
            case 0x0110: return "D"
            case 0x0111: return "d"
            default: return Character(u)
            }
        }
        return String(folded)
    }

    private static func centred(_ frame: Frame, _ text: String, at p: (Double, Double), scale: Double,
                                colour: (blue: Int, green: Int, red: Int)) {
        var tw: Int32 = 0, th: Int32 = 0
        gw_text_size(text, scale, &tw, &th)
        // Kept inside the picture, so a label beside a line near the edge still shows.
        let x = min(max(2, Int(p.0) - Int(tw) / 2), max(2, frame.width - Int(tw) - 2))
        let y = min(max(Int(th) + 2, Int(p.1) + Int(th) / 2), frame.height - 4)
        drawText(frame, text, x: x, y: y, scale: scale, colour: colour)
    }

    private static func drawText(_ frame: Frame, _ text: String, x: Int, y: Int, scale: Double, colour: (blue: Int, green: Int, red: Int)) {
        gw_draw_text(frame.handle, text, Int32(x), Int32(y), scale, Int32(colour.blue), Int32(colour.green), Int32(colour.red))
    }

    private static func rect(_ frame: Frame, _ r: PixelRect, _ c: (blue: Int, green: Int, red: Int), thickness: Int, dashed: Bool) {
        gw_draw_rect(frame.handle, Int32(r.x), Int32(r.y), Int32(r.width), Int32(r.height),
                     Int32(c.blue), Int32(c.green), Int32(c.red), Int32(thickness), dashed ? 1 : 0)
    }
}
