import Foundation
import GateCore
import Logging
import PostgresNIO

/// What a batch did: the sequence the site may advance to, and how many events were new.
public struct HubAck: Codable, Equatable, Sendable {
    public var acknowledged_through: Int64
    public var stored: Int
    public var duplicates: Int
}

/// A site as `gatewatch hub site list` shows it.
public struct HubSiteRecord: Equatable, Sendable {
    public var name: String
    public var keyPrefix: String
    public var createdMs: Int64
    public var revokedMs: Int64?
    public var lastSeq: Int64
    public var lastBatchMs: Int64?
}

/// The hub's database: every SQL statement of the hub is here. One `PostgresClient` (a pool)
/// shared by the HTTP handlers; run it with `run()` in a task (or a ServiceGroup).
public final class HubStore: Sendable {
    public let client: PostgresClient
    let logger: Logger
    private let partitions = HubPartitions()

    let settings: HubDatabaseSettings

    public init(settings: HubDatabaseSettings, logger: Logger = Logger(label: "gatewatch.hub.db")) {
        client = PostgresClient(configuration: settings.clientConfiguration)
        self.settings = settings
        self.logger = logger
    }

    /// Brings the schema up to date (call with the client running). Connects once on its
    /// own first: the pool retries a refused or failed login quietly, this says why.
    public func migrate() async throws {
        do {
            let connection = try await PostgresConnection.connect(configuration: settings.connectionConfiguration, id: 1, logger: logger)
            try await connection.close()
        } catch {
            throw HubError.database(error, doing: "connecting to \(settings)")
        }
        do { try await HubSchema.migrate(client, logger: logger) } catch { throw HubError.database(error, doing: "migrating the hub's schema") }
    }

    // MARK: - Keys

    /// Issues a key for a new site; the key is returned once and stored as its hash.
    public func addSite(name: String) async throws -> String {
        if let problem = HubWire.siteNameProblem(name) { throw HubError.badSiteName(problem) }
        let made = SecretKeyFormat.siteKey.make()
        let hash = SecretKeyFormat.hash(made.key)
        do {
            let rows = try await client.query("""
                INSERT INTO hub_site (name, key_prefix, key_hash) VALUES (\(name), \(made.prefix), \(hash))
                ON CONFLICT (name) DO NOTHING RETURNING id
                """, logger: logger)
            var inserted = false
            for try await _ in rows { inserted = true }
            guard inserted else { throw HubError.duplicateSite(name) }
        } catch let e as HubError { throw e } catch { throw HubError.database(error, doing: "adding site \(name)") }
        return made.key
    }

    /// A new key for a known site (a lost key, a revoked one given back): the old key stops
    /// working at once; the site's history and sequence stay.
    public func rekeySite(name: String) async throws -> String {
        let made = SecretKeyFormat.siteKey.make()
        let hash = SecretKeyFormat.hash(made.key)
        let changed = try await run("making a new key for site \(name)") {
            try await self.client.query("""
                UPDATE hub_site SET key_prefix = \(made.prefix), key_hash = \(hash), revoked_at = NULL WHERE name = \(name) RETURNING 1
                """, logger: self.logger).collect().count
        }
        guard changed == 1 else { throw HubError.unknownSite(name) }
        return made.key
    }

    public func revokeSite(name: String) async throws {
        let rows = try await run("revoking site \(name)") {
            try await self.client.query("""
                UPDATE hub_site SET revoked_at = COALESCE(revoked_at, now()) WHERE name = \(name)
                RETURNING (revoked_at < now()) AS already
                """, logger: self.logger).collect()
        }
        guard let row = rows.first else { throw HubError.unknownSite(name) }
        if try row.decode(Bool.self) { throw HubError.alreadyRevoked(name) }
    }

