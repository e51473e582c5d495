import Foundation
import Yams

/// A site's key for the province hub (`sync.key`, from `gatewatch hub site add`). Its
/// description is always `***`, so no log line, error or `check-config` output shows it.
public struct HubSiteKey: Equatable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public let value: String
    public init(_ value: String) { self.value = value }
    public var description: String { "***" }
    public var debugDescription: String { "***" }
}

/// Where a site sends its events for the province (`sync:` in the site file).
public struct SyncSettings: Equatable, Sendable {
    /// The hub's base URL (https:// in production); batches go to `<hub>/v1/sync/batches`.
    public var hubURL: String
    public var key: HubSiteKey
    /// Events older than this still waiting to reach the hub raise the `sync_lag` alert.
    public var lagAlertSeconds: Double
    /// Events per batch.
    public var batch: Int
    /// Seconds one request may take.
    public var timeoutSeconds = HubWire.requestTimeoutSeconds
    /// PEM file of the certificate authority the hub's certificate is checked against (the
    /// province's own CA); nil: the system's trusted authorities. An absolute path.
    public var caFile: String?

    public init(hubURL: String, key: HubSiteKey, lagAlertSeconds: Double = Limits.syncLagAlert.defaultValue!,
                batch: Int = Int(Limits.syncBatch.defaultValue!)) {
        self.hubURL = hubURL; self.key = key; self.lagAlertSeconds = lagAlertSeconds; self.batch = batch
    }

    /// The ingest URL (one place for the path, used by the site and served by the hub).
    public var batchesURL: String {
        (hubURL.hasSuffix("/") ? String(hubURL.dropLast()) : hubURL) + HubWire.batchesPath
    }
}

/// The site → hub protocol: what a batch is, what the hub answers, and why it refuses one.
/// A batch is `{"site", "sent_ms", "status", "events": [outbox envelopes]}`, POSTed with
/// `Authorization: Bearer <site key>`; the hub answers 200 `{"acknowledged_through", "stored",
/// "duplicates"}` only after its transaction committed, or 4xx `{"code", "reason"}`.
public enum HubWire {
    public static let batchesPath = "/v1/sync/batches"
    /// The categories the hub keeps (per-minute `counts` it computes itself from crossings).
    public static let categories: [WebhookEventKind] = [.crossings, .alerts, .feeds]
    /// A batch sent longer ago than this is refused as a replay (a fresh one is sent by
    /// the site itself at each try, so only a copy can be this old).
    public static let replayWindowMs: Int64 = 24 * 3_600_000
    /// Larger bodies are refused before they are read.
    public static let maxBatchBytes = 16 * 1024 * 1024
    public static let maxEvents = 5_000
    /// A site with nothing new still sends an empty batch this often: its status and
    /// the proof it is alive.
    public static let heartbeatSeconds = 15.0
    /// A site's live picture (occupancy, cameras, runner) older than this at the hub is shown as
    /// not vouched for: the runner `not_responding`, its cameras `unknown` (four heartbeats missed).
    public static let pictureStaleSeconds = 4 * heartbeatSeconds
    /// How often a site looks whether its acceptance runs changed (they go to the hub when they did).
    public static let testRunsCheckSeconds = 60.0
    /// How long one batch may take (a batch of 500 events is committed in well under a second).
    public static let requestTimeoutSeconds = 30.0
    /// Why `name` cannot name a site at the hub, or nil. It is the site file's `site.name`
    /// (Vietnamese, spaces and all), so only blank, overlong or control characters are refused.
    public static func siteNameProblem(_ name: String) -> String? {
        if name.trimmingCharacters(in: .whitespaces).isEmpty { return "the site name is empty; use the site file's site.name" }
        if name.count > 100 { return "the site name is \(name.count) characters, more than 100; use the site file's site.name" }
        if name != name.trimmingCharacters(in: .whitespaces) { return "the site name starts or ends with spaces; use the site file's site.name exactly" }
        if name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) }) {
            return "the site name holds control characters; use the site file's site.name"
        }
        return nil
    }

    /// The longest wait between a site's tries (webhooks wait up to 5 minutes).
    public static let maxRetrySeconds = 20.0
}

