import Foundation

/// What an alert is about. Raw values are the `alert.kind` column.
public enum AlertKind: String, Sendable, Codable, CaseIterable {
    case capacity, offline, frozen
    case lowFps = "low_fps"
    case covered, moved, surge
    case afterHours = "after_hours"
    case disagreement
    /// Events have waited at the site longer than `sync.lag_alert` to reach the province hub.
    case syncLag = "sync_lag"
}

public enum AlertSeverity: String, Sendable, Codable, CaseIterable, Comparable {
    case info, warning, critical
    var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a.rank < b.rank }
}

/// Where an alert is in its life. Raw values are the `alert.state` column; `open` is
/// the raised state (the word the console and `status` show).
public enum AlertState: String, Sendable, Codable, CaseIterable {
    case open, acknowledged, resolved
}

/// What kind of thing an alert is about. Raw values are the `alert.subject_type` column
/// (and `subject_type` in the `on_alert` JSON).
public enum AlertSubjectType: String, Sendable, Codable, CaseIterable {
    case site, gate, feed
}

/// Who an alert is about: the whole site, one gate or one feed.
public enum AlertSubject: Hashable, Sendable {
    case site
    case gate(String)
    case feed(String)
    /// The subject of a stored alert: its type and the `alert.subject` column.
    public init(type: AlertSubjectType, id: String) {
        switch type { case .site: self = .site; case .gate: self = .gate(id); case .feed: self = .feed(id) }
    }
    /// The `alert.subject` column: "site", the gate id or the feed id.
    public var id: String {
        switch self { case .site: return "site"; case .gate(let g): return g; case .feed(let f): return f }
    }
    public var type: AlertSubjectType {
        switch self { case .site: return .site; case .gate: return .gate; case .feed: return .feed }
    }
}

public struct AlertKey: Hashable, Sendable {
    public var kind: AlertKind
    public var subject: AlertSubject
    public init(kind: AlertKind, subject: AlertSubject) { self.kind = kind; self.subject = subject }
}

/// An alert the engine holds open (one per kind and subject).
public struct OpenAlert: Equatable, Sendable {
    public var kind: AlertKind
    public var subject: AlertSubject
    public var severity: AlertSeverity
    public var value: Double?
    public var messageEn: String
    public var messageVi: String
    public var raisedMs: Int64
    public var updatedMs: Int64
    public init(kind: AlertKind, subject: AlertSubject, severity: AlertSeverity, value: Double?,
                messageEn: String, messageVi: String, raisedMs: Int64, updatedMs: Int64) {
        self.kind = kind; self.subject = subject; self.severity = severity; self.value = value
        self.messageEn = messageEn; self.messageVi = messageVi; self.raisedMs = raisedMs; self.updatedMs = updatedMs
    }
    public var key: AlertKey { AlertKey(kind: kind, subject: subject) }
}

/// A change to the set of open alerts, for the store and the `on_alert` command: the alert
/// as it stands after the change (as it last stood, for `resolve`), read like it (`t.kind`).
@dynamicMemberLookup
public struct AlertTransition: Equatable, Sendable {
    public enum Change: String, Sendable, Codable { case raise, update, resolve }
    public var change: Change
    public var alert: OpenAlert
    /// When the change happened.
    public var atMs: Int64
    public init(change: Change, alert: OpenAlert, atMs: Int64) {
        self.change = change; self.alert = alert; self.atMs = atMs
    }
    public subscript<T>(dynamicMember field: KeyPath<OpenAlert, T>) -> T { alert[keyPath: field] }
}

