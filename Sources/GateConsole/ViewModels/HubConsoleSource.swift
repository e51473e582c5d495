import AsyncHTTPClient
import Foundation
import GateCore
import GateStore
import NIOCore

/// The console's data from the province hub (`gatewatch console --hub URL --key K`): the
/// province list (`GET /v1/sites`), or one site's day (`GET /v1/sites/{name}/today`) shown
/// on the local console's screens. Read only: acknowledging and correcting are done at the
/// site. Polled every `pollMs`; a request waits at most `timeoutSeconds`.
public final class HubConsoleSource: ConsoleDataSource, ProvinceNavigation {
    public let baseURL: String
    private let key: String
    private let client: HTTPClient
    private(set) public var openSite: String?
    private var lastLoadMs: Int64 = 0
    private var forced = true
    static let pollMs: Int64 = 2_000
    static let timeoutSeconds: Int64 = 3

    public init(url: String, key: String) {
        baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.key = key
        client = HTTPClient(eventLoopGroupProvider: .singleton)
    }

    deinit { try? client.syncShutdown() }

    public var province: ProvinceNavigation? { self }
    public func open(site: String) { openSite = site; forced = true }
    public func backToProvince() { openSite = nil; forced = true }

    public func hasChanged() -> Bool { forced || currentTimeMs() - lastLoadMs >= Self.pollMs }

    public func load(_ req: LoadRequest, now: Int64) -> Result<ConsoleSnapshot, SourceProblem> {
        lastLoadMs = currentTimeMs(); forced = false
        do {
            if let site = openSite {
                let path = "/v1/sites/" + (site.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? site) + "/today"
                let today = try get(path, as: HubSiteToday.self)
                return .success(HubSnapshot.site(today, now: now))
            }
            var snap = ConsoleSnapshot()
            snap.province = try get("/v1/sites", as: SiteList.self).sites
            snap.site = SiteRow(name: "", capacity: 0, timeZone: ConfigLoader.defaultTimeZone, updatedMs: now)
            return .success(snap)
        } catch let p as SourceProblem {
            return .failure(p)
        } catch {
            return .failure(.other("\(error)"))
        }
    }

    /// One GET, blocking the console loop for at most `timeoutSeconds`.
    private func get<T: Decodable>(_ path: String, as: T.Type) throws -> T {
        var request = HTTPClientRequest(url: baseURL + path)
        request.headers.add(name: "Authorization", value: "Bearer \(key)")
        let client = self.client
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var outcome: Result<(Int, Data), Error> = .failure(SourceProblem.other("no answer"))
        Task.detached {
            do {
                let response = try await client.execute(request, timeout: .seconds(Self.timeoutSeconds))
                let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
                outcome = .success((Int(response.status.code), Data(body.readableBytesView)))
            } catch { outcome = .failure(error) }
            done.signal()
        }
        done.wait()
        let (status, data) = try outcome.mapError { SourceProblem.other(Self.unreachable(baseURL, $0)) }.get()
        guard status == 200 else {
            let reason = (try? JSONDecoder().decode(HubProblem.self, from: data))?.detail ?? "HTTP \(status)"
            throw SourceProblem.other("the hub at \(redactedURL(baseURL)) answered: \(reason)")
        }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw SourceProblem.other("the hub at \(redactedURL(baseURL)) answered something that is not a GateWatch hub's")
        }
    }

    static func unreachable(_ url: String, _ error: Error) -> String {
        "cannot reach the hub at \(redactedURL(url)) (\(String(describing: error).prefix(120))): check --hub and the network"
    }

    // The hub reads only: these are done at the site.
    public func acknowledge(alertId: Int64, by: String, note: String, now: Int64) throws -> Bool { throw HubReadOnly() }
    public func correctOccupancy(count: Int, by: String, note: String, now: Int64) throws -> OccupancyCorrection { throw HubReadOnly() }
    public func closeCancelledRun(id: Int64, now: Int64) throws -> Bool { false }
    public func rememberSuiteFolders(_ folders: [String], now: Int64) throws {}
}

/// `GET /v1/sites`: the contract's `SiteList`, whose entries are `HubSiteSummary`'s shape.
struct SiteList: Decodable { var sites: [HubSiteSummary] }

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
        s.history = history(t)
        return s
    }

    static func history(_ t: HubSiteToday) -> HistoryVM? {
        func day(_ d: HubSiteToday.Day) -> DayCount? {
            let p = d.day.split(separator: "-").compactMap { Int($0) }
            guard p.count == 3 else { return nil }
            return DayCount(year: p[0], month: p[1], day: p[2], ins: d.ins, outs: d.outs)
        }
        let daily = t.days.compactMap(day)
        guard let today = daily.first else { return nil }
        let hourlyIn = (0..<24).map { h in t.gates.reduce(0) { $0 + $1.hourly_in[h] } }
        let hourlyOut = (0..<24).map { h in t.gates.reduce(0) { $0 + $1.hourly_out[h] } }
        return HistoryVM(day: today, hourlyIn: hourlyIn, hourlyOut: hourlyOut, daily: daily)
    }
}
