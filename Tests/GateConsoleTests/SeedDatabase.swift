import Foundation
import GateCore
import GateStore
@testable import GateConsole

/// Builds a GateWatch database with known rows (a site with three gates, four feeds,
/// crossings today and on earlier days, alerts in every state, health, test runs),
/// written through GateStore's writer as a runner would write them (no SQL here), then
/// closed as a stopped runner leaves it; a test that writes more opens its own writer.
enum SeedDatabase {
    /// 2026-11-23 10:30:00 in Asia/Ho_Chi_Minh (03:30:00 UTC).
    static let fixedNow: Int64 = 1_795_404_600_000

    static let feeds = [("cam-chinh-1", "cong-chinh", "Camera cổng 1", "rtsp://10.0.0.11/stream", "live"),
                        ("cam-chinh-2", "cong-chinh", "Camera cổng 2", "rtsp://10.0.0.12/stream", "live"),
                        ("cam-dong-1", "cong-dong", "Camera Đông", "rtsp://10.0.0.21/stream", "reconnecting"),
                        ("cam-cap-1", "cap-treo", "Camera cáp treo", "/dev/video0", "offline")]

    static func create(at path: String, now: Int64 = fixedNow, heartbeatAgoMs: Int64 = 1_000, testRuns: Bool = true) throws {
        for f in [path, path + "-wal", path + "-shm"] { try? FileManager.default.removeItem(atPath: f) }
        let db = try GateDatabase.openWriter(path: path)
        try db.syncSite(site(), configPath: "site.yaml", at: now)
        try db.updateFeedHealth(health(now: now))
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        let dayStart = Int64(cal.startOfDay(for: Date(timeIntervalSince1970: Double(now) / 1000)).timeIntervalSince1970 * 1000)
        try db.insertCrossings(today(dayStart: dayStart, now: now) + earlierDays(dayStart: dayStart))
        try alerts(db, now: now)
        try db.pipelineStarted(pid: 4242, version: "0.1.0", at: now - 3 * 3_600_000 - 25 * 60_000, force: true)
        try db.pipelineBeat(at: now - heartbeatAgoMs, writer: WriterStats(lastWriteMs: 2.4))
        if testRuns { try self.testRuns(db, now: now) }
        try db.close()
    }

    static func site() -> SiteConfig {
        let gates = [("cong-chinh", "Cổng chính"), ("cong-dong", "Cổng phụ Đông"), ("cap-treo", "Ga cáp treo")]
        return SiteConfig(site: SiteInfo(name: "Khu du lịch Núi Bà Đen", capacity: 500, timeZone: "Asia/Ho_Chi_Minh",
                                         openingHours: OpeningHours(openMinute: 360, closeMinute: 1080)),
                          gates: gates.map { g in
            GateConfig(id: g.0, name: g.1, feeds: feeds.enumerated().filter { $0.element.1 == g.0 }.map { i, f in
                var feed = FeedConfig(id: f.0, name: f.2, source: f.3, fps: 10, detector: .ssdlite,
                                      lines: [LineConfig(id: "line-\(f.0)", name: "Vạch \(i + 1)", from: Point(0.1, 0.6),
                                                         to: Point(0.9, 0.6), inside: Point(0.5, 0.9))])
                // The first feed looks at the band around its line; the others at the whole picture.
                if i == 0 { feed.detectRegion = .auto }
                return feed
            })
        })
    }

    /// An hour of per-minute frame rates, then each feed's current health.
    static func health(now: Int64) -> [FeedHealth] {
        feeds.enumerated().flatMap { i, f -> [FeedHealth] in
            let live = f.4 == "live"
            let minutes = (0..<60).map { m in
                FeedHealth(feedId: f.0, updatedMs: (now / 60_000 - Int64(59 - m)) * 60_000, state: "live", captureFps: 10,
                           processFps: live ? 8.0 + Double((m * (i + 3)) % 7) * 0.3 : (m < 40 ? 9.0 : 0), detectMs: 27)
            }
            let current = FeedHealth(feedId: f.0, updatedMs: now - 800, state: f.4, captureFps: live ? 10.0 : 0,
                                     processFps: live ? 9.5 - Double(i) * 0.3 : 0, decodeMs: 3.5, detectMs: 27.0 + Double(i),
                                     trackMs: 1.2, frames: 36_000 * (i + 1), dropped: i * 3, queueDepth: live ? 1 : 0,
                                     lastFrameMs: live ? now - 100 : now - 45_000 - Int64(i) * 60_000, reconnects: i,
                                     lastError: live ? nil : "connection refused (10.0.0.\(i))",
                                     detectorRunsPerS: live ? 5.0 - Double(i) : 0)
            return minutes + [current]
        }
    }

    /// Today: a deterministic pattern from 06:00 to now, both feeds of the main gate see it (feed 2 misses a few).
    static func today(dayStart: Int64, now: Int64) -> [CrossingEvent] {
        var events: [CrossingEvent] = []
        var track = 0
        let open = dayStart + 6 * 3_600_000
        var minute = open
        while minute < now {
            let k = Int((minute - open) / 60_000)
            for (fi, f) in feeds.enumerated() where fi != 3 || minute < now - 30 * 60_000 {
                let wave = (k / 20) % 4        // busier and quieter stretches, so bars differ
                var ins: Int, outs: Int
                switch fi {
                case 0: ins = ((k * 7) % 5) / 2 + (wave == 2 ? 1 : 0); outs = k % 3 == 0 ? 1 : 0
                case 1: ins = k % 9 == 0 ? 0 : ((k * 7) % 5) / 2 + (wave == 2 ? 1 : 0); outs = k % 3 == 0 ? 1 : 0
                case 2: ins = k % 4 == 0 ? 2 : 0; outs = k % 6 == 0 ? 1 : 0
                default: ins = k % (5 + wave) == 0 ? 1 : 0; outs = k % 10 == 0 ? 1 : 0
                }
                // Never after `now`: a crossing written later must be the newest one shown.
                for j in 0..<(ins + outs) where minute + Int64(j) * 7_000 + 1_500 < now {
                    track += 1
                    events.append(CrossingEvent(timestampMs: minute + Int64(j) * 7_000 + 1_500, feedId: f.0, gateId: f.1,
                                                lineId: "line-\(f.0)", direction: j < ins ? .in : .out, trackId: track,
                                                confidence: 0.55 + Double(track % 40) / 100, frameIndex: 0))
                }
            }
            minute += 60_000
        }
        return events
    }