/// Finer knobs of the rules, with defaults; the main thresholds are `AlertSettings`
/// in the site config.
public struct AlertTuning: Equatable, Sendable {
    /// A cause must stay gone this long before its alert resolves.
    public var clearSeconds: Double = 10
    /// Occupancy must stay at a capacity level this long to raise or escalate.
    public var capacityHoldSeconds: Double = 10
    /// Capacity levels clear only below level minus this share of capacity.
    public var capacityClearMargin: Double = 0.05
    /// The offline alert clears once the newest frame is younger than this.
    public var onlineFrameAgeSeconds: Double = 5
    /// Mean absolute frame difference (0…255) at or below which frames count as identical.
    public var frozenMaxChange: Double = 0.2
    /// …and at or above which the picture moves again.
    public var frozenClearChange: Double = 0.5
    /// Low-fps clears at `lowFpsRatio * lowFpsClearFactor` of the expected rate.
    public var lowFpsClearFactor: Double = 1.2
    /// Covered lens: mean grey below this with contrast below `tamperLowContrast`.
    public var tamperDarkBrightness: Double = 30
    /// Blinded: mean grey above this with contrast below `tamperLowContrast`.
    public var tamperBrightBrightness: Double = 225
    public var tamperLowContrast: Double = 10
    /// Camera moved: similarity to the reference view below this…
    public var movedSimilarity: Double = 0.5
    /// …and clears at or above this.
    public var movedClearSimilarity: Double = 0.65
    public var surgeHoldSeconds: Double = 10
    /// Surge clears at or below this share of `surgePerMinute`.
    public var surgeClearShare: Double = 0.8
    /// Entries after hours within this window keep the alert open.
    public var afterHoursWindowSeconds: Double = 600
    /// Disagreement compares the feeds' crossings over this window…
    public var disagreementWindowSeconds: Double = 600
    /// …once the larger count reaches this.
    public var disagreementMinCount: Int = 20
    public var disagreementHoldSeconds: Double = 60
    /// Disagreement clears at or below this share of `disagreementShare`.
    public var disagreementClearFactor: Double = 0.8
    /// Dropped frames clear the low-fps alert below this share of `droppedShare`.
    public var droppedClearShare: Double = 0.5
    /// Value-only updates of an open alert are sent at most this often.
    public var minUpdateSeconds: Double = 30
    public init() {}
}

/// What the alert engine looks at on one tick.
public struct AlertInput: Sendable {
    public var occupancy: Int
    /// nil: the capacity in the site config.
    public var capacity: Int?
    /// Latest health snapshot per feed id.
    public var health: [String: FeedHealthSnapshot]
    /// Latest frame statistics per feed id.
    public var frameStats: [String: FrameStats]
    /// Crossings confirmed since the previous tick (the engine keeps its own window).
    public var crossings: [CrossingEvent]
    /// Age of the oldest event the province hub has not acknowledged; nil: the site does not sync.
    public var syncLagSeconds: Double?
    public init(occupancy: Int, capacity: Int? = nil, health: [String: FeedHealthSnapshot] = [:],
                frameStats: [String: FrameStats] = [:], crossings: [CrossingEvent] = [], syncLagSeconds: Double? = nil) {
        self.occupancy = occupancy; self.capacity = capacity; self.health = health
        self.frameStats = frameStats; self.crossings = crossings; self.syncLagSeconds = syncLagSeconds
    }
}

/// The alert rules of one site. Call `tick` about once a second; every rule's
/// cause must hold for a while before it raises and stay gone for a while before
/// it resolves, with a dead band between the two levels so a value wandering
/// around a threshold does not flap. Not thread-safe: tick from one thread.
public final class AlertEngine {
    public let config: SiteConfig
    public let settings: AlertSettings
    public let tuning: AlertTuning
    /// The site's numbers shared with every reader (capacity levels, freshness).
    public let thresholds: SiteThresholds
    private let clock: Clock
    private let timeZone: TimeZone

    private struct Pending { var target: AlertSeverity?; var sinceMs: Int64 }
    private struct RuleState {
        var open: OpenAlert?
        var pending: Pending?
        var lastUpdateMs: Int64 = 0
    }
    private var states: [AlertKey: RuleState] = [:]
    private let windows: CrossingWindows

    public init(config: SiteConfig, tuning: AlertTuning = AlertTuning(), clock: Clock) {
        self.config = config; self.settings = config.alerts; self.tuning = tuning; self.clock = clock
        thresholds = SiteThresholds(alerts: config.alerts)
        timeZone = TimeZone(identifier: config.site.timeZone) ?? TimeZone(identifier: "UTC")!
        windows = CrossingWindows(windows: [
            .init(windowMs: 60_000) { $0.entry },                                                          // surge
            .init(windowMs: Int64(tuning.afterHoursWindowSeconds * 1000)) { $0.entry && $0.afterHours },   // after hours
            .init(windowMs: Int64(tuning.disagreementWindowSeconds * 1000)) { _ in true },                 // disagreement
        ])
    }

