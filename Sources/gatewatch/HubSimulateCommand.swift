import ArgumentParser
import Foundation
import GateAPI
import GateCore
import GateHub
import GateRuntime

/// `gatewatch hub simulate`: a province of generated sites (events, not video) posting to a
/// running hub, for the hub's figures: the site-to-hub lag at a peak hour, or (with
/// --catch-up-hours) how fast the hub takes sites' backlogs after an outage.
struct HubSimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Post generated sites' crossings to a running hub and print its ingest figures (a benchmark).",
        discussion: "Adds sites named sim-RUN-NNN through --pg, posts as a site's sync worker does (one event per second "
            + "per site with that second's crossings, or with --catch-up-hours a backlog in batches of 500 events), then "
            + "reads the lag (hub receipt minus event time) from the hub's database.")

    @OptionGroup var database: HubDatabaseOption
    @Option(help: "The running hub's base URL.") var hub: String
    @Option(help: "Simulated sites.") var sites = 50
    @Option(help: "Feeds (cameras) per site.") var feeds = 8
    @Option(help: "Crossings per feed per hour at peak.") var perFeedPerHour = 1_800.0
    @Option(help: "Seconds of live posting.") var seconds = 60
    @Option(help: "Instead of live posting: hours of backlog each site sends as fast as the hub takes it.") var catchUpHours: Double?
    @Flag(help: "Batches without the site's live picture (as before the hub served the site's contract): a baseline.")
    var withoutPicture = false

    func run() throws {
        try runReportingErrors {
            let run = String(UInt32.random(in: 0...UInt32.max), radix: 36)
            let names = (1...sites).map { String(format: "sim-\(run)-%03d", $0) }
            let keys = try database.withStore { store in
                var keys: [String] = []
                for n in names { keys.append(try await store.addSite(name: n)) }
                return keys
            }
            let plan = SimulatedProvince(hub: hub, names: names, keys: keys, feeds: feeds, perFeedPerSecond: perFeedPerHour / 3600,
                                         withPicture: !withoutPicture)
            // The generated picture must be one the hub reads, or the figures would leave its cost out.
            let sample = SimulatedSite(name: names[0], key: "", feeds: feeds, seed: 1).picture(nowMs: currentTimeMs())
            do { _ = try JSONDecoder().decode(SitePicture.self, from: sample) } catch {
                throw CLIError("the generated site picture does not match the contract (\(error)); fix SimulatedSite.picture")
            }
            let started = Date()
            let result: SimulatedProvince.Result = try blockingAsync {
                if let hours = catchUpHours { return await plan.catchUp(hours: hours) }
                return await plan.live(seconds: seconds)
            }
            let elapsed = Date().timeIntervalSince(started)
            let lag = try database.withStore { try await $0.lagPercentiles(sitePrefix: "sim-\(run)-") }
            print(String(format: "sites %d × feeds %d, %@%@: %d crossings in %d events, %d batches (%d refused or failed) in %.1f s",
                         sites, feeds, catchUpHours.map { "catch-up of \($0) h" } ?? "live \(seconds) s at \(Int(perFeedPerHour))/feed/h",
                         withoutPicture ? ", without pictures" : ", with the sites' pictures",
                         result.crossings, result.events, result.batches, result.failures, elapsed))
            print(String(format: "ingest: %.0f crossings/s, %.1f batches/s", Double(result.crossings) / elapsed, Double(result.batches) / elapsed))
            print(String(format: "site-to-hub lag (event made → committed at the hub): p50 %.0f ms, p95 %.0f ms, max %.0f ms",
                         lag.p50, lag.p95, lag.max))
        }
    }
}

/// The generated sites: each keeps its sequence and crossing ids, draws its crossings from
/// its own seeded generator, and posts like `HubSyncWorker` (the same body, the same key header).
struct SimulatedProvince: Sendable {
    struct Result: Sendable {
        var crossings = 0, events = 0, batches = 0, failures = 0
        static func + (a: Result, b: Result) -> Result {
            Result(crossings: a.crossings + b.crossings, events: a.events + b.events, batches: a.batches + b.batches,
                   failures: a.failures + b.failures)
        }
    }

    let hub: String
    let names: [String]
    let keys: [String]
    let feeds: Int
    let perFeedPerSecond: Double
    let withPicture: Bool

    func live(seconds: Int) async -> Result {
        await eachSite { i, site, transport in
            var r = Result()
            let start = currentTimeMs()
            // Sites do not start in step.
            let offset = Int64(Double(i) / Double(names.count) * 1000)
            try? await Task.sleep(nanoseconds: UInt64(offset) * 1_000_000)
            for second in 0..<seconds {
                let event = site.event(atMs: currentTimeMs(), crossings: site.poisson(perFeedPerSecond * Double(feeds)))
                if let event { r.events += 1; r.crossings += event.count }
                r.batches += 1
                if await !site.post(events: event.map { [$0.body] } ?? [], hub: hub, transport: transport, withPicture: withPicture) {
                    r.failures += 1
                }
                let wait = start + Int64(second + 1) * 1000 + offset - currentTimeMs()
                if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait) * 1_000_000) }
            }
            return r
        }
    }

    func catchUp(hours: Double) async -> Result {
        await eachSite { _, site, transport in
            var r = Result()
            let now = currentTimeMs()
            let backlogSeconds = Int(hours * 3600)
            var pending: [String] = []
            for s in 0..<backlogSeconds {
                let at = now - Int64(backlogSeconds - s) * 1000
                if let e = site.event(atMs: at, crossings: site.poisson(perFeedPerSecond * Double(feeds))) {
                    pending.append(e.body); r.events += 1; r.crossings += e.count
                }
            }
            var index = 0
            while index < pending.count {
                let batch = Array(pending[index..<min(pending.count, index + 500)])
                r.batches += 1
                if await site.post(events: batch, hub: hub, transport: transport, withPicture: withPicture) {
                    index += batch.count
                } else {
                    r.failures += 1
                }
            }
            return r
        }
    }

    /// Runs `body` for every site at once, each with its generator and its own HTTP client.
    private func eachSite(_ body: @escaping @Sendable (Int, inout SimulatedSite, HTTPWebhookTransport) async -> Result) async -> Result {
        await withTaskGroup(of: Result.self) { group in
            for i in names.indices {
                group.addTask {
                    var site = SimulatedSite(name: names[i], key: keys[i], feeds: feeds, seed: UInt64(i + 1))
                    let transport = HTTPWebhookTransport(peer: "hub")
                    let r = await body(i, &site, transport)
                    await transport.shutdown()
                    return r
                }
            }
            return await group.reduce(Result(), +)
        }
    }
}

