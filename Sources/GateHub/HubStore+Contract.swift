import Foundation
import GateAPI
import GateCore
import GateStore
import PostgresNIO

/// One site as the contract's reads need it: its zone and, when asked for, its own answers as
/// of its last batch and its newest acceptance runs (JSON of a few KB each: read only by the
/// operations that show them).
struct HubSiteRecordForReads: Sendable {
    var id: Int32
    var name: String
    var zone: TimeZone
    var picture: Data?
    /// Seconds since the hub stored `picture`, by the hub's clock.
    var pictureAgeSeconds: Double?
    var tests: Data?
}

/// A crossing as the contract pages it.
struct HubPagedCrossing: Sendable {
    var id: Int64
    var ms: Int64
    var gateId: String
    var lineId: String
    var feedId: String
    var direction: String
    var trackId: Int64
    var confidence: Double
}

/// What `GET /v1/alerts` asks for: a site or all, states, a kind, site-local days raised.
struct HubAlertQuery: Sendable {
    var site: String?
    var states: [String]?
    var kind: String?
    var raisedFrom: LocalDate?
    var raisedTo: LocalDate?
    var limit: Int
}

// The reads behind the site API's contract at the hub (HubAPI).
extension HubStore {
    func siteForReads(name: String, picture: Bool = false, tests: Bool = false) async throws -> HubSiteRecordForReads? {
        try await run("reading site \(name)") {
            let rows = try await self.client.query("""
                SELECT id, time_zone, CASE WHEN \(picture) THEN picture::text END, extract(epoch FROM now() - picture_at)::float8,
                       CASE WHEN \(tests) THEN tests::text END
                FROM hub_site WHERE name = \(name)
                """, logger: self.logger).collect()
            guard let row = rows.first else { return nil }
            let (id, zone, picture, age, tests) = try row.decode((Int32, String, String?, Double?, String?).self)
            return HubSiteRecordForReads(id: id, name: name,
                                         zone: TimeZone(identifier: zone) ?? TimeZone(identifier: ConfigLoader.defaultTimeZone)!,
                                         picture: picture.map { Data($0.utf8) }, pictureAgeSeconds: age, tests: tests.map { Data($0.utf8) })
        }
    }

