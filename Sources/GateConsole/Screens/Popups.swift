import Foundation

extension Draw {
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
