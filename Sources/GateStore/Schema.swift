import GRDB
import GateCore

/// The database schema, as versioned migrations. SQLite is the hand-off between
/// the pipeline (one writer) and every console, report and script (readers).
/// Times are UTC milliseconds. Add a new migration for every change once released.
public enum Schema {
    /// Every migration this program knows, oldest first. A database that has
    /// applied any other is newer than this program.
    public static let migrationIdentifiers = migrations.map(\.identifier)

    /// Recomputes the hour and day rollups from the per-minute rollup, in the site's
    /// zone: for imports (and test seeds) that wrote `crossing_minute` directly.
    public static func rebuildRollups(_ db: Database) throws {
        let zone = try String.fetchOne(db, sql: "SELECT time_zone FROM site WHERE id = 1") ?? defaultSiteTimeZone
        try Rollups.rebuild(db, zoneName: zone)
    }

    /// Every migration, oldest first: the identifier GRDB records and the step it runs.
    /// Identifiers are stored in databases: never rename one, only append.
    private static let migrations: [(identifier: String, migrate: @Sendable (Database) throws -> Void)] = [
        ("v1", v1),
        ("test-report-details", testReportDetails),
        ("site_thresholds", siteThresholds),
        ("v2-masked-feed-source", v2MaskedFeedSource),
        ("v3-local-rollups", v3LocalRollups),
        ("console-settings", consoleSettings),
        ("v4-typed-alerts", v4TypedAlerts),
        ("occupancy-corrections", occupancyCorrections),
        ("detection-engine", detectionEngine),
        ("config-reloads", configReloads),
        ("writer-backlog", writerBacklog),
        ("api-keys", apiKeys),   // APIKeys.swift
        ("webhook-outbox", Outbox.migrate),
        ("hub-sync", HubSyncTable.migrate),   // HubSyncStore.swift
    ]