    /// Per-camera counts of `fromMs..<toMs` for the report's assembly: quarter hours from the
    /// minute rollup, hours from the hour rollup (periods as UTC ms), site-local days from the
    /// day rollup (periods as day numbers). The assembly places each in the report's period.
    func periodCounts(siteId: Int32, by period: ReportPeriod, fromMs: Int64, toMs: Int64, zone: TimeZone) async throws -> [PeriodFeedCount] {
        try await run("reading counts") {
            let query: PostgresQuery
            // The hour rollup is by UTC hour: it holds the site's hours only in a zone a whole
            // number of hours from UTC (Vietnam's); elsewhere hours are summed from quarter hours.
            let wholeHours = [fromMs, toMs].allSatisfy {
                zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double($0) / 1000)) % 3600 == 0
            }
            switch period {
            case .quarterHour, .hour where !wholeHours:
                query = """
                    SELECT ((extract(epoch FROM minute) * 1000)::bigint / 900000) * 900000, gate_id, feed_id, sum(ins)::bigint, sum(outs)::bigint
                    FROM hub_minute WHERE site_id = \(siteId) AND minute >= to_timestamp(\(fromMs) / 1000.0) AND minute < to_timestamp(\(toMs) / 1000.0)
                    GROUP BY 1, 2, 3
                    """
            case .hour:
                query = """
                    SELECT (extract(epoch FROM hour) * 1000)::bigint, gate_id, feed_id, sum(ins)::bigint, sum(outs)::bigint
                    FROM hub_hour WHERE site_id = \(siteId) AND hour >= to_timestamp(\(fromMs) / 1000.0) AND hour < to_timestamp(\(toMs) / 1000.0)
                    GROUP BY 1, 2, 3
                    """
            case .day:
                let first = LocalDate(ms: fromMs, timeZone: zone).dayNumber, last = LocalDate(ms: toMs - 1, timeZone: zone).dayNumber
                query = """
                    SELECT (day - DATE '1970-01-01')::bigint, gate_id, feed_id, sum(ins)::bigint, sum(outs)::bigint
                    FROM hub_day WHERE site_id = \(siteId) AND day >= DATE '1970-01-01' + \(Int32(first))::int
                      AND day <= DATE '1970-01-01' + \(Int32(last))::int
                    GROUP BY 1, 2, 3
                    """
            }
            var out: [PeriodFeedCount] = []
            for try await (period, gate, feed, ins, outs) in try await self.client.query(query, logger: self.logger)
                .decode((Int64, String, String, Int64, Int64).self) {
                out.append(PeriodFeedCount(period: period, gateId: gate, feedId: feed, ins: Int(ins), outs: Int(outs)))
            }
            return out
        }
    }

    /// Gate ids the hub has counts for (a gate no longer configured still has its history).
    func countedGates(siteId: Int32) async throws -> Set<String> {
        try await run("reading gates") {
            var out = Set<String>()
            for try await gate in try await self.client.query("SELECT DISTINCT gate_id FROM hub_day WHERE site_id = \(siteId)",
                                                                logger: self.logger).decode(String.self) { out.insert(gate) }
            return out
        }
    }

    /// The site's crossings after its crossing `afterId`, by its ids.
    func crossingsPage(siteId: Int32, afterId: Int64, limit: Int, gate: String?) async throws -> [HubPagedCrossing] {
        try await run("reading crossings") {
            var out: [HubPagedCrossing] = []
            for try await (id, ms, g, line, feed, dir, track, conf) in try await self.client.query("""
                SELECT crossing_id, (extract(epoch FROM at) * 1000)::bigint, gate_id, line_id, feed_id, direction, track_id, confidence::float8
                FROM hub_crossing WHERE site_id = \(siteId) AND crossing_id > \(afterId) AND (\(gate)::text IS NULL OR gate_id = \(gate))
                ORDER BY crossing_id LIMIT \(limit)
                """, logger: self.logger).decode((Int64, Int64, String, String, String, String, Int64, Double).self) {
                out.append(HubPagedCrossing(id: id, ms: ms, gateId: g, lineId: line, feedId: feed, direction: dir, trackId: track,
                                            confidence: conf))
            }
            return out
        }
    }

    /// Alerts as their sites sent them, newest update first. Days are each site's own.
    func alertPayloads(_ q: HubAlertQuery) async throws -> [(site: String, alert: EventPayloads.Alert)] {
        try await run("reading alerts") {
            let from = q.raisedFrom?.description, to = q.raisedTo?.adding(days: 1).description
            var out: [(String, EventPayloads.Alert)] = []
            for try await (site, zoneName, body, id, kind, subject, severity, state, vi, en, raised, updated, resolved) in try await self.client.query("""
                WITH a AS (
                    SELECT site_id, body, alert_id, kind, subject, severity, state, message_vi, message_en, raised_ms, updated_ms, resolved_ms
                    FROM hub_alert
                    UNION ALL
                    -- The hub's own alerts (a site it has not heard from), numbered below zero.
                    SELECT site_id, NULL, -id, 'sync_lag', 'hub', 'warning', CASE WHEN resolved_ms IS NULL THEN 'open' ELSE 'resolved' END,
                           message_vi, message_en, raised_ms, updated_ms, resolved_ms
                    FROM hub_lag_alert)
                SELECT s.name, s.time_zone, a.body::text, a.alert_id, a.kind, a.subject, a.severity, a.state, a.message_vi, a.message_en,
                       a.raised_ms, a.updated_ms, a.resolved_ms
                FROM a JOIN hub_site s ON s.id = a.site_id
                WHERE (\(q.site)::text IS NULL OR s.name = \(q.site))
                  AND (\(q.states)::text[] IS NULL OR a.state = ANY(\(q.states)::text[]))
                  AND (\(q.kind)::text IS NULL OR a.kind = \(q.kind))
                  AND (\(from)::text IS NULL OR a.raised_ms >= extract(epoch FROM (\(from)::date)::timestamp AT TIME ZONE s.time_zone) * 1000)
                  AND (\(to)::text IS NULL OR a.raised_ms < extract(epoch FROM (\(to)::date)::timestamp AT TIME ZONE s.time_zone) * 1000)
                ORDER BY a.updated_ms DESC, s.name, a.alert_id DESC LIMIT \(q.limit)
                """, logger: self.logger).decode((String, String, String?, Int64, String, String, String, String, String, String, Int64, Int64, Int64?).self) {
                // The hub's own lag alerts, and sites' alerts stored before the hub kept them whole
                // (no acknowledgement, no count), are made from the columns.
                if let whole = body.flatMap({ try? JSONDecoder().decode(EventPayloads.Alert.self, from: Data($0.utf8)) }) {
                    out.append((site, whole))
                    continue
                }
                let clock = SiteClock(zone: TimeZone(identifier: zoneName) ?? TimeZone(identifier: ConfigLoader.defaultTimeZone)!)
                out.append((site, EventPayloads.Alert(
                    id: id, kind: kind, subject: subject, subject_type: nil, severity: severity, state: state,
                    message: .init(vi: vi, en: en), value: nil, raised: clock.payload(raised), updated: clock.payload(updated),
                    occurrences: 1, acknowledged: nil, resolved: resolved.map(clock.payload))))
            }
            return out
        }
    }

    /// The hub's side of the sync lag alert: for each site it has heard from, raised when what it
    /// holds is older than `lagAlertSeconds`, cleared under half of it (SyncLagRule, the site's
    /// rule). A revoked site is shut out on purpose and raises nothing. Returns the open ones.
    @discardableResult
    public func checkLagAlerts(lagAlertSeconds: Double, nowMs: Int64 = currentTimeMs()) async throws -> Int {
        let sites = try await siteSummaries(lagAlertSeconds: lagAlertSeconds, nowMs: nowMs)
        return try await run("checking the sites' sync lag") {
            var open = 0
            for site in sites {
                let lag = site.revoked ? 0 : site.lag_seconds ?? 0
                switch SyncLagRule.decide(lagSeconds: lag, limit: lagAlertSeconds) {
                case .raise:
                    let words = SyncLagRule.hubMessage(lagSeconds: lag, limit: lagAlertSeconds)
                    try await self.client.query("""
                        INSERT INTO hub_lag_alert (site_id, raised_ms, updated_ms, lag_seconds, message_vi, message_en)
                        SELECT id, \(nowMs), \(nowMs), \(lag), \(words.vi), \(words.en) FROM hub_site WHERE name = \(site.name)
                        ON CONFLICT (site_id) WHERE resolved_ms IS NULL DO UPDATE
                        SET updated_ms = excluded.updated_ms, lag_seconds = excluded.lag_seconds,
                            message_vi = excluded.message_vi, message_en = excluded.message_en
                        WHERE excluded.lag_seconds >= hub_lag_alert.lag_seconds + \(SyncLagRule.updateStepSeconds)
                        """, logger: self.logger)
                    open += 1
                case .clear:
                    try await self.client.query("""
                        UPDATE hub_lag_alert SET resolved_ms = \(nowMs), updated_ms = \(nowMs)
                        WHERE resolved_ms IS NULL AND site_id = (SELECT id FROM hub_site WHERE name = \(site.name))
                        """, logger: self.logger)
                case .keep:
                    open += try await self.client.query("""
                        SELECT 1 FROM hub_lag_alert l JOIN hub_site s ON s.id = l.site_id WHERE s.name = \(site.name) AND l.resolved_ms IS NULL
                        """, logger: self.logger).collect().count
                }
            }
            return open
        }
    }

    /// Whether the database answers (`/healthz`).
    func ping() async throws {
        _ = try await run("checking the database") { try await self.client.query("SELECT 1", logger: self.logger).collect() }
    }
}
