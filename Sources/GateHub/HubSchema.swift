import Foundation
import Logging
import PostgresNIO

/// The hub's schema, as numbered steps applied in order, each in its own transaction and
/// recorded in `hub_schema`. Only append: databases remember which steps they applied.
/// Crossings are partitioned by month (`HubPartitions`); per-minute, per-hour and per-day (in the
/// site's zone) rollups per
/// site, gate and line are kept in the transaction that stores the crossings.
enum HubSchema {
    static let steps: [(version: Int, sql: String)] = [(1, v1), (2, v2), (3, v3)]

    /// The first schema. Times of crossings are `timestamptz`; the site's own millisecond
    /// stamps (`*_ms`) are kept where the site's values are compared exactly.
    static let v1 = """
        CREATE TABLE hub_site (
            id serial PRIMARY KEY,
            name text NOT NULL UNIQUE,
            key_prefix text NOT NULL,
            key_hash bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            last_seq bigint NOT NULL DEFAULT 0,      -- the highest sequence stored (the ack)
            last_batch_at timestamptz,               -- hub time of the last batch taken
            status jsonb,                            -- the site's status from that batch
            time_zone text NOT NULL DEFAULT 'Asia/Ho_Chi_Minh'
        );
        CREATE INDEX hub_site_prefix ON hub_site (key_prefix);
        -- Keys of the systems that read the hub (LGSP, IOC, the province console).
        CREATE TABLE hub_reader (
            name text PRIMARY KEY,
            key_prefix text NOT NULL,
            key_hash bytea NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz
        );
        -- One row per event taken: the idempotency record. body_sha tells a resend (same
        -- bytes) from another database reusing the number.
        CREATE TABLE hub_event (
            site_id integer NOT NULL REFERENCES hub_site (id),
            seq bigint NOT NULL,
            type text NOT NULL,
            created_ms bigint NOT NULL,
            received_at timestamptz NOT NULL DEFAULT now(),
            body_sha bytea NOT NULL,
            PRIMARY KEY (site_id, seq)
        );
        CREATE TABLE hub_crossing (
            site_id integer NOT NULL,
            crossing_id bigint NOT NULL,             -- the site's id of the crossing
            at timestamptz NOT NULL,
            gate_id text NOT NULL,
            line_id text NOT NULL,
            feed_id text NOT NULL,
            direction text NOT NULL CHECK (direction IN ('in', 'out')),
            track_id bigint NOT NULL,
            confidence real NOT NULL,
            seq bigint NOT NULL,
            PRIMARY KEY (site_id, at, crossing_id)
        ) PARTITION BY RANGE (at);
        CREATE TABLE hub_minute (
            site_id integer NOT NULL,
            minute timestamptz NOT NULL,
            gate_id text NOT NULL,
            line_id text NOT NULL,
            feed_id text NOT NULL,
            ins integer NOT NULL,
            outs integer NOT NULL,
            PRIMARY KEY (site_id, minute, line_id)
        );
        CREATE TABLE hub_hour (
            site_id integer NOT NULL,
            hour timestamptz NOT NULL,
            gate_id text NOT NULL,
            line_id text NOT NULL,
            feed_id text NOT NULL,
            ins integer NOT NULL,
            outs integer NOT NULL,
            PRIMARY KEY (site_id, hour, line_id)
        );
        CREATE INDEX hub_hour_by_time ON hub_hour (hour);
        -- Days in the site's own zone: the warehouse's daily report reads these.
        CREATE TABLE hub_day (
            site_id integer NOT NULL,
            day date NOT NULL,
            gate_id text NOT NULL,
            line_id text NOT NULL,
            feed_id text NOT NULL,
            ins integer NOT NULL,
            outs integer NOT NULL,
            PRIMARY KEY (site_id, day, line_id)
        );
        CREATE INDEX hub_day_by_day ON hub_day (day);
        CREATE TABLE hub_alert (
            site_id integer NOT NULL,
            alert_id bigint NOT NULL,
            kind text NOT NULL,
            subject text NOT NULL,
            severity text NOT NULL,
            state text NOT NULL,
            message_vi text NOT NULL,
            message_en text NOT NULL,
            raised_ms bigint NOT NULL,
            updated_ms bigint NOT NULL,
            resolved_ms bigint,
            PRIMARY KEY (site_id, alert_id)
        );
        CREATE TABLE hub_feed (
            site_id integer NOT NULL,
            feed_id text NOT NULL,
            gate_id text,
            state text NOT NULL,
            at_ms bigint NOT NULL,
            PRIMARY KEY (site_id, feed_id)
        );
        -- Batches refused, with the reason the site was sent (the hub's audit; no bodies).
        CREATE TABLE hub_rejection (
            id bigserial PRIMARY KEY,
            site_id integer,
            at timestamptz NOT NULL DEFAULT now(),
            code text NOT NULL,
            reason text NOT NULL
        );
        """

