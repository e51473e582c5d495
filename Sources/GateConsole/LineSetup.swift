import Foundation
import GateCore

/// `gatewatch setup`'s screen: one picture of the camera with the counting lines over it and the
/// console's line editor (`LineEditor`, the same keys and the same drawing as the Gate screen).
/// Enter or s keeps the lines, Esc or q gives up. Needs a terminal.
public struct LineSetup {
    public var title: String
    public var picture: PreviewPicture
    public var editor: LineEditor
    public var language: Language
    /// Said under the picture (the source, its size, whether people are blurred).
    public var notes: [String]

    public init(title: String, picture: PreviewPicture, feedId: String, lines: [LineConfig], notes: [String], language: Language) {
        self.title = title; self.picture = picture; self.language = language; self.notes = notes
        editor = LineEditor(feedId: feedId, lines: lines)
        if lines.isEmpty { editor.add() }
    }

    /// Why the screen ended.
    public enum End: Equatable, Sendable {
        /// Enter or s: these lines.
        case placed([LineConfig])
        /// Esc or q: nothing placed.
        case cancelled
        /// SIGINT, SIGTERM or SIGHUP (the caller ends the process by it) or the terminal went away.
        case signal(Int32)
    }

    /// Runs on the terminal until the installer keeps the lines or leaves. Throws ConsoleError
    /// when there is no usable terminal.
    public mutating func run() throws -> End {
        let backend = CursesBackend()
        try backend.start()
        defer { backend.stop(); backend.resetSignals() }
        let dirs = Theme.searchDirectories()
        backend.apply(theme: (try? Theme.load("default", dirs: dirs)) ?? Theme.builtinDefault,
                      monochrome: (try? Theme.load("monochrome", dirs: dirs)) ?? Theme.fallbackMonochrome)
        return loop(backend)
    }

    /// The loop on any backend (the unit tests drive it with a scripted one).
    mutating func loop(_ backend: TerminalBackend) -> End {
        let S = Strings(language)
        var message = S.editorHint
        backend.setMouse(true)
        defer { backend.setMouse(false) }
        while backend.stopSignal == 0 && !backend.terminalGone {
            let (w, h) = backend.size
            let (grid, area) = render(w, h, ascii: !backend.utf8, colors: backend.pictureColors, message: message)
            backend.draw(grid)
            guard let key = backend.readKey(timeoutMs: 1000) else { continue }
            if key == .resize { backend.invalidate(); continue }
            if key == .char("q") { return .cancelled }
            message = S.editorHint
            switch editor.handle(key) {
            case .save: return .placed(editor.lines)
            case .cancel: return .cancelled
            case .click(let x, let y): if let p = PictureOverlay.point(atCell: x, y, in: area) { editor.place(p) }
            case .lastLineStays: message = S.lastLineStays
            case .edited, .unknown: break
            }
        }
        return .signal(backend.stopSignal != 0 ? backend.stopSignal : SIGHUP)
    }

    /// The title, the picture with the lines, the chosen line's ends, the notes and the keys;
    /// also where the picture went (clicks are read against it).
    func render(_ w: Int, _ h: Int, ascii: Bool, colors: PictureColors, message: String) -> (Grid, Rect) {
        let S = Strings(language)
        var g = Grid(width: w, height: h, ascii: ascii)
        g.fill(Rect(x: 0, y: 0, w: w, h: 1), role: .status)
        g.put(" GateWatch \(g.glyphs.dot) \(title)", x: 0, y: 0, role: .status, maxWidth: w)
        let below = 3 + notes.count
        let box = Rect(x: 0, y: 1, w: w, h: max(3, h - 1 - below))
        g.box(box, title: "\(S.picture) \(g.glyphs.dot) \(S.editing)", role: .accent)
        let area = PictureOverlay.place(pictureWidth: picture.width, height: picture.height, in: box.inset(1))
        let overlay = PictureOverlay(lines: editor.lines, selectedLine: editor.selected, selectedEnd: editor.end,
                                     inWord: S.dirName(1), outWord: S.dirName(-1))
        overlay.draw(&g, picture: picture, colors: colors, in: area)
        var y = box.maxY
        if let l = editor.current {
            func pt(_ p: Point) -> String { String(format: "%.3f,%.3f", p.x, p.y) }
            let mark = { (e: LineEditor.End) in self.editor.end == e ? (ascii ? "<" : "◀") : " " }
            let text = "\(l.name): A \(pt(l.from)) \(mark(.from))  B \(pt(l.to)) \(mark(.to))  \(S.dirName(1)) \(pt(l.inside))"
            g.put(" " + text, x: 0, y: y, role: .accent, maxWidth: w); y += 1
        }
        for n in notes where y < h - 1 { g.put(" " + n, x: 0, y: y, role: .dim, maxWidth: w); y += 1 }
        g.fill(Rect(x: 0, y: h - 1, w: w, h: 1), role: .status)
        g.put(" " + message, x: 0, y: h - 1, role: .status, maxWidth: w)
        return (g, area)
    }
}
