import Foundation
import GateCore
import GateStore

// Plain inputs for `gatewatch status` and `gatewatch check`; the command fills
// them from the store, this file only formats them.

public struct MonitoringPipeline: Equatable, Sendable {
    public var running: Bool
    public var heartbeatMs: Int64
    public var startedMs: Int64?
    public var version: String?
    public init(running: Bool, heartbeatMs: Int64, startedMs: Int64? = nil, version: String? = nil) {
        self.running = running; self.heartbeatMs = heartbeatMs; self.startedMs = startedMs; self.version = version
    }
}

extension Optional where Wrapped == MonitoringPipeline {
    /// The one rule on the runner's heartbeat (`PipelineLiveness`), as every reader applies it.
    public func liveness(nowMs: Int64, thresholds: SiteThresholds) -> PipelineLiveness {
        PipelineLiveness.decide(state: self.map { $0.running ? "running" : "stopped" }, heartbeatMs: self?.heartbeatMs,
                                nowMs: nowMs, thresholds: thresholds)
    }
}

public struct MonitoringGate: Equatable, Sendable {
    public var id: String
    public var name: String
    /// Crossings in and out over the reported period (today, site-local).
    public var ins: Int
    public var outs: Int
    public init(id: String, name: String, ins: Int, outs: Int) {
        self.id = id; self.name = name; self.ins = ins; self.outs = outs
    }
}

public struct MonitoringFeed: Equatable, Sendable {
    public var id: String
    public var name: String
    public var gateId: String
    /// `feed_health.state`; "stopped" (or anything unknown) when the pipeline is down.
    public var state: String
    public var captureFps: Double
    public var processFps: Double
    public var expectedFps: Double?
    public var lastFrameMs: Int64?
    public var reconnects: Int
    public var dropped: Int
    public var lastError: String?
    /// Detector runs a second, the detector's cadence and where it looks (`detect_region` as
    /// configured, and the rectangle that comes to; nil: the whole picture).
    public var detectorRunsPerSecond: Double = 0
    public var cadence: String = CadenceMode.adaptive.rawValue
    public var detectRegion: String = "full"
    public var regionRect: Rect?
    public init(id: String, name: String, gateId: String, state: String, captureFps: Double = 0, processFps: Double = 0,
                expectedFps: Double? = nil, lastFrameMs: Int64? = nil, reconnects: Int = 0, dropped: Int = 0,
                lastError: String? = nil) {
        self.id = id; self.name = name; self.gateId = gateId; self.state = state; self.captureFps = captureFps
        self.processFps = processFps; self.expectedFps = expectedFps; self.lastFrameMs = lastFrameMs
        self.reconnects = reconnects; self.dropped = dropped; self.lastError = lastError
    }
    public var isLive: Bool { state == FeedState.live.rawValue }
}

public struct MonitoringAlert: Equatable, Sendable {
    public var id: Int64?
    public var kind: String
    public var subject: String
    public var severity: AlertSeverity
    /// open | acknowledged (resolved alerts are not reported).
    public var state: String
    public var messageEn: String
    public var messageVi: String
    public var value: Double?
    public var raisedMs: Int64
    public var updatedMs: Int64
    public var ackBy: String?
    public init(id: Int64? = nil, kind: String, subject: String, severity: AlertSeverity, state: String = "open",
                messageEn: String, messageVi: String, value: Double? = nil, raisedMs: Int64, updatedMs: Int64? = nil,
                ackBy: String? = nil) {
        self.id = id; self.kind = kind; self.subject = subject; self.severity = severity; self.state = state
        self.messageEn = messageEn; self.messageVi = messageVi; self.value = value; self.raisedMs = raisedMs
        self.updatedMs = updatedMs ?? raisedMs; self.ackBy = ackBy
    }
}

