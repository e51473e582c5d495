import Foundation
import GateCore

/// Screen 2: one gate (← → for the next): the live picture of one of its feeds (f for the
/// next) with the counting lines, the region and the tracks over it, each line's counts, the
/// line editor (e); below, its feeds, its latest crossings and today's hourly ins.
extension Draw {
    func gate(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        guard !s.gates.isEmpty else { g.put(" " + S.noGates, x: r.x, y: r.y, role: .dim); return }
        let idx = min(state.gateIndex, s.gates.count - 1)
        let gv = s.gates[idx]
        let head = " \(S.gate) \(idx + 1)/\(s.gates.count): \(gv.name)  \(g.glyphs.dot) \(S.ins) \(gv.todayIn)  \(S.outs) \(gv.todayOut)   (← →)"
        g.put(head, x: r.x, y: r.y, role: .title, maxWidth: r.w)
        let body = Rect(x: r.x, y: r.y + 1, w: r.w, h: r.h - 1)
        let (band, rest) = body.top(max(8, body.h * 2 / 3))
        // The picture as wide as its aspect allows at the band's height; the side panel gets the rest.
        let p = ctx.preview
        let fitted = PictureRenderer.fit(width: p?.width ?? 16, height: p?.height ?? 9, areaW: band.w - 2 - 30, areaH: band.h - 2)
        let (picBox, side) = band.left(fitted.cols + 2)
        let feed = state.shownFeed(s)
        pictureBox(&g, picBox, s, feed)
        sidePanel(&g, side, s, feed)
        if rest.h >= 3 { feedsAndCrossings(&g, Rect(x: rest.x, y: rest.y + 1, w: rest.w, h: rest.h - 1), s, gv) }
    }

    /// The lines drawn on the picture: the editor's while it edits this feed, else the recorded ones.
    func shownLines(_ s: ConsoleSnapshot, _ feed: FeedVM) -> [LineConfig] {
        if let e = state.editor, e.feedId == feed.id { return e.lines }
        return s.lines.filter { $0.feedId == feed.id }.map(\.config)
    }

    func pictureBox(_ g: inout Grid, _ box: Rect, _ s: ConsoleSnapshot, _ feed: FeedVM?) {
        let editing = state.editor != nil && state.editor?.feedId == feed?.id
        g.box(box, title: "\(S.picture) \(g.glyphs.dot) \(feed?.name ?? "—")" + (editing ? " \(g.glyphs.dot) \(S.editing)" : ""),
              role: editing ? .accent : .border)
        let inner = box.inset(1)
        guard let feed, inner.w > 4, inner.h > 2 else { return }
        let p = ctx.preview
        let placed = PictureOverlay.place(pictureWidth: p?.width ?? 16, height: p?.height ?? 9, in: inner)
        g.pictureArea = placed
        let overlay = PictureOverlay(lines: shownLines(s, feed), selectedLine: editing ? state.editor?.selected : nil,
                                     selectedEnd: editing ? state.editor?.end : nil, inWord: S.dirName(1), outWord: S.dirName(-1))
        if let p {
            overlay.draw(&g, picture: p, colors: ctx.pictureColors, in: placed)
        } else {
            let note = ctx.previewChannelFound ? S.waitingForPicture : S.noPreviewChannel
            for (i, l) in TextWidth.wrap(note, width: inner.w - 2).prefix(2).enumerated() {
                g.put(l, x: inner.x + 1, y: inner.y + i, role: .dim, maxWidth: inner.w - 2)
            }
            overlay.drawLines(&g, in: placed)
        }
    }

    /// The feed, its keys, and each of its lines with its ins and outs since the last change.
    func sidePanel(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ feed: FeedVM?) {
        var y = r.y
        let x = r.x + 1, w = r.w - 2
        guard let feed else { g.put(S.noFeedToEdit, x: x, y: y, role: .dim, maxWidth: w); return }
        let st = snap?.feedState(feed, now: now) ?? .unknown
        g.put(feed.name, x: x, y: y, role: .title, maxWidth: w); y += 1
        g.put(S.feedState(st), x: x, y: y, role: stateRole(st), maxWidth: w); y += 1
        g.put(S.feedKeyHint, x: x, y: y, role: .dim, maxWidth: w); y += 2
        g.put("\(S.lineCountsSince) \(String(time(s.lineCountsFromMs).prefix(5)))", x: x, y: y, role: .header, maxWidth: w); y += 1
        let editor = state.editor?.feedId == feed.id ? state.editor : nil
        for (i, l) in shownLines(s, feed).enumerated() where y + 1 < r.maxY {
            let t = s.lineCounts[l.id] ?? LineTotals()
            let mark = editor?.selected == i ? (g.ascii ? ">" : "▶") : " "
            g.put("\(mark)\(l.name)", x: x, y: y, role: editor?.selected == i ? .selected : .normal, maxWidth: w)
            g.put("  \(S.ins) \(t.ins)  \(S.outs) \(t.outs)", x: x, y: y + 1, role: .accent, maxWidth: w)
            y += 2
        }
        guard let e = editor, let l = e.current, y + 2 < r.maxY else { return }
        y += 1
        func pt(_ p: Point) -> String { String(format: "%.3f, %.3f", p.x, p.y) }
        let arrow = g.ascii ? " <" : " ◀"
        g.put("A \(pt(l.from))" + (e.end == .from ? arrow : ""), x: x, y: y, role: e.end == .from ? .accent : .normal, maxWidth: w); y += 1
        g.put("B \(pt(l.to))" + (e.end == .to ? arrow : ""), x: x, y: y, role: e.end == .to ? .accent : .normal, maxWidth: w); y += 1
        if e.dirty, y < r.maxY { g.put(S.unsaved, x: x, y: y, role: .warn, maxWidth: w) }
    }

    /// The gate's feeds, latest crossings and today's hourly ins (what fits below the picture).
    func feedsAndCrossings(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot, _ gv: GateVM) {
        var y = r.y
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
        y += fh
        guard r.maxY - y >= 2 else { return }
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
