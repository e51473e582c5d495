import Foundation
import GateCore
import GateRuntime
import GateStore
import OpenAPIRuntime

/// The handlers of the generated `APIProtocol`: each reads one consistent picture of the
/// site through GateStore (the live picture through `MonitoringInput`, the same model as
/// `status --json`) and maps it to the contract's types. No SQL here.
struct SiteAPI: APIProtocol {
    let database: GateDatabase
    var queries: StoreQueries { StoreQueries(database) }

    static let maxCrossingsPage = 1000
    static let maxAlerts = 1000

    func clock() throws -> SiteClock {
        SiteClock(zone: try queries.siteTimeZone())
    }

    func getHealthz(_ input: Operations.GetHealthz.Input) async throws -> Operations.GetHealthz.Output {
        let clock = try clock()
        _ = try queries.changeToken()
        return .ok(.init(body: .json(.init(status: .ok, now: clock.now))))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        let text = try SiteMetrics.exposition(database)
        return .ok(.init(body: .plainText(HTTPBody(text))))
    }

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(OpenAPIDocument.yaml + "\n"))))
    }

    func getSite(_ input: Operations.GetSite.Input) async throws -> Operations.GetSite.Output {
        try checkSite(input.query.site)
        guard let site = try queries.site() else {
            throw APIProblem(slug: "no-site", title: "No site yet", status: 404,
                             detail: "this database has no site yet: start `gatewatch run` with the site's config once")
        }
        let clock = try clock()
        let feeds = Dictionary(grouping: try queries.feeds(), by: \.gateId)
        let lines = Dictionary(grouping: try queries.lines(), by: \.feedId)
        let gates = try queries.gates().map { gate in
            Components.Schemas.SiteGate(id: gate.id, name: gate.name, feeds: (feeds[gate.id] ?? []).map { feed in
                .init(id: feed.id, name: feed.name, detector: feed.detector, expectedFps: feed.expectedFps,
                      lines: (lines[feed.id] ?? []).map { .init(id: $0.id, name: $0.name) })
            })
        }
        let hours = site.openMinute.flatMap { open in
            site.closeMinute.map { Components.Schemas.Site.OpeningHoursPayload(open: Self.clockText(open), close: Self.clockText($0)) }
        }
        return .ok(.init(body: .json(.init(
            name: site.name, timeZone: clock.zone.identifier, capacity: site.capacity,
            capacityWarning: site.thresholds.capacityWarning, capacityCritical: site.thresholds.capacityCritical,
            openingHours: hours, updated: clock.instant(site.updatedMs), now: clock.now, gates: gates))))
    }

    private static func clockText(_ minute: Int) -> String {
        (minute / 60 < 10 ? "0" : "") + "\(minute / 60):" + (minute % 60 < 10 ? "0" : "") + "\(minute % 60)"
    }

    func listGates(_ input: Operations.ListGates.Input) async throws -> Operations.ListGates.Output {
        try checkSite(input.query.site)
        let clock = try clock()
        let today = try queries.today(now: clock.nowMs)
        return .ok(.init(body: .json(.init(
            dayStart: clock.instant(today.dayStartMs),
            gates: today.gates.map { .init(id: $0.id, name: $0.name, ins: $0.ins, outs: $0.outs, net: $0.net) }))))
    }

    func getOccupancy(_ input: Operations.GetOccupancy.Input) async throws -> Operations.GetOccupancy.Output {
        try checkSite(input.query.site)
        let clock = try clock()
        let status = try MonitoringInput.load(from: database, nowMs: clock.nowMs)
        let today = try queries.today(now: clock.nowMs)
        let level = status.capacityLevel
        let correction = status.occupancyCorrection.map {
            Components.Schemas.Occupancy.CorrectionPayload(count: $0.count, at: clock.instant($0.atMs), by: $0.by,
                                                           note: $0.note.isEmpty ? nil : $0.note)
        }
        return .ok(.init(body: .json(.init(
            now: clock.now, occupancy: status.occupancy, capacity: status.capacity,
            share: status.capacity > 0 ? Double(status.occupancy) / Double(status.capacity) : nil,
            capacityLevel: Components.Schemas.CapacityLevel(rawValue: level.rawValue) ?? .normal,
            capacityLevelText: .init(vi: Words.capacityLevel(level, .vi), en: Words.capacityLevel(level, .en)),
            since: clock.instant(today.occupancySinceMs), correction: correction,
            insToday: today.ins, outsToday: today.outs, runner: Self.runner(status, clock)))))
    }

    static func runner(_ status: MonitoringInput, _ clock: SiteClock) -> Components.Schemas.Runner {
        let liveness = status.liveness
        return .init(liveness: Components.Schemas.Runner.LivenessPayload(rawValue: liveness.rawValue) ?? .never,
                     livenessText: .init(vi: Words.liveness(liveness, .vi), en: Words.liveness(liveness, .en)),
                     heartbeat: status.pipeline.map { clock.instant($0.heartbeatMs) },
                     started: status.pipeline?.startedMs.map(clock.instant), version: status.pipeline?.version)
    }

    func getFeedHealth(_ input: Operations.GetFeedHealth.Input) async throws -> Operations.GetFeedHealth.Output {
        try checkSite(input.query.site)
        let clock = try clock()
        let status = try MonitoringInput.load(from: database, nowMs: clock.nowMs)
        let feeds = status.feeds.map { f -> Components.Schemas.FeedHealth in
            let state = FeedState(rawValue: f.state)
            return .init(id: f.id, name: f.name, gateId: f.gateId, state: f.state,
                         stateText: .init(vi: state.map { Words.feedState($0, .vi) } ?? f.state,
                                          en: state.map { Words.feedState($0, .en) } ?? f.state),
                         captureFps: f.captureFps, processFps: f.processFps, expectedFps: f.expectedFps,
                         detectorRunsPerS: f.detectorRunsPerSecond, dropped: Int64(f.dropped), reconnects: f.reconnects,
                         lastFrame: f.lastFrameMs.map(clock.instant), lastError: f.lastError)
        }
        return .ok(.init(body: .json(.init(now: clock.now, runner: Self.runner(status, clock), feeds: feeds))))
    }
}
