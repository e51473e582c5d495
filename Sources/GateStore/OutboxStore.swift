import Foundation
import GRDB
import GateCore

/// One stored webhook event, as the delivery worker reads it.
public struct OutboxEvent: Equatable, Sendable {
    public var seq: Int64
    public var type: String
    public var createdMs: Int64
    public var body: String
}

/// Where one endpoint's deliveries stand (status, console, /metrics, and the worker on start).
public struct WebhookBacklog: Equatable, Sendable, Codable {
    public var endpointId: String
    /// Masked URL.
    public var url: String
    /// Events after the cursor in the endpoint's categories, waiting to be delivered.
    public var pending: Int
    public var deadLettered: Int
    /// Failed tries of the event now at the head.
    public var attempts: Int
    public var nextAttemptMs: Int64?
    public var lastError: String?
    public var lastErrorMs: Int64?
    public var lastDeliveredSeq: Int64?
    public var lastDeliveredMs: Int64?
}

extension GateDatabase {
    /// Makes `webhook_endpoint` match the config: a new endpoint starts after the newest
    /// event (it is not sent the past), a kept one keeps its cursor, a removed one is
    /// forgotten. Events no endpoint still waits for are pruned.
    public func syncWebhookEndpoints(_ endpoints: [WebhookEndpoint]) throws {
        try write("save webhook endpoints") { db in
            try db.execute(sql: "DELETE FROM webhook_endpoint WHERE id NOT IN (SELECT value FROM json_each(?))",
                           arguments: [Self.jsonArray(endpoints.map(\.id))])
            let newest = try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'outbox_event'") ?? 0
            for e in endpoints {
                let events = "," + e.events.map(\.rawValue).joined(separator: ",") + ","
                try db.execute(sql: """
                    INSERT INTO webhook_endpoint (id, url, events, cursor_seq) VALUES (?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET url = excluded.url, events = excluded.events
                    """, arguments: [e.id, redactedURL(e.url), events, newest])
            }
            try Self.pruneOutbox(db)
        }
    }