    public func sites() async throws -> [HubSiteRecord] {
        try await run("listing sites") {
            var out: [HubSiteRecord] = []
            let rows = try await self.client.query("""
                SELECT name, key_prefix, (extract(epoch FROM created_at) * 1000)::bigint,
                       (extract(epoch FROM revoked_at) * 1000)::bigint, last_seq, (extract(epoch FROM last_batch_at) * 1000)::bigint
                FROM hub_site ORDER BY name
                """, logger: self.logger)
            for try await (name, prefix, created, revoked, seq, last) in rows.decode((String, String, Int64, Int64?, Int64, Int64?).self) {
                out.append(HubSiteRecord(name: name, keyPrefix: prefix, createdMs: created, revokedMs: revoked, lastSeq: seq, lastBatchMs: last))
            }
            return out
        }
    }

    /// The site a presented key is (prefix lookup, then the hash compared in constant time).
    func site(forKey presented: String?) async throws -> (id: Int32, name: String) {
        guard let presented, !presented.isEmpty else { throw HubRejection.missingKey }
        guard let prefix = SecretKeyFormat.siteKey.prefix(of: presented) else { throw HubRejection.unknownKey }
        let digest = SecretKeyFormat.hash(presented)
        let rows = try await run("checking a site key") {
            try await self.client.query("SELECT id, name, key_hash, revoked_at IS NOT NULL FROM hub_site WHERE key_prefix = \(prefix)",
                                        logger: self.logger).collect()
        }
        for row in rows {
            let (id, name, hash, revoked) = try row.decode((Int32, String, Data, Bool).self)
            guard SecretKeyFormat.sameDigest(hash, digest) else { continue }
            if revoked { throw HubRejection.revokedKey(site: name) }
            return (id, name)
        }
        throw HubRejection.unknownKey
    }

    // MARK: - Ingest

    /// Takes one site's batch: checked, then stored in one transaction that also advances the
    /// site's sequence, so the answer (sent only after the commit) is the truth. Events at or
    /// below the stored sequence are resends: skipped when their content matches, refused
    /// when not.
    public func ingest(body: Data, presentedKey: String?, nowMs: Int64 = currentTimeMs()) async throws -> HubAck {
        var siteId: Int32?
        do {
            let site = try await site(forKey: presentedKey)
            siteId = site.id
            let batch = try HubBatch.read(body, keySite: site.name, nowMs: nowMs)
            let times = batch.events.flatMap { e -> [Int64] in
                if case .crossings(let xs) = e.payload { return xs.map(\.time.ms) } else { return [] }
            }
            try await run("making crossing partitions") {
                try await self.partitions.ensure(monthsOf: times, client: self.client, logger: self.logger)
            }
            return try await run("storing a batch of site \(site.name)") {
                try await self.client.withTransaction(logger: self.logger) { tx in
                    try await HubIngest(tx: tx, logger: self.logger, siteId: site.id).store(batch)
                }
            }
        } catch let rejection as HubRejection {
            await recordRejection(rejection, siteId: siteId)
            throw rejection
        }
    }

    private func recordRejection(_ r: HubRejection, siteId: Int32?) async {
        _ = try? await client.query("INSERT INTO hub_rejection (site_id, code, reason) VALUES (\(siteId), \(r.code), \(r.description))",
                                    logger: logger)
    }

    /// Runs `body`, turning a database failure into one `HubError` line naming `doing`.
    func run<T>(_ doing: String, _ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as HubRejection { throw e } catch let e as HubError { throw e } catch {
            // A refusal found inside a transaction comes back wrapped in the rollback's error.
            if let t = error as? PostgresTransactionError, let r = t.closureError as? HubRejection { throw r }
            throw HubError.database(error, doing: doing)
        }
    }
}

/// The statements of one batch's transaction.
struct HubIngest {
    let tx: PostgresConnection
    let logger: Logger
    let siteId: Int32