    /// The site API's contract across sites: each site's own answers for the live reads
    /// (`picture`, as of `picture_at`) and its newest acceptance runs, alerts whole (`body`, the
    /// outbox's), crossings paged by the site's id, and their confidence as the site keeps it
    /// (a double: the contract's crossings are the site's, digit for digit).
    static let v2 = """
        ALTER TABLE hub_crossing ALTER COLUMN confidence TYPE double precision;
        ALTER TABLE hub_site ADD COLUMN picture jsonb;
        ALTER TABLE hub_site ADD COLUMN picture_at timestamptz;
        ALTER TABLE hub_site ADD COLUMN tests jsonb;
        ALTER TABLE hub_alert ADD COLUMN body jsonb;
        CREATE INDEX hub_crossing_by_id ON hub_crossing (site_id, crossing_id);
        """

    /// The hub's own alert for a site it has not heard from (SyncLagRule), one open at a time.
    static let v3 = """
        CREATE TABLE hub_lag_alert (
            id bigserial PRIMARY KEY,
            site_id integer NOT NULL REFERENCES hub_site (id),
            raised_ms bigint NOT NULL,
            updated_ms bigint NOT NULL,
            resolved_ms bigint,
            lag_seconds double precision NOT NULL,
            message_vi text NOT NULL,
            message_en text NOT NULL
        );
        CREATE UNIQUE INDEX hub_lag_alert_open ON hub_lag_alert (site_id) WHERE resolved_ms IS NULL;
        """

    /// A step's statements (they end with `;` at the end of a line; none holds one inside).
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty } }
    }

    /// Applies the steps this database lacks, one transaction each, under an advisory lock
    /// (two hubs starting on one database do not race). A database with a step newer than
    /// this program is refused.
    static func migrate(_ client: PostgresClient, logger: Logger) async throws {
        try await client.withConnection { conn in
            try await conn.query("SELECT pg_advisory_lock(4711001)", logger: logger)
            do {
                try await conn.query("CREATE TABLE IF NOT EXISTS hub_schema (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                                     logger: logger)
                var applied = Set<Int>()
                for try await v in try await conn.query("SELECT version FROM hub_schema", logger: logger).decode(Int.self) {
                    applied.insert(v)
                }
                let known = Set(steps.map(\.version))
                if let newer = applied.subtracting(known).max() {
                    throw HubError.newerSchema(version: newer, known: known.max() ?? 0)
                }
                for step in steps where !applied.contains(step.version) {
                    try await conn.withTransaction(logger: logger) { tx in
                        // One statement per query: the extended protocol takes no scripts.
                        for statement in Self.statements(step.sql) {
                            try await tx.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                        }
                        try await tx.query("INSERT INTO hub_schema (version) VALUES (\(step.version))", logger: logger)
                    }
                }
            } catch {
                _ = try? await conn.query("SELECT pg_advisory_unlock(4711001)", logger: logger)
                throw error
            }
            try await conn.query("SELECT pg_advisory_unlock(4711001)", logger: logger)
        }
    }
}

/// Monthly partitions of `hub_crossing`, made before the first crossing of a month arrives
/// (in a short transaction of their own, under a lock, so two sites' first batches of a
/// month do not both try to create it).
actor HubPartitions {
    private var known: Set<String> = []

    static func name(monthOf ms: Int64) -> (name: String, from: String, to: String) {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let d = utc.dateComponents([.year, .month], from: Date(timeIntervalSince1970: Double(ms) / 1000))
        let y = d.year!, m = d.month!
        let (ny, nm) = m == 12 ? (y + 1, 1) : (y, m + 1)
        return (String(format: "hub_crossing_y%04dm%02d", y, m), String(format: "%04d-%02d-01 00:00:00+00", y, m),
                String(format: "%04d-%02d-01 00:00:00+00", ny, nm))
    }

    func ensure(monthsOf times: [Int64], client: PostgresClient, logger: Logger) async throws {
        let wanted = Set(times.map { Self.name(monthOf: $0).name })
        let missing = wanted.subtracting(known)
        guard !missing.isEmpty else { return }
        let byName = Dictionary(times.map { (Self.name(monthOf: $0).name, Self.name(monthOf: $0)) }, uniquingKeysWith: { a, _ in a })
        try await client.withTransaction(logger: logger) { tx in
            try await tx.query("SELECT pg_advisory_xact_lock(4711002)", logger: logger)
            for name in missing.sorted() {
                let p = byName[name]!
                // Names and bounds come from the formatter above (digits only), never from input.
                try await tx.query(PostgresQuery(unsafeSQL: """
                    CREATE TABLE IF NOT EXISTS \(p.name) PARTITION OF hub_crossing
                    FOR VALUES FROM ('\(p.from)') TO ('\(p.to)')
                    """), logger: logger)
            }
        }
        known.formUnion(missing)
    }
}
