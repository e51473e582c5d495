import Foundation

/// What a frame is drawn from besides the user's state.
public struct RenderContext: Sendable {
    public var now: Int64
    public var snapshot: ConsoleSnapshot?
    public var problem: SourceProblem?
    public var dbPath: String
    public var themeName: String
    public var version: String
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

    public static func frame(width: Int, height: Int, ascii: Bool, state: ConsoleState, ctx: RenderContext) -> Grid {
        var g = Grid(width: width, height: height, ascii: ascii)
        let S = Strings(state.language)
        if width < minWidth || height < minHeight {
            tooSmall(&g, S)
            return g
        }
        let cal = ConsoleStore.calendar(ctx.snapshot?.site)
        var d = Draw(S: S, cal: cal, ctx: ctx, state: state)

        // Title bar.
        g.fill(Rect(x: 0, y: 0, w: width, h: 1), role: .status)
        let site = ctx.snapshot?.site?.name ?? "—"
        g.put(" GateWatch \(g.glyphs.dot) \(site)", x: 0, y: 0, role: .status, maxWidth: width - 22)
        let clock = d.dateTime(ctx.now, seconds: true)
        g.put(clock + " ", x: width - TextWidth.of(clock) - 1, y: 0, role: .status)
        Widgets.tabs(&g, Rect(x: 0, y: 1, w: width, h: 1), titles: S.screenNames, active: state.screen.rawValue)

        var top = 2
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
        var bottom = height - 1
        if let mode = state.input {
            bottom -= 1
            switch mode {
            case .filter(let t), .ackNote(_, let t), .ackName(_, _, let t), .exportPath(let t): t.draw(&g, Rect(x: 0, y: bottom, w: width, h: 1))
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
        let content = Rect(x: 0, y: top, w: width, h: bottom - top)
        d.draw(&g, content)

        // Status bar.
        let dbState: String
        if ctx.problem != nil { dbState = "\(S.dbOK) !" } else { dbState = "\(S.dbOK) ok" }
        let pipe: String
        if let s = ctx.snapshot, s.pipelineAlive(now: ctx.now) { pipe = "\(S.pipeline) \(S.live)" } else { pipe = "\(S.pipeline) \(S.stoppedWord)" }
        Widgets.statusBar(&g, Rect(x: 0, y: height - 1, w: width, h: 1),
                          left: "\(dbState) \(g.glyphs.dot) \(pipe) \(g.glyphs.dot) \(ctx.themeName)", right: S.keysHint + " ")

        if state.showHelp { help(&g, S) }
        return g
    }

    static func banners(_ ctx: RenderContext, _ S: Strings) -> [String] {
        if let p = ctx.problem { return [S.problem(p)] }
        guard let s = ctx.snapshot else { return [] }
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

/// Per-screen drawing with the shared bits (time formats, roles) at hand.
struct Draw {
    let S: Strings
    let cal: Calendar
    let ctx: RenderContext
    let state: ConsoleState
    var snap: ConsoleSnapshot? { ctx.snapshot }
    var now: Int64 { ctx.now }

    func time(_ ms: Int64) -> String {
        let c = cal.dateComponents([.hour, .minute, .second], from: Date(timeIntervalSince1970: Double(ms) / 1000))
        return String(format: "%02d:%02d:%02d", c.hour!, c.minute!, c.second!)
    }
    func dateTime(_ ms: Int64, seconds: Bool = false) -> String {
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(ms) / 1000))
        let base = String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
        return seconds ? base + String(format: ":%02d", c.second!) : base
    }

    func stateRole(_ s: FeedDisplayState) -> Role {
        switch s {
        case .live: return .ok
        case .stale, .reconnecting, .starting: return .warn
        case .offline, .stopped: return .crit
        case .ended, .unknown: return .dim
        }
    }
    func severityRole(_ s: String) -> Role {
        switch s { case "critical": return .crit; case "warning": return .warn; default: return .info }
    }
    func verdictRole(_ s: String) -> Role {
        switch s { case "pass": return .ok; case "fail", "error": return .crit; default: return .warn }
    }
    func fmt(_ v: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", v) }
    func bytes(_ n: Int64) -> String {
        if n < 1024 { return "\(n) B" }
        if n < 1024 * 1024 { return String(format: "%.1f KiB", Double(n) / 1024) }
        return String(format: "%.1f MiB", Double(n) / 1048576)
    }
    /// The main table's columns with the sort column marked (`s` cycles it).
    func sortMarked(_ cols: [Widgets.Column], _ g: Grid) -> [Widgets.Column] {
        guard let c = state.sortColumn[state.screen], c < cols.count else { return cols }
        var out = cols
        out[c].title = (cols[c].right ? g.glyphs.down : "") + cols[c].title + (cols[c].right ? "" : g.glyphs.down)
        return out
    }

    /// The empty-list text: with a filter on, that nothing matches it.
    func none(_ text: String) -> String { state.filter.isEmpty ? text : S.noMatch(state.filter) }

    func draw(_ g: inout Grid, _ r: Rect) {
        guard let s = snap else {
            g.put(" …", x: r.x, y: r.y, role: .dim)
            return
        }
        switch state.screen {
        case .overview: overview(&g, r, s)
        case .gate: gate(&g, r, s)
        case .alerts: alerts(&g, r, s)
        case .history: history(&g, r, s)
        case .tests: tests(&g, r, s)
        case .health: health(&g, r, s)
        }
        if state.detailOpen { detail(&g, r, s) }
    }

    func heading(_ g: inout Grid, _ x: Int, _ y: Int, _ text: String, w: Int) {
        g.put(text, x: x, y: y, role: .title, maxWidth: w)
    }

    // MARK: Overview

    func overview(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        var y = r.y
        guard let site = s.site else {
            g.put(" " + S.noSite, x: r.x, y: y, role: .dim); return
        }
        let cap = max(1, site.capacity)
        let frac = Double(s.occupancy) / Double(cap)
        let level = s.capacityLevel
        let role: Role = level == .critical ? .crit : level == .warning ? .warn : .ok
        let label = "\(s.occupancy) / \(site.capacity) \(S.capacity) (\(Int((frac * 100).rounded()))%)"
        let head = " \(S.occupancy): "
        let hw = g.put(head, x: r.x, y: y, role: .title)
        Widgets.gauge(&g, Rect(x: r.x + hw, y: y, w: r.w - hw - 1, h: 1), fraction: frac, label: label, role: role)
        y += 1
        var x = g.put(" \(S.inToday): ", x: r.x, y: y, role: .dim)
        x += g.put("\(s.todayIn)", x: r.x + x, y: y, role: .accent)
        x += g.put("   \(S.outToday): ", x: r.x + x, y: y, role: .dim)
        g.put("\(s.todayOut)", x: r.x + x, y: y, role: .accent)
        y += 2

        let gates = Lists.gates(s, filter: state.filter, sort: state.sort)
        let open = Lists.alerts(s, filter: state.filter).filter { $0.state != "resolved" }.sorted { $0.raisedMs > $1.raisedMs }
        let shownFeeds = Lists.feeds(s, filter: state.filter)
        let rest = r.maxY - y
        let alertRows = max(3, min(open.count, rest / 3))
        let gatesH = max(2, min(gates.count + 1, rest - alertRows - 2))
        if gates.isEmpty {
            g.put(" " + none(S.noGates), x: r.x, y: y, role: .dim)
        } else {
            let wide = r.w >= 140
            let sparkW = wide ? 60 : 20
            var cols = [Widgets.Column(S.gate, wide ? 24 : 14), Widgets.Column(S.ins, 6, right: true),
                        Widgets.Column(S.outs, 6, right: true), Widgets.Column(S.lastHour, sparkW),
                        Widgets.Column(S.feeds, 0)]
            cols = sortMarked(cols, g)
            var feedRoles: [Role] = []
            let rows: [[String]] = gates.map { gv in
                let feeds = s.feeds(ofGate: gv.id)
                let states = feeds.map { snap?.feedState($0, now: now) ?? .unknown }
                let worst = states.map(stateRole).max { rank($0) < rank($1) } ?? .dim
                feedRoles.append(worst)
                let fs = zip(feeds, states).map { f, st in
                    "\(f.name) \(S.feedState(st)) \(fmt(f.health?.processFps ?? 0))fps"
                }.joined(separator: ", ")
                return [gv.name, "\(gv.todayIn)", "\(gv.todayOut)",
                        Widgets.sparkline(gv.lastHourIn, width: sparkW, glyphs: g.glyphs), fs.isEmpty ? "—" : fs]
            }
            Widgets.table(&g, Rect(x: r.x + 1, y: y, w: r.w - 2, h: gatesH), columns: cols, rows: rows,
                          selected: state.selected, roles: { row, col in
                              col == 3 ? .bar : col == 4 ? feedRoles[row] : nil })
        }
        // With room to spare (large terminals), every feed on its own row.
        let feedsY = y + gatesH + 1
        let feedsRoom = r.maxY - alertRows - 1 - feedsY
        var ay = r.maxY - alertRows
        if feedsRoom >= shownFeeds.count + 2, !shownFeeds.isEmpty {
            ay = feedsY + shownFeeds.count + 4
            heading(&g, r.x + 1, feedsY, S.feeds, w: r.w - 2)
            let fcols = [Widgets.Column(S.feed, 24), Widgets.Column(S.gate, 24), Widgets.Column(S.state, 14),
                         Widgets.Column("fps", 6, right: true), Widgets.Column(S.lastFrame, 10, right: true), Widgets.Column(S.error, 0)]
            let states = shownFeeds.map { snap?.feedState($0, now: now) ?? .unknown }
            let rows = zip(shownFeeds, states).map { f, st -> [String] in
                [f.name, s.gates.first { $0.id == f.gateId }?.name ?? f.gateId, S.feedState(st), fmt(f.health?.processFps ?? 0),
                 f.health?.lastFrameMs.map { shortAge(now - $0) } ?? "—", f.health?.shownError ?? ""]
            }
            Widgets.table(&g, Rect(x: r.x + 1, y: feedsY + 1, w: r.w - 2, h: rows.count + 1), columns: fcols, rows: rows,
                          roles: { row, col in col == 2 ? stateRole(states[row]) : col == 5 ? .warn : nil })
        }
        heading(&g, r.x + 1, ay - 1, S.newestAlerts, w: r.w - 2)
        if open.isEmpty {
            g.put(none(S.noAlerts), x: r.x + 1, y: ay, role: .dim)
        } else {
            alertTable(&g, Rect(x: r.x + 1, y: ay, w: r.w - 2, h: r.maxY - ay), open, selected: nil, header: false)
        }
    }

    func rank(_ r: Role) -> Int {
        switch r { case .crit: return 4; case .warn: return 3; case .ok: return 2; default: return 1 }
    }

    func alertTable(_ g: inout Grid, _ r: Rect, _ items: [AlertVM], selected: Int?, header: Bool = true, sorted: Bool = false) {
        var cols = [Widgets.Column("#", 5, right: true), Widgets.Column(S.severity, 12), Widgets.Column(S.state, 11),
                    Widgets.Column(S.age, 6, right: true), Widgets.Column(S.kind, 13),
                    Widgets.Column(S.subject, r.w >= 140 ? 24 : r.w >= 110 ? 16 : 10),
                    Widgets.Column(S.message, 0)]
        if sorted { cols = sortMarked(cols, g) }
        let rows = items.map { a in
            ["\(a.id)", S.severityName(a.severity), S.alertState(a.state), shortAge(now - a.raisedMs),
             S.alertKind(a.kind), a.subject, a.message(in: state.language)]
        }
        Widgets.table(&g, r, columns: cols, rows: rows, selected: selected, roles: { row, col in
            col == 1 ? severityRole(items[row].severity) : col == 2 && items[row].state == "open" ? .warn : nil
        }, header: header)
    }

    // MARK: Gate

    func gate(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        guard !s.gates.isEmpty else { g.put(" " + S.noGates, x: r.x, y: r.y, role: .dim); return }
        let idx = min(state.gateIndex, s.gates.count - 1)
        let gv = s.gates[idx]
        var y = r.y
        let head = " \(S.gate) \(idx + 1)/\(s.gates.count): \(gv.name)  \(g.glyphs.dot) \(S.ins) \(gv.todayIn)  \(S.outs) \(gv.todayOut)   (← →)"
        g.put(head, x: r.x, y: y, role: .title, maxWidth: r.w)
        y += 1
        let visible = Set(Lists.feeds(s, filter: state.filter).map(\.id))
        let feeds = s.feeds(ofGate: gv.id).filter { visible.contains($0.id) }
        let fcols = [Widgets.Column(S.feed, 0), Widgets.Column(S.state, 14), Widgets.Column("fps", 6, right: true),
                     Widgets.Column(S.detMs, 7, right: true), Widgets.Column(S.dropped, 7, right: true),
                     Widgets.Column(S.reconnects, 7, right: true), Widgets.Column(S.lastFrame, 10, right: true)]
        let states = feeds.map { snap?.feedState($0, now: now) ?? .unknown }
        let frows = zip(feeds, states).map { f, st -> [String] in
            let h = f.health
            return [f.name, S.feedState(st), fmt(h?.processFps ?? 0), fmt(h?.detectMs ?? 0), "\(h?.dropped ?? 0)",
                    "\(h?.reconnects ?? 0)", h?.lastFrameMs.map { shortAge(now - $0) } ?? "—"]
        }
        let fh = min(feeds.count + 1, max(2, (r.maxY - y) / 3))
        Widgets.table(&g, Rect(x: r.x + 1, y: y, w: r.w - 2, h: fh), columns: fcols, rows: frows,
                      roles: { row, col in col == 1 ? stateRole(states[row]) : nil })
        y += fh + 1
        let below = Rect(x: r.x, y: y, w: r.w, h: r.maxY - y)
        let (left, right) = below.left(r.w / 2)
        heading(&g, left.x + 1, left.y, S.latestCrossings, w: left.w - 2)
        let xs = Lists.crossings(s, filter: state.filter)
        if xs.isEmpty {
            g.put(none(S.noCrossings), x: left.x + 1, y: left.y + 1, role: .dim)
        } else {
            let ccols = [Widgets.Column(S.time, 8), Widgets.Column(S.line, 0), Widgets.Column(S.direction, 5),
                         Widgets.Column(S.track, 6, right: true), Widgets.Column("conf", 4, right: true)]
            let crows = xs.map { c in
                // Words, not ↑/↓: an arrow says nothing about a vertical line's "in" side.
                [time(c.tsMs), c.lineName, S.dirName(c.direction),
                 "\(c.trackId)", String(format: "%.2f", c.confidence).replacingOccurrences(of: "0.", with: ".")]
            }
            Widgets.table(&g, Rect(x: left.x + 1, y: left.y + 1, w: left.w - 2, h: left.h - 1), columns: ccols, rows: crows,
                          selected: state.selected, roles: { row, col in col == 2 ? (xs[row].direction > 0 ? .ok : .accent) : nil })
        }
        heading(&g, right.x + 1, right.y, "\(S.hourlyToday) (\(S.ins))", w: right.w - 2)
        let labels = (0..<24).map { String(format: "%02d", $0) }
        Widgets.barChart(&g, Rect(x: right.x + 1, y: right.y + 1, w: right.w - 2, h: right.h - 1), values: gv.hourlyIn, labels: labels)
    }

    // MARK: Alerts

    func alerts(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        let items = Lists.alerts(s, filter: state.filter, sort: state.sort)
        let open = s.alerts.filter { $0.state == "open" }.count
        let acked = s.alerts.filter { $0.state == "acknowledged" }.count
        g.put(" \(S.alertState("open")): \(open)  \(S.alertState("acknowledged")): \(acked)  \(S.total): \(s.alerts.count)   (a: \(S.ackPromptNote.lowercased()), /: \(S.filter.lowercased()), Enter)",
              x: r.x, y: r.y, role: .title, maxWidth: r.w)
        guard !items.isEmpty else { g.put(" " + none(S.noAlerts), x: r.x, y: r.y + 2, role: .dim, maxWidth: r.w); return }
        let a = items[min(state.selected, items.count - 1)]
        // The selected alert's message in full (up to 3 lines; Enter shows all of it).
        var message = TextWidth.wrap(a.message(in: state.language), width: r.w - 4)
        if message.count > 3 { message = Array(message.prefix(2)) + [g.glyphs.ellipsis + " (Enter)"] }
        let detailH = 3 + message.count
        alertTable(&g, Rect(x: r.x + 1, y: r.y + 1, w: r.w - 2, h: r.h - 1 - detailH), items, selected: state.selected, sorted: true)
        let dy = r.maxY - detailH
        g.box(Rect(x: r.x, y: dy, w: r.w, h: detailH), title: "#\(a.id) \(S.alertKind(a.kind)) \(g.glyphs.dot) \(a.subject)")
        for (i, l) in message.enumerated() { g.put(l, x: r.x + 2, y: dy + 1 + i, maxWidth: r.w - 4) }
        var info = "\(dateTime(a.raisedMs)) \(g.glyphs.dot) ×\(a.occurrences)"
        if let v = a.value { info += " \(g.glyphs.dot) \(fmt(v))" }
        if let by = a.ackBy { info += " \(g.glyphs.dot) \(S.ackBy): \(by) \(a.ackMs.map { dateTime($0) } ?? "")" }
        if let n = a.ackNote { info += " \(g.glyphs.dot) \(S.note): \(n)" }
        g.put(info, x: r.x + 2, y: dy + 1 + message.count, role: .dim, maxWidth: r.w - 4)
    }

    // MARK: History

    func history(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        guard let h = s.history else { return }
        g.put(" \(S.hourlyFor) \(h.day.label)   (← → \(S.date.lowercased()), e: CSV)", x: r.x, y: r.y, role: .title, maxWidth: r.w)
        let body = Rect(x: r.x, y: r.y + 1, w: r.w, h: r.h - 1)
        let (left, right) = body.left(min(44, r.w / 2))
        let hcols = [Widgets.Column(S.hour, 11), Widgets.Column(S.ins, 7, right: true), Widgets.Column(S.outs, 7, right: true),
                     Widgets.Column(S.net, 7, right: true)]
        let hrows: [[String]] = (0..<24).map { i in
            [String(format: "%02d:00-%02d:00", i, (i + 1) % 24 == 0 ? 24 : i + 1),
             "\(h.hourlyIn[i])", "\(h.hourlyOut[i])", "\(h.hourlyIn[i] - h.hourlyOut[i])"]
        }
        // The day's total stays on the table's last line, whatever the scroll position.
        let total = [S.total, "\(h.hourlyIn.reduce(0, +))", "\(h.hourlyOut.reduce(0, +))",
                     "\(h.hourlyIn.reduce(0, +) - h.hourlyOut.reduce(0, +))"]
        let tableH = min(left.h - 1, hrows.count + 1)
        Widgets.table(&g, Rect(x: left.x + 1, y: left.y, w: left.w - 2, h: tableH), columns: hcols, rows: hrows,
                      selected: state.selected)
        Widgets.table(&g, Rect(x: left.x + 1, y: left.y + tableH, w: left.w - 2, h: 1), columns: hcols, rows: [total],
                      roles: { _, _ in .accent }, header: false)
        heading(&g, right.x + 1, right.y, S.daily, w: right.w - 2)
        let dcols = [Widgets.Column(S.date, 10), Widgets.Column(S.ins, 7, right: true), Widgets.Column(S.outs, 7, right: true),
                     Widgets.Column(S.net, 7, right: true), Widgets.Column("", 0)]
        let top = max(1, h.daily.map(\.ins).max() ?? 1)
        let barW = max(0, right.w - 2 - 10 - 7 * 3 - 4)
        let drows = h.daily.map { d in
            [d.label, "\(d.ins)", "\(d.outs)", "\(d.ins - d.outs)",
             Widgets.barString(fraction: Double(d.ins) / Double(top), width: barW, glyphs: g.glyphs)
                .replacingOccurrences(of: String(g.glyphs.light), with: " ")]
        }
        Widgets.table(&g, Rect(x: right.x + 1, y: right.y + 1, w: right.w - 2, h: right.h - 1), columns: dcols, rows: drows,
                      roles: { _, col in col == 4 ? .bar : nil })
    }

    // MARK: Tests

    func tests(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        let suites = Lists.suites(s, filter: state.filter)
        let runs = Lists.runs(s, filter: state.filter)
        let sel = state.selected
        var y = r.y
        heading(&g, r.x + 1, y, S.suitesHeading, w: r.w - 2)
        y += 1
        if suites.isEmpty {
            // Say where it looked, so "none" on a box outside the checkout tells what to give.
            let lines = TextWidth.wrap(none(S.noSuitesIn(s.suiteSearch)), width: r.w - 2).prefix(3)
            for l in lines { g.put(l, x: r.x + 1, y: y, role: .dim, maxWidth: r.w - 2); y += 1 }
            y += 1
        } else {
            let cols = [Widgets.Column(S.suiteFolder, 0), Widgets.Column(S.scenarioCount, 10, right: true)]
            let rows = suites.map { su in [su.path + (su.problem.map { "  (\(S.suiteProblem($0)))" } ?? ""), su.problem == nil ? "\(su.scenarios)" : "—"] }
            let h = min(rows.count + 1, max(2, r.h / 5))
            Widgets.table(&g, Rect(x: r.x + 1, y: y, w: r.w - 2, h: h), columns: cols, rows: rows,
                          selected: sel < suites.count ? sel : nil,
                          roles: { row, _ in suites[row].problem != nil ? .warn : nil })
            y += h + 1
        }
        if let live = s.liveRun {
            liveRun(&g, Rect(x: r.x, y: y, w: r.w, h: 3), live, s)
            y += 4
        }
        heading(&g, r.x + 1, y, S.runs, w: r.w - 2)
        guard !runs.isEmpty else { g.put(" " + none(S.noRuns), x: r.x, y: y + 1, role: .dim, maxWidth: r.w); return }
        let cols = [Widgets.Column(S.started, 16), Widgets.Column(S.suite, 0), Widgets.Column(S.verdict, 9),
                    Widgets.Column(S.passedFailed, 9, right: true), Widgets.Column(S.version, 8), Widgets.Column(S.machine, 12)]
        let rows = runs.map { t in
            [dateTime(t.startedMs), t.suite, runVerdict(t), "\(t.passed)/\(t.failed)", t.version, t.machine]
        }
        let runsH = min(rows.count + 1, max(2, (r.maxY - y - 1) / 3))
        let runSel = sel - suites.count
        Widgets.table(&g, Rect(x: r.x + 1, y: y + 1, w: r.w - 2, h: runsH), columns: cols, rows: rows,
                      selected: runSel >= 0 ? runSel : nil, roles: { row, col in col == 2 ? runRole(runs[row]) : nil })
        y += runsH + 2
        // The selected run; on a suite row, this console's run of it, else its latest run.
        let run: TestRunVM?
        if runSel >= 0 { run = runs[min(runSel, runs.count - 1)] } else {
            let suite = suites.isEmpty ? nil : suites[min(sel, suites.count - 1)].path
            run = runs.first { $0.id == s.liveRun?.runId && s.liveRun?.suite == suite } ?? runs.first { Lists.sameSuite($0.suite, suite) }
        }
        guard y < r.maxY else { return }
        guard let run else { g.put(" " + (runSel < 0 && !suites.isEmpty ? S.noRunsOfSuite : S.noResults), x: r.x, y: y, role: .dim); return }
        heading(&g, r.x + 1, y, "\(S.results): \(run.suite) \(g.glyphs.dot) \(dateTime(run.startedMs))" + stoppedNote(run, g), w: r.w - 2)
        resultsTable(&g, Rect(x: r.x + 1, y: y + 1, w: r.w - 2, h: r.maxY - y - 1), run)
    }

    /// Three lines: what runs and how far (scenario n/N and a bar), then the outcome or the log.
    func liveRun(_ g: inout Grid, _ r: Rect, _ l: LiveRunVM, _ s: ConsoleSnapshot) {
        let row = l.runId.flatMap { id in s.testRuns.first { $0.id == id } }
        let done = row?.results.count ?? 0
        let total = max(l.total, done)
        let elapsed = shortAge(max(0, (row?.finishedMs ?? now) - l.startedMs))
        let head: String, role: Role
        switch l.phase {
        case .running:
            head = "\(S.runningWord): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) " +
                (row == nil ? S.waitingForRun : S.scenarioOf(min(done + 1, total), total)) + " \(g.glyphs.dot) \(elapsed)"
            role = .accent
        case .finished:
            let v = row?.verdict ?? "fail"
            // Stopped from outside (Ctrl-C in its log's terminal, kill): stopped, not failed.
            if let row, row.isStopped {
                head = "\(S.stoppedHead): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.ranOf(done, total)) \(g.glyphs.dot) \(elapsed)"
                role = .warn
            } else {
                head = "\(S.finishedWord): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.verdict): \(S.verdictName(v)) \(g.glyphs.dot) \(row?.passed ?? 0)/\(row?.failed ?? 0) \(g.glyphs.dot) \(elapsed)"
                role = verdictRole(v)
            }
        case .cancelled:
            head = "\(S.stoppedHead): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.ranOf(done, total))"
            role = .warn
        case .failed:
            head = "\(S.failedWord): \((l.suite as NSString).lastPathComponent) \(g.glyphs.dot) \(S.doneOf(done, total))"
            role = .crit
        }
        g.put(head, x: r.x + 1, y: r.y, role: role, maxWidth: r.w - 2)
        if case .failed(let why) = l.phase {
            // Why, then where to look: the log path is never cut by a long reason.
            g.put(S.runFailure(why), x: r.x + 1, y: r.y + 1, role: .crit, maxWidth: r.w - 2)
        } else {
            let frac = total > 0 ? Double(done) / Double(total) : 0
            Widgets.gauge(&g, Rect(x: r.x + 1, y: r.y + 1, w: r.w - 2, h: 1), fraction: frac, label: S.doneOf(done, total),
                          role: l.phase == .finished ? verdictRole(row?.verdict ?? "fail") : l.phase == .running ? .ok : .warn)
        }
        if l.phase == .finished, FileManager.default.fileExists(atPath: l.reportPath) {
            g.put("\(S.report): \(l.reportPath)", x: r.x + 1, y: r.y + 2, role: .dim, maxWidth: r.w - 2)
        } else {
            g.put("\(S.log): \(l.logPath)", x: r.x + 1, y: r.y + 2, role: .dim, maxWidth: r.w - 2)
        }
    }

    func resultsTable(_ g: inout Grid, _ r: Rect, _ run: TestRunVM) {
        guard !run.results.isEmpty else { g.put(S.noResults, x: r.x, y: r.y, role: .dim); return }
        func n(_ v: Int?) -> String { v.map(String.init) ?? "—" }
        let cols = [Widgets.Column(S.scenario, 0), Widgets.Column(S.line, 8), Widgets.Column(S.expected, 9, right: true),
                    Widgets.Column(S.counted, 9, right: true), Widgets.Column("fps", 11, right: true), Widgets.Column(S.verdict, 7)]
        let rows = run.results.map { t in
            [t.scenario, t.lineId ?? "—", "\(n(t.expectedIn))/\(n(t.expectedOut))", "\(n(t.countedIn))/\(n(t.countedOut))",
             "\(t.fps.map { fmt($0) } ?? "—")/\(t.requiredFps.map { fmt($0, 0) } ?? "—")", S.verdictName(t.verdict)]
        }
        Widgets.table(&g, r, columns: cols, rows: rows, roles: { row, col in col == 5 ? verdictRole(run.results[row].verdict) : nil })
    }

    /// The verdict a run is listed with: a run stopped part way is "stopped", not a failure.
    func runVerdict(_ t: TestRunVM) -> String { t.isStopped ? S.stoppedRun : S.verdictName(t.verdict) }
    func runRole(_ t: TestRunVM) -> Role { t.isStopped ? .warn : verdictRole(t.verdict) }
    /// " · 1 of 2 scenarios ran" for a stopped run whose plan is known.
    func stoppedNote(_ t: TestRunVM, _ g: Grid) -> String {
        guard t.isStopped, let n = t.plannedScenarios, n > 0 else { return "" }
        return " \(g.glyphs.dot) \(S.ranOf(t.results.count, n))"
    }

    /// Enter on a suite: its folder, scenario files, latest run and report; running it is `r`.
    func suiteDetail(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ suite: SuiteInfo) {
        var lines: [(String, Role)] = [("\(S.suiteFolder): \(suite.path)", .normal)]
        if let p = suite.problem {
            lines.append((S.suiteProblem(p), .warn))
        } else {
            lines.append(("\(S.scenarioFiles): \(suite.scenarios)", .normal))
        }
        let runs = s.testRuns.filter { Lists.sameSuite($0.suite, suite.path) }
        if let last = runs.first {
            lines.append(("\(S.latestRun): #\(last.id) \(dateTime(last.startedMs)) \(runVerdict(last)) \(last.passed)/\(last.failed)"
                          + stoppedNote(last, g), runRole(last)))
            lines.append(("\(S.report): \(s.reports[last.id] ?? S.reportNotWritten(last.id, ctx.dbPath))", s.reports[last.id] == nil ? .dim : .normal))
        } else {
            lines.append((S.noRunsOfSuite, .dim))
        }
        lines.append((S.suiteDetailRun, .accent))
        popup(&g, r, title: suite.name, lines: lines)
    }

    /// Counted minus expected, in/out ("+0/-2"); "—" when either side is unknown.
    static func countError(_ t: TestResultVM) -> String {
        func d(_ c: Int?, _ e: Int?) -> String {
            guard let c, let e else { return "—" }
            return c - e > 0 ? "+\(c - e)" : c - e == 0 ? "0" : "\(c - e)"
        }
        return "\(d(t.countedIn, t.expectedIn))/\(d(t.countedOut, t.expectedOut))"
    }

    /// Enter on a run: every scenario with expected, counted, error, speed, verdict and
    /// its diff line, then the report and log when this console started the run.
    func runDetail(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ run: TestRunVM) {
        g.fill(r)
        let title = "#\(run.id) \(run.suite) \(g.glyphs.dot) \(dateTime(run.startedMs)) \(g.glyphs.dot) \(runVerdict(run)) \(run.passed)/\(run.failed)"
            + stoppedNote(run, g)
        g.box(r, title: title)
        let inner = Rect(x: r.x + 1, y: r.y + 1, w: r.w - 2, h: r.h - 2)
        var foot: [(String, Role)] = []
        // Only a report that is on disk is offered (the controller checks); else how to write it.
        let report = s.reports[run.id]
        // Wrapped (two lines at most): the command that writes the report is not cut on 80 columns.
        for l in TextWidth.wrap("\(S.report): \(report ?? S.reportNotWritten(run.id, ctx.dbPath))", width: inner.w - 2).prefix(2) {
            foot.append((l, report == nil ? .dim : .normal))
        }
        if let l = s.liveRun, l.runId == run.id { foot.append(("\(S.log): \(l.logPath)", .dim)) }
        foot.append(("Enter/Esc", .dim))
        let tableH = max(1, inner.h - foot.count)
        if run.results.isEmpty {
            g.put(S.noResults, x: inner.x + 1, y: inner.y, role: .dim)
        } else {
            func n(_ v: Int?) -> String { v.map(String.init) ?? "—" }
            let wide = inner.w >= 120
            let cols = [Widgets.Column(S.scenario, wide ? 26 : 16), Widgets.Column(S.expected, 8, right: true),
                        Widgets.Column(S.counted, 8, right: true), Widgets.Column(S.errorCol, 7, right: true),
                        Widgets.Column(S.speed, 10, right: true), Widgets.Column(S.verdict, 7), Widgets.Column(S.detailCol, 0)]
            let rows = run.results.map { t in
                [t.scenario, "\(n(t.expectedIn))/\(n(t.expectedOut))", "\(n(t.countedIn))/\(n(t.countedOut))", Self.countError(t),
                 "\(t.fps.map { fmt($0) } ?? "—")/\(t.requiredFps.map { fmt($0, 0) } ?? "—")", S.verdictName(t.verdict),
                 Shown.masked(t.detail ?? "").replacingOccurrences(of: "\n", with: "; ")]
            }
            let th = min(tableH, rows.count + 1)
            Widgets.table(&g, Rect(x: inner.x + 1, y: inner.y, w: inner.w - 2, h: th), columns: cols, rows: rows,
                          roles: { row, col in col == 5 || (col == 6 && run.results[row].verdict != "pass") ? verdictRole(run.results[row].verdict) : nil })
            // The diff lines in full (the column above is cut on narrow terminals).
            var y = inner.y + th + 1
            for t in run.results where t.verdict != "pass" && !(t.detail ?? "").isEmpty {
                for part in Shown.masked(t.detail ?? "").split(separator: "\n") where y < inner.maxY - foot.count {
                    g.put("\(S.verdictName(t.verdict)) \(t.scenario): \(part)", x: inner.x + 1, y: y, role: verdictRole(t.verdict), maxWidth: inner.w - 2)
                    y += 1
                }
            }
        }
        for (i, (l, role)) in foot.enumerated() {
            g.put(l, x: inner.x + 1, y: inner.maxY - foot.count + i, role: role, maxWidth: inner.w - 2)
        }
    }

    // MARK: Health

    func health(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        let feeds = Lists.feeds(s, filter: state.filter, sort: state.sort)
        let wide = r.w >= 140
        var cols = [Widgets.Column(S.feed, 0), Widgets.Column(S.state, 12), Widgets.Column(S.capProc, 10, right: true),
                    Widgets.Column(S.msPerStage, 14, right: true), Widgets.Column(S.dropped, 5, right: true),
                    Widgets.Column(S.reconnects, 7, right: true), Widgets.Column(S.lastFrame, 10, right: true)]
        if wide { cols.append(Widgets.Column(S.queue, 5, right: true)) }
        if wide { cols.append(Widgets.Column(S.fpsLastHour, 60)) }
        cols = sortMarked(cols, g)
        let sparkCol = cols.count - 1
        let states = feeds.map { snap?.feedState($0, now: now) ?? .unknown }
        let rows = zip(feeds, states).map { f, st -> [String] in
            let h = f.health
            var row = [f.name, S.feedState(st), "\(fmt(h?.captureFps ?? 0))/\(fmt(h?.processFps ?? 0))",
                       "\(fmt(h?.decodeMs ?? 0))/\(fmt(h?.detectMs ?? 0))/\(fmt(h?.trackMs ?? 0))",
                       "\(h?.dropped ?? 0)", "\(h?.reconnects ?? 0)", h?.lastFrameMs.map { shortAge(now - $0) } ?? "—"]
            if wide { row.append("\(h?.queueDepth ?? 0)"); row.append(Widgets.sparkline(f.fpsHistory, width: 60, glyphs: g.glyphs)) }
            return row
        }
        let infoH = 6
        let tableH = max(2, min(rows.count + 1, r.h - infoH - 1))
        Widgets.table(&g, Rect(x: r.x + 1, y: r.y, w: r.w - 2, h: tableH), columns: cols, rows: rows, selected: state.selected,
                      roles: { row, col in col == 1 ? stateRole(states[row]) : (wide && col == sparkCol) ? .bar : nil })
        var y = r.y + tableH
        if feeds.isEmpty && !state.filter.isEmpty { g.put(S.noMatch(state.filter), x: r.x + 2, y: y, role: .dim, maxWidth: r.w - 4) }
        if !feeds.isEmpty {
            let f = feeds[min(state.selected, feeds.count - 1)]
            let err = f.health?.shownError.map { "\(S.error): \($0)" } ?? ""
            var line = "\(f.id) \(g.glyphs.dot) \(f.shownSource) \(g.glyphs.dot) \(f.detector) \(err)"
            // Cut: say where the rest is.
            if TextWidth.of(line) > r.w - 4 { line = TextWidth.truncate(line, to: r.w - 4 - 8, ascii: g.ascii) + " (Enter)" }
            g.put(line, x: r.x + 2, y: y, role: err.isEmpty ? .dim : .warn, maxWidth: r.w - 4)
        }
        y += 1
        let box = Rect(x: r.x, y: max(y, r.maxY - infoH), w: r.w, h: min(infoH, r.maxY - y))
        g.box(box, title: "\(S.pipeline) \(g.glyphs.dot) \(S.database)")
        var lines: [String] = []
        if let p = s.pipeline {
            lines.append("\(S.pipeline): \(S.pipelineState(p.state)) \(g.glyphs.dot) pid \(p.pid) \(g.glyphs.dot) \(S.version) \(p.version)")
            lines.append("\(S.uptime): \(shortAge(max(0, p.heartbeatMs - p.startedMs))) \(g.glyphs.dot) \(S.heartbeat): \(shortAge(now - p.heartbeatMs)) \(g.glyphs.dot) \(S.writeLatency): \(fmt(p.writeMs)) ms")
            lines.append("\(S.database): \(ctx.dbPath) \(g.glyphs.dot) \(S.size) \(bytes(s.dbBytes))")
        } else {
            lines.append(S.pipelineNeverRan)
            lines.append("\(S.database): \(ctx.dbPath) \(g.glyphs.dot) \(S.size) \(bytes(s.dbBytes))")
        }
        lines.append("\(S.consoleVersion): GateWatch \(ctx.version)")
        for (i, l) in lines.enumerated() where i < box.h - 2 {
            g.put(l, x: box.x + 2, y: box.y + 1 + i, maxWidth: box.w - 4)
        }
    }

    // MARK: Detail overlay (Enter)

    func detail(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        var title = ""
        var lines: [(String, Role)] = []
        switch state.screen {
        case .alerts:
            let items = Lists.alerts(s, filter: state.filter, sort: state.sort)
            guard !items.isEmpty else { return }
            let a = items[min(state.selected, items.count - 1)]
            title = "#\(a.id) \(S.alertKind(a.kind))"
            lines = [(a.message(in: state.language), .normal),
                     ("\(S.severity): \(S.severityName(a.severity))  \(S.state): \(S.alertState(a.state))", severityRole(a.severity)),
                     ("\(S.subject): \(a.subject)  ×\(a.occurrences)", .normal),
                     ("\(S.started): \(dateTime(a.raisedMs, seconds: true))  (\(shortAge(now - a.raisedMs)))", .dim)]
            if let by = a.ackBy { lines.append(("\(S.ackBy): \(by)  \(a.ackMs.map { dateTime($0, seconds: true) } ?? "")", .normal)) }
            if let n = a.ackNote { lines.append(("\(S.note): \(n)", .normal)) }
            if let rm = a.resolvedMs { lines.append(("\(S.alertState("resolved")): \(dateTime(rm, seconds: true))", .ok)) }
        case .tests:
            if let run = Lists.selectedRun(s, filter: state.filter, selected: state.selected) {
                runDetail(&g, r, s, run)
            } else if let suite = Lists.selectedSuite(s, filter: state.filter, selected: state.selected) {
                suiteDetail(&g, r, s, suite)
            }
            return
        case .health:
            let feeds = Lists.feeds(s, filter: state.filter, sort: state.sort)
            guard !feeds.isEmpty else { return }
            let f = feeds[min(state.selected, feeds.count - 1)]
            title = f.name
            let h = f.health
            lines = [("id: \(f.id)  \(S.gate): \(f.gateId)", .normal), ("\(S.sourceLabel): \(f.shownSource)", .normal),
                     ("\(S.detectorLabel): \(f.detector)  \(S.expectedFps): \(f.expectedFps.map { fmt($0) } ?? "—")", .normal),
                     ("\(S.frames): \(h?.frames ?? 0)  \(S.dropped): \(h?.dropped ?? 0)  \(S.reconnects): \(h?.reconnects ?? 0)", .normal)]
            if let e = h?.shownError { lines.append(("\(S.error): \(e)", .warn)) }
        default: return
        }
        popup(&g, r, title: title, lines: lines)
    }

    /// A centred box with every line wrapped to its width (nothing cut but what the screen
    /// cannot hold; then the last line says so).
    func popup(_ g: inout Grid, _ r: Rect, title: String, lines: [(String, Role)]) {
        let w = min(r.w - 4, 100)
        var wrapped = lines.flatMap { l, role in TextWidth.wrap(l, width: w - 4).map { ($0, role) } }
        let h = min(r.h - 2, wrapped.count + 3)
        if wrapped.count > h - 3 {
            wrapped = Array(wrapped.prefix(max(0, h - 4))) + [(g.glyphs.ellipsis, Role.dim)]
        }
        let box = Rect(x: r.x + (r.w - w) / 2, y: r.y + 1, w: w, h: h)
        g.fill(box)
        g.box(box, title: title)
        for (i, (l, role)) in wrapped.enumerated() where i < h - 3 {
            g.put(l, x: box.x + 2, y: box.y + 1 + i, role: role, maxWidth: w - 4)
        }
        g.put("Enter/Esc", x: box.x + 2, y: box.maxY - 2, role: .dim)
    }
}
