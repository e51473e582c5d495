import Foundation
import GRDB
import GateCore

/// The JSON bodies of webhook events, in the read API's shapes and names (openapi.yaml:
/// `Instant`, `Crossing`, `Alert`, `Text`), built inside the transaction that writes what
/// they describe. Every body is the envelope `{sequence, type, site, created, data}`.
enum OutboxPayloads {
    typealias Instant = EventPayloads.Instant
    typealias Text = EventPayloads.Text
    typealias Crossing = EventPayloads.Crossing
    typealias CrossingBatch = EventPayloads.CrossingBatch
    typealias GateMinute = EventPayloads.GateMinute
    typealias LineMinute = EventPayloads.LineMinute
    typealias Counts = EventPayloads.Counts
    typealias Acknowledged = EventPayloads.Acknowledged
    typealias Alert = EventPayloads.Alert
    typealias FeedState = EventPayloads.FeedState

    /// Formats times in the site's zone (the rollups' zone, kept with the site).
    struct Clock {
        let formatter: ISO8601DateFormatter
        init(_ db: Database) throws {
            formatter = ISO8601DateFormatter()
            formatter.timeZone = try Rollups.zone(db)
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        }
        func instant(_ ms: Int64) -> Instant {
            Instant(ms: ms, local: formatter.string(from: Date(timeIntervalSince1970: Double(ms) / 1000)))
        }
    }

    static func json<T: Encodable>(_ value: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func crossings(_ stored: [(id: Int64, event: CrossingEvent)], clock: Clock) -> CrossingBatch {
        CrossingBatch(crossings: stored.map { id, e in
            Crossing(id: id, time: clock.instant(e.timestampMs), gate_id: e.gateId, line_id: e.lineId, feed_id: e.feedId,
                     direction: e.direction == .in ? "in" : "out", track_id: Int64(e.trackId), confidence: e.confidence)
        })
    }

    /// The alert `id` as it stands after the change (nil when the row is gone).
    static func alert(id: Int64, db: Database, clock: Clock) throws -> Alert? {
        guard let r = try Row.fetchOne(db, sql: "SELECT * FROM alert WHERE id = ?", arguments: [id]) else { return nil }
        let en: String = r["message"]
        var ack: Acknowledged?
        if let by: String = r["ack_by"], let at: Int64 = r["ack_ms"] {
            ack = Acknowledged(by: by, at: clock.instant(at), note: r["ack_note"])
        }
        let resolvedMs: Int64? = r["resolved_ms"]
        return Alert(id: id, kind: r["kind"], subject: r["subject"], subject_type: r["subject_type"], severity: r["severity"],
                     state: r["state"], message: Text(vi: r["message_vi"] ?? en, en: en), value: r["value"],
                     raised: clock.instant(r["raised_ms"]), updated: clock.instant(r["updated_ms"]),
                     occurrences: r["occurrences"], acknowledged: ack, resolved: resolvedMs.map(clock.instant))
    }

    /// Each gate's and line's in/out in the UTC minute starting at `minuteMs`, every
    /// configured gate listed (a quiet minute is zeros, not silence).
    static func counts(minuteMs: Int64, db: Database, clock: Clock) throws -> Counts {
        let rows = try Row.fetchAll(db, sql: """
            SELECT m.line_id, m.gate_id, m.ins, m.outs, COALESCE(l.feed_id, m.line_id) AS feed_id
            FROM crossing_minute m LEFT JOIN line l ON l.id = m.line_id
            WHERE m.minute_ms = ? ORDER BY m.gate_id, m.line_id
            """, arguments: [minuteMs])
        let lines = rows.map { LineMinute(id: $0["line_id"], gate_id: $0["gate_id"], ins: $0["ins"], outs: $0["outs"]) }
        let feedOfLine = Dictionary(rows.map { ($0["line_id"] as String, $0["feed_id"] as String) }, uniquingKeysWith: { a, _ in a })
        var gateIds = try String.fetchAll(db, sql: "SELECT id FROM gate ORDER BY position")
        for l in lines where !gateIds.contains(l.gate_id) { gateIds.append(l.gate_id) }
        // A gate counts as its busiest camera in each direction, a camera's lines add up
        // (GateCore's Occupancy rule, as in the API's gate counts).
        let gates = gateIds.map { g -> GateMinute in
            var perFeed: [String: (ins: Int, outs: Int)] = [:]
            for l in lines where l.gate_id == g {
                let f = feedOfLine[l.id] ?? l.id
                perFeed[f, default: (0, 0)].ins += l.ins
                perFeed[f, default: (0, 0)].outs += l.outs
            }
            let ins = perFeed.values.map(\.ins).max() ?? 0, outs = perFeed.values.map(\.outs).max() ?? 0
            return GateMinute(id: g, ins: ins, outs: outs, net: ins - outs)
        }
        return Counts(start: clock.instant(minuteMs), end: clock.instant(minuteMs + 60_000),
                      ins: gates.map(\.ins).reduce(0, +), outs: gates.map(\.outs).reduce(0, +), gates: gates, lines: lines)
    }
}
