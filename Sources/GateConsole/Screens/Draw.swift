import Foundation

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
        if let sites = s.province { province(&g, r, sites); return }
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
}
