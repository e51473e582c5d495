import Foundation
import Yams

/// What a webhook endpoint may be sent (`webhooks[].events`). Raw values are the config's
/// words and the outbox's `category` column.
public enum WebhookEventKind: String, Sendable, Codable, CaseIterable, Equatable {
    /// One event per batch of crossings the writer stores (`crossings`).
    case crossings
    /// One event per closed UTC minute with each gate's in/out (`counts`).
    case counts
    /// An alert raised, acknowledged or resolved (`alert.raised`, `alert.acknowledged`, `alert.resolved`).
    case alerts
    /// A feed's state changed (`feed.state`).
    case feeds
}

/// The event types a receiver sees in the body's `type` and the `X-GateWatch-Event` header.
public enum WebhookEventType: String, Sendable, Codable, CaseIterable {
    case crossings
    case counts
    case alertRaised = "alert.raised"
    case alertAcknowledged = "alert.acknowledged"
    case alertResolved = "alert.resolved"
    case feedState = "feed.state"

    public var kind: WebhookEventKind {
        switch self {
        case .crossings: return .crossings
        case .counts: return .counts
        case .alertRaised, .alertAcknowledged, .alertResolved: return .alerts
        case .feedState: return .feeds
        }
    }
}

/// A webhook's shared secret. Its description is always `***`, so interpolating an
/// endpoint or its secret into a log line, an error or `check-config` output never shows it;
/// only the signer reads `value`.
public struct WebhookSecret: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "***" }
    public var debugDescription: String { "***" }
    /// Fewer characters than this are refused: an HMAC key a receiver could guess.
    public static let minimumLength = 16
}

/// One receiver of the site's events (`webhooks[]`).
public struct WebhookEndpoint: Equatable, Sendable {
    public var id: String
    /// http:// or https:// URL the events are POSTed to.
    public var url: String
    public var events: [WebhookEventKind]
    public var secret: WebhookSecret
    /// Tries of one event before it is dead-lettered and the next one goes.
    public var maxAttempts: Int
    /// Seconds one request may take.
    public var timeoutSeconds: Double

    public init(id: String, url: String, events: [WebhookEventKind], secret: WebhookSecret,
                maxAttempts: Int = Int(Limits.webhookMaxAttempts.defaultValue!),
                timeoutSeconds: Double = Limits.webhookTimeout.defaultValue!) {
        self.id = id; self.url = url; self.events = events; self.secret = secret
        self.maxAttempts = maxAttempts; self.timeoutSeconds = timeoutSeconds
    }

    public func wants(_ type: WebhookEventType) -> Bool { events.contains(type.kind) }
}

/// When a failed delivery is tried again: 1 s doubling to a cap of 5 minutes, each wait
/// spread ±25% so many sites do not hit a receiver that comes back in step.
public enum WebhookRetry {
    public static let firstDelaySeconds = 1.0
    public static let maxDelaySeconds = 300.0
    public static let jitter = 0.25

    /// The wait after the `attempt`-th failed try (1-based); `unit` is a random number in
    /// 0..<1 (injected, so tests can pin the schedule).
    public static func delaySeconds(afterAttempt attempt: Int, unit: Double) -> Double {
        let exponent = Double(min(max(attempt, 1) - 1, 30))
        let base = min(maxDelaySeconds, firstDelaySeconds * pow(2, exponent))
        return base * (1 - jitter + 2 * jitter * min(max(unit, 0), 1))
    }
}

extension Limits {
    /// With the retry schedule above, the default 30 tries span about 2 hours: a receiver
    /// down for an hour loses nothing.
    public static let webhookMaxAttempts = NumericLimit("max_attempts", .whole, min: 1, max: 1000, defaultValue: 30,
                                                        hint: "tries of one event before it is dead-lettered; 30 retry for about 2 hours")
    public static let webhookTimeout = NumericLimit("timeout", .real, min: 0, max: 300, minExclusive: true,
                                                    defaultValue: 10, unit: "seconds", hint: "how long one delivery may take")
}

extension ConfigKeys {
    /// The keys of `webhooks:` in a site file.
    static let webhookKeys: [ConfigKey] = [
        ConfigKey("webhooks", .list(of: "webhook endpoints"), default: "none",
                  "receivers the site's events are POSTed to, signed, in order, at least once"),
        ConfigKey("webhooks[].id", .identifier, required: true, "the endpoint's id, unique in the file (shown in status)"),
        ConfigKey("webhooks[].url", .text, required: true, "http:// or https:// URL the events are POSTed to"),
        ConfigKey("webhooks[].events", .choices(noun: "webhook event", WebhookEventKind.allCases.map(\.rawValue)),
                  required: true,
                  "crossings = each stored batch of crossings, counts = per-minute counts, alerts = raised/acknowledged/resolved, feeds = feed state changes"),
        ConfigKey("webhooks[].secret", .text, required: true,
                  "HMAC-SHA256 key of the X-GateWatch-Signature header, at least \(WebhookSecret.minimumLength) characters (never printed)"),
        ConfigKey("webhooks[].max_attempts", .number(Limits.webhookMaxAttempts), Limits.webhookMaxAttempts.hint),
        ConfigKey("webhooks[].timeout", .number(Limits.webhookTimeout), Limits.webhookTimeout.hint),
    ]
}

