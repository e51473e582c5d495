import Foundation
import GateCore
import PostgresNIO

extension HubStore {
    /// Every site with its last status, sorted by what needs attention first.
    public func siteSummaries(lagAlertSeconds: Double, nowMs: Int64 = currentTimeMs()) async throws -> [HubSiteSummary] {
        try await run("reading the sites") {
            var out: [HubSiteSummary] = []
            let rows = try await self.client.query("""
                SELECT name, revoked_at IS NOT NULL, status::text, (extract(epoch FROM last_batch_at) * 1000)::bigint
                FROM hub_site ORDER BY name
                """, logger: self.logger)
            for try await (name, revoked, statusText, lastMs) in rows.decode((String, Bool, String?, Int64?).self) {
                let status = statusText.flatMap { try? JSONDecoder().decode(HubSiteStatus.self, from: Data($0.utf8)) }
                out.append(Self.summary(name: name, revoked: revoked, status: status, lastMs: lastMs,
                                        lagAlertSeconds: lagAlertSeconds, nowMs: nowMs))
            }
            return out.sorted { a, b in
                (a.attention.isEmpty ? 1 : 0, HubAttention.rank(a.attention.first), a.name)
                    < (b.attention.isEmpty ? 1 : 0, HubAttention.rank(b.attention.first), b.name)
            }
        }
    }

    static func summary(name: String, revoked: Bool, status: HubSiteStatus?, lastMs: Int64?, lagAlertSeconds: Double,
                        nowMs: Int64) -> HubSiteSummary {
        let since = status?.oldest_pending_ms ?? lastMs
        let lag = since.map { max(0, Double(nowMs - $0) / 1000) }
        let attention = HubAttention.of(status, neverSynced: lastMs == nil, lagging: lag.map { $0 > lagAlertSeconds } ?? false)
        return HubSiteSummary(name: name, revoked: revoked, occupancy: status?.occupancy, capacity: status?.capacity,
                              ins_today: status?.ins_today, outs_today: status?.outs_today, open_alerts: status?.open_alerts,
                              feeds_offline: status?.feeds_offline, feeds: status?.feeds, backlog: status?.backlog,
                              last_batch_ms: lastMs, lag_seconds: lag, attention: attention)
    }

    /// Each site's crossings per UTC minute (the sites' and the hub's records compared).
    public func crossingsPerMinute(site: String) async throws -> [Int64: (ins: Int, outs: Int)] {
        try await run("reading crossings per minute") {
            var out: [Int64: (ins: Int, outs: Int)] = [:]
            let rows = try await self.client.query("""
                SELECT (extract(epoch FROM date_trunc('minute', c.at)) * 1000)::bigint AS m,
                       count(*) FILTER (WHERE direction = 'in'), count(*) FILTER (WHERE direction = 'out')
                FROM hub_crossing c JOIN hub_site s ON s.id = c.site_id WHERE s.name = \(site) GROUP BY 1
                """, logger: self.logger)
            for try await (m, i, o) in rows.decode((Int64, Int, Int).self) { out[m] = (i, o) }
            return out
        }
    }

    /// Streams the per-gate counts of `from..<to` (UTC ms) by day (the site's own days, from
    /// the day rollup) or hour (from the hour rollup, labelled in the site's zone), one site
    /// or all. The query has started when this returns (a failure is thrown here, before an
    /// answer begins); the rows come as PostgreSQL sends them (nothing is held whole).
    public func counts(site: String?, fromMs: Int64, toMs: Int64, by bucket: HubBucket) async throws -> HubCountRows {
        try await run("reading counts") {
            // A gate counts as its busiest camera in each direction, a camera's lines add up
            // (GateCore's Occupancy rule, as the site counts).
            let perFeed: PostgresQuery
            switch bucket {
            case .day:
                perFeed = """
                    SELECT s.name AS site, to_char(d.day, 'YYYY-MM-DD') AS period, d.gate_id, d.feed_id, sum(d.ins) AS ins, sum(d.outs) AS outs
                    FROM hub_day d JOIN hub_site s ON s.id = d.site_id
                    WHERE d.day >= (to_timestamp(\(fromMs) / 1000.0) AT TIME ZONE s.time_zone)::date
                      AND d.day < (to_timestamp(\(toMs) / 1000.0) AT TIME ZONE s.time_zone)::date
                      AND (\(site)::text IS NULL OR s.name = \(site))
                    GROUP BY 1, 2, 3, 4
                    """
            case .hour:
                perFeed = """
                    SELECT s.name AS site, to_char(h.hour AT TIME ZONE s.time_zone, 'YYYY-MM-DD"T"HH24:MI') AS period, h.gate_id, h.feed_id,
                           sum(h.ins) AS ins, sum(h.outs) AS outs
                    FROM hub_hour h JOIN hub_site s ON s.id = h.site_id
                    WHERE h.hour >= to_timestamp(\(fromMs) / 1000.0) AND h.hour < to_timestamp(\(toMs) / 1000.0)
                      AND (\(site)::text IS NULL OR s.name = \(site))
                    GROUP BY 1, 2, 3, 4
                    """
            }
            var query = PostgresQuery(unsafeSQL: "WITH f AS (")
            query.sql += perFeed.sql
            query.binds = perFeed.binds
            query.sql += """
                ) SELECT site, period, gate_id, max(ins)::bigint, max(outs)::bigint
                FROM f GROUP BY site, period, gate_id ORDER BY site, period, gate_id
                """
            return HubCountRows(rows: try await self.client.query(query, logger: self.logger))
        }
    }