public struct MonitoringInput: Equatable, Sendable {
    public var siteName: String
    /// IANA zone for displayed times.
    public var timeZone: String
    public var nowMs: Int64
    public var occupancy: Int
    /// The head count set at the desk that the occupancy counts from today, if any.
    public var occupancyCorrection: OccupancyCorrection?
    public var capacity: Int
    /// The site's thresholds (stored with the site): capacity levels, freshness, heartbeat.
    public var thresholds: SiteThresholds
    /// When the site should be open (nil: always); a stopped runner then is CRITICAL.
    public var openingHours: OpeningHours?
    public var capacityWarning: Double {
        get { thresholds.capacityWarning } set { thresholds.capacityWarning = newValue }
    }
    public var capacityCritical: Double {
        get { thresholds.capacityCritical } set { thresholds.capacityCritical = newValue }
    }
    /// nil: no pipeline has ever run against this database.
    public var pipeline: MonitoringPipeline?
    public var gates: [MonitoringGate]
    public var feeds: [MonitoringFeed]
    public var alerts: [MonitoringAlert]
    /// Each webhook endpoint's backlog (empty without `webhooks:`).
    public var webhooks: [WebhookBacklog] = []
    /// The province hub sync's backlog (nil without `sync:`).
    public var hubSync: HubSyncBacklog?
    public init(siteName: String, timeZone: String = defaultSiteTimeZone, nowMs: Int64, occupancy: Int, capacity: Int,
                thresholds: SiteThresholds = SiteThresholds(), openingHours: OpeningHours? = nil,
                pipeline: MonitoringPipeline?, gates: [MonitoringGate], feeds: [MonitoringFeed], alerts: [MonitoringAlert]) {
        self.siteName = siteName; self.timeZone = timeZone; self.nowMs = nowMs; self.occupancy = occupancy
        self.capacity = capacity; self.thresholds = thresholds; self.openingHours = openingHours
        self.pipeline = pipeline; self.gates = gates; self.feeds = feeds; self.alerts = alerts
    }

    public var liveness: PipelineLiveness { pipeline.liveness(nowMs: nowMs, thresholds: thresholds) }

    /// The capacity level every reader shows (`CapacityLevel.shown`): the numbers against
    /// the site's levels, never below the capacity alert still open.
    public var capacityLevel: CapacityLevel {
        let open = alerts.filter { $0.kind == AlertKind.capacity.rawValue && $0.subject == "site" }.map(\.severity).max()
        return CapacityLevel.shown(occupancy: occupancy, capacity: capacity, thresholds: thresholds, openAlert: open)
    }

    /// Whether the site should be open now (site-local time; no opening hours: always).
    public var shouldBeOpen: Bool {
        guard let hours = openingHours else { return true }
        let tz = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let local = nowMs / 1000 + Int64(tz.secondsFromGMT(for: Date(timeIntervalSince1970: Double(nowMs) / 1000)))
        return hours.contains(minuteOfDay: Int(((local / 60) % 1440 + 1440) % 1440))
    }
}

/// Monitoring-plugin result (Nagios, Icinga, Zabbix): the exit code is the status.
public enum CheckStatus: Int32, Sendable, Comparable, CaseIterable {
    case ok = 0, warning = 1, critical = 2, unknown = 3
    public var label: String {
        switch self { case .ok: return "OK"; case .warning: return "WARNING"; case .critical: return "CRITICAL"; case .unknown: return "UNKNOWN" }
    }
    // UNKNOWN is not "worse than CRITICAL"; it only wins when nothing can be judged.
    private var order: Int { self == .ok ? 0 : self == .warning ? 1 : self == .critical ? 2 : 3 }
    public static func < (a: CheckStatus, b: CheckStatus) -> Bool { a.order < b.order }
}

public struct CheckResult: Equatable, Sendable {
    public var status: CheckStatus
    /// The status line, then one line per open alert.
    public var output: String
    public var exitCode: Int32 { status.rawValue }
}

/// The reports speak the one language rule of GateCore.
public typealias ReportLanguage = Language

public enum MonitoringReport {
    // MARK: check

