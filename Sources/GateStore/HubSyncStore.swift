import Foundation
import GRDB
import GateCore

/// Where the site's sync to the province hub stands (status, /metrics, the console, the
/// lag alert): the outbox events the hub has not acknowledged yet.
public struct HubSyncBacklog: Equatable, Sendable, Codable {
    /// The hub's URL, masked.
    public var hub: String
    public var pending: Int
    /// When the oldest event still waiting was made; nil when nothing waits.
    public var oldestPendingMs: Int64?
    public var acknowledgedSeq: Int64
    public var lastAckMs: Int64?
    public var attempts: Int
    public var lastError: String?
    public var lastErrorMs: Int64?

    /// How far behind the hub is: the age of the oldest event it has not acknowledged.
    public func lagSeconds(now: Int64) -> Double {
        oldestPendingMs.map { max(0, Double(now - $0) / 1000) } ?? 0
    }
}

/// The hub's cursor in the outbox (one row, `hub_sync`): the outbox is shared with the
/// webhook endpoints, and an event is pruned only when every consumer is past it.
enum HubSyncTable {
    static func migrate(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE hub_sync (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                hub TEXT NOT NULL,                -- masked URL
                cursor_seq INTEGER NOT NULL,      -- the last event the hub acknowledged
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_ms INTEGER,
                last_error TEXT,
                last_error_ms INTEGER,
                last_ack_ms INTEGER
            );
            """)
    }

    /// Events of the site's past queued by `queueHubHistory`: the hub sync's alone (webhook
    /// receivers had them when they happened), so no `WebhookEventKind` names it.
    static let historyCategory = "history"

    /// The categories' SQL list, from HubWire (one place), and the history's.
    static var categoriesSQL: String {
        (HubWire.categories.map(\.rawValue) + [historyCategory]).map { "'\($0)'" }.joined(separator: ", ")
    }

    static func wants(_ category: WebhookEventKind, db: Database) throws -> Bool {
        guard HubWire.categories.contains(category), try db.tableExists("hub_sync") else { return false }
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM hub_sync)") ?? false
    }
}

extension GateDatabase {
    /// Makes `hub_sync` match the config: a new hub starts after the newest event (history
    /// before sync was set up is not sent), a kept one keeps its cursor, none forgets it.
    public func syncHubSettings(_ sync: SyncSettings?) throws {
        try write("save the hub sync settings") { db in
            guard let sync else {
                try db.execute(sql: "DELETE FROM hub_sync")
                try Self.pruneOutbox(db)
                return
            }
            let newest = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox_event'") ?? 0
            try db.execute(sql: """
                INSERT INTO hub_sync (id, hub, cursor_seq) VALUES (1, ?, ?)
                ON CONFLICT(id) DO UPDATE SET hub = excluded.hub
                """, arguments: [redactedURL(sync.hubURL), newest])
        }
    }

    /// Queues the site's history since `fromMs` for the hub (a site that counted before it was
    /// given `sync:`): its crossings, `perEvent` to an event, and its alerts raised since then as
    /// they stand now. The hub keeps each crossing once (by the site's id), so what it already
    /// has costs only the sending. A transaction per `eventsPerTransaction` events, so a running
    /// site's writer waits at most for one of them. Returns what was queued.
    public func queueHubHistory(fromMs: Int64, perEvent: Int = 500, eventsPerTransaction: Int = 20) throws -> (crossings: Int, alerts: Int) {
        let syncing = try read("read the hub sync") { db in try HubSyncTable.wants(.crossings, db: db) }
        guard syncing else {
            throw StoreError.invalidArgument(what: "hub history", detail: "this database has no hub sync yet; add sync: to the site file and run `gatewatch sync` or `gatewatch run` once")
        }
        var afterId: Int64 = 0, crossings = 0
        while true {
            let (queued, lastId) = try write("queue the site's history for the hub") { db -> (Int, Int64?) in
                let clock = try OutboxPayloads.Clock(db)
                var queued = 0, lastId: Int64?
                for _ in 0..<eventsPerTransaction {
                    let rows = try Row.fetchAll(db, sql: """
                        SELECT id, ts_ms, feed_id, gate_id, line_id, direction, track_id, confidence FROM crossing
                        WHERE id > ? AND ts_ms >= ? ORDER BY id LIMIT ?
                        """, arguments: [lastId ?? afterId, fromMs, perEvent])
                    guard !rows.isEmpty else { break }
                    let batch = EventPayloads.CrossingBatch(crossings: rows.map {
                        EventPayloads.Crossing(id: $0["id"], time: clock.instant($0["ts_ms"]), gate_id: $0["gate_id"], line_id: $0["line_id"],
                                               feed_id: $0["feed_id"], direction: ($0["direction"] as Int) > 0 ? "in" : "out",
                                               track_id: $0["track_id"], confidence: $0["confidence"])
                    })
                    try Outbox.append(.crossings, data: batch, db: db, clock: clock, category: HubSyncTable.historyCategory)
                    queued += rows.count
                    lastId = rows.last?["id"]
                }
                return (queued, lastId)
            }
            crossings += queued
            guard let lastId else { break }
            afterId = lastId
        }
        let alerts = try write("queue the site's alerts for the hub") { db -> Int in
            let clock = try OutboxPayloads.Clock(db)
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM alert WHERE raised_ms >= ? ORDER BY id", arguments: [fromMs])
            for id in ids {
                guard let alert = try OutboxPayloads.alert(id: id, db: db, clock: clock) else { continue }
                let type: WebhookEventType = alert.state == "resolved" ? .alertResolved : alert.state == "acknowledged" ? .alertAcknowledged : .alertRaised
                try Outbox.append(type, data: alert, db: db, clock: clock, category: HubSyncTable.historyCategory)
            }
            return ids.count
        }
        return (crossings, alerts)
    }

    /// Up to `limit` events after the hub's cursor, oldest first.
    public func hubSyncEvents(limit: Int) throws -> [OutboxEvent] {
        try read("read events for the hub") { db in
            try Row.fetchAll(db, sql: """
                SELECT o.seq, o.type, o.created_ms, o.body FROM hub_sync h
                JOIN outbox_event o ON o.seq > h.cursor_seq AND o.category IN (\(HubSyncTable.categoriesSQL))
                ORDER BY o.seq LIMIT ?
                """, arguments: [max(1, limit)]).map {
                OutboxEvent(seq: $0["seq"], type: $0["type"], createdMs: $0["created_ms"], body: $0["body"])
            }
        }
    }

    /// The hub committed everything up to `seq`: the cursor moves there and the tries reset.
    public func hubSyncAcknowledged(through seq: Int64, at nowMs: Int64 = currentTimeMs()) throws {
        try write("record the hub's acknowledgement") { db in
            try db.execute(sql: """
                UPDATE hub_sync SET cursor_seq = MAX(cursor_seq, ?), attempts = 0, next_attempt_ms = NULL, last_ack_ms = ?
                """, arguments: [seq, nowMs])
            try Self.pruneOutbox(db)
        }
    }

    /// A batch the hub did not take: the count of tries, when to try again, the reason.
    public func hubSyncFailed(attempts: Int, error: String, nextAttemptMs: Int64, at nowMs: Int64 = currentTimeMs()) throws {
        try write("record a failed sync") { db in
            try db.execute(sql: "UPDATE hub_sync SET attempts = ?, next_attempt_ms = ?, last_error = ?, last_error_ms = ?",
                           arguments: [attempts, nextAttemptMs, Self.oneLine(error), nowMs])
        }
    }

    /// The sync's backlog; nil when the site does not sync.
    public func hubSyncBacklog() throws -> HubSyncBacklog? {
        try read("read the hub sync backlog") { db in try Self.hubSyncBacklog(db) }
    }

    static func hubSyncBacklog(_ db: Database) throws -> HubSyncBacklog? {
        guard try db.tableExists("hub_sync"), let r = try Row.fetchOne(db, sql: """
            SELECT h.*, COUNT(o.seq) AS pending, MIN(o.created_ms) AS oldest FROM hub_sync h
            LEFT JOIN outbox_event o ON o.seq > h.cursor_seq AND o.category IN (\(HubSyncTable.categoriesSQL))
            GROUP BY h.id
            """) else { return nil }
        return HubSyncBacklog(hub: r["hub"], pending: r["pending"], oldestPendingMs: r["oldest"], acknowledgedSeq: r["cursor_seq"],
                              lastAckMs: r["last_ack_ms"], attempts: r["attempts"], lastError: r["last_error"],
                              lastErrorMs: r["last_error_ms"])
    }

    /// What the next batch tells the hub about the site now.
    public func hubSiteStatus(now nowMs: Int64 = currentTimeMs()) throws -> HubSiteStatus {
        try read("read the site's status for the hub") { db in
            let site = try StoreQueries.site(db)
            let occupancy = try StoreQueries.occupancy(db, now: nowMs).occupancy(capacity: site?.capacity ?? 0)
            let backlog = try Self.hubSyncBacklog(db)
            let openAlerts = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM alert WHERE state != 'resolved'") ?? 0
            let health = try StoreQueries.feedHealth(db)
            let offline = health.filter { FeedState(rawValue: $0.state)?.isDown ?? false }.count
            return HubSiteStatus(occupancy: occupancy.count, capacity: site?.capacity ?? 0, ins_today: occupancy.ins,
                                 outs_today: occupancy.outs, time_zone: site?.timeZone ?? defaultSiteTimeZone,
                                 backlog: backlog?.pending ?? 0, oldest_pending_ms: backlog?.oldestPendingMs,
                                 open_alerts: openAlerts, feeds_offline: offline, feeds: health.count)
        }
    }
}

extension SnapshotReads {
    /// The hub sync's backlog in the console's snapshot transaction; nil without sync.
    public func hubSyncBacklog() throws -> HubSyncBacklog? { try GateDatabase.hubSyncBacklog(db) }
}