extension YAMLReader {
    /// `webhooks:`: a list of endpoints, each checked (ids unique, an http(s) URL with a host,
    /// at least one event, a long enough secret); the first problem is one ConfigError line.
    func webhookEndpoints(_ n: Node) throws -> [WebhookEndpoint] {
        var seen: [String: Node] = [:]
        var endpoints: [WebhookEndpoint] = []
        for (i, item) in try list(n, "webhooks", what: "webhook endpoint", nonEmpty: false).enumerated() {
            let e = try mapping(item, path: "webhooks[\(i)]", section: "webhooks[]",
                                example: "id: ioc, url: https://..., events: [crossings, alerts], secret: ...")
            let id = try e.identifier("id")!
            if let first = seen[id] {
                let at = first.mark.map { " (first at line \($0.line), column \($0.column))" } ?? ""
                throw fail(e["id"], e.child("id"), "duplicate webhook id '\(id)'\(at); webhook ids must be unique")
            }
            seen[id] = e["id"]!
            let url = try e.text("url")!
            if let problem = Self.webhookURLProblem(url) { throw fail(e["url"], e.child("url"), problem) }
            let events = try e.choices("events")!.compactMap(WebhookEventKind.init(rawValue:))
            if events.isEmpty { throw fail(e["events"], e.child("events"), "the list is empty; name at least one event") }
            let secret = try e.text("secret")!
            if secret.count < WebhookSecret.minimumLength {
                throw fail(e["secret"], e.child("secret"),
                           "is \(secret.count) characters, fewer than \(WebhookSecret.minimumLength); use a long random one, e.g. the output of `openssl rand -hex 32`")
            }
            var endpoint = WebhookEndpoint(id: id, url: url, events: events, secret: WebhookSecret(secret))
            endpoint.maxAttempts = try e.whole("max_attempts") ?? endpoint.maxAttempts
            endpoint.timeoutSeconds = try e.number("timeout") ?? endpoint.timeoutSeconds
            endpoints.append(endpoint)
        }
        return endpoints
    }

    /// Why `url` is no URL to POST to (not http/https, no host, spaces), or nil. The URL is
    /// echoed masked: it may carry credentials.
    static func webhookURLProblem(_ url: String) -> String? {
        let shown = "'\(TextSafety.echo(redactedURL(url), limit: 120))'"
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased() else {
            return "\(shown) is not a URL; write http://host:port/path or https://host/path"
        }
        guard scheme == "http" || scheme == "https" else {
            return "\(shown) uses '\(TextSafety.echo(scheme, limit: 20))'; webhooks are sent over http:// or https:// only"
        }
        guard let host = parts.host, !host.isEmpty else {
            return "\(shown) has no host; write \(scheme)://host:port/path"
        }
        return nil
    }
}

/// The words status and the console use about the province hub sync (Vietnamese, English).
public enum HubSyncWord: Sendable, CaseIterable {
    case title, lag, lastAcknowledged
}

extension Words {
    public static func hubSync(_ w: HubSyncWord, _ lang: Language) -> String {
        switch w {
        case .title: return lang == .vi ? "Đồng bộ lên máy chủ tỉnh" : "Province hub sync"
        case .lag: return lang == .vi ? "chậm" : "behind"
        case .lastAcknowledged: return lang == .vi ? "tỉnh nhận cuối" : "last acknowledged"
        }
    }
}

/// The words status, the console and reports use about webhooks (Vietnamese, English).
public enum WebhookWord: Sendable, CaseIterable {
    case title, pending, deadLettered, lastDelivered, never, lastError, tries, none
}

extension Words {
    public static func webhook(_ w: WebhookWord, _ lang: Language) -> String {
        let (vi, en): (String, String)
        switch w {
        case .title: (vi, en) = ("Webhook (gửi sự kiện đi)", "Webhooks")
        case .pending: (vi, en) = ("chờ gửi", "pending")
        case .deadLettered: (vi, en) = ("đã bỏ", "dead-lettered")
        case .lastDelivered: (vi, en) = ("gửi được cuối", "last delivered")
        case .never: (vi, en) = ("chưa lần nào", "never")
        case .lastError: (vi, en) = ("lỗi cuối", "last error")
        case .tries: (vi, en) = ("lần thử", "tries")
        case .none: (vi, en) = ("không có", "none")
        }
        return lang == .vi ? vi : en
    }
}