    /// Open alerts, most severe first.
    public var openAlerts: [OpenAlert] {
        states.values.compactMap(\.open).sorted {
            ($0.severity.rank, $1.raisedMs, $1.kind.rawValue) > ($1.severity.rank, $0.raisedMs, $0.kind.rawValue)
        }
    }

    /// Take over alerts still open in the store (after a restart), so that they
    /// resolve when their cause is gone instead of being raised a second time.
    public func adopt(_ alerts: [OpenAlert]) {
        for a in alerts { states[a.key, default: RuleState()].open = a }
    }

    /// The whole process stood still (see `PauseDetector`): restart every rule's hold, so
    /// a cause seen just before the pause has to hold again in running time.
    public func processResumed() {
        for k in states.keys { states[k]?.pending = nil }
    }

    public func tick(_ input: AlertInput) -> [AlertTransition] {
        let now = clock.nowMs()
        let hours = settings.afterHoursEntries ? config.site.openingHours : nil
        for c in input.crossings {
            let after = hours.map { !$0.contains(minuteOfDay: localMinuteOfDay(c.timestampMs)) } ?? false
            windows.add(.init(gateId: c.gateId, feedId: c.feedId, ts: c.timestampMs, entry: c.direction == .in,
                              afterHours: after), now: now)
        }
        windows.advance(now: now)

        var out: [AlertTransition] = []
        func run(_ key: AlertKey, _ reading: Reading) {
            if let t = apply(key, reading, now: now) { out.append(t) }
        }
        run(AlertKey(kind: .capacity, subject: .site), capacityReading(input))
        for feed in config.feeds {
            let h = input.health[feed.id], s = input.frameStats[feed.id]
            let subject = AlertSubject.feed(feed.id)
            run(AlertKey(kind: .offline, subject: subject), offlineReading(feed, h))
            run(AlertKey(kind: .frozen, subject: subject), frozenReading(feed, h, s))
            run(AlertKey(kind: .lowFps, subject: subject), lowFpsReading(feed, h))
            run(AlertKey(kind: .covered, subject: subject), coveredReading(feed, h, s))
            run(AlertKey(kind: .moved, subject: subject), movedReading(feed, h, s))
        }
        run(AlertKey(kind: .surge, subject: .site), surgeReading(now: now))
        if let sync = config.sync { run(AlertKey(kind: .syncLag, subject: .site), syncLagReading(input, limit: sync.lagAlertSeconds)) }
        for gate in config.gates {
            run(AlertKey(kind: .afterHours, subject: .gate(gate.id)), afterHoursReading(gate, now: now))
            if gate.feeds.count >= 2 {
                run(AlertKey(kind: .disagreement, subject: .gate(gate.id)), disagreementReading(gate, input, now: now))
            }
        }
        return out
    }

    // MARK: - Lifecycle shared by every rule

    private enum Target { case raise(AlertSeverity), clear, keep }
    private struct Reading {
        var target: Target
        var value: Double? = nil
        /// Messages for a severity (the one raised, or the open one on update).
        var message: (AlertSeverity) -> (en: String, vi: String) = { _ in ("", "") }
        /// How long the cause must hold before raising or escalating.
        var raiseHold: Double = 0
        /// Smallest value change worth an update of the open alert; nil: never.
        var updateStep: Double? = nil
        /// Only report a growing value (counts in a window shrink as it slides).
        var updateUpOnly = false
        static let keep = Reading(target: .keep)
    }

