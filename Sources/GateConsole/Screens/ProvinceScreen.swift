import Foundation
import GateCore

/// The province list (`console --hub`): every site, what needs attention first (the hub's
/// order), with its occupancy against capacity, today's in and out, open alerts, cameras
/// offline and how far its sync is behind. Enter opens a site on the usual screens.
extension Draw {
    func province(_ g: inout Grid, _ r: Rect, _ sites: [HubSiteSummary]) {
        let shown = Lists.province(sites, filter: state.filter)
        guard !shown.isEmpty else {
            g.put(" " + none(S.noSitesAtHub), x: r.x, y: r.y, role: .dim)
            return
        }
        // The name and the attention words share what is left (80 columns still read both).
        let columns = [Widgets.Column(S.siteColumn, 0), Widgets.Column(S.insideOfCapacity, 14, right: true),
                       Widgets.Column(S.inOutToday, 11, right: true), Widgets.Column(S.alertsColumn, 6, right: true),
                       Widgets.Column(S.feedsDownColumn, 8, right: true), Widgets.Column(S.syncBehind, 7, right: true),
                       Widgets.Column(S.attentionColumn, 0)]
        let rows = shown.map { site -> [String] in
            let inside = site.occupancy.map { o in "\(o) / \(site.capacity ?? 0)" } ?? "—"
            let today = site.ins_today.map { "\($0) / \(site.outs_today ?? 0)" } ?? "—"
            let down = site.feeds_offline.map { "\($0) / \(site.feeds ?? 0)" } ?? "—"
            let lag = site.lag_seconds.map { S.shortSpan(Int64($0 * 1000)) } ?? "—"
            let attention = site.revoked ? S.revokedSite
                : site.attention.map { Words.attention($0, state.language) }.joined(separator: ", ")
            return [site.name, inside, today, site.open_alerts.map(String.init) ?? "—", down, lag, attention]
        }
        Widgets.table(&g, Rect(x: r.x + 1, y: r.y, w: r.w - 2, h: r.h - 1), columns: columns, rows: rows,
                      selected: min(state.selected, rows.count - 1)) { row, column in
            let site = shown[row]
            guard column == 6 || column == 0 else { return nil }
            if site.revoked || site.attention.first == HubAttention.syncLag || site.attention.first == HubAttention.neverSynced { return .crit }
            return site.attention.isEmpty ? nil : .warn
        }
        g.put(" " + S.provinceHint, x: r.x, y: r.maxY - 1, role: .dim, maxWidth: r.w)
    }
}