    func store(_ batch: HubBatch) async throws -> HubAck {
        let lastSeq = try await tx.query("SELECT last_seq FROM hub_site WHERE id = \(siteId) FOR UPDATE", logger: logger)
            .collect().first!.decode(Int64.self)
        let resent = batch.events.filter { $0.seq <= lastSeq }
        var known: [Int64: Data] = [:]
        if !resent.isEmpty {
            let seqs = resent.map(\.seq)
            for try await (seq, digest) in try await tx.query("""
                SELECT seq, body_sha FROM hub_event WHERE site_id = \(siteId) AND seq = ANY(\(seqs))
                """, logger: logger).decode((Int64, Data).self) { known[seq] = digest }
        }
        var fresh: [HubBatch.Event] = []
        var duplicates = 0
        for e in batch.events {
            if let digest = known[e.seq] {
                guard digest == e.digest else { throw HubRejection.conflict(seq: e.seq) }
                duplicates += 1
            } else {
                fresh.append(e)
            }
        }
        try await insertEvents(fresh)
        try await insertCrossings(fresh)
        for e in fresh {
            switch e.payload {
            case .alert(let a): try await upsertAlert(a)
            case .feed(let f): try await upsertFeed(f)
            case .crossings: break
            }
        }
        let through = max(lastSeq, batch.events.last?.seq ?? 0)
        let status = batch.status.flatMap { try? String(decoding: JSONEncoder().encode($0), as: UTF8.self) }
        let zone = batch.status?.time_zone
        try await tx.query("""
            UPDATE hub_site SET last_seq = \(through), last_batch_at = now(),
                status = COALESCE(\(status)::jsonb, status), time_zone = COALESCE(\(zone), time_zone),
                picture = COALESCE(\(batch.picture)::jsonb, picture),
                picture_at = CASE WHEN \(batch.picture)::text IS NULL THEN picture_at ELSE now() END,
                tests = COALESCE(\(batch.tests)::jsonb, tests)
            WHERE id = \(siteId)
            """, logger: logger)
        return HubAck(acknowledged_through: through, stored: fresh.count, duplicates: duplicates)
    }

    private func insertEvents(_ events: [HubBatch.Event]) async throws {
        guard !events.isEmpty else { return }
        let seqs = events.map(\.seq), types = events.map(\.type), created = events.map(\.createdMs)
        let digests = events.map { $0.digest.base64EncodedString() }
        try await tx.query("""
            INSERT INTO hub_event (site_id, seq, type, created_ms, body_sha)
            SELECT \(siteId), s, t, c, decode(d, 'base64') FROM unnest(\(seqs)::bigint[], \(types)::text[], \(created)::bigint[], \(digests)::text[]) AS u(s, t, c, d)
            """, logger: logger)
    }