    private func apply(_ key: AlertKey, _ r: Reading, now: Int64) -> AlertTransition? {
        var st = states[key] ?? RuleState()
        defer { states[key] = st }
        let current = st.open?.severity
        let desired: AlertSeverity?
        switch r.target {
        case .raise(let s): desired = s
        case .clear: desired = nil
        case .keep: desired = current
        }
        if desired == current {
            st.pending = nil
            return valueUpdate(&st, r, now: now)
        }
        if st.pending == nil || st.pending!.target != desired { st.pending = Pending(target: desired, sinceMs: now) }
        let up = (desired?.rank ?? -1) > (current?.rank ?? -1)
        let hold = up ? r.raiseHold : tuning.clearSeconds
        guard Double(now - st.pending!.sinceMs) >= hold * 1000 else { return nil }
        st.pending = nil
        st.lastUpdateMs = now
        if let desired {
            let m = r.message(desired)
            if var open = st.open {
                open.severity = desired; open.value = r.value ?? open.value
                open.messageEn = m.en; open.messageVi = m.vi; open.updatedMs = now
                st.open = open
                return transition(.update, open, now)
            }
            let open = OpenAlert(kind: key.kind, subject: key.subject, severity: desired, value: r.value,
                                 messageEn: m.en, messageVi: m.vi, raisedMs: now, updatedMs: now)
            st.open = open
            return transition(.raise, open, now)
        }
        let closed = st.open!
        st.open = nil
        return transition(.resolve, closed, now)
    }

    private func valueUpdate(_ st: inout RuleState, _ r: Reading, now: Int64) -> AlertTransition? {
        guard var open = st.open, let step = r.updateStep, let v = r.value else { return nil }
        let old = open.value ?? -Double.infinity
        guard r.updateUpOnly ? v - old >= step : abs(v - old) >= step,
              Double(now - st.lastUpdateMs) >= tuning.minUpdateSeconds * 1000 else { return nil }
        let m = r.message(open.severity)
        open.value = v; open.messageEn = m.en; open.messageVi = m.vi; open.updatedMs = now
        st.open = open; st.lastUpdateMs = now
        return transition(.update, open, now)
    }

    private func transition(_ c: AlertTransition.Change, _ a: OpenAlert, _ now: Int64) -> AlertTransition {
        AlertTransition(change: c, alert: a, atMs: now)
    }

    private func current(_ kind: AlertKind, _ subject: AlertSubject) -> AlertSeverity? {
        states[AlertKey(kind: kind, subject: subject)]?.open?.severity
    }

    // MARK: - Rules

    private func capacityReading(_ input: AlertInput) -> Reading {
        let cap = input.capacity ?? config.site.capacity
        guard cap > 0 else { return .keep }
        let share = Double(input.occupancy) / Double(cap)
        let warn = settings.capacityWarning, crit = settings.capacityCritical
        let cur = current(.capacity, .site)
        // The same level every screen shows (CapacityLevel), held with a dead band while open.
        let holding: CapacityLevel = cur == .critical ? .critical : cur == nil ? .normal : .warning
        let level = CapacityLevel.decide(occupancy: input.occupancy, capacity: cap, thresholds: thresholds,
                                         holding: holding, clearMargin: tuning.capacityClearMargin).severity
        let occ = input.occupancy
        let pct = Int((share * 100).rounded())
        return Reading(target: level.map { .raise($0) } ?? .clear, value: Double(occ), message: { sev in
            let lim = Int(((sev == .critical ? crit : warn) * 100).rounded())
            return sev == .critical
                ? ("Occupancy \(occ)/\(cap) (\(pct)%) at or above the critical level (\(lim)%)",
                   "Số người trong khu \(occ)/\(cap) (\(pct)%) đã đạt mức nghiêm trọng (\(lim)%)")
                : ("Occupancy \(occ)/\(cap) (\(pct)%) at or above the warning level (\(lim)%)",
                   "Số người trong khu \(occ)/\(cap) (\(pct)%) đã đạt mức cảnh báo (\(lim)%)")
        }, raiseHold: tuning.capacityHoldSeconds, updateStep: max(1, (Double(cap) * 0.05).rounded()))
    }