    /// Earlier days: a few busy hours on the main and east gates (older than any list of crossings shows).
    static func earlierDays(dayStart: Int64) -> [CrossingEvent] {
        var events: [CrossingEvent] = []
        func add(_ at: Int64, _ feed: String, _ gate: String, ins: Int, outs: Int) {
            for j in 0..<(ins + outs) {
                events.append(CrossingEvent(timestampMs: at + Int64(j) * 300, feedId: feed, gateId: gate, lineId: "line-\(feed)",
                                            direction: j < ins ? .in : .out, trackId: 100_000 + events.count,
                                            confidence: 0.8, frameIndex: 0))
            }
        }
        for d in 1...13 {
            let base = dayStart - Int64(d) * 86_400_000
            for h in [8, 9, 14, 16] {
                add(base + Int64(h) * 3_600_000, "cam-chinh-1", "cong-chinh", ins: 20 + d * 3 + h, outs: 15 + d * 2 + h)
                add(base + Int64(h) * 3_600_000 + 900_000, "cam-dong-1", "cong-dong", ins: 5 + d, outs: 4 + d)
            }
        }
        return events
    }

    /// Alerts in every state, raised, repeated, acknowledged and resolved as the runner does.
    static func alerts(_ db: GateDatabase, now: Int64) throws {
        let alerts: [(String, String, String, String, String, Double?, Int64, String?, String?, Int64?)] = [
            ("capacity", "site", "warning", "open", "Số người trong khu 412/500 (82%) vượt mức cảnh báo 80%", 0.82, 12 * 60_000, nil, nil, nil),
            ("offline", "cam-cap-1", "critical", "open", "Camera cáp treo không có khung hình 45 s", 45, 3 * 60_000, nil, nil, nil),
            ("low_fps", "cam-dong-1", "warning", "acknowledged", "Camera Đông 3.1 fps, dưới nửa mức 10 fps", 3.1, 40 * 60_000, "lan", "đã báo kỹ thuật viên", nil),
            ("frozen", "cam-chinh-2", "warning", "resolved", "Hình đứng 12 s", 12, 3 * 3_600_000, nil, nil, 170 * 60_000),
            ("surge", "cong-chinh", "info", "open", "72 lượt vào trong 1 phút", 72, 65_000, nil, nil, nil),
        ]
        // The subject types the runner would store: the site, a camera, or a gate.
        func subject(_ kind: String, _ id: String) -> AlertSubject {
            id == "site" ? .site : ["offline", "frozen", "low_fps", "covered", "moved"].contains(kind) ? .feed(id) : .gate(id)
        }
        for a in alerts {
            let raised = now - a.6
            let kind = AlertKind(rawValue: a.0)!, about = subject(a.0, a.1)
            var id: Int64 = 0
            for n in 0..<(a.0 == "surge" ? 3 : 1) {
                id = try db.raiseOrUpdate(kind: kind, subject: about, severity: AlertSeverity(rawValue: a.2)!, message: a.4, value: a.5,
                                          at: raised + Int64(n) * a.6 / 4).id
            }
            if let by = a.7 { try db.acknowledge(id: id, by: by, note: a.8, at: now - 30 * 60_000) }
            if let ago = a.9 { try db.resolve(kind: kind, subject: about, at: now - ago) }
        }
    }

    static func testRuns(_ db: GateDatabase, now: Int64) throws {
        let results: [(Int, String, Int?, Int?, Int?, Int?, Double?, String, String?)] = [
            (1, "synthetic-walk", 12, 9, 12, 9, 41.5, "pass", nil), (1, "vtest", 7, 5, 7, 5, 24.0, "pass", nil),
            (1, "tree-empty", 0, 0, 0, 0, 30.2, "pass", nil),
            (2, "synthetic-walk", 12, 9, 12, 9, 40.9, "pass", nil), (2, "vtest", 7, 5, 5, 5, 23.8, "fail", "in: expected 7, counted 5 (error 28.6% > 10%)"),
            (2, "tree-empty", 0, 0, 0, 0, 30.0, "pass", nil),
        ]
        for (run, daysAgo, seconds) in [(1, 2, 95), (2, 1, 97)] as [(Int, Int64, Int64)] {
            let started = now - daysAgo * 86_400_000
            let id = try db.startTestRun(suite: "samples/acceptance", version: "0.1.0", machine: "desk-01", at: started)
            for r in results where r.0 == run {
                try db.addTestResult(runId: id, TestResultRecord(scenario: r.1, lineId: "gate", expectedIn: r.2, expectedOut: r.3,
                                                                 countedIn: r.4, countedOut: r.5, tolerance: 0.1, fps: r.6,
                                                                 requiredFps: 10, verdict: TestVerdict(rawValue: r.7)!, detail: r.8))
            }
            try db.finishTestRun(id: id, at: started + seconds * 1000)
        }
    }
}
