import Foundation
import GateCore
import GateStore

// Counts over a range, crossings page by page, alerts: the API's history reads.
extension SiteAPI {
    func getCounts(_ input: Operations.GetCounts.Input) async throws -> Operations.GetCounts.Output {
        try checkSite(input.query.site)
        let clock = try clock()
        let by = input.query.by ?? .day
        let period: ReportPeriod = switch by {
        case ._15min: .quarterHour
        case .hour: .hour
        case .day: .day
        }
        let from = try SiteClock.day(input.query.from, name: "from") ?? clock.today
        let to = try SiteClock.day(input.query.to, name: "to") ?? from
        try SiteClock.checkRange(from: from, to: to, days: period.dayLimit, by: by.rawValue)
        let gate = try input.query.gate.map(knownGate)
        let report = try queries.report(by: period, from: from, to: to, perGate: gate != nil)
        let rows = report.rows.filter { gate == nil || $0.gateId == gate?.id }
        return .ok(.init(body: .json(.init(
            by: by, from: from.description, to: to.description, timeZone: report.timeZone,
            gate: gate.map { .init(id: $0.id, name: $0.name) },
            totalIn: rows.reduce(0) { $0 + $1.ins }, totalOut: rows.reduce(0) { $0 + $1.outs },
            periods: rows.map {
                .init(label: $0.period, start: clock.instant($0.startMs), end: clock.instant($0.endMs),
                      ins: $0.ins, outs: $0.outs, net: $0.net)
            }))))
    }

    func knownGate(_ id: String) throws -> GateRow {
        guard let gate = try queries.gates().first(where: { $0.id == id }) else { throw APIProblem.unknownGate(id) }
        return gate
    }

    func listCrossings(_ input: Operations.ListCrossings.Input) async throws -> Operations.ListCrossings.Output {
        try checkSite(input.query.site)
        let limit = Int(input.query.limit ?? 100)
        guard (1...Self.maxCrossingsPage).contains(limit) else {
            throw APIProblem.limitTooLarge(limit, max: Self.maxCrossingsPage)
        }
        var afterId: Int64 = 0
        if let after = input.query.after {
            guard let id = CrossingCursor.decode(after) else { throw APIProblem.malformedCursor(after) }
            afterId = id
        }
        if let gate = input.query.gate { _ = try knownGate(gate) }
        let clock = try clock()
        let rows = try queries.crossings(afterId: afterId, limit: limit, gateId: input.query.gate)
        // Past the last row, the same cursor again: polling with it picks up new crossings.
        let lastId = rows.last?.id ?? (input.query.after == nil ? nil : afterId)
        return .ok(.init(body: .json(.init(
            crossings: rows.map {
                .init(id: $0.id, time: clock.instant($0.timestampMs), gateId: $0.gateId, lineId: $0.lineId,
                      feedId: $0.feedId, direction: $0.direction == .in ? ._in : .out, trackId: Int64($0.trackId),
                      confidence: $0.confidence)
            },
            limit: limit, next: lastId.map(CrossingCursor.encode)))))
    }

    func listAlerts(_ input: Operations.ListAlerts.Input) async throws -> Operations.ListAlerts.Output {
        try checkSite(input.query.site)
        let limit = Int(input.query.limit ?? 200)
        guard (1...Self.maxAlerts).contains(limit) else { throw APIProblem.limitTooLarge(limit, max: Self.maxAlerts) }
        let clock = try clock()
        let from = try SiteClock.day(input.query.from, name: "from")
        let to = try SiteClock.day(input.query.to, name: "to")
        if let from, let to { try SiteClock.checkRange(from: from, to: to, days: Limits.reportDaysByDay, by: "day") }
        var filter = AlertFilter(limit: limit)
        filter.states = input.query.state.flatMap { AlertState(rawValue: $0.rawValue) }.map { [$0] }
        filter.kinds = input.query.kind.flatMap { AlertKind(rawValue: $0.rawValue) }.map { [$0] }
        filter.raisedFromMs = from.map(clock.startMs)
        filter.raisedToMs = to.map { clock.startMs(of: $0.adding(days: 1)) }
        let site = try queries.site()?.name ?? ""
        let alerts = try queries.alerts(filter).map { alert(from: $0, site: site, clock) }
        return .ok(.init(body: .json(.init(alerts: alerts))))
    }

    func alert(from a: AlertRow, site: String, _ clock: SiteClock) -> Components.Schemas.Alert {
        let ack = a.ackMs.map { EventPayloads.Acknowledged(by: a.ackBy ?? "", at: clock.payload($0), note: a.ackNote) }
        return .init(EventPayloads.Alert(
            id: a.id, kind: a.kind.rawValue, subject: a.subjectId, subject_type: a.subjectType?.rawValue,
            severity: a.severity.rawValue, state: a.state.rawValue, message: .init(vi: a.messageVi ?? a.message, en: a.message),
            value: a.value, raised: clock.payload(a.raisedMs), updated: clock.payload(a.updatedMs), occurrences: a.occurrences,
            acknowledged: ack, resolved: a.resolvedMs.map(clock.payload)), site: site)
    }
}