/// Why the hub refused a batch: a stable code for programs, a sentence for the technician
/// (what, where, what to do). Nothing of a refused batch is stored.
public enum HubRejection: Error, Equatable, Sendable, CustomStringConvertible {
    case missingKey
    case unknownKey
    case revokedKey(site: String)
    /// The batch names a site other than the key's.
    case otherSite(keySite: String, batchSite: String)
    /// An event inside the batch belongs to another site.
    case foreignRows(keySite: String, seq: Int64, rowSite: String)
    case replay(sentMs: Int64, nowMs: Int64)
    /// A sequence number the hub already holds with other content: the site's database
    /// was replaced or restored from a backup.
    case conflict(seq: Int64)
    case malformed(String)
    case tooLarge(bytes: Int)

    public var code: String {
        switch self {
        case .missingKey: return "missing_key"
        case .unknownKey: return "unknown_key"
        case .revokedKey: return "revoked_key"
        case .otherSite: return "other_site"
        case .foreignRows: return "foreign_rows"
        case .replay: return "replay"
        case .conflict: return "sequence_conflict"
        case .malformed: return "malformed_batch"
        case .tooLarge: return "batch_too_large"
        }
    }

    public var httpStatus: Int {
        switch self {
        case .missingKey, .unknownKey, .revokedKey: return 401
        case .otherSite, .foreignRows: return 403
        case .replay, .conflict: return 409
        case .malformed: return 400
        case .tooLarge: return 413
        }
    }

    public var description: String {
        switch self {
        case .missingKey:
            return "no site key: send Authorization: Bearer <key> (the site's sync.key, from `gatewatch hub site add`)"
        case .unknownKey:
            return "the site key is not one of this hub's: check sync.key in the site file, or issue one with `gatewatch hub site add NAME`"
        case .revokedKey(let site):
            return "the key of site '\(site)' was revoked at the hub; nothing was stored and the site keeps its events: ask the province for a new key (gatewatch hub site rekey) and put it in sync.key"
        case .otherSite(let keySite, let batchSite):
            return "the batch says it is from site '\(TextSafety.echo(batchSite, limit: 64))' but the key is site '\(keySite)''s; each site syncs with its own key (site.name must match the name the key was issued for)"
        case .foreignRows(let keySite, let seq, let rowSite):
            return "event \(seq) in the batch belongs to site '\(TextSafety.echo(rowSite, limit: 64))', not '\(keySite)'; a key writes only its own site's rows, so the whole batch was refused"
        case .replay(let sentMs, let nowMs):
            let hours = max(0, nowMs - sentMs) / 3_600_000
            return "the batch was sent \(hours) h ago (more than \(HubWire.replayWindowMs / 3_600_000) h): a replayed copy, or the site's clock is wrong; nothing was stored — check the site's clock (timedatectl), the site resends by itself"
        case .conflict(let seq):
            return "event \(seq) is already stored at the hub with different content: the site's database was replaced or restored from a backup, so its numbers repeat ones the hub holds; nothing was stored — restore the newest database, or give this database its own site at the hub (a new site.name and `gatewatch hub site add`)"
        case .malformed(let detail):
            return "the batch is not a GateWatch sync batch: \(detail); nothing was stored"
        case .tooLarge(let bytes):
            return "the batch is \(bytes / 1024) KiB, more than \(HubWire.maxBatchBytes / 1024 / 1024) MiB; lower sync.batch"
        }
    }
}

extension Limits {
    public static let syncLagAlert = NumericLimit("lag_alert", .real, min: 30, max: 7 * 86_400, defaultValue: 900, unit: "seconds",
                                                  hint: "events waiting longer than this to reach the hub raise the sync lag alert")
    public static let syncBatch = NumericLimit("batch", .whole, min: 1, max: Double(HubWire.maxEvents), defaultValue: 500,
                                               hint: "events per batch sent to the hub")
    /// `gatewatch sync --timeout` (a flag, not a site-file key).
    public static let syncCommandTimeout = NumericLimit("timeout", .real, min: 0, max: 86_400, minExclusive: true, defaultValue: 60,
                                                        unit: "seconds", hint: "how long to keep trying")
}

extension ConfigKeys {
    /// The keys of `sync:` in a site file.
    static let syncKeys: [ConfigKey] = [
        ConfigKey("sync", .section, default: "no hub",
                  "send the site's crossings, alerts and feed states to the province hub, in order, at least once, with nothing lost while the link is down"),
        ConfigKey("sync.hub", .text, required: true, "the hub's base URL, https://host:port (http:// only on a trusted network)"),
        ConfigKey("sync.key", .text, required: true, "this site's key, from `gatewatch hub site add NAME` at the hub (never printed)"),
        ConfigKey("sync.lag_alert", .number(Limits.syncLagAlert), Limits.syncLagAlert.hint),
        ConfigKey("sync.batch", .number(Limits.syncBatch), Limits.syncBatch.hint),
        ConfigKey("sync.ca_file", .text, default: "the system's authorities",
                  "PEM file of the CA that issued the hub's certificate (the province's own CA), relative to the site file's folder"),
    ]
}