    /// The crossings, then their minute, hour and day rollups (added to, in the same transaction).
    private func insertCrossings(_ events: [HubBatch.Event]) async throws {
        var ids: [Int64] = [], at: [Int64] = [], gates: [String] = [], lines: [String] = [], feeds: [String] = []
        var dirs: [String] = [], tracks: [Int64] = [], conf: [Double] = [], seqs: [Int64] = []
        for e in events {
            guard case .crossings(let xs) = e.payload else { continue }
            for x in xs {
                ids.append(x.id); at.append(x.time.ms); gates.append(x.gate_id); lines.append(x.line_id); feeds.append(x.feed_id)
                dirs.append(x.direction); tracks.append(x.track_id); conf.append(x.confidence); seqs.append(e.seq)
            }
        }
        guard !ids.isEmpty else { return }
        // A crossing the site sent twice under two sequence numbers (it cannot, but a
        // restored database could) is kept once.
        try await tx.query("""
            WITH x AS (SELECT * FROM unnest(\(ids)::bigint[], \(at)::bigint[], \(gates)::text[], \(lines)::text[], \(feeds)::text[],
                                          \(dirs)::text[], \(tracks)::bigint[], \(conf)::float8[], \(seqs)::bigint[])
                       AS u(id, ms, gate, line, feed, dir, track, conf, seq)),
            ins AS (
                INSERT INTO hub_crossing (site_id, crossing_id, at, gate_id, line_id, feed_id, direction, track_id, confidence, seq)
                SELECT \(siteId), id, to_timestamp(ms / 1000.0), gate, line, feed, dir, track, conf, seq FROM x
                ON CONFLICT DO NOTHING
                RETURNING at, gate_id, line_id, feed_id, direction),
            m AS (
                INSERT INTO hub_minute (site_id, minute, gate_id, line_id, feed_id, ins, outs)
                SELECT \(siteId), date_trunc('minute', at), gate_id, line_id, min(feed_id),
                       count(*) FILTER (WHERE direction = 'in'), count(*) FILTER (WHERE direction = 'out')
                FROM ins GROUP BY 2, 3, 4
                ON CONFLICT (site_id, minute, line_id) DO UPDATE
                SET ins = hub_minute.ins + excluded.ins, outs = hub_minute.outs + excluded.outs),
            h AS (
                INSERT INTO hub_hour (site_id, hour, gate_id, line_id, feed_id, ins, outs)
                SELECT \(siteId), date_trunc('hour', at), gate_id, line_id, min(feed_id),
                       count(*) FILTER (WHERE direction = 'in'), count(*) FILTER (WHERE direction = 'out')
                FROM ins GROUP BY 2, 3, 4
                ON CONFLICT (site_id, hour, line_id) DO UPDATE
                SET ins = hub_hour.ins + excluded.ins, outs = hub_hour.outs + excluded.outs)
            INSERT INTO hub_day (site_id, day, gate_id, line_id, feed_id, ins, outs)
            SELECT \(siteId), (at AT TIME ZONE (SELECT time_zone FROM hub_site WHERE id = \(siteId)))::date, gate_id, line_id, min(feed_id),
                   count(*) FILTER (WHERE direction = 'in'), count(*) FILTER (WHERE direction = 'out')
            FROM ins GROUP BY 2, 3, 4
            ON CONFLICT (site_id, day, line_id) DO UPDATE
            SET ins = hub_day.ins + excluded.ins, outs = hub_day.outs + excluded.outs
            """, logger: logger)
    }

    /// An alert as it stands after the event (an older event never overwrites a newer one).
    private func upsertAlert(_ a: EventPayloads.Alert) async throws {
        let body = String(decoding: HubBatch.canonical(a), as: UTF8.self)
        try await tx.query("""
            INSERT INTO hub_alert (site_id, alert_id, kind, subject, severity, state, message_vi, message_en, raised_ms, updated_ms, resolved_ms, body)
            VALUES (\(siteId), \(a.id), \(a.kind), \(a.subject), \(a.severity), \(a.state), \(a.message.vi), \(a.message.en),
                    \(a.raised.ms), \(a.updated.ms), \(a.resolved?.ms), \(body)::jsonb)
            ON CONFLICT (site_id, alert_id) DO UPDATE SET severity = excluded.severity, state = excluded.state,
                message_vi = excluded.message_vi, message_en = excluded.message_en, updated_ms = excluded.updated_ms,
                resolved_ms = excluded.resolved_ms, body = excluded.body
            WHERE hub_alert.updated_ms <= excluded.updated_ms
            """, logger: logger)
    }

    private func upsertFeed(_ f: EventPayloads.FeedState) async throws {
        try await tx.query("""
            INSERT INTO hub_feed (site_id, feed_id, gate_id, state, at_ms) VALUES (\(siteId), \(f.id), \(f.gate_id), \(f.state), \(f.at.ms))
            ON CONFLICT (site_id, feed_id) DO UPDATE SET gate_id = excluded.gate_id, state = excluded.state, at_ms = excluded.at_ms
            WHERE hub_feed.at_ms <= excluded.at_ms
            """, logger: logger)
    }
}