    private func offlineReading(_ feed: FeedConfig, _ h: FeedHealthSnapshot?) -> Reading {
        guard let h else { return .keep }
        if h.state == .ended { return Reading(target: .clear) }
        let age = h.lastFrameAgeSeconds
        let down: Bool
        if let age { down = age >= settings.offlineSeconds } else { down = h.state == .offline }
        if down {
            let secs = Int(age.map { min($0, 1e9) } ?? settings.offlineSeconds)
            let name = feed.name
            // Why, when the source said (a missing file with its place in the config, a refused connection).
            let why = h.currentError.map { ": \($0)" } ?? "", whyVi = h.currentError.map { " (lỗi nguồn: \($0))" } ?? ""
            return Reading(target: .raise(.critical), value: age, message: { _ in
                (age == nil ? "Feed \(name) (\(feed.id)): no frame since it started (\(secs)+ s)\(why)"
                            : "Feed \(name) (\(feed.id)): no frame for \(secs) s\(why)",
                 age == nil ? "\(Self.named("Camera", name)) (\(feed.id)): chưa nhận được hình nào kể từ khi khởi động (hơn \(secs) giây)\(whyVi)"
                            : "\(Self.named("Camera", name)) (\(feed.id)): không nhận được hình trong \(secs) giây\(whyVi)")
            })
        }
        if let age, age <= tuning.onlineFrameAgeSeconds { return Reading(target: .clear) }
        return .keep
    }

    /// Frame statistics are only evidence while frames are arriving.
    private func liveStats(_ h: FeedHealthSnapshot?, _ s: FrameStats?) -> FrameStats? {
        guard let s else { return nil }
        if let h, h.state != .live { return nil }
        return s
    }

    private func frozenReading(_ feed: FeedConfig, _ h: FeedHealthSnapshot?, _ s: FrameStats?) -> Reading {
        guard let s = liveStats(h, s) else { return .keep }
        // A capped lens also gives identical frames: one cause, one alert (covered).
        if looksCovered(s) { return .keep }
        if s.change <= tuning.frozenMaxChange {
            let secs = Int(settings.frozenSeconds)
            return Reading(target: .raise(.warning), value: s.change, message: { _ in
                ("Feed \(feed.name) (\(feed.id)): picture frozen (identical frames for \(secs)+ s)",
                 "\(Self.named("Camera", feed.name)) (\(feed.id)): hình bị đứng (khung hình không đổi hơn \(secs) giây)")
            }, raiseHold: settings.frozenSeconds)
        }
        return s.change >= tuning.frozenClearChange ? Reading(target: .clear) : .keep
    }

    private func lowFpsReading(_ feed: FeedConfig, _ h: FeedHealthSnapshot?) -> Reading {
        guard let h, let expected = feed.fps ?? h.expectedFps, expected > 0 else { return .keep }
        switch h.state {
        case .live: break
        case .stale, .reconnecting: return .keep
        case .offline, .ended, .starting, .stopped, .unknown: return Reading(target: .clear)   // the offline rule speaks for it
        }
        let low = expected * settings.lowFpsRatio
        let fps = h.processFps
        if fps < low {
            return Reading(target: .raise(.warning), value: fps, message: { _ in
                ("Feed \(feed.name) (\(feed.id)): processing \(fmt(fps, 1)) fps, expected \(fmt(expected, 1))",
                 "\(Self.named("Camera", feed.name)) (\(feed.id)): chỉ xử lý \(fmtVi(fps, 1)) khung hình/giây, cần \(fmtVi(expected, 1))")
            }, raiseHold: settings.lowFpsSeconds, updateStep: max(0.5, low * 0.2))
        }
        // Frames thrown away because processing cannot keep up: people walk past uncounted.
        let drop = h.droppedShare
        if drop >= settings.droppedShare {
            let pct = Int((drop * 100).rounded())
            return Reading(target: .raise(.warning), value: fps, message: { _ in
                ("Feed \(feed.name) (\(feed.id)): \(pct)% of frames dropped, processing cannot keep up (\(fmt(fps, 1)) fps processed)",
                 "\(Self.named("Camera", feed.name)) (\(feed.id)): bỏ \(pct)% khung hình vì xử lý không kịp (xử lý \(fmtVi(fps, 1)) khung hình/giây)")
            }, raiseHold: settings.lowFpsSeconds, updateStep: max(0.5, low * 0.2))
        }
        let healthy = fps >= min(low * tuning.lowFpsClearFactor, expected) && drop < settings.droppedShare * tuning.droppedClearShare
        return healthy ? Reading(target: .clear) : .keep
    }

    /// "Camera cổng chính" stays as it is; "North 1" becomes "Camera North 1": staff name
    /// their cameras and gates with the word already, and "Cổng Cổng phụ" reads badly.
    static func named(_ word: String, _ name: String) -> String {
        name.lowercased().contains(word.lowercased()) ? name : "\(word) \(name)"
    }

