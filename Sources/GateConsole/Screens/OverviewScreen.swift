import GateCore
import Foundation
import GateStore

/// Screen 1: the site's occupancy gauge and today's totals, the gates with their last hour,
/// every feed when there is room, and the newest alerts.
extension Draw {
    func overview(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        guard let site = s.site else {
            g.put(" " + S.noSite, x: r.x, y: r.y, role: .dim); return
        }
        occupancy(&g, r, s, site)
        let y = r.y + 3
        let gates = Lists.gates(s, filter: state.filter, sort: state.sort)
        let open = Lists.alerts(s, filter: state.filter).filter { $0.state != .known(.resolved) }.sorted { $0.raisedMs > $1.raisedMs }
        let shownFeeds = Lists.feeds(s, filter: state.filter)
        let rest = r.maxY - y
        let alertRows = max(3, min(open.count, rest / 3))
        let gatesH = max(2, min(gates.count + 1, rest - alertRows - 2))
        if gates.isEmpty {
            g.put(" " + none(S.noGates), x: r.x, y: y, role: .dim)
        } else {
            gatesTable(&g, Rect(x: r.x + 1, y: y, w: r.w - 2, h: gatesH), s, gates, wide: r.w >= 140)
        }
        // With room to spare (large terminals), every feed on its own row.
        let feedsY = y + gatesH + 1
        let feedsRoom = r.maxY - alertRows - 1 - feedsY
        var ay = r.maxY - alertRows
        if feedsRoom >= shownFeeds.count + 2, !shownFeeds.isEmpty {
            ay = feedsY + shownFeeds.count + 4
            heading(&g, r.x + 1, feedsY, S.feeds, w: r.w - 2)
            feedsTable(&g, Rect(x: r.x + 1, y: feedsY + 1, w: r.w - 2, h: shownFeeds.count + 1), s, shownFeeds)
        }
        heading(&g, r.x + 1, ay - 1, S.newestAlerts, w: r.w - 2)
        if open.isEmpty {
            g.put(none(S.noAlerts), x: r.x + 1, y: ay, role: .dim)
        } else {
            alertTable(&g, Rect(x: r.x + 1, y: ay, w: r.w - 2, h: r.maxY - ay), open, selected: nil, header: false)
        }
    }

    /// Two rows: the occupancy gauge coloured by the site's capacity level, then today's in and out.
    func occupancy(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ site: SiteRow) {
        var y = r.y
        let cap = max(1, site.capacity)
        let frac = Double(s.peopleInside) / Double(cap)
        let level = s.capacityLevel
        let role: Role = level == .critical ? .crit : level == .warning ? .warn : .ok
        let label = "\(s.peopleInside) / \(site.capacity) \(S.capacity) (\(Int((frac * 100).rounded()))%)"
        let head = " \(S.occupancy): "
        let hw = g.put(head, x: r.x, y: y, role: .title)
        Widgets.gauge(&g, Rect(x: r.x + hw, y: y, w: r.w - hw - 1, h: 1), fraction: frac, label: label, role: role)
        y += 1
        var x = g.put(" \(S.inToday): ", x: r.x, y: y, role: .dim)
        x += g.put("\(s.todayIn)", x: r.x + x, y: y, role: .accent)
        x += g.put("   \(S.outToday): ", x: r.x + x, y: y, role: .dim)
        x += g.put("\(s.todayOut)", x: r.x + x, y: y, role: .accent)
        if let c = s.occupancyCorrection {
            let note = "   " + S.correctedAt(time(c.atMs).prefix(5), by: TextSafety.echo(c.by, limit: 24))
            g.put(String(note.prefix(max(0, r.w - x - 1))), x: r.x + x, y: y, role: .dim)
        }
    }

    /// One row per gate: today's in and out, a sparkline of the last hour, its feeds coloured by the worst state.
    func gatesTable(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ gates: [GateVM], wide: Bool) {
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
        Widgets.table(&g, r, columns: cols, rows: rows,
                      selected: state.selected, roles: { row, col in
                          col == 3 ? .bar : col == 4 ? feedRoles[row] : nil })
    }

    /// Every shown feed with its gate, state, speed, last frame and error.
    func feedsTable(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ shownFeeds: [FeedVM]) {
        let fcols = [Widgets.Column(S.feed, 24), Widgets.Column(S.gate, 24), Widgets.Column(S.state, 14),
                     Widgets.Column("fps", 6, right: true), Widgets.Column(S.lastFrame, 10, right: true), Widgets.Column(S.error, 0)]
        let states = shownFeeds.map { snap?.feedState($0, now: now) ?? .unknown }
        let rows = zip(shownFeeds, states).map { f, st -> [String] in
            [f.name, s.gates.first { $0.id == f.gateId }?.name ?? f.gateId, S.feedState(st), fmt(f.health?.processFps ?? 0),
             f.health?.lastFrameMs.map { shortAge(now - $0) } ?? "—", f.health?.shownError ?? ""]
        }
        Widgets.table(&g, r, columns: fcols, rows: rows,
                      roles: { row, col in col == 2 ? stateRole(states[row]) : col == 5 ? .warn : nil })
    }

    func rank(_ r: Role) -> Int {
        switch r { case .crit: return 4; case .warn: return 3; case .ok: return 2; default: return 1 }
    }
}
