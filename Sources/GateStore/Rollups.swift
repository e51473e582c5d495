import Foundation
import GRDB
import GateCore

/// Hourly and daily in/out per line in the site's time zone, kept by the writer in
/// the same transaction as the crossings (like the per-minute rollup), so a year's
/// report or the console's History reads a few thousand rows instead of millions.
/// `crossing_hour.hour_ms` is the absolute start of a local hour; `crossing_day.day`
/// the local day as days since 1970-01-01. `rollup_zone` names the zone they are in.
enum Rollups {
    static let createSQL = """
        CREATE TABLE crossing_hour (
            hour_ms INTEGER NOT NULL,     -- absolute start of the site-local hour
            line_id TEXT NOT NULL,
            gate_id TEXT NOT NULL,
            ins INTEGER NOT NULL DEFAULT 0,
            outs INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (hour_ms, line_id)
        );
        CREATE TABLE crossing_day (
            day INTEGER NOT NULL,         -- site-local day, days since 1970-01-01
            line_id TEXT NOT NULL,
            gate_id TEXT NOT NULL,
            ins INTEGER NOT NULL DEFAULT 0,
            outs INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (day, line_id)
        );
        -- The time zone the hour and day rollups were computed in (one row).
        CREATE TABLE rollup_zone (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            time_zone TEXT NOT NULL
        );
        """

    /// The zone the rollups are in, or nil before any.
    static func zoneName(_ db: Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT time_zone FROM rollup_zone WHERE id = 1")
    }

    static func zone(_ db: Database) throws -> TimeZone {
        try zoneName(db).flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: defaultSiteTimeZone)!
    }

    /// Adds a batch of crossings to the hour and day rollups (caller's transaction).
    static func add(_ events: [CrossingEvent], db: Database) throws {
        if events.isEmpty { return }
        var offsets = ZoneOffsets(try zone(db))
        struct Key: Hashable { var period: Int64; var line: String }
        var hours: [Key: (gate: String, ins: Int, outs: Int)] = [:]
        var days: [Key: (gate: String, ins: Int, outs: Int)] = [:]
        for e in events {
            let isIn = e.direction == .in
            let h = Key(period: offsets.hourStart(e.timestampMs), line: e.lineId)
            var r = hours[h] ?? (e.gateId, 0, 0)
            if isIn { r.ins += 1 } else { r.outs += 1 }
            hours[h] = r
            let d = Key(period: offsets.localDay(e.timestampMs), line: e.lineId)
            var t = days[d] ?? (e.gateId, 0, 0)
            if isIn { t.ins += 1 } else { t.outs += 1 }
            days[d] = t
        }
        for (table, column, rows) in [("crossing_hour", "hour_ms", hours), ("crossing_day", "day", days)] {
            let upsert = try db.cachedStatement(sql: """
                INSERT INTO \(table) (\(column), line_id, gate_id, ins, outs) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(\(column), line_id) DO UPDATE SET ins = ins + excluded.ins, outs = outs + excluded.outs
                """)
            for (key, r) in rows { try upsert.execute(arguments: [key.period, key.line, r.gate, r.ins, r.outs]) }
        }
    }

    /// Recomputes both rollups in `zoneName` from the per-minute rollup (kept by
    /// retention, so the whole history moves to the new zone). One grouped insert
    /// per stretch of constant offset; minutes are exact for every real zone.
    static func rebuild(_ db: Database, zoneName: String) throws {
        let tz = TimeZone(identifier: zoneName) ?? TimeZone(identifier: defaultSiteTimeZone)!
        try db.execute(sql: "DELETE FROM crossing_hour; DELETE FROM crossing_day")
        try db.execute(sql: """
            INSERT INTO rollup_zone (id, time_zone) VALUES (1, ?)
            ON CONFLICT(id) DO UPDATE SET time_zone = excluded.time_zone
            """, arguments: [tz.identifier])
        guard let range = try Row.fetchOne(db, sql: "SELECT MIN(minute_ms) AS lo, MAX(minute_ms) AS hi FROM crossing_minute"),
              let lo: Int64 = range["lo"], let hi: Int64 = range["hi"] else { return }
        var offsets = ZoneOffsets(tz)
        var from = lo
        while from <= hi {
            let off = offsets.offsetMs(at: from)
            let next = tz.nextDaylightSavingTimeTransition(after: Date(ms: from))?.ms ?? .max
            let until = min(next, hi + 1)
            // ((x % n) + n) % n: SQLite's % keeps the sign of x; times before 1970 still floor.
            try db.execute(sql: """
                INSERT INTO crossing_hour (hour_ms, line_id, gate_id, ins, outs)
                SELECT minute_ms - (((minute_ms + ?1) % 3600000) + 3600000) % 3600000 AS h, line_id, MAX(gate_id),
                       SUM(ins), SUM(outs)
                FROM crossing_minute WHERE minute_ms >= ?2 AND minute_ms < ?3 GROUP BY h, line_id
                ON CONFLICT(hour_ms, line_id) DO UPDATE SET ins = ins + excluded.ins, outs = outs + excluded.outs
                """, arguments: [off, from, until])
            try db.execute(sql: """
                INSERT INTO crossing_day (day, line_id, gate_id, ins, outs)
                SELECT (minute_ms + ?1 - (((minute_ms + ?1) % 86400000) + 86400000) % 86400000) / 86400000 AS d,
                       line_id, MAX(gate_id), SUM(ins), SUM(outs)
                FROM crossing_minute WHERE minute_ms >= ?2 AND minute_ms < ?3 GROUP BY d, line_id
                ON CONFLICT(day, line_id) DO UPDATE SET ins = ins + excluded.ins, outs = outs + excluded.outs
                """, arguments: [off, from, until])
            from = until
        }
    }

    /// Keeps the rollups in the site's zone: rebuilds them when the zone changed.
    static func follow(zoneName: String, db: Database) throws {
        let wanted = TimeZone(identifier: zoneName)?.identifier ?? defaultSiteTimeZone
        if try self.zoneName(db) != wanted { try rebuild(db, zoneName: wanted) }
    }
}
