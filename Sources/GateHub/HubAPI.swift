import Foundation
import GateAPI
import GateCore
import GateStore
import OpenAPIRuntime

/// The site API's contract (Sources/GateAPI/openapi.yaml) over the hub's database: the same
/// operations across the province's sites, `site` naming one. The live reads (the site, its
/// gates today, occupancy, feed health) are the site's own answers as of its last batch
/// (`SitePicture`); history (counts, crossings, alerts) comes from what the hub stored.
/// A picture older than `HubWire.pictureStaleSeconds` is not vouched for: the runner shows
/// `not_responding` and the cameras `unknown`, as a site's own server shows a silent runner.
/// The hub only reads: acknowledging is done at the site.
struct HubAPI: APIProtocol {
    let store: HubStore
    let lagAlertSeconds: Double

    static let maxCrossingsPage = 1000
    static let maxAlerts = 1000
    static let maxTestRuns = 200

    // MARK: - Across sites

    func getHealthz(_ input: Operations.GetHealthz.Input) async throws -> Operations.GetHealthz.Output {
        try await read { try await store.ping() }
        return .ok(.init(body: .json(.init(status: .ok, now: SiteClock(zone: .current).now))))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        let text = try await read { try await HubMetrics.text(store: store, lagAlertSeconds: lagAlertSeconds) }
        return .ok(.init(body: .plainText(HTTPBody(text))))
    }

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(OpenAPIDocument.yaml + "\n"))))
    }

    func listSites(_ input: Operations.ListSites.Input) async throws -> Operations.ListSites.Output {
        let sites = try await read { try await store.siteSummaries(lagAlertSeconds: lagAlertSeconds) }
        return .ok(.init(body: .json(.init(sites: sites.map { .init($0) }))))
    }

    func listAlerts(_ input: Operations.ListAlerts.Input) async throws -> Operations.ListAlerts.Output {
        let q = input.query
        let limit = Int(q.limit ?? 200)
        guard (1...Self.maxAlerts).contains(limit) else { throw APIProblem.limitTooLarge(limit, max: Self.maxAlerts) }
        if let name = q.site { _ = try await site(name) }
        let from = try SiteClock.day(q.from, name: "from"), to = try SiteClock.day(q.to, name: "to")
        if let from, let to { try SiteClock.checkRange(from: from, to: to, days: Limits.reportDaysByDay, by: "day") }
        let query = HubAlertQuery(site: q.site, states: q.state.map { [$0.rawValue] }, kind: q.kind?.rawValue,
                                  raisedFrom: from, raisedTo: to, limit: limit)
        let rows = try await read { try await store.alertPayloads(query) }
        return .ok(.init(body: .json(.init(alerts: rows.map { .init($0.alert, site: $0.site) }))))
    }

    func acknowledgeAlert(_ input: Operations.AcknowledgeAlert.Input) async throws -> Operations.AcknowledgeAlert.Output {
        _ = try input.acknowledgement()
        throw APIProblem(slug: "read-only-hub", title: "The hub only reads", status: 403,
                         detail: "alerts are acknowledged at their site (its console, or POST /v1/alerts/{id}/acknowledge on the site's own API); the hub shows it with the next batch")
    }

    // MARK: - One site: its own answers

    func getSite(_ input: Operations.GetSite.Input) async throws -> Operations.GetSite.Output {
        let (picture, clock) = try await picture(input.query.site)
        guard var site = picture.site else {
            throw APIProblem(slug: "no-site", title: "No site yet", status: 404,
                             detail: "the site has synced, but its database had no site yet; it will after `gatewatch run` starts there")
        }
        site.now = clock.now
        return .ok(.init(body: .json(site)))
    }

    func listGates(_ input: Operations.ListGates.Input) async throws -> Operations.ListGates.Output {
        .ok(.init(body: .json(try await picture(input.query.site).picture.gates)))
    }

    func getOccupancy(_ input: Operations.GetOccupancy.Input) async throws -> Operations.GetOccupancy.Output {
        let (picture, clock) = try await picture(input.query.site)
        var occupancy = picture.occupancy
        occupancy.now = clock.now
        occupancy.runner = picture.feeds.runner
        return .ok(.init(body: .json(occupancy)))
    }

    func getFeedHealth(_ input: Operations.GetFeedHealth.Input) async throws -> Operations.GetFeedHealth.Output {
        let (picture, clock) = try await picture(input.query.site)
        var feeds = picture.feeds
        feeds.now = clock.now
        return .ok(.init(body: .json(feeds)))
    }

    func listTestRuns(_ input: Operations.ListTestRuns.Input) async throws -> Operations.ListTestRuns.Output {
        let limit = Int(input.query.limit ?? 50)
        guard (1...Self.maxTestRuns).contains(limit) else { throw APIProblem.limitTooLarge(limit, max: Self.maxTestRuns) }
        let runs = try await tests(input.query.site).runs.prefix(limit).map(\.run)
        return .ok(.init(body: .json(.init(runs: Array(runs)))))
    }

    func getTestRun(_ input: Operations.GetTestRun.Input) async throws -> Operations.GetTestRun.Output {
        .ok(.init(body: .json(try await testRun(input.path.id, site: input.query.site))))
    }

    func getTestReport(_ input: Operations.GetTestReport.Input) async throws -> Operations.GetTestReport.Output {
        let run = try await testRun(input.path.id, site: input.query.site)
        throw APIProblem(slug: "report-unavailable", title: "Report unavailable", status: 409,
                         detail: "the hub keeps run #\(run.run.id)'s results, not its signed report (that is written from the site's clips): GET /v1/tests/\(run.run.id)/report on the site's own API, or `gatewatch test report \(run.run.id)` there")
    }

    // MARK: - One site: the hub's history

    func getCounts(_ input: Operations.GetCounts.Input) async throws -> Operations.GetCounts.Output {
        let q = input.query
        let site = try await site(q.site, picture: q.gate != nil)
        let clock = SiteClock(zone: site.zone)
        let by = q.by ?? .day
        let period: ReportPeriod = switch by { case ._15min: .quarterHour; case .hour: .hour; case .day: .day }
        let from = try SiteClock.day(q.from, name: "from") ?? clock.today
        let to = try SiteClock.day(q.to, name: "to") ?? from
        try SiteClock.checkRange(from: from, to: to, days: period.dayLimit, by: by.rawValue)
        var gate: Components.Schemas.GateRef?
        if let id = q.gate { gate = try await knownGate(id, site: site) }
        let fromMs = clock.startMs(of: from), toMs = clock.startMs(of: to.adding(days: 1))
        let counts = try await read { try await store.periodCounts(siteId: site.id, by: period, fromMs: fromMs, toMs: toMs, zone: site.zone) }
        let report = StoreQueries.report(by: period, from: from, to: to, zone: site.zone,
                                         gates: gate.map { [(id: $0.id, name: $0.name)] }, counts: counts.filter { gate == nil || $0.gateId == gate?.id })
        return .ok(.init(body: .json(.init(
            by: by, from: from.description, to: to.description, timeZone: report.timeZone,
            gate: gate, totalIn: report.rows.reduce(0) { $0 + $1.ins }, totalOut: report.rows.reduce(0) { $0 + $1.outs },
            periods: report.rows.map {
                .init(label: $0.period, start: clock.instant($0.startMs), end: clock.instant($0.endMs), ins: $0.ins, outs: $0.outs, net: $0.net)
            }))))
    }

    func listCrossings(_ input: Operations.ListCrossings.Input) async throws -> Operations.ListCrossings.Output {
        let q = input.query
        let limit = Int(q.limit ?? 100)
        guard (1...Self.maxCrossingsPage).contains(limit) else { throw APIProblem.limitTooLarge(limit, max: Self.maxCrossingsPage) }
        var afterId: Int64 = 0
        if let after = q.after {
            guard let id = CrossingCursor.decode(after) else { throw APIProblem.malformedCursor(after) }
            afterId = id
        }
        let site = try await site(q.site, picture: q.gate != nil)
        if let gate = q.gate { _ = try await knownGate(gate, site: site) }
        let clock = SiteClock(zone: site.zone)
        let rows = try await read { try await store.crossingsPage(siteId: site.id, afterId: afterId, limit: limit, gate: q.gate) }
        // Past the last row, the same cursor again: polling with it picks up new crossings (the site's rule).
        let lastId = rows.last?.id ?? (q.after == nil ? nil : afterId)
        return .ok(.init(body: .json(.init(
            crossings: rows.map {
                .init(id: $0.id, time: clock.instant($0.ms), gateId: $0.gateId, lineId: $0.lineId, feedId: $0.feedId,
                      direction: $0.direction == "in" ? ._in : .out, trackId: $0.trackId, confidence: $0.confidence)
            },
            limit: limit, next: lastId.map(CrossingCursor.encode)))))
    }

    // MARK: - Helpers

    /// The site named by `site`: needed at the hub, and one it knows; its picture and test runs
    /// read only when asked for.
    private func site(_ name: String?, picture: Bool = false, tests: Bool = false) async throws -> HubSiteRecordForReads {
        guard let name else {
            throw APIProblem(slug: "site-needed", title: "Site needed", status: 400,
                             detail: "the hub answers for many sites: add site=NAME to the query (GET /v1/sites lists them)")
        }
        guard let site = try await read({ try await store.siteForReads(name: name, picture: picture, tests: tests) }) else {
            throw APIProblem.unknownSite(name)
        }
        return site
    }

    /// The site's own answers as of its last batch, with its runner and cameras not vouched
    /// for when that batch is old.
    private func picture(_ name: String?) async throws -> (picture: SitePicture, clock: SiteClock) {
        let site = try await site(name, picture: true)
        guard let data = site.picture, var picture = try? JSONDecoder().decode(SitePicture.self, from: data) else {
            throw APIProblem(slug: "no-picture-yet", title: "Nothing from the site yet", status: 404,
                             detail: "site '\(TextSafety.echo(site.name, limit: 100))' has not sent its live picture yet (a GateWatch too old to send it, or not synced since it was added); its counts and alerts are read from /v1/counts and /v1/alerts")
        }
        if (site.pictureAgeSeconds ?? .infinity) > HubWire.pictureStaleSeconds {
            let silent = PipelineLiveness.notResponding
            picture.feeds.runner.liveness = .notResponding
            picture.feeds.runner.livenessText = .init(vi: Words.liveness(silent, .vi), en: Words.liveness(silent, .en))
            for i in picture.feeds.feeds.indices {
                picture.feeds.feeds[i].state = FeedState.unknown.rawValue
                picture.feeds.feeds[i].stateText = .init(vi: Words.feedState(.unknown, .vi), en: Words.feedState(.unknown, .en))
            }
        }
        return (picture, SiteClock(zone: site.zone))
    }

    private func tests(_ name: String?) async throws -> SitePicture.Tests {
        let site = try await site(name, tests: true)
        return site.tests.flatMap { try? JSONDecoder().decode(SitePicture.Tests.self, from: $0) } ?? SitePicture.Tests(runs: [])
    }

    private func testRun(_ id: Int64, site name: String?) async throws -> Components.Schemas.TestRunDetail {
        guard let run = try await tests(name).runs.first(where: { $0.run.id == id }) else {
            throw APIProblem(slug: "unknown-test-run", title: "Unknown test run", status: 404,
                             detail: "the hub has no test run #\(id) of this site (it keeps the newest \(SitePicture.testRunsKept)); GET /v1/tests?site=NAME lists them")
        }
        return run
    }

    /// A gate of the site's configuration (`site` read with its picture), or one the hub has counts for.
    private func knownGate(_ id: String, site: HubSiteRecordForReads) async throws -> Components.Schemas.GateRef {
        let configured = site.picture.flatMap { try? JSONDecoder().decode(SitePicture.self, from: $0) }?.gates.gates
        if let gate = configured?.first(where: { $0.id == id }) { return .init(id: gate.id, name: gate.name) }
        guard try await read({ try await store.countedGates(siteId: site.id) }).contains(id) else { throw APIProblem.unknownGate(id) }
        return .init(id: id, name: id)
    }

    /// A database failure as the contract's 503 problem, in one line.
    private func read<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let problem as APIProblem { throw problem } catch {
            throw APIProblem.databaseUnavailable(error)
        }
    }
}