    public static func check(_ s: MonitoringInput) -> CheckResult {
        let live = s.feeds.filter(\.isLive).count
        let crit = s.alerts.filter { $0.severity == .critical }.count
        let warn = s.alerts.filter { $0.severity == .warning }.count
        let share = s.capacity > 0 ? Double(s.occupancy) / Double(s.capacity) : 0

        var status = CheckStatus.ok
        var reason: String?
        if let why = pipelineProblem(s) {
            // A runner that is down while the site should be open is a camera-wide outage.
            status = s.liveness != .never && s.shouldBeOpen ? .critical : .unknown; reason = why
        } else if s.feeds.isEmpty {
            status = .unknown; reason = "no feeds configured"
        } else {
            if warn > 0 { status = .warning }
            if crit > 0 { status = .critical }
            switch s.capacityLevel {
            case .critical: status = .critical
            case .warning: status = max(status, .warning)
            case .normal: break
            }
        }

        var head = "GATEWATCH \(status.label) - occupancy \(s.occupancy)/\(s.capacity)"
        if s.capacity > 0 { head += " (\(Int((share * 100).rounded()))%)" }
        head += live == s.feeds.count ? ", \(live) \(live == 1 ? "feed" : "feeds") live" : ", \(live)/\(s.feeds.count) feeds live"
        head += ", \(s.alerts.count) \(s.alerts.count == 1 ? "alert" : "alerts")"
        if let reason { head += ", \(reason)" }
        else if let worst = sortedAlerts(s.alerts).first { head += ": \(oneLine(worst.messageEn))" }

        var perf: [String] = []
        if s.capacity > 0 {
            let w = Int((Double(s.capacity) * s.capacityWarning).rounded())
            let c = Int((Double(s.capacity) * s.capacityCritical).rounded())
            perf.append("occupancy=\(s.occupancy);\(w);\(c);0;\(s.capacity)")
        } else {
            perf.append("occupancy=\(s.occupancy);;;0")
        }
        perf.append("feeds_live=\(live);;;0;\(s.feeds.count)")
        perf.append("alerts=\(s.alerts.count);;;0")
        perf.append("alerts_critical=\(crit);;0;0")
        for g in s.gates {
            perf.append("\(label("in_" + g.id))=\(g.ins)c")
            perf.append("\(label("out_" + g.id))=\(g.outs)c")
        }
        for f in s.feeds {
            let exp = f.expectedFps.map { ";\(num($0 / 2));;0;\(num($0))" } ?? ";;;0"
            perf.append("\(label("fps_" + f.id))=\(num(f.processFps))\(exp)")
        }
        var lines = [head + " | " + perf.joined(separator: " ")]
        for a in sortedAlerts(s.alerts) {
            let ack = a.state == "acknowledged" ? " (acknowledged\(a.ackBy.map { " by \($0)" } ?? ""))" : ""
            lines.append("\(a.severity.rawValue.uppercased()) \(a.kind) \(a.subject): \(oneLine(a.messageEn))\(ack)")
        }
        for f in s.feeds where !f.isLive {
            lines.append("feed \(f.id) \(f.state)\(f.lastError.map { ": \(oneLine($0))" } ?? "")")
        }
        return CheckResult(status: status, output: lines.joined(separator: "\n"))
    }

    private static func pipelineProblem(_ s: MonitoringInput) -> String? {
        guard let p = s.pipeline else { return "no pipeline has run on this database" }
        switch s.liveness {
        case .never: return "no pipeline has run on this database"
        case .stopped: return "pipeline stopped \(ago(s.nowMs - p.heartbeatMs, .en))"
        case .notResponding: return "pipeline not responding (last heartbeat \(ago(s.nowMs - p.heartbeatMs, .en)))"
        case .running: return nil
        }
    }

    static func sortedAlerts(_ a: [MonitoringAlert]) -> [MonitoringAlert] {
        a.sorted { ($0.severity, $1.raisedMs) > ($1.severity, $0.raisedMs) }
    }