    private func looksCovered(_ s: FrameStats) -> Bool {
        s.contrast < tuning.tamperLowContrast
            && (s.brightness < tuning.tamperDarkBrightness || s.brightness > tuning.tamperBrightBrightness)
    }

    /// A pipeline that cannot keep up (frames dropped, or far below the expected rate)
    /// decodes broken or stale pictures: the tamper rules hold until it catches up, so CPU
    /// starvation is not reported as a covered or moved camera (the low-fps alert says it).
    private func starved(_ feed: FeedConfig, _ h: FeedHealthSnapshot?) -> Bool {
        guard let h else { return false }
        if h.droppedShare >= settings.droppedShare { return true }
        guard let expected = feed.fps ?? h.expectedFps, expected > 0 else { return false }
        return h.processFps < expected * settings.lowFpsRatio
    }

    private func coveredReading(_ feed: FeedConfig, _ h: FeedHealthSnapshot?, _ s: FrameStats?) -> Reading {
        guard let s = liveStats(h, s), !starved(feed, h) else { return .keep }
        if looksCovered(s) {
            let b = Int(s.brightness.rounded()), c = Int(s.contrast.rounded())
            let dark = s.brightness < 128
            return Reading(target: .raise(.critical), value: s.brightness, message: { _ in
                dark ? ("Feed \(feed.name) (\(feed.id)): lens covered or too dark (brightness \(b), contrast \(c))",
                        "\(Self.named("Camera", feed.name)) (\(feed.id)): ống kính bị che hoặc quá tối (độ sáng \(b), độ tương phản \(c))")
                     : ("Feed \(feed.name) (\(feed.id)): camera blinded, picture washed out (brightness \(b), contrast \(c))",
                        "\(Self.named("Camera", feed.name)) (\(feed.id)): camera bị chói, hình trắng xóa (độ sáng \(b), độ tương phản \(c))")
            }, raiseHold: settings.tamperSeconds)
        }
        // Dead band: a dim but not collapsed picture neither raises nor clears.
        let margin = 15.0
        let clearlyOk = s.contrast >= tuning.tamperLowContrast * 1.5
            || (s.brightness >= tuning.tamperDarkBrightness + margin && s.brightness <= tuning.tamperBrightBrightness - margin)
        return clearlyOk ? Reading(target: .clear) : .keep
    }

    private func movedReading(_ feed: FeedConfig, _ h: FeedHealthSnapshot?, _ s: FrameStats?) -> Reading {
        guard let s = liveStats(h, s), let sim = s.referenceSimilarity, !starved(feed, h) else { return .keep }
        // A covered lens also loses the reference; that is the covered alert's job.
        if looksCovered(s) { return .keep }
        if sim < tuning.movedSimilarity {
            return Reading(target: .raise(.warning), value: sim, message: { _ in
                ("Feed \(feed.name) (\(feed.id)): camera moved or view changed (similarity \(fmt(sim, 2)) to the reference view)",
                 "\(Self.named("Camera", feed.name)) (\(feed.id)): camera bị xoay hoặc khung cảnh thay đổi (độ giống \(fmtVi(sim, 2)) so với ảnh gốc)")
            }, raiseHold: settings.tamperSeconds)
        }
        return sim >= tuning.movedClearSimilarity ? Reading(target: .clear) : .keep
    }

    /// Busiest feed of each gate in a window. Two cameras on one gate see the
    /// same people, so a gate counts as its busiest feed, not their sum.
    private func perGate(_ w: Int) -> [String: Int] {
        windows.windows[w].counts.mapValues { $0.values.max() ?? 0 }
    }

    private func surgeReading(now: Int64) -> Reading {
        let limit = settings.surgePerMinute
        guard limit > 0 else { return Reading(target: .clear) }
        let n = perGate(0).values.reduce(0, +)
        if n > limit {
            return Reading(target: .raise(.warning), value: Double(n), message: { _ in
                ("Surge: \(n) entries in the last minute (limit \(limit))",
                 "Lượng khách tăng đột biến: \(n) lượt vào trong phút qua (ngưỡng \(limit))")
            }, raiseHold: tuning.surgeHoldSeconds, updateStep: max(1, Double(limit) * 0.1), updateUpOnly: true)
        }
        return Double(n) <= Double(limit) * tuning.surgeClearShare ? Reading(target: .clear) : .keep
    }

