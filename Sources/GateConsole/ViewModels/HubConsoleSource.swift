import AsyncHTTPClient
import Foundation
import GateCore
import GateStore
import NIOCore

/// The console's data from the province hub (`gatewatch console --hub URL --key K`): the
/// province list (`GET /v1/sites`), or one site's day (`GET /v1/sites/{name}/today`) shown
/// on the local console's screens, with History from the contract's `GET /v1/counts?site=`. Read only: acknowledging and correcting are done at the site.
/// The hub is asked off the console's loop: a slow or silent hub never holds the keys or the
/// screen (the console waits at most `firstWaitMs` for a view it has not shown yet, then says
/// it is loading). Polled every `pollMs`; a request waits at most `timeoutSeconds`.
public final class HubConsoleSource: ConsoleDataSource, ProvinceNavigation, @unchecked Sendable {
    public let baseURL: String
    private let key: String
    private let client: HTTPClient
    static let pollMs: Int64 = 2_000
    static let timeoutSeconds: Int64 = 3
    static let firstWaitMs = 400

    /// What is on screen: the province, or a site's day `daysBack` before its today.
    struct View: Equatable, Sendable {
        var site: String?
        var daysBack: Int
    }

    private let lock = NSLock()
    private var site: String?
    private var view = View(site: nil, daysBack: 0)
    private var answer: (view: View, result: Result<ConsoleSnapshot, SourceProblem>)?
    private var fetching: View?
    private var fetchedAtMs: Int64 = 0
    private var arrived = false
    /// The view the console last asked for (a new one is waited for a moment).
    private var shown: View?
    private let answered = NSCondition()

    public init(url: String, key: String) {
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.key = key
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    deinit { try? client.syncShutdown() }

    public var province: ProvinceNavigation? { self }
    public var openSite: String? { lock.withLock { site } }
    public func open(site: String) { lock.withLock { self.site = site } }
    public func backToProvince() { lock.withLock { site = nil } }

    /// True when a new answer waits; asks the hub again when the last answer is old.
    public func hasChanged() -> Bool {
        let due = lock.withLock { fetching == nil && currentTimeMs() - fetchedAtMs >= Self.pollMs }
        if due { startFetch() }
        return lock.withLock { arrived }
    }

    public func load(_ req: LoadRequest, now: Int64) -> Result<ConsoleSnapshot, SourceProblem> {
        let wanted = lock.withLock { () -> View in
            view = View(site: site, daysBack: site == nil ? 0 : max(0, req.historyDaysBack))
            return view
        }
        // While the hub fails, the console asks again about once a second: this is when it asks anew.
        let (missing, due, moved) = lock.withLock {
            (answer?.view != wanted, fetching == nil && currentTimeMs() - fetchedAtMs >= Self.pollMs, shown != wanted)
        }
        if missing || due { startFetch() }
        if missing && moved {
            // A view just moved to: wait a moment for it, so Enter and ← → feel immediate on a good link.
            answered.lock()
            let deadline = Date().addingTimeInterval(Double(Self.firstWaitMs) / 1000)
            while lock.withLock({ answer?.view != wanted }), answered.wait(until: deadline) {}
            answered.unlock()
        }
        return lock.withLock {
            arrived = false
            shown = wanted
            guard let answer, answer.view == wanted else {
                return .failure(.hubAsking(site: wanted.site))
            }
            return answer.result
        }
    }

    /// Asks the hub for the current view in the background, unless that is already being asked.
    private func startFetch() {
        let target: View? = lock.withLock {
            guard fetching != view else { return nil }
            fetching = view
            return view
        }
        guard let target else { return }
        Task.detached { [self] in
            let result = await self.snapshot(of: target)
            self.lock.withLock {
                // An answer for a view left meanwhile is dropped; the current one is asked for next.
                if self.fetching == target { self.fetching = nil }
                if target == self.view { self.answer = (target, result); self.arrived = true }
                self.fetchedAtMs = currentTimeMs()
            }
            self.wakeWaiter()
        }
    }

    private func wakeWaiter() {
        answered.lock(); answered.broadcast(); answered.unlock()
    }

    private func snapshot(of view: View) async -> Result<ConsoleSnapshot, SourceProblem> {
        do {
            let now = currentTimeMs()
            guard let site = view.site else {
                var snap = ConsoleSnapshot()
                snap.province = try await get("/v1/sites", as: SiteList.self).sites
                snap.site = SiteRow(name: "", capacity: 0, timeZone: ConfigLoader.defaultTimeZone, updatedMs: now)
                return .success(snap)
            }
            let name = site.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? site
            let today = try await get("/v1/sites/\(name)/today", as: HubSiteToday.self)
            var snap = HubSnapshot.site(today, now: now)
            // The site's own answers (names, camera rates), when it has sent them (a GateWatch too old sends none).
            HubSnapshot.enrich(&snap, site: try await optional("/v1/site?site=\(name)", as: ContractSite.self),
                               health: try await optional("/v1/feeds/health?site=\(name)", as: ContractFeedHealth.self))
            // History as a local console has it: the day by hour and the 14 days up to it, zeros included.
            snap.history = try await historyDay(site: name, daysBack: view.daysBack, zone: today.time_zone, now: now)
            return .success(snap)
        } catch let p as SourceProblem {
            return .failure(p)
        } catch {
            return .failure(.other("\(error)"))
        }
    }

    /// History `daysBack` days before the site's today, from the contract's counts: the day by
    /// hour, and the 14 days up to it.
    private func historyDay(site: String, daysBack: Int, zone: String, now: Int64) async throws -> HistoryVM {
        let today = LocalDate(ms: now, timeZone: TimeZone(identifier: zone) ?? TimeZone(identifier: ConfigLoader.defaultTimeZone)!)
        let day = today.adding(days: -daysBack), first = day.adding(days: -(ConsoleStore.historyDays - 1))
        let hours = try await get("/v1/counts?site=\(site)&by=hour&from=\(day)&to=\(day)", as: ContractCounts.self)
        let days = try await get("/v1/counts?site=\(site)&by=day&from=\(first)&to=\(day)", as: ContractCounts.self)
        return HubSnapshot.history(hours: hours, days: days)
    }

    /// A GET whose 404 (nothing of that kind yet) is nil.
    private func optional<T: Decodable>(_ path: String, as type: T.Type) async throws -> T? {
        let (status, data) = try await fetch(path)
        return status == 404 ? nil : try decode(status, data, as: type)
    }

    private func get<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let (status, data) = try await fetch(path)
        return try decode(status, data, as: type)
    }