    /// Crossings of `from..<to`, oldest first; only the months' partitions in range are read.
    public func crossings(site: String?, fromMs: Int64, toMs: Int64) async throws -> HubCrossingRows {
        try await run("reading crossings") {
            HubCrossingRows(rows: try await self.client.query("""
                SELECT s.name, c.crossing_id, to_char(c.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), c.gate_id, c.line_id,
                       c.feed_id, c.direction, c.confidence::float8
                FROM hub_crossing c JOIN hub_site s ON s.id = c.site_id
                WHERE c.at >= to_timestamp(\(fromMs) / 1000.0) AND c.at < to_timestamp(\(toMs) / 1000.0)
                  AND (\(site)::text IS NULL OR s.name = \(site))
                ORDER BY c.at, s.name, c.crossing_id
                """, logger: self.logger))
        }
    }

    /// Alerts, open ones (not resolved) or all, most recent first, at most `limit`.
    public func alerts(site: String?, openOnly: Bool, limit: Int = 1_000) async throws -> [HubAlertRow] {
        try await run("reading alerts") {
            var out: [HubAlertRow] = []
            let rows = try await self.client.query("""
                SELECT s.name, a.alert_id, a.kind, a.subject, a.severity, a.state, a.message_vi, a.message_en, a.raised_ms,
                       a.updated_ms, a.resolved_ms
                FROM hub_alert a JOIN hub_site s ON s.id = a.site_id
                WHERE (\(site)::text IS NULL OR s.name = \(site)) AND (NOT \(openOnly) OR a.state <> 'resolved')
                ORDER BY a.updated_ms DESC LIMIT \(limit)
                """, logger: self.logger)
            for try await (site, id, kind, subject, severity, state, vi, en, raised, updated, resolved)
                in rows.decode((String, Int64, String, String, String, String, String, String, Int64, Int64, Int64?).self) {
                out.append(HubAlertRow(site: site, id: id, kind: kind, subject: subject, severity: severity, state: state,
                                       message: .init(vi: vi, en: en), raised_ms: raised, updated_ms: updated, resolved_ms: resolved))
            }
            return out
        }
    }

    // MARK: - Reader keys (the systems that read the hub)

    public func addReader(name: String) async throws -> String {
        guard SecretKeyFormat.validName(name) else { throw HubError.badReaderName(name) }
        let made = SecretKeyFormat.apiKey.make()
        let hash = SecretKeyFormat.hash(made.key)
        let inserted = try await run("adding reader \(name)") {
            try await self.client.query("""
                INSERT INTO hub_reader (name, key_prefix, key_hash) VALUES (\(name), \(made.prefix), \(hash))
                ON CONFLICT (name) DO NOTHING RETURNING 1
                """, logger: self.logger).collect().count
        }
        guard inserted == 1 else { throw HubError.duplicateSite(name) }
        return made.key
    }

    /// Whether `presented` is a reader key that is not revoked.
    func isReader(_ presented: String?) async throws -> Bool {
        guard let presented, let prefix = SecretKeyFormat.apiKey.prefix(of: presented) else { return false }
        let digest = SecretKeyFormat.hash(presented)
        let rows = try await run("checking a reader key") {
            try await self.client.query("SELECT key_hash FROM hub_reader WHERE key_prefix = \(prefix) AND revoked_at IS NULL",
                                        logger: self.logger).collect()
        }
        return try rows.contains { SecretKeyFormat.sameDigest(try $0.decode(Data.self), digest) }
    }
}

/// One crossing as the hub exports it.
public struct HubCrossingRow: Codable, Equatable, Sendable {
    public var site: String
    public var id: Int64
    /// ISO 8601 UTC with milliseconds.
    public var time: String
    public var gate_id: String
    public var line_id: String
    public var feed_id: String
    public var direction: String
    public var confidence: Double
}

/// The rows of a crossings query, read as they arrive.
public struct HubCrossingRows: Sendable {
    let rows: PostgresRowSequence

    public func forEach(_ body: (HubCrossingRow) async throws -> Void) async throws {
        for try await (site, id, time, gate, line, feed, direction, confidence)
            in rows.decode((String, Int64, String, String, String, String, String, Double).self) {
            try await body(HubCrossingRow(site: site, id: id, time: time, gate_id: gate, line_id: line, feed_id: feed,
                                          direction: direction, confidence: confidence))
        }
    }
}

/// The rows of a counts query, read as they arrive.
public struct HubCountRows: Sendable {
    let rows: PostgresRowSequence