    public static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        for (identifier, migrate) in migrations { m.registerMigration(identifier, migrate: migrate) }
        return m
    }

    /// The first schema: site, gates, feeds, lines, crossings and their rollup, alerts,
    /// feed health, the pipeline heartbeat and acceptance test runs. Long because it is one
    /// SQL script, kept whole and byte-identical to what released databases applied.
    private static func v1(_ db: Database) throws {
        // The site as last configured by `gatewatch run` (one row).
        try db.execute(sql: """
            CREATE TABLE site (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                name TEXT NOT NULL,
                capacity INTEGER NOT NULL,
                time_zone TEXT NOT NULL,
                open_minute INTEGER,          -- opening hours, site-local minutes after midnight
                close_minute INTEGER,
                config_path TEXT,
                updated_ms INTEGER NOT NULL
            );
            CREATE TABLE gate (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                position INTEGER NOT NULL
            );
            CREATE TABLE feed (
                id TEXT PRIMARY KEY,
                gate_id TEXT NOT NULL REFERENCES gate(id),
                name TEXT NOT NULL,
                source TEXT NOT NULL,
                expected_fps REAL,
                detector TEXT NOT NULL
            );
            CREATE TABLE line (
                id TEXT PRIMARY KEY,
                feed_id TEXT NOT NULL REFERENCES feed(id),
                gate_id TEXT NOT NULL,
                name TEXT NOT NULL,
                x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
                inside_x REAL NOT NULL, inside_y REAL NOT NULL
            );

            -- One row per person crossing a line.
            CREATE TABLE crossing (
                id INTEGER PRIMARY KEY,
                ts_ms INTEGER NOT NULL,
                feed_id TEXT NOT NULL,
                gate_id TEXT NOT NULL,
                line_id TEXT NOT NULL,
                direction INTEGER NOT NULL CHECK (direction IN (1, -1)),   -- 1 in, -1 out
                track_id INTEGER NOT NULL,
                confidence REAL NOT NULL,
                frame_index INTEGER NOT NULL DEFAULT 0   -- frame of the source that confirmed it
            );
            CREATE INDEX crossing_ts ON crossing(ts_ms);
            CREATE INDEX crossing_gate_ts ON crossing(gate_id, ts_ms);

            -- Per-minute rollup of crossings, kept in the same transaction as the rows.
            CREATE TABLE crossing_minute (
                minute_ms INTEGER NOT NULL,   -- start of the UTC minute
                line_id TEXT NOT NULL,
                gate_id TEXT NOT NULL,
                ins INTEGER NOT NULL DEFAULT 0,
                outs INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (minute_ms, line_id)
            );
            CREATE INDEX crossing_minute_gate ON crossing_minute(gate_id, minute_ms);

            -- Alerts: raised -> acknowledged -> resolved; one open alert per (kind, subject).
            CREATE TABLE alert (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,           -- capacity, offline, frozen, low_fps, covered, moved, surge, after_hours, disagreement
                subject TEXT NOT NULL,        -- site, gate id or feed id the alert is about
                severity TEXT NOT NULL,       -- info | warning | critical
                state TEXT NOT NULL,          -- open | acknowledged | resolved
                message TEXT NOT NULL,        -- English
                message_vi TEXT,              -- Vietnamese (the console shows the user's language)
                value REAL,
                raised_ms INTEGER NOT NULL,
                updated_ms INTEGER NOT NULL,
                occurrences INTEGER NOT NULL DEFAULT 1,
                ack_by TEXT, ack_ms INTEGER, ack_note TEXT,
                resolved_ms INTEGER
            );
            CREATE UNIQUE INDEX alert_one_open ON alert(kind, subject) WHERE state != 'resolved';
            CREATE INDEX alert_raised ON alert(raised_ms);
            CREATE INDEX alert_state ON alert(state, updated_ms);

            -- Current health of each feed, rewritten about once a second.
            CREATE TABLE feed_health (
                feed_id TEXT PRIMARY KEY,
                updated_ms INTEGER NOT NULL,
                state TEXT NOT NULL,          -- starting | live | reconnecting | offline | ended | stopped
                capture_fps REAL NOT NULL DEFAULT 0,
                process_fps REAL NOT NULL DEFAULT 0,
                decode_ms REAL NOT NULL DEFAULT 0,
                detect_ms REAL NOT NULL DEFAULT 0,
                track_ms REAL NOT NULL DEFAULT 0,
                frames INTEGER NOT NULL DEFAULT 0,
                dropped INTEGER NOT NULL DEFAULT 0,
                queue_depth INTEGER NOT NULL DEFAULT 0,
                last_frame_ms INTEGER,
                reconnects INTEGER NOT NULL DEFAULT 0,
                last_error TEXT
            );
            -- Per-minute feed health history.
            -- fps and detect_ms are means over the minute's samples; dropped,
            -- reconnects and frames are the feed's running totals at the last sample.
            CREATE TABLE feed_health_minute (
                minute_ms INTEGER NOT NULL,
                feed_id TEXT NOT NULL,
                capture_fps REAL NOT NULL,
                process_fps REAL NOT NULL,
                detect_ms REAL NOT NULL,
                dropped INTEGER NOT NULL,
                reconnects INTEGER NOT NULL,
                samples INTEGER NOT NULL DEFAULT 1,
                state TEXT NOT NULL DEFAULT 'live',   -- state at the last sample
                frames INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (feed_id, minute_ms)
            );

            -- The running pipeline's heartbeat (one row), so consoles can tell it stopped.
            CREATE TABLE pipeline (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                pid INTEGER NOT NULL,
                version TEXT NOT NULL,
                started_ms INTEGER NOT NULL,
                heartbeat_ms INTEGER NOT NULL,
                state TEXT NOT NULL,          -- running | stopped
                write_ms REAL NOT NULL DEFAULT 0   -- last batch write latency
            );

            -- Acceptance test runs (kiểm thử) and their per-scenario results.
            CREATE TABLE test_run (
                id INTEGER PRIMARY KEY,
                suite TEXT NOT NULL,
                started_ms INTEGER NOT NULL,
                finished_ms INTEGER,
                version TEXT NOT NULL,
                machine TEXT NOT NULL,
                passed INTEGER NOT NULL DEFAULT 0,
                failed INTEGER NOT NULL DEFAULT 0,
                verdict TEXT NOT NULL DEFAULT 'running',  -- running | pass | fail
                report_path TEXT              -- the signed-off report written for this run, if any
            );
            CREATE TABLE test_result (
                id INTEGER PRIMARY KEY,
                run_id INTEGER NOT NULL REFERENCES test_run(id) ON DELETE CASCADE,
                scenario TEXT NOT NULL,
                line_id TEXT,
                expected_in INTEGER, expected_out INTEGER,
                counted_in INTEGER, counted_out INTEGER,
                tolerance REAL,
                fps REAL, required_fps REAL,
                verdict TEXT NOT NULL,        -- pass | fail | error | known_weakness (reported, not failed)
                detail TEXT,
                frames INTEGER,
                seconds REAL,
                finished_ms INTEGER
            );
            CREATE INDEX test_result_run ON test_result(run_id);
            """)
    }

    /// What a signed acceptance report names (operator, build, model and clip checksums, load),
    /// kept with the run so `gatewatch test report RUN_ID` can write it again.
    private static func testReportDetails(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE test_run ADD COLUMN provenance TEXT;   -- JSON, RunProvenance
            ALTER TABLE test_result ADD COLUMN report TEXT;    -- JSON, ScenarioReport
            """)
    }

    /// The site's thresholds (SiteThresholds), so every reader decides capacity levels and
    /// feed freshness from the numbers the runner uses. NULL (older rows): the defaults.
    private static func siteThresholds(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE site ADD COLUMN capacity_warning REAL;
            ALTER TABLE site ADD COLUMN capacity_critical REAL;
            ALTER TABLE site ADD COLUMN stale_seconds REAL;
            ALTER TABLE site ADD COLUMN offline_seconds REAL;
            ALTER TABLE site ADD COLUMN heartbeat_seconds REAL;
            """)
    }

    /// Camera URLs were stored with their password; keep only the masked form.
    /// (The writer runs with secure_delete, so the old bytes are zeroed too.)
    private static func v2MaskedFeedSource(_ db: Database) throws {
        for row in try Row.fetchAll(db, sql: "SELECT id, source FROM feed") {
            let source: String = row["source"]
            let masked = redactedURL(source)
            if masked != source {
                try db.execute(sql: "UPDATE feed SET source = ? WHERE id = ?", arguments: [masked, row["id"] as String])
            }
        }
        for row in try Row.fetchAll(db, sql: "SELECT feed_id, last_error FROM feed_health WHERE last_error LIKE '%://%@%'") {
            let text: String = row["last_error"]
            try db.execute(sql: "UPDATE feed_health SET last_error = ? WHERE feed_id = ?",
                           arguments: [redactedURL(text), row["feed_id"] as String])
        }
    }

    /// Hourly and daily rollups in the site's zone, filled from the per-minute rollup.
    private static func v3LocalRollups(_ db: Database) throws {
        try db.execute(sql: Rollups.createSQL)
        let zone = try String.fetchOne(db, sql: "SELECT time_zone FROM site WHERE id = 1") ?? defaultSiteTimeZone
        try Rollups.rebuild(db, zoneName: zone)
    }

    /// Small named settings the console keeps with the site (e.g. its acceptance suite folders).
    private static func consoleSettings(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE setting (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL,       -- JSON
                updated_ms INTEGER NOT NULL
            );
            """)
    }

    /// Each alert's subject type, so a restart restores a feed's alert as the feed's even
    /// where a gate has the same id, and one open alert per (kind, subject type, id).
    /// Older rows are filled from the kind (each kind was raised for one subject type up
    /// to here), else from the gate and feed tables; an id in neither or both stays NULL
    /// and the runner falls back to its config.
    private static func v4TypedAlerts(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE alert ADD COLUMN subject_type TEXT;   -- site | gate | feed
            UPDATE alert SET subject_type = CASE
                WHEN kind IN ('capacity', 'surge') THEN 'site'
                WHEN kind IN ('offline', 'frozen', 'low_fps', 'covered', 'moved') THEN 'feed'
                WHEN kind IN ('after_hours', 'disagreement') THEN 'gate'
                WHEN subject = 'site' THEN 'site'
                WHEN subject IN (SELECT id FROM feed) AND subject NOT IN (SELECT id FROM gate) THEN 'feed'
                WHEN subject IN (SELECT id FROM gate) AND subject NOT IN (SELECT id FROM feed) THEN 'gate'
            END;
            DROP INDEX alert_one_open;
            CREATE UNIQUE INDEX alert_one_open ON alert(kind, subject_type, subject) WHERE state != 'resolved';
            """)
    }

    /// Head counts set by hand at the desk (audited), and the daily occupancy reset time.
    private static func occupancyCorrections(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE occupancy_correction (
                id INTEGER PRIMARY KEY,
                at_ms INTEGER NOT NULL,
                count INTEGER NOT NULL,       -- the head count set
                previous INTEGER NOT NULL,    -- the occupancy just before
                operator TEXT NOT NULL,
                note TEXT NOT NULL
            );
            CREATE INDEX occupancy_correction_at ON occupancy_correction(at_ms);
            ALTER TABLE site ADD COLUMN occupancy_reset_minute INTEGER;  -- minutes after local midnight
            """)
    }

    /// Where each feed's detector looks and how often it runs, for status and the console.
    private static func detectionEngine(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE feed ADD COLUMN detect_region TEXT NOT NULL DEFAULT 'full';  -- full | auto | x1,y1,x2,y2
            ALTER TABLE feed ADD COLUMN cadence TEXT NOT NULL DEFAULT 'adaptive';   -- adaptive | fixed
            ALTER TABLE feed_health ADD COLUMN detector_runs_per_s REAL NOT NULL DEFAULT 0;
            """)
    }

    /// Site-file reloads of a running site (audited: when, what asked, what was applied).
    private static func configReloads(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE config_reload (
                id INTEGER PRIMARY KEY,
                at_ms INTEGER NOT NULL,
                trigger TEXT NOT NULL,        -- signal | file-changed
                config_path TEXT NOT NULL,
                outcome TEXT NOT NULL,        -- applied | unchanged | refused
                detail TEXT NOT NULL          -- the lines changed, or why it was refused
            );
            CREATE INDEX config_reload_at ON config_reload(at_ms);
            """)
    }

    /// The runner's write queue at each heartbeat: crossings waiting to be written and those
    /// dropped because the queue overflowed while the database failed (for `/metrics`).
    private static func writerBacklog(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE pipeline ADD COLUMN writer_pending INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE pipeline ADD COLUMN writer_dropped INTEGER NOT NULL DEFAULT 0;
            """)
    }
}