    /// Perf-data labels: quoted when they hold anything but [A-Za-z0-9_.-].
    static func label(_ s: String) -> String {
        let plain = s.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "_.-".unicodeScalars.contains($0) }
        return plain ? s : "'" + s.replacingOccurrences(of: "'", with: "''").replacingOccurrences(of: "=", with: "_") + "'"
    }

    static func num(_ x: Double) -> String {
        let r = (x * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(format: "%.1f", r)
    }

    static func oneLine(_ s: String) -> String {
        s.split(whereSeparator: \.isNewline).joined(separator: " ").replacingOccurrences(of: "|", with: "/")
    }

    static func ago(_ ms: Int64, _ lang: ReportLanguage) -> String {
        lang == .en ? "\(span(ms, lang)) ago" : "\(span(ms, lang)) trước"
    }

    /// A length of time in the unit that reads best (`90 s`, `12 min`, `5 h`, `3 days`).
    static func span(_ ms: Int64, _ lang: ReportLanguage) -> String {
        let s = max(0, ms / 1000)
        let (n, unitEn, unitVi): (Int64, String, String) =
            s < 120 ? (s, "s", "giây") : s < 7200 ? (s / 60, "min", "phút") : s < 172_800 ? (s / 3600, "h", "giờ") : (s / 86_400, "days", "ngày")
        return lang == .en ? "\(n) \(unitEn)" : "\(n) \(unitVi)"
    }

    // MARK: status (text)

    public static func statusText(_ s: MonitoringInput, language lang: ReportLanguage = .en) -> String {
        let vi = lang == .vi
        let tz = TimeZone(identifier: s.timeZone) ?? TimeZone(identifier: "UTC")!
        func clock(_ ms: Int64) -> String {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = tz; f.dateFormat = "yyyy-MM-dd HH:mm:ss"
            return f.string(from: Date(timeIntervalSince1970: Double(ms) / 1000))
        }
        func pad(_ x: String, _ n: Int) -> String { x.count >= n ? x : x + String(repeating: " ", count: n - x.count) }
        var out: [String] = []
        let check = check(s)
        out.append("\(vi ? "Khu" : "Site"): \(s.siteName)    \(clock(s.nowMs)) (\(s.timeZone))    \(vi ? "Trạng thái" : "Status"): \(Words.checkResult(check.status.label, lang))")
        if let p = s.pipeline {
            // A stored pipeline row is never `.never`; anything not alive reads as stopped, as before.
            let state = Words.liveness(s.liveness == .never ? .stopped : s.liveness, lang)
            out.append("\(vi ? "Bộ xử lý" : "Pipeline"): \(state) (\(vi ? "nhịp cuối" : "heartbeat") \(ago(s.nowMs - p.heartbeatMs, lang)))")
        } else {
            out.append("\(vi ? "Bộ xử lý" : "Pipeline"): \(Words.liveness(.never, lang))")
        }
        let pct = s.capacity > 0 ? " (\(Int((Double(s.occupancy) / Double(s.capacity) * 100).rounded()))%)" : ""
        out.append("\(vi ? "Số người trong khu" : "Occupancy"): \(s.occupancy) / \(s.capacity)\(pct)")
        if let c = s.occupancyCorrection {
            let who = TextSafety.echo(c.by, limit: OccupancyCorrection.maxNameLength)
            let note = TextSafety.echo(c.note, limit: 120)
            out.append(vi ? "  tính từ lần chỉnh lúc \(clock(c.atMs)) bởi \(who): \(c.previous) → \(c.count) (\(note))"
                          : "  counted from a correction at \(clock(c.atMs)) by \(who): \(c.previous) → \(c.count) (\(note))")
        }
        out.append("")
        out.append("\(vi ? "Cổng" : "Gates") (\(s.gates.count)):")
        let gw = max(4, s.gates.map(\.id.count).max() ?? 0), gn = max(4, s.gates.map(\.name.count).max() ?? 0)
        for g in s.gates {
            out.append("  \(pad(g.id, gw))  \(pad(g.name, gn))  \(vi ? "vào" : "in") \(g.ins)  \(vi ? "ra" : "out") \(g.outs)")
        }
        out.append("")
        out.append("\(vi ? "Camera" : "Feeds") (\(s.feeds.count)):")
        let fw = max(4, s.feeds.map(\.id.count).max() ?? 0)
        for f in s.feeds {
            let state = FeedState(rawValue: f.state).map { Words.feedState($0, lang) } ?? f.state
            var line = "  \(pad(f.id, fw))  \(pad(state, 14))  \(num(f.processFps))"
            if let e = f.expectedFps { line += "/\(num(e))" }
            line += " fps"
            if let t = f.lastFrameMs { line += "  \(vi ? "hình cuối" : "last frame") \(ago(s.nowMs - t, lang))" }
            line += "  \(vi ? "kết nối lại" : "reconnects") \(f.reconnects)  \(vi ? "bỏ" : "dropped") \(f.dropped)"
            line += "  \(vi ? "nhận diện" : "detector") \(num(f.detectorRunsPerSecond))/s \(Words.cadence(f.cadence, lang)), "
                + Words.detectRegion(mode: f.detectRegion, rect: f.regionRect, lang)
            if let err = f.lastError, !f.isLive { line += "  \(vi ? "lỗi" : "error"): \(oneLine(err))" }
            out.append(line)
        }
        out.append("")
        out.append("\(vi ? "Cảnh báo đang mở" : "Open alerts") (\(s.alerts.count)):")
        if s.alerts.isEmpty { out.append(vi ? "  không có" : "  none") }
        for a in sortedAlerts(s.alerts) {
            var line = "  \(pad(Words.severity(a.severity.rawValue, lang).uppercased(), 12))  \(clock(a.raisedMs))  \(vi ? a.messageVi : a.messageEn)"
            if a.state == "acknowledged" {
                line += vi ? "  [đã xác nhận\(a.ackBy.map { " bởi \($0)" } ?? "")]" : "  [acknowledged\(a.ackBy.map { " by \($0)" } ?? "")]"
            }
            out.append(line)
        }
        out += webhookLines(s, lang: lang, clock: clock)
        out += hubSyncLines(s, lang: lang, clock: clock)
        return out.joined(separator: "\n") + "\n"
    }

    // MARK: status (JSON)

    struct JSONStatus: Encodable {
        struct Pipeline: Encodable {
            var running: Bool; var responding: Bool; var liveness: String; var heartbeatMs: Int64; var startedMs: Int64?
            var version: String?
        }
        struct Gate: Encodable { var id: String; var name: String; var ins: Int; var outs: Int }
        struct Feed: Encodable {
            var id: String; var name: String; var gateId: String; var state: String; var captureFps: Double
            var processFps: Double; var expectedFps: Double?; var lastFrameMs: Int64?; var reconnects: Int
            var dropped: Int; var lastError: String?
            var detectorRunsPerS: Double; var cadence: String; var detectRegion: String; var detectRegionRect: [Double]?
        }
        struct Alert: Encodable {
            var id: Int64?; var kind: String; var subject: String; var severity: String; var state: String
            var messageEn: String; var messageVi: String; var value: Double?; var raisedMs: Int64; var updatedMs: Int64
            var ackBy: String?
        }
        var site: String; var timeZone: String; var nowMs: Int64; var status: String; var exitCode: Int32
        var occupancy: Int; var capacity: Int; var occupancyShare: Double?; var capacityLevel: String
        var occupancyCorrection: OccupancyCorrection?
        var pipeline: Pipeline?; var gates: [Gate]; var feeds: [Feed]; var alerts: [Alert]
        var webhooks: [WebhookBacklog]
        var hubSync: HubSyncBacklog?
        var hubSyncLagSeconds: Double?
    }

    public static func statusJSON(_ s: MonitoringInput) -> String {
        let c = check(s)
        let doc = JSONStatus(
            site: s.siteName, timeZone: s.timeZone, nowMs: s.nowMs, status: c.status.label, exitCode: c.exitCode,
            occupancy: s.occupancy, capacity: s.capacity,
            occupancyShare: s.capacity > 0 ? (Double(s.occupancy) / Double(s.capacity) * 1000).rounded() / 1000 : nil,
            capacityLevel: s.capacityLevel.rawValue, occupancyCorrection: s.occupancyCorrection,
            pipeline: s.pipeline.map {
                .init(running: $0.running, responding: s.liveness.isResponding, liveness: s.liveness.rawValue,
                      heartbeatMs: $0.heartbeatMs, startedMs: $0.startedMs, version: $0.version)
            },
            gates: s.gates.map { .init(id: $0.id, name: $0.name, ins: $0.ins, outs: $0.outs) },
            feeds: s.feeds.map {
                .init(id: $0.id, name: $0.name, gateId: $0.gateId, state: $0.state, captureFps: $0.captureFps,
                      processFps: $0.processFps, expectedFps: $0.expectedFps, lastFrameMs: $0.lastFrameMs,
                      reconnects: $0.reconnects, dropped: $0.dropped, lastError: $0.lastError,
                      detectorRunsPerS: ($0.detectorRunsPerSecond * 100).rounded() / 100, cadence: $0.cadence,
                      detectRegion: $0.detectRegion,
                      detectRegionRect: $0.regionRect.map { r in [r.minX, r.minY, r.maxX, r.maxY].map { ($0 * 1000).rounded() / 1000 } })
            },
            alerts: sortedAlerts(s.alerts).map {
                .init(id: $0.id, kind: $0.kind, subject: $0.subject, severity: $0.severity.rawValue, state: $0.state,
                      messageEn: $0.messageEn, messageVi: $0.messageVi, value: $0.value, raisedMs: $0.raisedMs,
                      updatedMs: $0.updatedMs, ackBy: $0.ackBy)
            },
            webhooks: s.webhooks, hubSync: s.hubSync, hubSyncLagSeconds: s.hubSync?.lagSeconds(now: s.nowMs))
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? e.encode(doc)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}

// Conveniences for a report made in the pipeline's own process (demo, run).
extension MonitoringFeed {
    public init(_ h: FeedHealthSnapshot, name: String, gateId: String) {
        self.init(id: h.feedId, name: name, gateId: gateId, state: h.state.rawValue, captureFps: h.captureFps,
                  processFps: h.processFps, expectedFps: h.expectedFps, lastFrameMs: h.lastFrameMs,
                  reconnects: h.reconnects, dropped: h.dropped, lastError: h.lastError)
        detectorRunsPerSecond = h.detectorRunsPerSecond
    }
}

extension MonitoringAlert {
    public init(_ a: OpenAlert, id: Int64? = nil) {
        self.init(id: id, kind: a.kind.rawValue, subject: a.subject.id, severity: a.severity, state: "open",
                  messageEn: a.messageEn, messageVi: a.messageVi, value: a.value, raisedMs: a.raisedMs, updatedMs: a.updatedMs)
    }
}