    public func forEach(_ body: (HubCountRow) async throws -> Void) async throws {
        for try await (site, period, gate, ins, outs) in rows.decode((String, String, String, Int64, Int64).self) {
            try await body(HubCountRow(site: site, period: period, gate_id: gate, ins: Int(ins), outs: Int(outs)))
        }
    }
}

public enum HubBucket: String, Sendable, CaseIterable { case day, hour }

public struct HubCountRow: Codable, Equatable, Sendable {
    public var site: String
    /// Site-local `YYYY-MM-DD` (by day) or `YYYY-MM-DDTHH:00` (by hour).
    public var period: String
    public var gate_id: String
    public var ins: Int
    public var outs: Int
}


extension HubStore {
    /// Site-to-hub lag of the events of sites named `sitePrefix…`: the hub's commit time
    /// minus the event's time, in ms (the simulated province's figure).
    public func lagPercentiles(sitePrefix: String) async throws -> (p50: Double, p95: Double, max: Double) {
        try await run("reading the lag") {
            let rows = try await self.client.query("""
                SELECT COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY lag), 0), COALESCE(percentile_cont(0.95) WITHIN GROUP (ORDER BY lag), 0),
                       COALESCE(max(lag), 0)
                FROM (SELECT (extract(epoch FROM e.received_at) * 1000 - e.created_ms)::float8 AS lag FROM hub_event e
                      JOIN hub_site s ON s.id = e.site_id WHERE s.name LIKE \(sitePrefix + "%")) l
                """, logger: self.logger).collect()
            let (p50, p95, mx) = try rows.first!.decode((Double, Double, Double).self)
            return (p50, p95, mx)
        }
    }
}

extension HubStore {
    /// One site's day for the province console; nil when no site has that name.
    public func siteToday(name: String, lagAlertSeconds: Double, nowMs: Int64 = currentTimeMs()) async throws -> HubSiteToday? {
        guard let summary = try await siteSummaries(lagAlertSeconds: lagAlertSeconds, nowMs: nowMs).first(where: { $0.name == name })
        else { return nil }
        return try await run("reading site \(name)") {
            let zone = try await self.client.query("SELECT time_zone FROM hub_site WHERE name = \(name)", logger: self.logger)
                .collect().first?.decode(String.self) ?? ConfigLoader.defaultTimeZone
            // Today's hours per gate and camera (site-local), then the gate as its busiest camera.
            var perFeed: [String: [String: (ins: [Int], outs: [Int])]] = [:]
            let hours = try await self.client.query("""
                SELECT h.gate_id, h.feed_id, extract(hour FROM h.hour AT TIME ZONE s.time_zone)::int, sum(h.ins)::int, sum(h.outs)::int
                FROM hub_hour h JOIN hub_site s ON s.id = h.site_id
                WHERE s.name = \(name) AND (h.hour AT TIME ZONE s.time_zone)::date = (now() AT TIME ZONE s.time_zone)::date
                GROUP BY 1, 2, 3
                """, logger: self.logger)
            for try await (gate, feed, hour, ins, outs) in hours.decode((String, String, Int, Int, Int).self) where (0..<24).contains(hour) {
                var f = perFeed[gate, default: [:]][feed] ?? (Array(repeating: 0, count: 24), Array(repeating: 0, count: 24))
                f.ins[hour] += ins; f.outs[hour] += outs
                perFeed[gate, default: [:]][feed] = f
            }
            let gates = perFeed.keys.sorted().map { gate -> HubSiteToday.Gate in
                let feeds = Array(perFeed[gate]!.values)
                let inH = (0..<24).map { h in feeds.map { $0.ins[h] }.max() ?? 0 }
                let outH = (0..<24).map { h in feeds.map { $0.outs[h] }.max() ?? 0 }
                let ins = feeds.map { $0.ins.reduce(0, +) }.max() ?? 0, outs = feeds.map { $0.outs.reduce(0, +) }.max() ?? 0
                return HubSiteToday.Gate(id: gate, ins: ins, outs: outs, hourly_in: inH, hourly_out: outH)
            }
            var feeds: [HubSiteToday.Feed] = []
            for try await (id, gate, state, at) in try await self.client.query("""
                SELECT f.feed_id, f.gate_id, f.state, f.at_ms FROM hub_feed f JOIN hub_site s ON s.id = f.site_id
                WHERE s.name = \(name) ORDER BY f.gate_id, f.feed_id
                """, logger: self.logger).decode((String, String?, String, Int64).self) {
                feeds.append(HubSiteToday.Feed(id: id, gate_id: gate, state: state, at_ms: at))
            }
            let alerts = try await self.alerts(site: name, openOnly: false, limit: 200)
                .filter { $0.state != "resolved" || ($0.resolved_ms ?? 0) > nowMs - 86_400_000 }
            return HubSiteToday(summary: summary, time_zone: zone, gates: gates, feeds: feeds, alerts: alerts)
        }
    }
}