extension YAMLReader {
    /// `sync:`: the hub's URL (checked like a webhook's) and a key of the site-key format.
    func syncSettings(_ n: Node) throws -> SyncSettings {
        let e = try mapping(n, path: "sync", section: "sync", example: "hub: https://hub.example:8443, key: gws_...")
        let url = try e.text("hub")!
        if let problem = Self.webhookURLProblem(url) { throw fail(e["hub"], e.child("hub"), problem) }
        let key = try e.text("key")!
        guard SecretKeyFormat.siteKey.prefix(of: key) != nil else {
            throw fail(e["key"], e.child("key"),
                       "is not a site key (they start with \(SecretKeyFormat.siteKey.lead)); copy the key `gatewatch hub site add` printed")
        }
        var s = SyncSettings(hubURL: url, key: HubSiteKey(key))
        s.lagAlertSeconds = try e.number("lag_alert") ?? s.lagAlertSeconds
        s.batch = try e.whole("batch") ?? s.batch
        if let ca = try e.text("ca_file") {
            let folder = (file as NSString).deletingLastPathComponent
            let path = ca.hasPrefix("/") ? ca : ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent(ca)
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw fail(e["ca_file"], e.child("ca_file"), "cannot read '\(TextSafety.echo(path, limit: 200))'; give the PEM file of the CA that issued the hub's certificate")
            }
            s.caFile = path
        }
        return s
    }
}

/// Why a site needs the province's attention (the hub's /v1/sites), most urgent first.
public enum HubAttention {
    public static let neverSynced = "never_synced"
    public static let syncLag = "sync_lag"
    public static let feedsOffline = "feeds_offline"
    public static let capacity = "capacity"
    public static let alerts = "alerts"
    public static let order = [neverSynced, syncLag, feedsOffline, capacity, alerts]
    public static func rank(_ word: String?) -> Int { word.flatMap { order.firstIndex(of: $0) } ?? order.count }

    /// What needs attention at a site, most urgent first: the hub's (with `neverSynced` and
    /// `lagging`) and a site's own server's (both false) `GET /v1/sites`.
    public static func of(_ status: HubSiteStatus?, neverSynced: Bool, lagging: Bool) -> [String] {
        var words: [String] = []
        if neverSynced { words.append(Self.neverSynced) }
        if lagging { words.append(syncLag) }
        if let s = status {
            if s.feeds_offline > 0 { words.append(feedsOffline) }
            if s.capacity > 0 && s.occupancy >= s.capacity { words.append(capacity) }
            if s.open_alerts > 0 { words.append(alerts) }
        }
        return words
    }
}

extension Words {
    /// An attention word of the hub's site list in the console's language.
    public static func attention(_ word: String, _ lang: Language) -> String {
        let (vi, en): (String, String)
        switch word {
        case HubAttention.neverSynced: (vi, en) = ("chưa đồng bộ lần nào", "never synced")
        case HubAttention.syncLag: (vi, en) = ("đồng bộ chậm", "sync behind")
        case HubAttention.feedsOffline: (vi, en) = ("mất camera", "cameras offline")
        case HubAttention.capacity: (vi, en) = ("quá sức chứa", "at capacity")
        case HubAttention.alerts: (vi, en) = ("có cảnh báo", "open alerts")
        default: return word
        }
        return lang == .vi ? vi : en
    }
}

/// The site's status as each batch carries it to the hub (its "now" in the province view);
/// `backlog` and `oldest_pending_ms` are what waits at the site after that batch.
public struct HubSiteStatus: Codable, Equatable, Sendable {
    public var occupancy: Int
    public var capacity: Int
    public var ins_today: Int
    public var outs_today: Int
    public var time_zone: String
    public var backlog: Int
    public var oldest_pending_ms: Int64?
    public var open_alerts: Int
    public var feeds_offline: Int
    public var feeds: Int