struct SimulatedSite {
    let name: String
    let key: String
    let feeds: Int
    var random: SplitMix64
    var seq: Int64 = 0
    var crossingId: Int64 = 0

    init(name: String, key: String, feeds: Int, seed: UInt64) {
        self.name = name; self.key = key; self.feeds = feeds; random = SplitMix64(seed: seed)
    }

    /// A Poisson draw (Knuth's; the means here are small).
    mutating func poisson(_ mean: Double) -> Int {
        let limit = exp(-mean)
        var k = 0, p = 1.0
        repeat { k += 1; p *= random.unit() } while p > limit
        return k - 1
    }

    /// One crossings event of `crossings` crossings spread over the second before `atMs`.
    mutating func event(atMs: Int64, crossings: Int) -> (body: String, count: Int)? {
        guard crossings > 0 else { return nil }
        seq += 1
        var list: [EventPayloads.Crossing] = []
        for _ in 0..<crossings {
            crossingId += 1
            let feed = Int(random.next() % UInt64(feeds)) + 1
            let at = atMs - Int64(random.next() % 1000)
            list.append(EventPayloads.Crossing(id: crossingId, time: .init(ms: at, local: ""), gate_id: "g\((feed + 1) / 2)",
                                               line_id: "l\(feed)", feed_id: "f\(feed)", direction: random.unit() < 0.55 ? "in" : "out",
                                               track_id: crossingId, confidence: 0.8))
        }
        let envelope = EventPayloads.Envelope(sequence: seq, type: "crossings", site: name, created: .init(ms: atMs, local: ""),
                                              data: EventPayloads.CrossingBatch(crossings: list))
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (String(decoding: (try? e.encode(envelope)) ?? Data(), as: UTF8.self), crossings)
    }

    /// The site's live picture as a real site sends it with each batch (`SitePicture`: the site,
    /// its gates today, occupancy, every camera's health), so the batches weigh what real ones do.
    func picture(nowMs: Int64) -> Data {
        let now: [String: Any] = ["ms": nowMs, "local": ""]
        let text: [String: Any] = ["vi": "đang chạy", "en": "running"]
        let runner: [String: Any] = ["liveness": "running", "liveness_text": text, "heartbeat": now, "started": now, "version": GateWatch.version]
        let gates = (1...(feeds + 1) / 2).map { "g\($0)" }
        let cameras = (1...feeds).map { f -> [String: Any] in
            ["id": "f\(f)", "name": "Camera \(f)", "gate_id": "g\((f + 1) / 2)", "state": "live", "state_text": text, "capture_fps": 25.0,
             "process_fps": 10.0, "expected_fps": 25.0, "detector_runs_per_s": 5.0, "dropped": 0, "reconnects": 0, "last_frame": now]
        }
        let json: [String: Any] = [
            "site": ["name": name, "time_zone": "Asia/Ho_Chi_Minh", "capacity": 5000, "capacity_warning": 0.8, "capacity_critical": 0.95,
                     "updated": now, "now": now,
                     "gates": gates.map { g in ["id": g, "name": "Cổng \(g)", "feeds": cameras.filter { $0["gate_id"] as? String == g }.map {
                         ["id": $0["id"]!, "name": $0["name"]!, "detector": "ssdlite", "expected_fps": 25.0,
                          "lines": [["id": "l\(($0["id"] as! String).dropFirst())", "name": "Vạch"]]] }] }],
            "gates": ["day_start": now, "gates": gates.map { ["id": $0, "name": "Cổng \($0)", "ins": 1200, "outs": 900, "net": 300] }],
            "occupancy": ["now": now, "occupancy": 2100, "capacity": 5000, "share": 0.42, "capacity_level": "normal",
                          "capacity_level_text": text, "since": now, "ins_today": 2400, "outs_today": 300, "runner": runner],
            "feeds": ["now": now, "runner": runner, "feeds": cameras],
        ]
        return (try? JSONSerialization.data(withJSONObject: json)) ?? Data()
    }

    func post(events: [String], hub: String, transport: HTTPWebhookTransport, withPicture: Bool) async -> Bool {
        let now = currentTimeMs()
        let body = HubSyncWorker.body(site: name, sentMs: now, status: nil, events: events, picture: withPicture ? picture(nowMs: now) : nil)
        let url = (hub.hasSuffix("/") ? String(hub.dropLast()) : hub) + HubWire.batchesPath
        let reply = await transport.exchange(url: url, headers: [("Authorization", "Bearer \(key)"), ("Content-Type", "application/json")],
                                             body: body, timeoutSeconds: 30)
        if case .reply(200, _) = reply { return true }
        return false
    }
}
