import Foundation
import GateCore
import GateStore

// The contract across sites: `GET /v1/sites` and the `site` filter. A site's own server
// answers for itself; the province hub (GateHub) for every site that syncs to it, with the
// same mappings as here.
extension SiteAPI {
    func listSites(_ input: Operations.ListSites.Input) async throws -> Operations.ListSites.Output {
        guard let site = try queries.site() else { return .ok(.init(body: .json(.init(sites: [])))) }
        let status = try database.hubSiteStatus()
        let summary = HubSiteSummary(
            name: site.name, revoked: false, occupancy: status.occupancy, capacity: status.capacity,
            ins_today: status.ins_today, outs_today: status.outs_today, open_alerts: status.open_alerts,
            feeds_offline: status.feeds_offline, feeds: status.feeds, backlog: status.backlog, last_batch_ms: nil,
            lag_seconds: nil, attention: HubAttention.of(status, neverSynced: false, lagging: false))
        return .ok(.init(body: .json(.init(sites: [.init(summary)]))))
    }

    /// `site` at a site's own server: left out, or the site's own name.
    func checkSite(_ name: String?) throws {
        guard let name else { return }
        let own = try queries.site()?.name
        guard name == own else { throw APIProblem.unknownSite(name) }
    }
}

extension APIProblem {
    package static func unknownSite(_ name: String) -> APIProblem {
        APIProblem(slug: "unknown-site", title: "Unknown site", status: 404,
                   detail: "no site here is named '\(TextSafety.echo(name, limit: 100))'; GET /v1/sites lists them")
    }
}

extension Components.Schemas.SiteSummary {
    package init(_ s: HubSiteSummary) {
        self.init(name: s.name, revoked: s.revoked, occupancy: s.occupancy, capacity: s.capacity, insToday: s.ins_today,
                  outsToday: s.outs_today, openAlerts: s.open_alerts, feedsOffline: s.feeds_offline, feeds: s.feeds,
                  backlog: s.backlog, lastBatchMs: s.last_batch_ms, lagSeconds: s.lag_seconds, attention: s.attention)
    }
}

extension Components.Schemas.Alert {
    /// An alert as its site's outbox carried it (the site's own rows are mapped through this too).
    package init(_ a: EventPayloads.Alert, site: String) {
        func text(_ word: (String, Language) -> String, _ raw: String) -> Components.Schemas.Text {
            .init(vi: word(raw, .vi), en: word(raw, .en))
        }
        self.init(id: a.id, site: site, kind: a.kind, kindText: text(Words.alertKind, a.kind), subject: a.subject,
                  subjectType: a.subject_type, severity: a.severity, severityText: text(Words.severity, a.severity),
                  state: a.state, stateText: text(Words.alertState, a.state), message: .init(vi: a.message.vi, en: a.message.en),
                  value: a.value, raised: .init(a.raised), updated: .init(a.updated), occurrences: a.occurrences,
                  acknowledged: a.acknowledged.map { .init(by: $0.by, at: .init($0.at), note: $0.note) },
                  resolved: a.resolved.map { .init($0) })
    }
}

extension Components.Schemas.Instant {
    package init(_ i: EventPayloads.Instant) { self.init(ms: i.ms, local: i.local) }
}

extension SiteClock {
    /// A time as the outbox's payloads carry it (`EventPayloads.Instant`).
    package func payload(_ ms: Int64) -> EventPayloads.Instant {
        let i = instant(ms)
        return .init(ms: i.ms, local: i.local)
    }
}
