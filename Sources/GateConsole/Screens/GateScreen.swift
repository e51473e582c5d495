import Foundation

/// Screen 2: one gate (← → for the next): its feeds, its latest crossings and today's hourly ins.
extension Draw {
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
                [time(c.timestampMs), c.lineName, S.dirName(c.direction.rawValue),
                 "\(c.trackId)", String(format: "%.2f", c.confidence).replacingOccurrences(of: "0.", with: ".")]
            }
            Widgets.table(&g, Rect(x: left.x + 1, y: left.y + 1, w: left.w - 2, h: left.h - 1), columns: ccols, rows: crows,
                          selected: state.selected, roles: { row, col in col == 2 ? (xs[row].direction == .in ? .ok : .accent) : nil })
        }
        heading(&g, right.x + 1, right.y, "\(S.hourlyToday) (\(S.ins))", w: right.w - 2)
        let labels = (0..<24).map { String(format: "%02d", $0) }
        Widgets.barChart(&g, Rect(x: right.x + 1, y: right.y + 1, w: right.w - 2, h: right.h - 1), values: gv.hourlyIn, labels: labels)
    }

}