    /// One GET, bounded by `timeoutSeconds`: the status and the body.
    private func fetch(_ path: String) async throws -> (Int, Data) {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        do {
            let response = try await client.execute(request, timeout: .seconds(Self.timeoutSeconds))
            let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
            return (Int(response.status.code), Data(body.readableBytesView))
        } catch {
            throw SourceProblem.hubUnreachable(url: redactedURL(baseURL), why: String(String(describing: error).prefix(120)))
        }
    }

    private func decode<T: Decodable>(_ status: Int, _ data: Data, as: T.Type) throws -> T {
        guard status == 200 else {
            let reason = (try? JSONDecoder().decode(HubProblem.self, from: data))?.detail ?? "HTTP \(status)"
            throw SourceProblem.hubAnswered(url: redactedURL(baseURL), what: reason)
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw SourceProblem.hubAnswered(url: redactedURL(baseURL), what: "something that is not a GateWatch hub's answer")
        }
    }


    // The hub reads only: these are done at the site.
    public func acknowledge(alertId: Int64, by: String, note: String, now: Int64) throws -> Bool { throw HubReadOnly() }
    public func correctOccupancy(count: Int, by: String, note: String, now: Int64) throws -> OccupancyCorrection { throw HubReadOnly() }
    public func closeCancelledRun(id: Int64, now: Int64) throws -> Bool { false }
    public func rememberSuiteFolders(_ folders: [String], now: Int64) throws {}
}

/// `GET /v1/sites`: the contract's `SiteList`, whose entries are `HubSiteSummary`'s shape.
struct SiteList: Decodable { var sites: [HubSiteSummary] }

/// The contract's `Site`, the part the screens show: gate and camera names.
struct ContractSite: Decodable {
    struct Gate: Decodable { var id: String; var name: String; var feeds: [Feed] }
    struct Feed: Decodable { var id: String; var name: String }
    var gates: [Gate]
}

/// The contract's `FeedHealthList`, the part the Health screen shows.
struct ContractFeedHealth: Decodable {
    struct Instant: Decodable { var ms: Int64 }
    struct Feed: Decodable {
        var id: String, name: String, gate_id: String, state: String
        var capture_fps: Double, process_fps: Double, detector_runs_per_s: Double
        var dropped: Int64, reconnects: Int
        var last_frame: Instant?
        var last_error: String?
    }
    var now: Instant
    var feeds: [Feed]
}

/// The contract's `Counts`, the part History shows: each period's site-local label and in/out.
struct ContractCounts: Decodable {
    struct Period: Decodable { var label: String; var ins: Int; var outs: Int }
    var periods: [Period]
}

/// The hub's refusal: an RFC 9457 problem document (its `detail` is the one line to show).
struct HubProblem: Decodable { var detail: String }

/// Asked of the hub source: changes are made at the site (its console or API).
public struct HubReadOnly: Error, CustomStringConvertible {
    public var description: String { "the province view reads only: acknowledge and correct at the site's own console or API" }
}

