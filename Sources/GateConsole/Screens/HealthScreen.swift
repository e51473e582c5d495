import Foundation
import GateCore
import GateStore

/// Screen 6: every feed's speed and counters, the pipeline and database, and a feed's detail (Enter).
extension Draw {
    func health(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        let feeds = Lists.feeds(s, filter: state.filter, sort: state.sort)
        let wide = r.w >= 140
        var cols = [Widgets.Column(S.feed, 0), Widgets.Column(S.state, 12), Widgets.Column(S.capProc, 10, right: true),
                    Widgets.Column(S.msPerStage, 14, right: true), Widgets.Column(S.dropped, 5, right: true),
                    Widgets.Column(S.reconnects, 7, right: true), Widgets.Column(S.lastFrame, 10, right: true)]
        if wide { cols.append(Widgets.Column(S.runsPerSecond, 8, right: true)) }
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
            if wide { row.append(fmt(h?.detectorRunsPerS ?? 0)); row.append("\(h?.queueDepth ?? 0)"); row.append(Widgets.sparkline(f.fpsHistory, width: 60, glyphs: g.glyphs)) }
            return row
        }
        let infoH = 6 + min(s.webhooks.count, 3)
        let tableH = max(2, min(rows.count + 1, r.h - infoH - 1))
        Widgets.table(&g, Rect(x: r.x + 1, y: r.y, w: r.w - 2, h: tableH), columns: cols, rows: rows, selected: state.selected,
                      roles: { row, col in col == 1 ? stateRole(states[row]) : (wide && col == sparkCol) ? .bar : nil })
        var y = r.y + tableH
        if feeds.isEmpty && !state.filter.isEmpty { g.put(S.noMatch(state.filter), x: r.x + 2, y: y, role: .dim, maxWidth: r.w - 4) }
        if !feeds.isEmpty {
            let f = feeds[min(state.selected, feeds.count - 1)]
            let err = f.health?.shownError.map { "\(S.error): \($0)" } ?? ""
            var line = "\(f.id) \(g.glyphs.dot) \(f.shownSource) \(g.glyphs.dot) \(f.detector) \(S.cadence(f.cadence)) \(g.glyphs.dot) "
                + "\(S.detectRegion(f.detectRegion, f.regionRect)) \(err)"
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
        lines += webhookLines(s, dot: g.glyphs.dot)
        for (i, l) in lines.enumerated() where i < box.h - 2 {
            g.put(l, x: box.x + 2, y: box.y + 1 + i, maxWidth: box.w - 4)
        }
    }

    /// The selected feed in full (Enter): ids, source, detector, counters, its error.
    func feedDetail(_ s: ConsoleSnapshot) -> (title: String, lines: [(String, Role)])? {
        let feeds = Lists.feeds(s, filter: state.filter, sort: state.sort)
        guard !feeds.isEmpty else { return nil }
        let f = feeds[min(state.selected, feeds.count - 1)]
        let h = f.health
        var lines: [(String, Role)] = [
            ("id: \(f.id)  \(S.gate): \(f.gateId)", .normal), ("\(S.sourceLabel): \(f.shownSource)", .normal),
            ("\(S.detectorLabel): \(f.detector)  \(S.expectedFps): \(f.expectedFps.map { fmt($0) } ?? "—")", .normal),
            ("\(S.runsPerSecond): \(fmt(h?.detectorRunsPerS ?? 0)) (\(S.cadence(f.cadence)))  \(S.detectRegion(f.detectRegion, f.regionRect))", .normal),
            ("\(S.frames): \(h?.frames ?? 0)  \(S.dropped): \(h?.dropped ?? 0)  \(S.reconnects): \(h?.reconnects ?? 0)", .normal)]
        if let e = h?.shownError { lines.append(("\(S.error): \(e)", .warn)) }
        return (f.name, lines)
    }
}

extension Draw {
    /// One line per webhook endpoint under the pipeline: backlog, dead letters, last error, last delivery.
    func webhookLines(_ s: ConsoleSnapshot, dot: String) -> [String] {
        s.webhooks.prefix(3).map { b in
            let l = S.lang
            var line = "Webhook \(b.endpointId): \(Words.webhook(.pending, l)) \(b.pending) \(dot) "
                + "\(Words.webhook(.deadLettered, l)) \(b.deadLettered) \(dot) "
            // The error first: on a narrow screen it is what is cut last.
            if let e = b.lastError { line += "\(Words.webhook(.lastError, l)): \(TextSafety.echo(e, limit: 120)) \(dot) " }
            return line + "\(Words.webhook(.lastDelivered, l)) " + (b.lastDeliveredMs.map { shortAge(now - $0) } ?? Words.webhook(.never, l))
        }
    }
}
