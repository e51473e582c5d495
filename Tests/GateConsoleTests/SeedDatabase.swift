import Foundation
import GRDB
import GateStore
@testable import GateConsole

/// Builds a GateWatch database with known rows (a site with three gates, four feeds,
/// crossings today and on earlier days, alerts in every state, health, test runs).
enum SeedDatabase {
    /// 2026-11-23 10:30:00 in Asia/Ho_Chi_Minh (03:30:00 UTC).
    static let fixedNow: Int64 = 1_795_404_600_000

    @discardableResult
    static func create(at path: String, now: Int64 = fixedNow, heartbeatAgoMs: Int64 = 1_000) throws -> DatabaseQueue {
        try? FileManager.default.removeItem(atPath: path)
        let q = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(q)
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")!
        let dayStart = Int64(cal.startOfDay(for: Date(timeIntervalSince1970: Double(now) / 1000)).timeIntervalSince1970 * 1000)
        try q.write { db in
            try db.execute(sql: "INSERT INTO site (id, name, capacity, time_zone, open_minute, close_minute, config_path, updated_ms) VALUES (1, 'Khu du lịch Núi Bà Đen', 500, 'Asia/Ho_Chi_Minh', 360, 1080, 'site.yaml', ?)", arguments: [now])
            let gates = [("cong-chinh", "Cổng chính"), ("cong-dong", "Cổng phụ Đông"), ("cap-treo", "Ga cáp treo")]
            for (i, g) in gates.enumerated() {
                try db.execute(sql: "INSERT INTO gate VALUES (?, ?, ?)", arguments: [g.0, g.1, i])
            }
            let feeds = [("cam-chinh-1", "cong-chinh", "Camera cổng 1", "rtsp://10.0.0.11/stream", "live"),
                         ("cam-chinh-2", "cong-chinh", "Camera cổng 2", "rtsp://10.0.0.12/stream", "live"),
                         ("cam-dong-1", "cong-dong", "Camera Đông", "rtsp://10.0.0.21/stream", "reconnecting"),
                         ("cam-cap-1", "cap-treo", "Camera cáp treo", "/dev/video0", "offline")]
            for (i, f) in feeds.enumerated() {
                try db.execute(sql: "INSERT INTO feed VALUES (?, ?, ?, ?, 10, 'ssdlite')", arguments: [f.0, f.1, f.2, f.3])
                try db.execute(sql: "INSERT INTO line VALUES (?, ?, ?, ?, 0.1, 0.6, 0.9, 0.6, 0.5, 0.9)",
                               arguments: ["line-\(f.0)", f.0, f.1, "Vạch \(i + 1)"])
                let live = f.4 == "live"
                try db.execute(sql: """
                    INSERT INTO feed_health VALUES (?, ?, ?, ?, ?, 3.5, ?, 1.2, ?, ?, ?, ?, ?, ?)
                    """, arguments: [f.0, now - 800, f.4, live ? 10.0 : 0, live ? 9.5 - Double(i) * 0.3 : 0, 27.0 + Double(i),
                                     36_000 * (i + 1), i * 3, live ? 1 : 0, live ? now - 100 : now - 45_000 - Int64(i) * 60_000,
                                     i, live ? nil : "connection refused (10.0.0.\(i))"])
                for m in 0..<60 {
                    let ms = (now / 60_000 - Int64(59 - m)) * 60_000
                    try db.execute(sql: "INSERT INTO feed_health_minute (minute_ms, feed_id, capture_fps, process_fps, detect_ms, dropped, reconnects) VALUES (?, ?, 10, ?, 27, 0, 0)",
                                   arguments: [ms, f.0, live ? 8.0 + Double((m * (i + 3)) % 7) * 0.3 : (m < 40 ? 9.0 : 0)])
                }
            }
            // Today: a deterministic pattern from 06:00 to now, both feeds of the main gate see it (feed 2 misses a few).
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
                    guard ins + outs > 0 else { continue }
                    try db.execute(sql: "INSERT INTO crossing_minute VALUES (?, ?, ?, ?, ?)",
                                   arguments: [minute, "line-\(f.0)", f.1, ins, outs])
                    for j in 0..<(ins + outs) {
                        track += 1
                        try db.execute(sql: "INSERT INTO crossing (ts_ms, feed_id, gate_id, line_id, direction, track_id, confidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                                       arguments: [minute + Int64(j) * 7_000 + 1_500, f.0, f.1, "line-\(f.0)", j < ins ? 1 : -1, track,
                                                   0.55 + Double(track % 40) / 100])
                    }
                }
                minute += 60_000
            }
            // Earlier days: rollups only.
            for d in 1...13 {
                let base = dayStart - Int64(d) * 86_400_000
                for h in [8, 9, 14, 16] {
                    try db.execute(sql: "INSERT INTO crossing_minute VALUES (?, 'line-cam-chinh-1', 'cong-chinh', ?, ?)",
                                   arguments: [base + Int64(h) * 3_600_000, 20 + d * 3 + h, 15 + d * 2 + h])
                    try db.execute(sql: "INSERT INTO crossing_minute VALUES (?, 'line-cam-dong-1', 'cong-dong', ?, ?)",
                                   arguments: [base + Int64(h) * 3_600_000 + 900_000, 5 + d, 4 + d])
                }
            }
            // The rows above went into the per-minute rollup directly: derive the hour/day rollups.
            try Schema.rebuildRollups(db)
            let alerts: [(String, String, String, String, String, Double?, Int64, String?, String?, Int64?)] = [
                ("capacity", "site", "warning", "open", "Số người trong khu 412/500 (82%) vượt mức cảnh báo 80%", 0.82, 12 * 60_000, nil, nil, nil),
                ("offline", "cam-cap-1", "critical", "open", "Camera cáp treo không có khung hình 45 s", 45, 3 * 60_000, nil, nil, nil),
                ("low_fps", "cam-dong-1", "warning", "acknowledged", "Camera Đông 3.1 fps, dưới nửa mức 10 fps", 3.1, 40 * 60_000, "lan", "đã báo kỹ thuật viên", nil),
                ("frozen", "cam-chinh-2", "warning", "resolved", "Hình đứng 12 s", 12, 3 * 3_600_000, nil, nil, 170 * 60_000),
                ("surge", "cong-chinh", "info", "open", "72 lượt vào trong 1 phút", 72, 65_000, nil, nil, nil),
            ]
            for a in alerts {
                try db.execute(sql: """
                    INSERT INTO alert (kind, subject, severity, state, message, value, raised_ms, updated_ms, occurrences, ack_by, ack_ms, ack_note, resolved_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [a.0, a.1, a.2, a.3, a.4, a.5, now - a.6, now - a.6 / 2, a.0 == "surge" ? 3 : 1,
                                     a.7, a.7 == nil ? nil : now - 30 * 60_000, a.8, a.9.map { now - $0 }])
            }
            try db.execute(sql: "INSERT INTO pipeline VALUES (1, 4242, '0.1.0', ?, ?, 'running', 2.4)",
                           arguments: [now - 3 * 3_600_000 - 25 * 60_000, now - heartbeatAgoMs])
            try db.execute(sql: "INSERT INTO test_run (id, suite, started_ms, finished_ms, version, machine, passed, failed, verdict) VALUES (1, 'samples/acceptance', ?, ?, '0.1.0', 'desk-01', 3, 0, 'pass')",
                           arguments: [now - 2 * 86_400_000, now - 2 * 86_400_000 + 95_000])
            try db.execute(sql: "INSERT INTO test_run (id, suite, started_ms, finished_ms, version, machine, passed, failed, verdict) VALUES (2, 'samples/acceptance', ?, ?, '0.1.0', 'desk-01', 2, 1, 'fail')",
                           arguments: [now - 86_400_000, now - 86_400_000 + 97_000])
            let results: [(Int, String, Int?, Int?, Int?, Int?, Double?, String, String?)] = [
                (1, "synthetic-walk", 12, 9, 12, 9, 41.5, "pass", nil), (1, "vtest", 7, 5, 7, 5, 24.0, "pass", nil),
                (1, "tree-empty", 0, 0, 0, 0, 30.2, "pass", nil),
                (2, "synthetic-walk", 12, 9, 12, 9, 40.9, "pass", nil), (2, "vtest", 7, 5, 5, 5, 23.8, "fail", "in: expected 7, counted 5 (error 28.6% > 10%)"),
                (2, "tree-empty", 0, 0, 0, 0, 30.0, "pass", nil),
            ]
            for r in results {
                try db.execute(sql: "INSERT INTO test_result (run_id, scenario, line_id, expected_in, expected_out, counted_in, counted_out, tolerance, fps, required_fps, verdict, detail) VALUES (?, ?, 'gate', ?, ?, ?, ?, 0.1, ?, 10, ?, ?)",
                               arguments: [r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8])
            }
        }
        return q
    }
}
