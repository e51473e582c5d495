import Foundation

/// The overlays drawn over a screen: an item's detail (Enter) and the box it is shown in.
extension Draw {
    /// Enter on a row of Alerts, Tests or Health: the selected item's detail over the screen.
    func detail(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        switch state.screen {
        case .alerts:
            guard let d = alertDetail(s) else { return }
            popup(&g, r, title: d.title, lines: d.lines)
        case .tests:
            if let run = Lists.selectedRun(s, filter: state.filter, selected: state.selected) {
                runDetail(&g, r, s, run)
            } else if let suite = Lists.selectedSuite(s, filter: state.filter, selected: state.selected) {
                suiteDetail(&g, r, s, suite)
            }
        case .health:
            guard let d = feedDetail(s) else { return }
            popup(&g, r, title: d.title, lines: d.lines)
        default: return
        }
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
