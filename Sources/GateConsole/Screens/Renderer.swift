import Foundation
import GateCore

/// What a frame is drawn from besides the user's state.
public struct RenderContext: Sendable {
    public var now: Int64
    public var snapshot: ConsoleSnapshot?
    public var problem: SourceProblem?
    public var dbPath: String
    public var themeName: String
    public var version: String
    /// The latest picture of the Gate screen's feed, and how this terminal draws pictures.
    public var preview: PreviewPicture?
    public var pictureColors: PictureColors = .ascii
    /// False when the preview folder is missing (no runner on this database, or another user's).
    public var previewChannelFound = true
    /// The province hub the console reads (masked), nil for a site's database.
    public var hubURL: String?
    public init(now: Int64, snapshot: ConsoleSnapshot?, problem: SourceProblem? = nil, dbPath: String,
                themeName: String = "default", version: String = GateConsoleInfo.version) {
        self.now = now; self.snapshot = snapshot; self.problem = problem; self.dbPath = dbPath
        self.themeName = themeName; self.version = version
    }
}

public enum GateConsoleInfo {
    public static let version = "0.1.0"
}

/// Draws whole frames into a Grid (pure: the same inputs give the same text).
public enum Renderer {
    public static let minWidth = 80, minHeight = 24

    /// Title bar and tabs, banners, the screen, the prompt or message line, the status bar,
    /// and the help box over all of it when open.
    public static func frame(width: Int, height: Int, ascii: Bool, state: ConsoleState, ctx: RenderContext) -> Grid {
        var g = Grid(width: width, height: height, ascii: ascii)
        let S = Strings(state.language)
        if width < minWidth || height < minHeight {
            tooSmall(&g, S)
            return g
        }
        let cal = ConsoleStore.calendar(ctx.snapshot?.site)
        let d = Draw(S: S, cal: cal, ctx: ctx, state: state)
        titleBar(&g, d, state)
        let top = bannerRows(&g, ctx, S, from: 2)
        let bottom = bottomLines(&g, state, S, above: height - 1)
        d.draw(&g, Rect(x: 0, y: top, w: width, h: bottom - top))
        statusBar(&g, ctx, S)
        if state.showHelp { help(&g, S) }
        return g
    }

    /// The site and the clock on the first row, the screen tabs on the second.
    static func titleBar(_ g: inout Grid, _ d: Draw, _ state: ConsoleState) {
        let width = g.width
        g.fill(Rect(x: 0, y: 0, w: width, h: 1), role: .status)
        let site = d.ctx.snapshot?.province.map { d.S.provinceTitle($0.count) } ?? d.ctx.snapshot?.site?.name ?? "—"
        g.put(" GateWatch \(g.glyphs.dot) \(site)", x: 0, y: 0, role: .status, maxWidth: width - 22)
        let clock = d.dateTime(d.ctx.now, seconds: true)
        g.put(clock + " ", x: width - TextWidth.of(clock) - 1, y: 0, role: .status)
        Widgets.tabs(&g, Rect(x: 0, y: 1, w: width, h: 1), titles: d.S.screenNames, active: state.screen.rawValue)
    }

    /// The banners (database problem, pipeline stopped) from row `top` down; returns the first row below them.
    static func bannerRows(_ g: inout Grid, _ ctx: RenderContext, _ S: Strings, from top: Int) -> Int {
        let width = g.width
        var top = top
        for b in banners(ctx, S) {
            // A long banner (a database path and its error) wraps to a second line rather than being cut.
            var lines = TextWidth.wrap(b, width: width - 4)
            if lines.count > 2 { lines = [lines[0], TextWidth.truncate(lines[1...].joined(separator: " "), to: width - 4, ascii: g.ascii)] }
            for (i, l) in lines.enumerated() {
                g.fill(Rect(x: 0, y: top, w: width, h: 1), role: .banner)
                g.put((i == 0 ? " ! " : "   ") + l, x: 0, y: top, role: .banner, maxWidth: width)
                top += 1
            }
        }
        return top
    }

