import Crypto
import Foundation
import GateAPI
import GateCore

/// One site's batch as the hub reads it (HubWire's shape), checked before anything is
/// stored: every problem is a `HubRejection`.
struct HubBatch: Sendable {
    enum Payload: Sendable {
        case crossings([EventPayloads.Crossing])
        case alert(EventPayloads.Alert)
        case feed(EventPayloads.FeedState)
    }

    struct Event: Sendable {
        var seq: Int64
        var type: String
        var createdMs: Int64
        var payload: Payload
        /// SHA-256 of the event's canonical JSON: a resend has the same, another database's
        /// event under the same number has not.
        var digest: Data
    }

    var site: String
    var sentMs: Int64
    var status: HubSiteStatus?
    /// The site's own answers for the live reads, and its newest acceptance runs, as JSON to
    /// store; nil when the batch has none or one this hub cannot read (the events still count).
    var picture: String?
    var tests: String?
    var events: [Event]

    /// Decodes and checks `body` for the site `keySite` at hub time `nowMs`.
    static func read(_ body: Data, keySite: String, nowMs: Int64) throws -> HubBatch {
        guard body.count <= HubWire.maxBatchBytes else { throw HubRejection.tooLarge(bytes: body.count) }
        let wire: Wire
        do {
            wire = try JSONDecoder().decode(Wire.self, from: body)
        } catch let error as DecodingError {
            throw HubRejection.malformed(Self.explain(error))
        } catch {
            throw HubRejection.malformed("not JSON")
        }
        guard wire.site == keySite else { throw HubRejection.otherSite(keySite: keySite, batchSite: wire.site) }
        guard nowMs - wire.sent_ms <= HubWire.replayWindowMs else { throw HubRejection.replay(sentMs: wire.sent_ms, nowMs: nowMs) }
        guard wire.events.count <= HubWire.maxEvents else {
            throw HubRejection.malformed("\(wire.events.count) events, more than \(HubWire.maxEvents)")
        }
        var events: [Event] = []
        var previous: Int64 = 0
        for e in wire.events {
            guard e.site == keySite else { throw HubRejection.foreignRows(keySite: keySite, seq: e.sequence, rowSite: e.site) }
            guard e.sequence > previous else {
                throw HubRejection.malformed("event \(e.sequence) comes after \(previous); sequences must rise")
            }
            previous = e.sequence
            events.append(Event(seq: e.sequence, type: e.type, createdMs: e.created.ms, payload: e.payload, digest: e.digest))
        }
        return HubBatch(site: wire.site, sentMs: wire.sent_ms, status: wire.status,
                        picture: wire.picture?.json, tests: wire.tests?.json, events: events)
    }

    /// A decoding error as the place and the problem (`events[3].data.crossings[0].time: missing`).
    static func explain(_ error: DecodingError) -> String {
        func path(_ keys: [CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let c): return "\(path(c.codingPath + [key])): missing"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c.codingPath)): wrong type"
        case .dataCorrupted(let c):
            return c.codingPath.isEmpty ? "not JSON" : "\(path(c.codingPath)): \(TextSafety.echo(c.debugDescription, limit: 80))"
        @unknown default: return "cannot be read"
        }
    }

    /// JSON with sorted keys: the same value always gives the same bytes (digests, storage).
    static func canonical<T: Encodable>(_ value: T) -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? e.encode(value)) ?? Data()
    }

    // MARK: - The wire shapes

    private struct Wire: Decodable {
        var site: String
        var sent_ms: Int64
        var status: HubSiteStatus?
        var picture: Lenient<SitePicture>?
        var tests: Lenient<SitePicture.Tests>?
        var events: [WireEvent]
    }

    /// A part read if it can be: a site newer than this hub may send a picture it cannot read,
    /// and its counts must not wait for that. Kept as canonical JSON.
    private struct Lenient<T: Codable>: Decodable {
        var json: String?
        init(from decoder: Decoder) throws {
            json = (try? T(from: decoder)).flatMap { try? String(decoding: HubBatch.canonical($0), as: UTF8.self) }
        }
    }

    private struct WireEvent: Decodable {
        var sequence: Int64
        var type: String
        var site: String
        var created: EventPayloads.Instant
        var payload: Payload
        var digest: Data

        enum Keys: String, CodingKey { case sequence, type, site, created, data }

        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: Keys.self)
            sequence = try c.decode(Int64.self, forKey: .sequence)
            type = try c.decode(String.self, forKey: .type)
            site = try c.decode(String.self, forKey: .site)
            created = try c.decode(EventPayloads.Instant.self, forKey: .created)
            let canonical: Data
            switch WebhookEventType(rawValue: type) {
            case .crossings:
                let batch = try c.decode(EventPayloads.CrossingBatch.self, forKey: .data)
                for x in batch.crossings where x.direction != "in" && x.direction != "out" {
                    throw DecodingError.dataCorruptedError(forKey: .data, in: c,
                                                           debugDescription: "crossing \(x.id) has direction '\(x.direction)', not in or out")
                }
                payload = .crossings(batch.crossings)
                canonical = HubBatch.canonical(EventPayloads.Envelope(sequence: sequence, type: type, site: site, created: created, data: batch))
            case .alertRaised, .alertAcknowledged, .alertResolved:
                let alert = try c.decode(EventPayloads.Alert.self, forKey: .data)
                payload = .alert(alert)
                canonical = HubBatch.canonical(EventPayloads.Envelope(sequence: sequence, type: type, site: site, created: created, data: alert))
            case .feedState:
                let feed = try c.decode(EventPayloads.FeedState.self, forKey: .data)
                payload = .feed(feed)
                canonical = HubBatch.canonical(EventPayloads.Envelope(sequence: sequence, type: type, site: site, created: created, data: feed))
            case .counts, nil:
                throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                                                       debugDescription: "event type '\(type)' is not one the hub keeps (crossings, alert.*, feed.state)")
            }
            digest = Data(SHA256.hash(data: canonical))
        }
    }
}