    /// Lag past the limit raises; under half of it clears (a hub catching up does not flap).
    private func syncLagReading(_ input: AlertInput, limit: Double) -> Reading {
        guard let lag = input.syncLagSeconds else { return Reading(target: .clear) }
        switch SyncLagRule.decide(lagSeconds: lag, limit: limit) {
        case .raise:
            return Reading(target: .raise(.warning), value: lag, message: { _ in SyncLagRule.siteMessage(lagSeconds: lag, limit: limit) },
                           updateStep: SyncLagRule.updateStepSeconds)
        case .clear: return Reading(target: .clear)
        case .keep: return .keep
        }
    }

    /// Minute of the day in the site's time zone.
    public func localMinuteOfDay(_ ms: Int64) -> Int {
        let date = Date(timeIntervalSince1970: Double(ms) / 1000)
        let local = ms / 1000 + Int64(timeZone.secondsFromGMT(for: date))
        return Int(((local / 60) % 1440 + 1440) % 1440)
    }

    private func afterHoursReading(_ gate: GateConfig, now: Int64) -> Reading {
        guard settings.afterHoursEntries, let hours = config.site.openingHours else { return Reading(target: .clear) }
        let n = windows.windows[1].counts[gate.id]?.values.max() ?? 0
        guard n > 0 else { return Reading(target: .clear) }
        let window = "\(hhmm(hours.openMinute))–\(hhmm(hours.closeMinute))"
        return Reading(target: .raise(.warning), value: Double(n), message: { _ in
            ("Gate \(gate.name) (\(gate.id)): \(n) \(n == 1 ? "entry" : "entries") outside opening hours (\(window))",
             "\(Self.named("Cổng", gate.name)) (\(gate.id)): \(n) lượt vào ngoài giờ mở cửa (\(window))")
        }, raiseHold: 0, updateStep: 1, updateUpOnly: true)
    }

    private func disagreementReading(_ gate: GateConfig, _ input: AlertInput, now: Int64) -> Reading {
        // A feed that is down undercounts for a known reason; the offline alert covers it.
        for f in gate.feeds {
            if let h = input.health[f.id], h.state != .live && h.state != .stale && h.state != .ended { return .keep }
        }
        let seen = windows.windows[2].counts[gate.id] ?? [:]
        let counts: [String: Int] = Dictionary(uniqueKeysWithValues: gate.feeds.map { ($0.id, seen[$0.id] ?? 0) })
        let sorted = counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
        guard let hi = sorted.first, let lo = sorted.last, hi.value >= tuning.disagreementMinCount else {
            return Reading(target: .clear)
        }
        let share = Double(hi.value - lo.value) / Double(hi.value)
        let limit = settings.disagreementShare
        if share > limit {
            let pct = Int((share * 100).rounded()), mins = Int((tuning.disagreementWindowSeconds / 60).rounded())
            return Reading(target: .raise(.warning), value: share, message: { _ in
                ("Gate \(gate.name) (\(gate.id)): feeds \(hi.key) and \(lo.key) disagree: \(hi.value) vs \(lo.value) crossings in \(mins) min (\(pct)% apart)",
                 "\(Self.named("Cổng", gate.name)) (\(gate.id)): camera \(hi.key) và \(lo.key) đếm lệch nhau: \(hi.value) so với \(lo.value) lượt trong \(mins) phút (lệch \(pct)%)")
            }, raiseHold: tuning.disagreementHoldSeconds, updateStep: 0.05)
        }
        return share <= limit * tuning.disagreementClearFactor ? Reading(target: .clear) : .keep
    }
}