    public init(occupancy: Int, capacity: Int, ins_today: Int, outs_today: Int, time_zone: String, backlog: Int,
                oldest_pending_ms: Int64?, open_alerts: Int, feeds_offline: Int, feeds: Int) {
        self.occupancy = occupancy; self.capacity = capacity; self.ins_today = ins_today; self.outs_today = outs_today
        self.time_zone = time_zone; self.backlog = backlog; self.oldest_pending_ms = oldest_pending_ms
        self.open_alerts = open_alerts; self.feeds_offline = feeds_offline; self.feeds = feeds
    }
}

/// A site as the province sees it now (`GET /v1/sites`).
public struct HubSiteSummary: Codable, Equatable, Sendable {
    public var name: String
    public var revoked: Bool
    public var occupancy: Int?
    public var capacity: Int?
    public var ins_today: Int?
    public var outs_today: Int?
    public var open_alerts: Int?
    public var feeds_offline: Int?
    public var feeds: Int?
    /// Events waiting at the site as of its last batch.
    public var backlog: Int?
    public var last_batch_ms: Int64?
    /// Age of the oldest event the hub does not have yet (or of the last batch, when none waits).
    public var lag_seconds: Double?
    /// What needs attention, most urgent first: never_synced, sync_lag, feeds_offline, capacity, alerts.
    public var attention: [String]

    public init(name: String, revoked: Bool, occupancy: Int?, capacity: Int?, ins_today: Int?, outs_today: Int?,
                open_alerts: Int?, feeds_offline: Int?, feeds: Int?, backlog: Int?, last_batch_ms: Int64?,
                lag_seconds: Double?, attention: [String]) {
        self.name = name; self.revoked = revoked; self.occupancy = occupancy; self.capacity = capacity
        self.ins_today = ins_today; self.outs_today = outs_today; self.open_alerts = open_alerts
        self.feeds_offline = feeds_offline; self.feeds = feeds; self.backlog = backlog; self.last_batch_ms = last_batch_ms
        self.lag_seconds = lag_seconds; self.attention = attention
    }
}


/// An alert of a site as the hub holds it (its latest event).
public struct HubAlertRow: Codable, Equatable, Sendable {
    public var site: String
    public var id: Int64
    public var kind: String
    public var subject: String
    public var severity: String
    public var state: String
    public var message: EventPayloads.Text
    public var raised_ms: Int64
    public var updated_ms: Int64
    public var resolved_ms: Int64?

    public init(site: String, id: Int64, kind: String, subject: String, severity: String, state: String,
                message: EventPayloads.Text, raised_ms: Int64, updated_ms: Int64, resolved_ms: Int64?) {
        self.site = site; self.id = id; self.kind = kind; self.subject = subject; self.severity = severity
        self.state = state; self.message = message; self.raised_ms = raised_ms; self.updated_ms = updated_ms
        self.resolved_ms = resolved_ms
    }
}


/// One site's day as the province console shows it (`GET /v1/sites/{name}/today`): its
/// status, today's counts per gate and site-local hour, its cameras' last states and its
/// alerts (History comes from the contract's counts).
public struct HubSiteToday: Codable, Equatable, Sendable {
    public struct Gate: Codable, Equatable, Sendable {
        public var id: String
        public var ins: Int
        public var outs: Int
        /// Per site-local hour of today, 0…23.
        public var hourly_in: [Int]
        public var hourly_out: [Int]
        public init(id: String, ins: Int, outs: Int, hourly_in: [Int], hourly_out: [Int]) {
            self.id = id; self.ins = ins; self.outs = outs; self.hourly_in = hourly_in; self.hourly_out = hourly_out
        }
    }
    public struct Feed: Codable, Equatable, Sendable {
        public var id: String
        public var gate_id: String?
        public var state: String
        public var at_ms: Int64
        public init(id: String, gate_id: String?, state: String, at_ms: Int64) {
            self.id = id; self.gate_id = gate_id; self.state = state; self.at_ms = at_ms
        }
    }

    public var summary: HubSiteSummary
    public var time_zone: String
    public var gates: [Gate]
    public var feeds: [Feed]
    /// Open ones and those resolved in the last day, most recent first.
    public var alerts: [HubAlertRow]

    public init(summary: HubSiteSummary, time_zone: String, gates: [Gate], feeds: [Feed], alerts: [HubAlertRow]) {
        self.summary = summary; self.time_zone = time_zone; self.gates = gates; self.feeds = feeds
        self.alerts = alerts
    }
}
