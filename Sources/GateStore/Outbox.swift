import Foundation
import GRDB
import GateCore

/// The outbox of webhooks and the hub sync (HubSyncStore.swift). One row per event (`outbox_event`), whatever the number of
/// endpoints, plus each endpoint's delivery state (`webhook_endpoint`: a cursor, the tries
/// of the event after it, the last error). Endpoints are delivered strictly in order, so a
/// cursor is the whole state: the body is stored once and a new endpoint needs no copies.
/// Events are written in the transaction of the data they describe, and only in a category
/// some endpoint wants (a site without webhooks writes none). `seq` is AUTOINCREMENT:
/// never reused after pruning, because it is the receiver's Idempotency-Key.
enum Outbox {
    static let createSQL = """
        CREATE TABLE outbox_event (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,   -- the Idempotency-Key
            category TEXT NOT NULL,       -- crossings | counts | alerts | feeds
            type TEXT NOT NULL,           -- crossings, counts, alert.raised, alert.acknowledged, alert.resolved, feed.state
            created_ms INTEGER NOT NULL,
            body TEXT NOT NULL            -- the JSON POSTed, the same bytes on every try
        );
        CREATE TABLE webhook_endpoint (
            id TEXT PRIMARY KEY,
            url TEXT NOT NULL,            -- masked (no credentials)
            events TEXT NOT NULL,         -- ',crossings,alerts,' (categories, comma-framed)
            cursor_seq INTEGER NOT NULL,  -- the last event delivered or dead-lettered
            attempts INTEGER NOT NULL DEFAULT 0,   -- failed tries of the event after the cursor
            next_attempt_ms INTEGER,
            last_error TEXT,
            last_error_ms INTEGER,
            last_delivered_seq INTEGER,
            last_delivered_ms INTEGER,
            dead_lettered INTEGER NOT NULL DEFAULT 0
        );
        CREATE TABLE webhook_dead_letter (
            endpoint_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            type TEXT NOT NULL,
            attempts INTEGER NOT NULL,
            last_error TEXT NOT NULL,
            at_ms INTEGER NOT NULL,
            body TEXT NOT NULL,           -- kept: the outbox row may be pruned
            PRIMARY KEY (endpoint_id, seq)
        );
        -- The last UTC minute whose counts event was written (one row).
        CREATE TABLE outbox_minute (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            minute_ms INTEGER NOT NULL
        );
        """

    static func migrate(_ db: Database) throws { try db.execute(sql: createSQL) }

    /// Whether any endpoint wants `category` (cheap: a handful of rows).
    static func wanted(_ category: WebhookEventKind, db: Database) throws -> Bool {
        if try HubSyncTable.wants(category, db: db) { return true }
        // A console acknowledging on a database no runner of this version has opened yet.
        guard try db.tableExists("webhook_endpoint") else { return false }
        return try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM webhook_endpoint WHERE instr(events, ?) > 0)",
                          arguments: [",\(category.rawValue),"]) ?? false
    }

    /// Appends one event in the caller's transaction and returns its sequence number.
    /// `category` other than the type's own: `history`, which only the hub sync reads.
    @discardableResult
    static func append<T: Codable & Sendable & Equatable>(_ type: WebhookEventType, data: T, db: Database, clock: OutboxPayloads.Clock,
                                     nowMs: Int64 = currentTimeMs(), category: String? = nil) throws -> Int64 {
        try db.execute(sql: "INSERT INTO outbox_event (category, type, created_ms, body) VALUES (?, ?, ?, '')",
                       arguments: [category ?? type.kind.rawValue, type.rawValue, nowMs])
        let seq = db.lastInsertedRowID
        let site = try String.fetchOne(db, sql: "SELECT name FROM site WHERE id = 1") ?? ""
        let envelope = EventPayloads.Envelope(sequence: seq, type: type.rawValue, site: site, created: clock.instant(nowMs), data: data)
        try db.execute(sql: "UPDATE outbox_event SET body = ? WHERE seq = ?", arguments: [OutboxPayloads.json(envelope), seq])
        return seq
    }

    // MARK: - What the writers call (inside their transactions)

    static func crossingsStored(_ stored: [(id: Int64, event: CrossingEvent)], db: Database) throws {
        guard !stored.isEmpty, try wanted(.crossings, db: db) else { return }
        let clock = try OutboxPayloads.Clock(db)
        try append(.crossings, data: OutboxPayloads.crossings(stored, clock: clock), db: db, clock: clock)
    }

    static func alertChanged(id: Int64, _ type: WebhookEventType, db: Database) throws {
        guard try wanted(.alerts, db: db) else { return }
        let clock = try OutboxPayloads.Clock(db)
        guard let alert = try OutboxPayloads.alert(id: id, db: db, clock: clock) else { return }
        try append(type, data: alert, db: db, clock: clock)
    }

    /// A feed's state before `h` is written over it; an event when it changes.
    static func feedHealthWriting(_ h: FeedHealth, db: Database) throws {
        guard try wanted(.feeds, db: db) else { return }
        let previous = try String.fetchOne(db, sql: "SELECT state FROM feed_health WHERE feed_id = ?", arguments: [h.feedId])
        guard previous != h.state else { return }
        let clock = try OutboxPayloads.Clock(db)
        let gate = try String.fetchOne(db, sql: "SELECT gate_id FROM feed WHERE id = ?", arguments: [h.feedId])
        let data = OutboxPayloads.FeedState(id: h.feedId, gate_id: gate, state: h.state, previous_state: previous,
                                            at: clock.instant(h.updatedMs), last_error: h.lastError.map(redactedURL))
        try append(.feedState, data: data, db: db, clock: clock)
    }
}
