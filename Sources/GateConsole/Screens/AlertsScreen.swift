import Foundation
import GateStore

/// Screen 3: the alerts table with the selected alert below it, and its detail (Enter).
extension Draw {
    func alerts(_ g: inout Grid, _ r: Rect, _ s: ConsoleSnapshot) {
        let items = Lists.alerts(s, filter: state.filter, sort: state.sort)
        let open = s.alerts.filter { $0.state == .known(.open) }.count
        let acked = s.alerts.filter { $0.state == .known(.acknowledged) }.count
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
        g.box(Rect(x: r.x, y: dy, w: r.w, h: detailH), title: "#\(a.id) \(S.alertKind(a.kind.rawValue)) \(g.glyphs.dot) \(a.subjectId)")
        for (i, l) in message.enumerated() { g.put(l, x: r.x + 2, y: dy + 1 + i, maxWidth: r.w - 4) }
        var info = "\(dateTime(a.raisedMs)) \(g.glyphs.dot) ×\(a.occurrences)"
        if let v = a.value { info += " \(g.glyphs.dot) \(fmt(v))" }
        if let by = a.ackBy { info += " \(g.glyphs.dot) \(S.ackBy): \(by) \(a.ackMs.map { dateTime($0) } ?? "")" }
        if let n = a.ackNote { info += " \(g.glyphs.dot) \(S.note): \(n)" }
        g.put(info, x: r.x + 2, y: dy + 1 + message.count, role: .dim, maxWidth: r.w - 4)
    }


    func alertTable(_ g: inout Grid, _ r: Rect, _ items: [AlertRow], selected: Int?, header: Bool = true, sorted: Bool = false) {
        var cols = [Widgets.Column("#", 5, right: true), Widgets.Column(S.severity, 12), Widgets.Column(S.state, 11),
                    Widgets.Column(S.age, 6, right: true), Widgets.Column(S.kind, 13),
                    Widgets.Column(S.subject, r.w >= 140 ? 24 : r.w >= 110 ? 16 : 10),
                    Widgets.Column(S.message, 0)]
        if sorted { cols = sortMarked(cols, g) }
        let rows = items.map { a in
            ["\(a.id)", S.severityName(a.severity.rawValue), S.alertState(a.state.rawValue), shortAge(now - a.raisedMs),
             S.alertKind(a.kind.rawValue), a.subjectId, a.message(in: state.language)]
        }
        Widgets.table(&g, r, columns: cols, rows: rows, selected: selected, roles: { row, col in
            col == 1 ? severityRole(items[row].severity.rawValue) : col == 2 && items[row].state == .known(.open) ? .warn : nil
        }, header: header)
    }

    /// The selected alert in full (Enter): message, severity and state, subject, when, who acknowledged.
    func alertDetail(_ s: ConsoleSnapshot) -> (title: String, lines: [(String, Role)])? {
        let items = Lists.alerts(s, filter: state.filter, sort: state.sort)
        guard !items.isEmpty else { return nil }
        let a = items[min(state.selected, items.count - 1)]
        let title = "#\(a.id) \(S.alertKind(a.kind.rawValue))"
        var lines: [(String, Role)] = [
            (a.message(in: state.language), .normal),
            ("\(S.severity): \(S.severityName(a.severity.rawValue))  \(S.state): \(S.alertState(a.state.rawValue))", severityRole(a.severity.rawValue)),
            ("\(S.subject): \(a.subjectId)  ×\(a.occurrences)", .normal),
            ("\(S.started): \(dateTime(a.raisedMs, seconds: true))  (\(shortAge(now - a.raisedMs)))", .dim)]
        if let by = a.ackBy { lines.append(("\(S.ackBy): \(by)  \(a.ackMs.map { dateTime($0, seconds: true) } ?? "")", .normal)) }
        if let n = a.ackNote { lines.append(("\(S.note): \(n)", .normal)) }
        if let rm = a.resolvedMs { lines.append(("\(S.alertState("resolved")): \(dateTime(rm, seconds: true))", .ok)) }
        return (title, lines)
    }
}