    /// Deletes events every consumer (each endpoint, the hub) is past; all of them when there is none.
    static func pruneOutbox(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM outbox_event WHERE seq <= MIN(COALESCE((SELECT MIN(cursor_seq) FROM webhook_endpoint), 9223372036854775807),
                                                      COALESCE((SELECT cursor_seq FROM hub_sync), 9223372036854775807))
            """)
    }

    /// Writes a `counts` event for each UTC minute that ended at or before `endMs` and was
    /// not yet sent, in one transaction with the marker. Minutes before `runningSinceMs`
    /// are sent only when they hold crossings (a site switched off is not 1440 zero minutes
    /// a day). At most `limit` minutes a call. Returns how many events were written.
    @discardableResult
    public func closeCountMinutes(endingBy endMs: Int64, runningSinceMs: Int64, limit: Int = 120,
                                  at nowMs: Int64 = currentTimeMs()) throws -> Int {
        try write("write per-minute counts for webhooks") { db in
            guard try Outbox.wanted(.counts, db: db) else { return 0 }
            let lastEnded = minuteStart(endMs) - 60_000   // start of the last whole minute
            let marker = try Int64.fetchOne(db, sql: "SELECT minute_ms FROM outbox_minute WHERE id = 1")
            // First time: start with the minute the runner started in.
            var next = marker.map { $0 + 60_000 } ?? minuteStart(runningSinceMs)
            var written = 0, last = marker
            let clock = try OutboxPayloads.Clock(db)
            let since = minuteStart(runningSinceMs)
            while next <= lastEnded && written < limit {
                if next < since {
                    // Before this run: on to the next minute with crossings, else to the run's start.
                    let busy = try Int64.fetchOne(db, sql: """
                        SELECT MIN(minute_ms) FROM crossing_minute WHERE minute_ms >= ? AND minute_ms < ?
                        """, arguments: [next, since])
                    guard let busy else { next = since; continue }
                    next = busy
                    if next > lastEnded { break }
                }
                try Outbox.append(.counts, data: try OutboxPayloads.counts(minuteMs: next, db: db, clock: clock),
                                  db: db, clock: clock, nowMs: nowMs)
                written += 1; last = next; next += 60_000
            }
            if let last, last != marker {
                try db.execute(sql: """
                    INSERT INTO outbox_minute (id, minute_ms) VALUES (1, ?)
                    ON CONFLICT(id) DO UPDATE SET minute_ms = excluded.minute_ms
                    """, arguments: [last])
            }
            return written
        }
    }

    /// Up to `limit` events after the endpoint's cursor in its categories, oldest first.
    public func webhookEvents(endpointId: String, limit: Int) throws -> [OutboxEvent] {
        try read("read webhook events") { db in
            try Row.fetchAll(db, sql: """
                SELECT o.seq, o.type, o.created_ms, o.body FROM webhook_endpoint w
                JOIN outbox_event o ON o.seq > w.cursor_seq AND instr(w.events, ',' || o.category || ',') > 0
                WHERE w.id = ? ORDER BY o.seq LIMIT ?
                """, arguments: [endpointId, max(1, limit)]).map {
                OutboxEvent(seq: $0["seq"], type: $0["type"], createdMs: $0["created_ms"], body: $0["body"])
            }
        }
    }

    /// The receiver answered 2xx for `seq`: the cursor moves past it and the tries reset.
    public func webhookDelivered(endpointId: String, seq: Int64, at nowMs: Int64 = currentTimeMs()) throws {
        try write("record webhook delivery") { db in
            try db.execute(sql: """
                UPDATE webhook_endpoint SET cursor_seq = MAX(cursor_seq, ?1), attempts = 0, next_attempt_ms = NULL,
                    last_delivered_seq = ?1, last_delivered_ms = ?2 WHERE id = ?3
                """, arguments: [seq, nowMs, endpointId])
            try Self.pruneOutbox(db)
        }
    }

    /// A failed try of the head event: its count, when to try again and the error (one line).
    public func webhookFailed(endpointId: String, attempts: Int, error: String, nextAttemptMs: Int64,
                              at nowMs: Int64 = currentTimeMs()) throws {
        try write("record webhook failure") { db in
            try db.execute(sql: """
                UPDATE webhook_endpoint SET attempts = ?, next_attempt_ms = ?, last_error = ?, last_error_ms = ? WHERE id = ?
                """, arguments: [attempts, nextAttemptMs, Self.oneLine(error), nowMs, endpointId])
        }
    }

    /// The head event failed its last try: kept in `webhook_dead_letter` with the error, and
    /// the endpoint moves on to the next one.
    public func webhookDeadLettered(endpointId: String, event: OutboxEvent, attempts: Int, error: String,
                                    at nowMs: Int64 = currentTimeMs()) throws {
        try write("dead-letter webhook event") { db in
            let line = Self.oneLine(error)
            try db.execute(sql: """
                INSERT OR REPLACE INTO webhook_dead_letter (endpoint_id, seq, type, attempts, last_error, at_ms, body)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [endpointId, event.seq, event.type, attempts, line, nowMs, event.body])
            try db.execute(sql: """
                UPDATE webhook_endpoint SET cursor_seq = MAX(cursor_seq, ?), attempts = 0, next_attempt_ms = NULL,
                    last_error = ?, last_error_ms = ?, dead_lettered = dead_lettered + 1 WHERE id = ?
                """, arguments: [event.seq, line, nowMs, endpointId])
            try Self.pruneOutbox(db)
        }
    }

    /// Every endpoint's backlog, by id; empty for a database without webhooks.
    public func webhookBacklog() throws -> [WebhookBacklog] {
        try read("read webhook backlog") { db in try Self.webhookBacklog(db) }
    }

    static func webhookBacklog(_ db: Database) throws -> [WebhookBacklog] {
        guard try db.tableExists("webhook_endpoint") else { return [] }
        return try Row.fetchAll(db, sql: """
            SELECT w.*, (SELECT COUNT(*) FROM outbox_event o
                         WHERE o.seq > w.cursor_seq AND instr(w.events, ',' || o.category || ',') > 0) AS pending
            FROM webhook_endpoint w ORDER BY w.id
            """).map { r in
            WebhookBacklog(endpointId: r["id"], url: r["url"], pending: r["pending"], deadLettered: r["dead_lettered"],
                           attempts: r["attempts"], nextAttemptMs: r["next_attempt_ms"], lastError: r["last_error"],
                           lastErrorMs: r["last_error_ms"], lastDeliveredSeq: r["last_delivered_seq"],
                           lastDeliveredMs: r["last_delivered_ms"])
        }
    }

    /// An error as one short line, with URLs masked.
    // (SnapshotReads.webhookBacklog reads the same in the console's snapshot transaction.)
    static func oneLine(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return String(redactedURL(flat).prefix(300))
    }
}

extension SnapshotReads {
    /// Each webhook endpoint's backlog, in the console's snapshot transaction.
    public func webhookBacklog() throws -> [WebhookBacklog] { try GateDatabase.webhookBacklog(db) }
}
