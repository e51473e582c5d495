import ArgumentParser
import Foundation
import GateCore
import GateStore

/// `gatewatch year-db` (hidden, for measuring): builds a site of 4 gates with a
/// year of crossings and health minutes through GateStore's writer, and can then
/// keep writing like a running pipeline, so report and console figures on a
/// year's database can be re-measured (see scripts/year-db).
struct YearDatabaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "year-db",
        abstract: "Build a year-long measurement database (4 gates, ~18 M crossings) and optionally keep writing.",
        shouldDisplay: false
    )

    @Option(help: "The database to create (an existing one only with --live or --retention-days).")
    var db: String

    @Option(help: "Days of history, ending now.")
    var days = 365

    @Option(help: "Crossings a day over the whole site (in and out).")
    var perDay = 49_300

    @Option(help: "After building (or on an existing database), write like a running pipeline for this many seconds.")
    var live: Double = 0

    @Option(help: "Apply retention of this many days once (after building), printing what it deleted and how long it took.")
    var retentionDays: Int?

    @Option(help: "Seed of the generator.")
    var seed: UInt64 = 1

    static let gateIds = ["cong-chinh", "cong-dong", "cong-tay", "cap-treo"]

    func validate() throws {
        guard (1...3660).contains(days) else { throw ValidationError("--days must be 1…3660 (got \(days))") }
        guard (0...10_000_000).contains(perDay) else { throw ValidationError("--per-day must be 0…10000000 (got \(perDay))") }
        guard live >= 0, live <= 86_400 else { throw ValidationError("--live must be 0…86400 seconds (got \(live))") }
        if let r = retentionDays, !(1...36_500).contains(r) { throw ValidationError("--retention-days must be 1…36500 (got \(r))") }
    }

    func run() throws {
        try runReportingErrors {
            let exists = FileManager.default.fileExists(atPath: db)
            if exists && live == 0 && retentionDays == nil {
                throw CLIError("\(db) exists; remove it first, or give --live N or --retention-days N to use it")
            }
            let database = try GateDatabase.openWriter(path: db)
            defer { try? database.close() }
            var rng = SplitMix64(seed: seed)
            if !exists {
                try database.syncSite(Self.site(), configPath: nil)
                try build(database, rng: &rng)
            }
            if let days = retentionDays {
                let start = Date()
                let r = try database.applyRetention(days: days)
                print(String(format: "retention %d days: %d crossings, %d health minutes, %d alerts deleted in %.2f s",
                             days, r.crossingsDeleted, r.healthMinutesDeleted, r.alertsDeleted, Date().timeIntervalSince(start)))
            }
            if live > 0 { try writeLive(database, rng: &rng) }
        }
    }

    static func site() -> SiteConfig {
        SiteConfig(site: SiteInfo(name: "Khu du lịch (year-db)", capacity: 5000, timeZone: "Asia/Ho_Chi_Minh",
                                  openingHours: OpeningHours(openMinute: 7 * 60, closeMinute: 18 * 60)),
                   gates: gateIds.enumerated().map { i, g in
                       GateConfig(id: g, name: "Cổng \(i + 1)", feeds: [
                           FeedConfig(id: "\(g)-cam1", name: "Camera \(i + 1)", source: "synthetic:kind=mixed,seed=\(i)", fps: 10,
                                      lines: [LineConfig(id: "\(g)-line", name: "Vạch \(i + 1)", from: Point(0.1, 0.6),
                                                         to: Point(0.9, 0.6), inside: Point(0.5, 0.9))])
                       ])
                   })
    }

    /// One transaction a day: its crossings (opening hours, site-local) and 1440 health minutes a feed.
    private func build(_ database: GateDatabase, rng: inout SplitMix64) throws {
        let now = currentTimeMs()
        let dayMs: Int64 = 86_400_000
        let localOffset: Int64 = 7 * 3_600_000               // Asia/Ho_Chi_Minh, no DST
        let today = (now + localOffset) / dayMs
        let started = Date()
        for back in stride(from: Int64(days - 1), through: 0, by: -1) {
            let midnight = (today - back) * dayMs - localOffset
            var events: [CrossingEvent] = []
            events.reserveCapacity(perDay)
            for _ in 0..<perDay {
                let g = Int(rng.next() % 4)
                let ts = midnight + 7 * 3_600_000 + Int64(rng.next() % UInt64(11 * 3_600_000))
                if ts > now { continue }
                let gate = Self.gateIds[g]
                events.append(CrossingEvent(timestampMs: ts, feedId: "\(gate)-cam1", gateId: gate, lineId: "\(gate)-line",
                                            direction: rng.next() % 2 == 0 ? .in : .out,
                                            trackId: Int(rng.next() % 1_000_000), confidence: 0.9, frameIndex: 0))
            }
            events.sort { $0.timestampMs < $1.timestampMs }
            try database.insertCrossings(events)
            var health: [FeedHealth] = []
            for minute in 0..<1440 {
                let ms = midnight + Int64(minute) * 60_000
                if ms > now { break }
                for gate in Self.gateIds {
                    health.append(FeedHealth(feedId: "\(gate)-cam1", updatedMs: ms, state: "live", captureFps: 10,
                                             processFps: 9.5 + Double(rng.next() % 10) / 10, detectMs: 40, frames: minute * 600))
                }
            }
            try database.updateFeedHealth(health)
            if back % 30 == 0 {
                print(String(format: "year-db: %d days left, %.0f s", back, Date().timeIntervalSince(started)))
            }
        }
    }

    /// Like a pipeline: a batch of crossings every 0.2 s, health and heartbeat every second.
    private func writeLive(_ database: GateDatabase, rng: inout SplitMix64) throws {
        try database.pipelineStarted(version: "year-db", force: true)
        let end = Date().addingTimeInterval(live)
        var tick = 0
        while Date() < end {
            let now = currentTimeMs()
            let events = (0..<Int(rng.next() % 3)).map { _ -> CrossingEvent in
                let gate = Self.gateIds[Int(rng.next() % 4)]
                return CrossingEvent(timestampMs: now, feedId: "\(gate)-cam1", gateId: gate, lineId: "\(gate)-line",
                                     direction: rng.next() % 2 == 0 ? .in : .out, trackId: Int(rng.next() % 1_000_000),
                                     confidence: 0.9, frameIndex: 0)
            }
            try database.insertCrossings(events, lastWriteMs: 1)
            if tick % 5 == 0 {
                try database.updateFeedHealth(Self.gateIds.map {
                    FeedHealth(feedId: "\($0)-cam1", updatedMs: now, state: "live", captureFps: 10, processFps: 9.8,
                               detectMs: 40, frames: tick * 2, lastFrameMs: now)
                })
                try database.pipelineBeat(at: now)
            }
            tick += 1
            Thread.sleep(forTimeInterval: 0.2)
        }
        try database.pipelineStopped()
    }
}
