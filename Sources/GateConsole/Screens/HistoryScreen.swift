import Foundation

/// Screen 4: one day hour by hour (← → for the day before or after) and the daily totals.
extension Draw {
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

}