/// Crossing counts per gate and feed over sliding windows, kept incrementally:
/// each crossing is counted when it arrives and uncounted when it leaves, so a
/// tick costs the new and expired crossings, not the whole window. Crossings
/// are expected in roughly time order; a late one leaves with its neighbours.
private final class CrossingWindows {
    struct Seen {
        var gateId: String, feedId: String, ts: Int64, entry: Bool, afterHours: Bool
        var counted: UInt8 = 0   // bit i: counted in window i
    }
    struct Window {
        var windowMs: Int64
        var include: (Seen) -> Bool
        var next = 0             // first crossing not yet expired from this window
        var counts: [String: [String: Int]] = [:]
        init(windowMs: Int64, include: @escaping (Seen) -> Bool) { self.windowMs = windowMs; self.include = include }
    }
    var windows: [Window]
    private var seen: [Seen] = []

    init(windows: [Window]) { self.windows = windows }

    func add(_ s: Seen, now: Int64) {
        var s = s
        for i in windows.indices where windows[i].include(s) && s.ts > now - windows[i].windowMs {
            windows[i].counts[s.gateId, default: [:]][s.feedId, default: 0] += 1
            s.counted |= 1 << UInt8(i)
        }
        seen.append(s)
    }

    func advance(now: Int64) {
        for i in windows.indices {
            let cutoff = now - windows[i].windowMs
            while windows[i].next < seen.count, seen[windows[i].next].ts <= cutoff {
                let s = seen[windows[i].next]
                if s.counted & (1 << UInt8(i)) != 0 {
                    let left = (windows[i].counts[s.gateId]?[s.feedId] ?? 1) - 1
                    if left > 0 { windows[i].counts[s.gateId]![s.feedId] = left }
                    else {
                        windows[i].counts[s.gateId]?[s.feedId] = nil
                        if windows[i].counts[s.gateId]?.isEmpty == true { windows[i].counts[s.gateId] = nil }
                    }
                }
                windows[i].next += 1
            }
        }
        let done = windows.map(\.next).min() ?? 0
        if done > 4096 {
            seen.removeFirst(done)
            for i in windows.indices { windows[i].next -= done }
        }
    }
}

private func fmt(_ x: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", x) }
/// Vietnamese writes a decimal comma.
private func fmtVi(_ x: Double, _ digits: Int) -> String { fmt(x, digits).replacingOccurrences(of: ".", with: ",") }
private func hhmm(_ minute: Int) -> String { String(format: "%02d:%02d", minute / 60 % 24, minute % 60) }

/// The sync lag rule, one for both sides: the site's `sync_lag` (AlertEngine) and the hub's
/// alert for a site it has not heard from. Raised beyond the limit, cleared at or under half
/// of it (a link that comes and goes does not flap).
public enum SyncLagRule {
    public enum Decision: Equatable, Sendable { case raise, clear, keep }
    /// An open alert's figure and words are brought up to date when the lag grew this much.
    public static let updateStepSeconds = 300.0

    public static func decide(lagSeconds: Double, limit: Double) -> Decision {
        lagSeconds > limit ? .raise : lagSeconds <= limit / 2 ? .clear : .keep
    }

    /// The site's words (en, vi): its events wait to reach the hub.
    public static func siteMessage(lagSeconds: Double, limit: Double) -> (String, String) {
        let minutes = Int(lagSeconds / 60), limitMinutes = Int(limit / 60)
        return ("Province hub sync is \(minutes) min behind (limit \(limitMinutes) min): check the link and the hub; nothing is lost, the site catches up by itself",
                "Đồng bộ lên máy chủ tỉnh chậm \(minutes) phút (ngưỡng \(limitMinutes) phút): kiểm tra đường truyền và máy chủ tỉnh; dữ liệu không mất, trạm tự gửi bù")
    }

    /// The hub's words (en, vi): what it holds of the site is that old.
    public static func hubMessage(lagSeconds: Double, limit: Double) -> (en: String, vi: String) {
        let minutes = Int(lagSeconds / 60), limitMinutes = Int(limit / 60)
        return ("The hub's data of this site is \(minutes) min behind (limit \(limitMinutes) min): the site's link, box or key; the site keeps its events and sends them when it can",
                "Dữ liệu của trạm trên máy chủ tỉnh chậm \(minutes) phút (ngưỡng \(limitMinutes) phút): kiểm tra đường truyền, máy hoặc khóa của trạm; trạm giữ dữ liệu và gửi bù khi kết nối lại")
    }
}