/// A site's day from the hub as the local console's snapshot.
enum HubSnapshot {
    static func site(_ t: HubSiteToday, now: Int64) -> ConsoleSnapshot {
        var s = ConsoleSnapshot()
        let summary = t.summary
        // A site sends a batch at least every HubWire.heartbeatSeconds: older than twice that, it is not heard.
        var thresholds = SiteThresholds()
        thresholds.heartbeatSeconds = HubWire.heartbeatSeconds * 2 + 5
        s.site = SiteRow(name: summary.name, capacity: summary.capacity ?? 0, timeZone: t.time_zone,
                         updatedMs: summary.last_batch_ms ?? 0, thresholds: thresholds)
        s.pipeline = summary.last_batch_ms.map { PipelineStatus(heartbeatMs: $0, running: true) }
        s.peopleInside = summary.occupancy ?? 0
        s.todayIn = summary.ins_today ?? 0
        s.todayOut = summary.outs_today ?? 0
        s.feeds = t.feeds.map { f in
            FeedVM(feed: FeedRow(id: f.id, gateId: f.gate_id ?? "", name: f.id),
                   health: FeedHealth(feedId: f.id, updatedMs: f.at_ms, state: f.state, lastFrameMs: f.state == "live" ? summary.last_batch_ms : nil),
                   fpsHistory: Array(repeating: 0, count: 60))
        }
        let gateIds = Array(Set(t.gates.map(\.id) + t.feeds.compactMap(\.gate_id))).sorted()
        s.gates = gateIds.enumerated().map { i, id in
            let g = t.gates.first { $0.id == id }
            return GateVM(gate: GateRow(id: id, name: id, position: i), todayIn: g?.ins ?? 0, todayOut: g?.outs ?? 0,
                          lastHourIn: Array(repeating: 0, count: 60), hourlyIn: g?.hourly_in ?? Array(repeating: 0, count: 24),
                          hourlyOut: g?.hourly_out ?? Array(repeating: 0, count: 24),
                          feedIds: s.feeds.filter { $0.gateId == id }.map(\.id))
        }
        s.alerts = t.alerts.map {
            AlertRow(id: $0.id, kind: $0.kind, subjectId: $0.subject, severity: $0.severity, state: $0.state,
                     message: $0.message.en, messageVi: $0.message.vi, raisedMs: $0.raised_ms, updatedMs: $0.updated_ms,
                     resolvedMs: $0.resolved_ms)
        }
        return s
    }

    /// Names and camera rates from the site's own answers, over what the hub's rows give.
    static func enrich(_ s: inout ConsoleSnapshot, site: ContractSite?, health: ContractFeedHealth?) {
        if let site {
            let names = Dictionary(site.gates.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            let feedNames = Dictionary(site.gates.flatMap(\.feeds).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
            for i in s.gates.indices { s.gates[i].gate.name = names[s.gates[i].gate.id] ?? s.gates[i].gate.name }
            for i in s.feeds.indices { s.feeds[i].feed.name = feedNames[s.feeds[i].feed.id] ?? s.feeds[i].feed.name }
        }
        guard let health else { return }
        for f in health.feeds {
            let row = FeedHealth(feedId: f.id, updatedMs: health.now.ms, state: f.state, captureFps: f.capture_fps, processFps: f.process_fps,
                                 dropped: Int(f.dropped), lastFrameMs: f.last_frame?.ms, reconnects: f.reconnects, lastError: f.last_error,
                                 detectorRunsPerS: f.detector_runs_per_s)
            if let i = s.feeds.firstIndex(where: { $0.feed.id == f.id }) {
                s.feeds[i].health = row
                s.feeds[i].feed.name = f.name
            } else {
                s.feeds.append(FeedVM(feed: FeedRow(id: f.id, gateId: f.gate_id, name: f.name), health: row,
                                      fpsHistory: Array(repeating: 0, count: 60)))
            }
        }
        for i in s.gates.indices { s.gates[i].feedIds = s.feeds.filter { $0.gateId == s.gates[i].gate.id }.map(\.id) }
    }

    /// A past day: its hours (labels `YYYY-MM-DD HH:00`) and the days up to it, newest first.
    static func history(hours: ContractCounts, days: ContractCounts) -> HistoryVM {
        var hourlyIn = Array(repeating: 0, count: 24), hourlyOut = hourlyIn
        for p in hours.periods {
            guard let hour = p.label.split(separator: " ").last?.split(separator: ":").first.flatMap({ Int($0) }),
                  (0..<24).contains(hour) else { continue }
            hourlyIn[hour] += p.ins; hourlyOut[hour] += p.outs
        }
        let daily = days.periods.reversed().compactMap { p -> DayCount? in
            let d = p.label.split(separator: "-").compactMap { Int($0) }
            return d.count == 3 ? DayCount(year: d[0], month: d[1], day: d[2], ins: p.ins, outs: p.outs) : nil
        }
        return HistoryVM(day: daily.first ?? DayCount(year: 1970, month: 1, day: 1, ins: 0, outs: 0),
                         hourlyIn: hourlyIn, hourlyOut: hourlyOut, daily: daily)
    }

}