    /// Above the status bar, the first that applies: the prompt being typed, a y/n question,
    /// the message, the filter in force. Returns the first row it used (the screen ends there).
    static func bottomLines(_ g: inout Grid, _ state: ConsoleState, _ S: Strings, above bottom: Int) -> Int {
        let width = g.width
        var bottom = bottom
        if let mode = state.input {
            bottom -= 1
            switch mode {
            case .filter(let t), .ackNote(_, let t), .ackName(_, _, let t), .exportPath(let t),
                 .correctCount(let t), .correctNote(_, let t), .correctName(_, _, let t):
                t.draw(&g, Rect(x: 0, y: bottom, w: width, h: 1))
            }
        } else if let c = state.confirm {
            bottom -= 1
            let q: String
            switch c {
            case .runSuite(let suite): q = S.confirmRun(suite.name, suite.scenarios)
            case .cancelRun: q = S.confirmCancel
            }
            g.fill(Rect(x: 0, y: bottom, w: width, h: 1), role: .input)
            g.put(" " + q, x: 0, y: bottom, role: .input, maxWidth: width - 1)
        } else if let m = state.message {
            // Two lines at most, so a message naming a long path is read whole.
            var lines = TextWidth.wrap(m, width: width - 2)
            if lines.count > 2 { lines = [lines[0], TextWidth.truncate(lines[1...].joined(separator: " "), to: width - 2, ascii: g.ascii)] }
            bottom -= lines.count
            for (i, l) in lines.enumerated() { g.put(" " + l, x: 0, y: bottom + i, role: .accent, maxWidth: width) }
        } else if !state.filter.isEmpty {
            bottom -= 1
            g.put(" \(S.filter): \(state.filter)  (Esc)", x: 0, y: bottom, role: .dim)
        }
        return bottom
    }

    /// The last row: database and pipeline state, the theme, the key hint.
    static func statusBar(_ g: inout Grid, _ ctx: RenderContext, _ S: Strings) {
        let source = ctx.hubURL == nil ? S.dbOK : S.hubWord
        let dbState = "\(source) \(ctx.problem != nil ? "!" : "ok")"
        let pipe: String
        if ctx.snapshot?.province != nil { pipe = "" }
        else if let s = ctx.snapshot, s.pipelineAlive(now: ctx.now) { pipe = " \(g.glyphs.dot) \(S.pipeline) \(S.live)" }
        else { pipe = " \(g.glyphs.dot) \(S.pipeline) \(S.stoppedWord)" }
        Widgets.statusBar(&g, Rect(x: 0, y: g.height - 1, w: g.width, h: 1),
                          left: "\(dbState)\(pipe) \(g.glyphs.dot) \(ctx.themeName)", right: S.keysHint + " ")
    }

    static func banners(_ ctx: RenderContext, _ S: Strings) -> [String] {
        if let p = ctx.problem { return [S.problem(p)] }
        guard let s = ctx.snapshot, s.province == nil else { return [] }
        guard let p = s.pipeline else { return [S.pipelineNeverRan] }
        if !s.pipelineAlive(now: ctx.now) { return [S.pipelineStopped(shortAge(ctx.now - p.heartbeatMs))] }
        return []
    }

    static func tooSmall(_ g: inout Grid, _ S: Strings) {
        let lines = [S.tooSmall, S.tooSmallDetail(g.width, g.height), S.quitHint]
        let y0 = max(0, g.height / 2 - 1)
        for (i, l) in lines.enumerated() {
            let w = TextWidth.of(g.ascii ? TextWidth.asciiFold(l) : l)
            g.put(l, x: max(0, (g.width - w) / 2), y: y0 + i, role: i == 0 ? .warn : .normal)
        }
    }

    static func help(_ g: inout Grid, _ S: Strings) {
        let lines = S.helpLines
        let kw = lines.map { TextWidth.of($0.0) }.max() ?? 10
        let w = min(g.width - 4, max(50, kw + 3 + (lines.map { TextWidth.of($0.1) }.max() ?? 20) + 4))
        let h = min(g.height - 2, lines.count + 4)
        let r = Rect(x: (g.width - w) / 2, y: (g.height - h) / 2, w: w, h: h)
        g.fill(r)
        g.box(r, title: S.help)
        for (i, (k, v)) in lines.enumerated() where i < h - 4 {
            g.put(k, x: r.x + 2, y: r.y + 1 + i, role: .accent)
            g.put(v, x: r.x + 4 + kw, y: r.y + 1 + i, maxWidth: r.w - kw - 6)
        }
        g.put(S.pressAnyKey, x: r.x + 2, y: r.maxY - 2, role: .dim, maxWidth: r.w - 4)
    }
}
