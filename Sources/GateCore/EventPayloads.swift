import Foundation

/// The JSON bodies of outbox events, in the read API's shapes and names (openapi.yaml:
/// `Instant`, `Crossing`, `Alert`, `Text`): written by the site's outbox (GateStore), read
/// back by the province hub. Every body is the envelope `{sequence, type, site, created, data}`.
public enum EventPayloads {
    /// UTC milliseconds plus ISO 8601 in the site's zone (the API's `Instant`).
    public struct Instant: Codable, Equatable, Sendable {
        public var ms: Int64
        public var local: String
        public init(ms: Int64, local: String) { self.ms = ms; self.local = local }
    }

    public struct Text: Codable, Equatable, Sendable {
        public var vi: String
        public var en: String
        public init(vi: String, en: String) { self.vi = vi; self.en = en }
    }

    public struct Crossing: Codable, Equatable, Sendable {
        public var id: Int64
        public var time: Instant
        public var gate_id: String
        public var line_id: String
        public var feed_id: String
        public var direction: String
        public var track_id: Int64
        public var confidence: Double
        public init(id: Int64, time: Instant, gate_id: String, line_id: String, feed_id: String, direction: String,
                    track_id: Int64, confidence: Double) {
            self.id = id; self.time = time; self.gate_id = gate_id; self.line_id = line_id; self.feed_id = feed_id
            self.direction = direction; self.track_id = track_id; self.confidence = confidence
        }
    }

    public struct CrossingBatch: Codable, Equatable, Sendable {
        public var crossings: [Crossing]
        public init(crossings: [Crossing]) { self.crossings = crossings }
    }

    public struct GateMinute: Codable, Equatable, Sendable {
        public var id: String
        public var ins: Int
        public var outs: Int
        public var net: Int
        public init(id: String, ins: Int, outs: Int, net: Int) { self.id = id; self.ins = ins; self.outs = outs; self.net = net }
    }

    public struct LineMinute: Codable, Equatable, Sendable {
        public var id: String
        public var gate_id: String
        public var ins: Int
        public var outs: Int
        public init(id: String, gate_id: String, ins: Int, outs: Int) {
            self.id = id; self.gate_id = gate_id; self.ins = ins; self.outs = outs
        }
    }

    public struct Counts: Codable, Equatable, Sendable {
        public var start: Instant
        public var end: Instant
        public var ins: Int
        public var outs: Int
        public var gates: [GateMinute]
        public var lines: [LineMinute]
        public init(start: Instant, end: Instant, ins: Int, outs: Int, gates: [GateMinute], lines: [LineMinute]) {
            self.start = start; self.end = end; self.ins = ins; self.outs = outs; self.gates = gates; self.lines = lines
        }
    }

    public struct Acknowledged: Codable, Equatable, Sendable {
        public var by: String
        public var at: Instant
        public var note: String?
        public init(by: String, at: Instant, note: String?) { self.by = by; self.at = at; self.note = note }
    }

    public struct Alert: Codable, Equatable, Sendable {
        public var id: Int64
        public var kind: String
        public var subject: String
        public var subject_type: String?
        public var severity: String
        public var state: String
        public var message: Text
        public var value: Double?
        public var raised: Instant
        public var updated: Instant
        public var occurrences: Int
        public var acknowledged: Acknowledged?
        public var resolved: Instant?
        public init(id: Int64, kind: String, subject: String, subject_type: String?, severity: String, state: String,
                    message: Text, value: Double?, raised: Instant, updated: Instant, occurrences: Int,
                    acknowledged: Acknowledged?, resolved: Instant?) {
            self.id = id; self.kind = kind; self.subject = subject; self.subject_type = subject_type
            self.severity = severity; self.state = state; self.message = message; self.value = value
            self.raised = raised; self.updated = updated; self.occurrences = occurrences
            self.acknowledged = acknowledged; self.resolved = resolved
        }
    }

    public struct FeedState: Codable, Equatable, Sendable {
        public var id: String
        public var gate_id: String?
        public var state: String
        public var previous_state: String?
        public var at: Instant
        public var last_error: String?
        public init(id: String, gate_id: String?, state: String, previous_state: String?, at: Instant, last_error: String?) {
            self.id = id; self.gate_id = gate_id; self.state = state; self.previous_state = previous_state
            self.at = at; self.last_error = last_error
        }
    }

    /// The envelope every event body is.
    public struct Envelope<T: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
        public var sequence: Int64
        public var type: String
        public var site: String
        public var created: Instant
        public var data: T
        public init(sequence: Int64, type: String, site: String, created: Instant, data: T) {
            self.sequence = sequence; self.type = type; self.site = site; self.created = created; self.data = data
        }
    }
}
