import XCTest
import Foundation
import GateStore
#if canImport(Glibc)
import Glibc
#endif

/// `gatewatch run` on a site with a synthetic feed, then `report`, `status` and `check`
/// on the database it wrote.
final class RunEndToEndTests: XCTestCase {

    private func writeSite(in dir: URL, spec: String, realtime: Bool, loop: Bool, extra: String = "") throws -> URL {
        let url = dir.appendingPathComponent("site.yaml")
        try """
        site:
          name: "E2E site"
          capacity: 1000
          time_zone: Asia/Ho_Chi_Minh
        \(extra)
        gates:
          - id: g1
            name: "Gate 1"
            feeds:
              - id: f1
                name: "Feed 1"
                source: "synthetic:\(spec)"
                fps: 10
                realtime: \(realtime)
                loop: \(loop)
                detector: ssdlite
                lines:
                  - id: l1
                    name: "Line 1"
                    from: [0.05, 0.55]
                    to: [0.95, 0.55]
                    inside: [0.5, 0.9]

        """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    private func status(_ db: URL) throws -> [String: Any]? {
        let r = try GW.run(["status", "--db", db.path, "--json"], timeout: 30)
        return r.status == 0 || r.status == 3 ? (try? r.json()) : nil
    }

    /// Total in and out over the gates of `status --json`.
    private func gateTotals(_ s: [String: Any]) -> (Int, Int) {
        let gates = (s["gates"] as? [[String: Any]]) ?? []
        return (gates.compactMap { int($0["ins"]) }.reduce(0, +), gates.compactMap { int($0["outs"]) }.reduce(0, +))
    }

    private func pipelineRunning(_ s: [String: Any]) -> Bool? {
        (s["pipeline"] as? [String: Any])?["running"] as? Bool
    }

    /// Waits (bounded) until `status` shows a running pipeline with a heartbeat.
    private func waitForHeartbeat(_ db: URL, child: Child, bound: Double = 40) throws -> [String: Any] {
        let start = Date()
        while Date().timeIntervalSince(start) < bound {
            if !child.process.isRunning {
                throw E2EError("run exited before its first heartbeat: \(child.wait(timeout: 1).summary)")
            }
            if let s = try status(db), pipelineRunning(s) == true,
               let p = s["pipeline"] as? [String: Any], int(p["heartbeat_ms"]) != nil {
                return s
            }
            usleep(300_000)
        }
        throw E2EError("no pipeline heartbeat in \(db.path) within \(bound) s")
    }

    private static func siteDay(_ date: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Ho_Chi_Minh")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: date)
    }

    func testRunToEndOfFileThenReportAndStatusAgreeWithTruth() throws {
        let dir = try GW.tempDir(self)
        let spec = "kind=pairs,seed=3,frames=300,fps=10"
        let site = try writeSite(in: dir, spec: spec, realtime: false, loop: false)
        let db = dir.appendingPathComponent("x.sqlite")

        // The scene's truth, from synth with the same spec.
        let t = try GW.run(["synth", "--out", dir.appendingPathComponent("t.avi").path,
                            "--truth", dir.appendingPathComponent("t.json").path, "--spec", spec], timeout: 60)
        XCTAssertEqual(t.status, 0, t.summary)
        let truthJSON = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("t.json"))) as? [String: Any]
        let tin = int(truthJSON?["totalIn"]) ?? -1, tout = int(truthJSON?["totalOut"]) ?? -1
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("t.avi"))

        let from = Self.siteDay(Date())
        let r = try GW.run(["run", "--config", site.path, "--db", db.path], timeout: 150)
        let to = Self.siteDay(Date())
        print("E2E run to end of file (\(spec)): exit \(r.status) in \(String(format: "%.1f", r.seconds)) s")
        XCTAssertFalse(r.timedOut, "run should end by itself when the file ends: \(r.summary)")
        XCTAssertEqual(r.status, 0, r.summary)
        // `run` logs every crossing (time, direction, gate, feed, line) as it counts.
        let logged = r.stderrLines.filter { $0.hasPrefix("gatewatch: crossing ") }
        XCTAssertEqual(logged.filter { $0.contains(" in  gate Gate 1 (g1), feed f1, line Line 1") }.count, tin, r.summary)
        XCTAssertEqual(logged.filter { $0.contains(" out gate Gate 1 (g1), feed f1, line Line 1") }.count, tout, r.summary)

        let attrs = try FileManager.default.attributesOfItem(atPath: db.path)
        let mode = ((attrs[.posixPermissions] as? NSNumber)?.intValue ?? -1) & 0o777
        XCTAssertEqual(mode, 0o600, "database mode is \(String(mode, radix: 8))")

        let rep = try GW.run(["report", "--db", db.path, "--by", "hour", "--from", from, "--to", to, "--json"], timeout: 30)
        XCTAssertEqual(rep.status, 0, rep.summary)
        let rj = try rep.json()
        let rows = (rj["rows"] as? [[String: Any]]) ?? []
        let rowsIn = rows.compactMap { int($0["in"]) }.reduce(0, +)
        let rowsOut = rows.compactMap { int($0["out"]) }.reduce(0, +)
        print("E2E run report: total in \(rj["total_in"] ?? "?"), out \(rj["total_out"] ?? "?"); rows in \(rowsIn), out \(rowsOut); truth in \(tin), out \(tout)")
        XCTAssertEqual(int(rj["total_in"]), tin, "report total_in vs truth")
        XCTAssertEqual(int(rj["total_out"]), tout, "report total_out vs truth")
        XCTAssertEqual(rowsIn, tin, "report hourly rows in vs truth")
        XCTAssertEqual(rowsOut, tout, "report hourly rows out vs truth")

        guard let s = try status(db) else { throw E2EError("status failed on \(db.path)") }
        let (sin, sout) = gateTotals(s)
        print("E2E run status: in \(sin), out \(sout), occupancy \(s["occupancy"] ?? "?"), pipeline \(s["pipeline"] ?? "?")")
        XCTAssertEqual(sin, tin, "status gate ins vs truth")
        XCTAssertEqual(sout, tout, "status gate outs vs truth")
        XCTAssertEqual(int(s["occupancy"]), max(0, tin - tout), "occupancy")
        XCTAssertEqual(pipelineRunning(s), false, "pipeline should be stopped after the run ended")

        // check: CRITICAL (2) once the pipeline has stopped at a site with no opening hours (always open).
        let c = try GW.run(["check", "--db", db.path], timeout: 30)
        print("E2E check after run ended: exit \(c.status): \(c.stdout.split(separator: "\n").first ?? "")")
        XCTAssertEqual(c.status, 2, c.summary)
    }

    /// Starts a looping, paced crowd scene under `gatewatch run`, lets it count for at least 6 s
    /// (until its first crossings are stored), and
    /// returns the child, its database and the gate totals stored so far.
    private func startLiveRun(dbName: String) throws -> (Child, URL, Int, Int) {
        let dir = try GW.tempDir(self)
        let site = try writeSite(in: dir, spec: "kind=crowd,seed=4,frames=300,fps=10", realtime: true, loop: true)
        let db = dir.appendingPathComponent(dbName)
        let child = try Child(["run", "--config", site.path, "--db", db.path])
        let started = Date()
        do {
            _ = try waitForHeartbeat(db, child: child)
            let remaining = 6 - Date().timeIntervalSince(started)
            if remaining > 0 { usleep(UInt32(remaining * 1_000_000)) }
            // On a loaded machine the first crossings can take longer than 6 s: wait for them
            // (bounded), so the stop always has stored crossings to keep.
            var totals = (0, 0)
            while Date().timeIntervalSince(started) < 60 {
                guard let before = try status(db) else { throw E2EError("status failed while running") }
                totals = gateTotals(before)
                if totals.0 + totals.1 > 0 { break }
                usleep(500_000)
            }
            return (child, db, totals.0, totals.1)
        } catch {
            child.stopIfRunning()
            throw error
        }
    }

    /// A looping, paced run stopped by `sig` after ~6 s: clean exit 0, pipeline stopped,
    /// and every crossing seen in the database before the stop still there after it.
    private func stopLiveRun(with sig: Int32, name: String) throws {
        let (child, db, bin, bout) = try startLiveRun(dbName: "live.sqlite")
        defer { child.stopIfRunning() }
        child.signal(sig)
        let r = child.wait(timeout: 20)
        print("E2E run stopped by \(name) after \(String(format: "%.1f", r.seconds)) s: exit \(r.status); "
              + "before stop in \(bin) out \(bout); stderr: \(r.stderrLines.joined(separator: " | "))")
        XCTAssertFalse(r.timedOut, "run did not stop within 20 s of \(name): \(r.summary)")
        XCTAssertEqual(r.reason, .exit, "run should exit, not die of \(name): \(r.summary)")
        XCTAssertEqual(r.status, 0, "clean stop on \(name): \(r.summary)")

        guard let after = try status(db) else { throw E2EError("status failed after the stop") }
        let (ain, aout) = gateTotals(after)
        print("E2E after \(name): in \(ain) out \(aout), pipeline \(after["pipeline"] ?? "?"), feeds "
              + "\(((after["feeds"] as? [[String: Any]]) ?? []).map { $0["state"] ?? "?" })")
        XCTAssertEqual(pipelineRunning(after), false, "pipeline should be stopped after \(name)")
        let states = ((after["feeds"] as? [[String: Any]]) ?? []).compactMap { $0["state"] as? String }
        XCTAssertEqual(states, ["stopped"], "feed state after \(name)")
        XCTAssertGreaterThan(bin + bout, 0, "the crowd scene should have crossings within 60 s")
        XCTAssertGreaterThanOrEqual(ain, bin, "ins lost by the stop")
        XCTAssertGreaterThanOrEqual(aout, bout, "outs lost by the stop")
    }

    /// SIGHUP reloads the site file instead of stopping: the run goes on, the new line is in
    /// force (recorded in the database, the audit trail) and SIGTERM still stops it cleanly.
    func testSighupReloadsTheLinesWithoutStopping() throws {
        let dir = try GW.tempDir(self)
        let site = try writeSite(in: dir, spec: "kind=both,seed=7,people=4,frames=150,fps=10", realtime: true, loop: true)
        let db = dir.appendingPathComponent("hup.sqlite")
        let child = try Child(["run", "--config", site.path, "--db", db.path])
        defer { child.stopIfRunning() }
        _ = try waitForHeartbeat(db, child: child)
        // Changed in place with the same size and time: only the signal can make the run read it again.
        let reference = dir.appendingPathComponent("reference").path
        XCTAssertEqual(try Child(["-p", site.path, reference], executable: URL(fileURLWithPath: "/bin/cp")).wait(timeout: 10).status, 0)
        let text = try String(contentsOf: site, encoding: .utf8).replacingOccurrences(of: "from: [0.05, 0.55]", with: "from: [0.05, 0.60]")
        let handle = try FileHandle(forWritingTo: site)
        try handle.write(contentsOf: Data(text.utf8)); try handle.close()
        XCTAssertEqual(try Child(["-r", reference, site.path], executable: URL(fileURLWithPath: "/usr/bin/touch")).wait(timeout: 10).status, 0)
        sleep(2)
        child.signal(SIGHUP)
        sleep(2)
        XCTAssertTrue(child.process.isRunning, "SIGHUP stopped the run")
        child.signal(SIGTERM)
        let r = child.wait(timeout: 20)
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertTrue(r.stderr.contains("site file reloaded (signal): feed f1: l1 [0.05, 0.6]-[0.95, 0.55]"), r.summary)
        XCTAssertFalse(r.stderr.contains("file-changed"), "the unchanged stamp was taken for a change: \(r.summary)")
        let reader = try GateDatabase.openReader(path: db.path)
        defer { try? reader.close() }
        let reloads = try StoreQueries(reader).configReloads()
        XCTAssertEqual(reloads.map(\.trigger), ["signal"])
        XCTAssertEqual(reloads.first?.outcome, "applied")
        XCTAssertEqual(try StoreQueries(reader).lines().first?.y1, 0.6)
    }

    /// The desk sets the head count by hand (people counters drift): `occupancy set` stores it
    /// with who and why, `status` and `occupancy show` count on from it, and bad input is one line.
    func testOccupancyCorrectionIsAuditedAndStatusCountsFromIt() throws {
        let dir = try GW.tempDir(self)
        // Real time, so no crossing is stamped after the correction (a file read fast runs ahead of the clock).
        let site = try writeSite(in: dir, spec: "kind=both,seed=5,frames=80,fps=10", realtime: true, loop: false,
                                 extra: "  occupancy_reset: \"04:00\"")
        let db = dir.appendingPathComponent("x.sqlite")
        let r = try GW.run(["run", "--quiet", "--config", site.path, "--db", db.path], timeout: 150)
        XCTAssertEqual(r.status, 0, r.summary)
        let before = int(try status(db)?["occupancy"]) ?? -1

        let set = try GW.run(["occupancy", "set", "42", "--by", "Lan", "--note", "đếm tay ở cổng", "--db", db.path,
                              "--lang", "en"], timeout: 30)
        XCTAssertEqual(set.status, 0, set.summary)
        XCTAssertTrue(set.stdout.contains("Occupancy set: \(before) → 42"), set.summary)
        let s = try XCTUnwrap(try status(db))
        XCTAssertEqual(int(s["occupancy"]), 42)
        let c = try XCTUnwrap(s["occupancy_correction"] as? [String: Any], "\(s)")
        XCTAssertEqual(c["by"] as? String, "Lan"); XCTAssertEqual(int(c["previous"]), before)
        let text = try GW.run(["status", "--db", db.path, "--lang", "vi"], timeout: 30)
        XCTAssertTrue(text.stdout.contains("tính từ lần chỉnh lúc"), text.summary)
        let show = try GW.run(["occupancy", "--db", db.path, "--lang", "en"], timeout: 30)
        XCTAssertEqual(show.status, 0, show.summary)
        XCTAssertTrue(show.stdout.contains("Occupancy: 42"), show.summary)
        XCTAssertTrue(show.stdout.contains("\(before) → 42  Lan: đếm tay ở cổng"), show.summary)

        for bad in [["occupancy", "set", "-5", "--by", "Lan", "--note", "x"], ["occupancy", "set", "5", "--by", " ", "--note", "x"],
                    ["occupancy", "set", "5", "--by", "Lan", "--note", ""]] {
            let b = try GW.run(bad + ["--db", db.path], timeout: 30)
            XCTAssertNotEqual(b.status, 0, b.summary)
            XCTAssertEqual(b.stderrLines.count, 1, b.summary)
        }
        XCTAssertEqual(int(try status(db)?["occupancy"]), 42, "a refused correction changes nothing")
    }

    func testSigtermStopsLiveRunCleanlyWithoutLosingCrossings() throws {
        try stopLiveRun(with: SIGTERM, name: "SIGTERM")
    }

    func testSigintStopsLiveRunCleanlyWithoutLosingCrossings() throws {
        try stopLiveRun(with: SIGINT, name: "SIGINT")
    }

    func testCheckUnknownForMissingDatabase() throws {
        let dir = try GW.tempDir(self)
        let db = dir.appendingPathComponent("missing.sqlite")
        let c = try GW.run(["check", "--db", db.path], timeout: 30)
        print("E2E check missing db: exit \(c.status): \(c.stdout.split(separator: "\n").first ?? "")")
        XCTAssertEqual(c.status, 3, c.summary)
        XCTAssertTrue(c.stdout.hasPrefix("GATEWATCH UNKNOWN"), c.summary)
        XCTAssertFalse(FileManager.default.fileExists(atPath: db.path), "check must not create the database")
    }

    func testCheckOkWhileRunIsLiveAndCriticalOnceStopped() throws {
        let dir = try GW.tempDir(self)
        let site = try writeSite(in: dir, spec: "kind=along,seed=2,frames=300,fps=10", realtime: true, loop: true)
        let db = dir.appendingPathComponent("check.sqlite")
        let child = try Child(["run", "--config", site.path, "--db", db.path])
        defer { child.stopIfRunning() }
        _ = try waitForHeartbeat(db, child: child)
        // The feed reports live once frames flow: give it a few bounded tries.
        var live = try GW.run(["check", "--db", db.path], timeout: 30)
        for _ in 0..<10 where live.status != 0 {
            usleep(500_000)
            live = try GW.run(["check", "--db", db.path], timeout: 30)
        }
        print("E2E check while live: exit \(live.status): \(live.stdout.split(separator: "\n").first ?? "")")
        XCTAssertEqual(live.status, 0, live.summary)
        XCTAssertTrue(live.stdout.hasPrefix("GATEWATCH OK"), live.summary)

        child.signal(SIGTERM)
        let r = child.wait(timeout: 20)
        XCTAssertEqual(r.status, 0, r.summary)
        let stopped = try GW.run(["check", "--db", db.path], timeout: 30)
        print("E2E check after stop: exit \(stopped.status): \(stopped.stdout.split(separator: "\n").first ?? "")")
        XCTAssertEqual(stopped.status, 2, stopped.summary)
    }

    /// kill -9 gives the pipeline no chance to flush: what was committed before must
    /// survive, and `check` must turn CRITICAL (and `status` say not responding) once the
    /// heartbeat is older than the site's few seconds (5 s, the console's rule), not 30 s.
    func testKillNineLosesNothingCommittedAndCheckGoesCritical() throws {
        let (child, db, bin, bout) = try startLiveRun(dbName: "killed.sqlite")
        defer { child.stopIfRunning() }
        child.signal(SIGKILL)
        let r = child.wait(timeout: 10)
        XCTAssertEqual(r.reason, .uncaughtSignal, r.summary)
        guard let after = try status(db) else { throw E2EError("status failed after kill -9 (database damaged?)") }
        let (ain, aout) = gateTotals(after)
        print("E2E kill -9: before in \(bin) out \(bout); after in \(ain) out \(aout)")
        XCTAssertGreaterThan(bin + bout, 0, "the crowd scene should have crossings within 60 s")
        XCTAssertGreaterThanOrEqual(ain, bin, "ins lost by kill -9")
        XCTAssertGreaterThanOrEqual(aout, bout, "outs lost by kill -9")
        usleep(6_500_000)
        let c = try GW.run(["check", "--db", db.path], timeout: 30)
        print("E2E check 6.5 s after kill -9: exit \(c.status): \(c.stdout.split(separator: "\n").first ?? "")")
        XCTAssertEqual(c.status, 2, c.summary)
        XCTAssertTrue(c.stdout.contains("pipeline not responding"), c.summary)
        let s = try status(db)
        XCTAssertEqual((s?["pipeline"] as? [String: Any])?["responding"] as? Bool, false)
    }

    /// SIGSTOP: within a few seconds `check` is CRITICAL and `status` says not responding.
    /// SIGCONT: the runner notices it was paused and raises no offline alert (and runs no
    /// on_alert) for cameras that were healthy all along.
    func testPausedRunnerIsNotRespondingAndRaisesNoOfflineAlertOnResume() throws {
        let dir = try GW.tempDir(self)
        let marker = dir.appendingPathComponent("on_alert.log")
        let site = try writeSite(in: dir, spec: "kind=crowd,seed=4,frames=300,fps=10", realtime: true, loop: true,
                                 extra: "alerts: {offline_seconds: 5, on_alert: \"cat >> \(marker.path)\"}")
        let db = dir.appendingPathComponent("paused.sqlite")
        let child = try Child(["run", "--config", site.path, "--db", db.path])
        defer { child.stopIfRunning() }
        _ = try waitForHeartbeat(db, child: child)
        var live = false
        for _ in 0..<60 where !live {
            live = ((try status(db))?["feeds"] as? [[String: Any]])?.first?["state"] as? String == "live"
            if !live { usleep(300_000) }
        }
        XCTAssertTrue(live, "the feed should be live before the pause")

        child.signal(SIGSTOP)
        usleep(8_000_000)
        let c = try GW.run(["check", "--db", db.path], timeout: 30)
        let paused = try status(db)
        child.signal(SIGCONT)
        print("E2E check 8 s into SIGSTOP: exit \(c.status): \(c.stdout.split(separator: "\n").first ?? "")")
        XCTAssertEqual(c.status, 2, c.summary)
        XCTAssertTrue(c.stdout.contains("pipeline not responding"), c.summary)
        XCTAssertEqual((paused?["pipeline"] as? [String: Any])?["responding"] as? Bool, false)

        usleep(4_000_000)
        let after = try status(db)
        child.signal(SIGTERM)
        let r = child.wait(timeout: 20)
        let kinds = ((after?["alerts"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
        let sms = (try? String(contentsOf: marker, encoding: .utf8)) ?? ""
        print("E2E after SIGCONT: alerts \(kinds), responding \((after?["pipeline"] as? [String: Any])?["responding"] ?? "?"); "
              + "stderr: \(r.stderrLines.joined(separator: " | "))")
        XCTAssertFalse(kinds.contains("offline"), "a paused process is not a camera outage: \(kinds)")
        XCTAssertFalse(sms.contains("offline"), "on_alert ran for a pause: \(sms)")
        XCTAssertEqual((after?["pipeline"] as? [String: Any])?["responding"] as? Bool, true)
        XCTAssertTrue(r.stderr.contains("paused"), r.summary)
    }

    /// `--quiet`: no line per crossing, only the summary (a minute, and the last part at the end).
    func testQuietRunLogsOnlyTheSummary() throws {
        let dir = try GW.tempDir(self)
        let spec = "kind=pairs,seed=3,frames=300,fps=10"
        let site = try writeSite(in: dir, spec: spec, realtime: false, loop: false)
        let r = try GW.run(["run", "--config", site.path, "--db", dir.appendingPathComponent("q.sqlite").path, "--quiet"],
                           timeout: 150)
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertFalse(r.stderrLines.contains { $0.contains("crossing ") && !$0.contains(" last ") }, r.summary)
        let summaries = r.stderrLines.filter { $0.contains(" last ") && $0.contains("crossing") }
        print("E2E run --quiet: \(summaries)")
        XCTAssertFalse(summaries.isEmpty, r.summary)
        XCTAssertTrue(summaries.last?.contains("(g1 in ") == true, r.summary)
    }

    /// One feed's video file is missing: the site still runs, the other feed counts, and
    /// the missing one is offline with an alert naming the feed, the file and its place in
    /// the config (the database is not left empty).
    func testMissingVideoFileLeavesTheOtherFeedsCounting() throws {
        let dir = try GW.tempDir(self)
        let site = dir.appendingPathComponent("site.yaml")
        let missing = dir.appendingPathComponent("cong-phu.mp4").path
        try """
        site: {name: "Two feeds", capacity: 1000, time_zone: Asia/Ho_Chi_Minh}
        alerts: {offline_seconds: 3}
        gates:
          - id: g1
            name: "Gate 1"
            feeds:
              - id: f1
                source: "synthetic:kind=crowd,seed=4,frames=300,fps=10"
                fps: 10
                realtime: true
                loop: true
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
          - id: g2
            name: "Gate 2"
            feeds:
              - id: f2
                source: "\(missing)"
                fps: 10
                realtime: true
                lines: [{id: l2, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]

        """.write(to: site, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("two.sqlite")
        let child = try Child(["run", "--config", site.path, "--db", db.path])
        defer { child.stopIfRunning() }
        _ = try waitForHeartbeat(db, child: child)
        var s: [String: Any]?
        var offline: [String: Any]?
        for _ in 0..<60 where offline == nil || gateTotals(s ?? [:]).0 + gateTotals(s ?? [:]).1 == 0 {
            usleep(500_000)
            s = try status(db)
            offline = ((s?["alerts"] as? [[String: Any]]) ?? []).first { $0["kind"] as? String == "offline" }
        }
        child.signal(SIGTERM)
        let r = child.wait(timeout: 20)
        let states = Dictionary(uniqueKeysWithValues: ((s?["feeds"] as? [[String: Any]]) ?? []).map {
            ($0["id"] as? String ?? "?", $0["state"] as? String ?? "?") })
        let message = offline?["message_en"] as? String ?? ""
        print("E2E missing file: states \(states), totals \(gateTotals(s ?? [:])), alert: \(message); "
              + "stderr: \(r.stderrLines.prefix(3).joined(separator: " | "))")
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertEqual(states["f1"], "live")
        XCTAssertEqual(states["f2"], "offline")
        XCTAssertGreaterThan(gateTotals(s ?? [:]).0 + gateTotals(s ?? [:]).1, 0, "the other feed should count")
        XCTAssertEqual(offline?["subject"] as? String, "f2")
        XCTAssertTrue(message.contains("cong-phu.mp4") && message.contains("site.yaml:17:"), message)
        XCTAssertTrue(r.stderr.contains("feed f2: ") && r.stderr.contains("site.yaml:17:"), r.summary)
    }

    /// A damaged YOLOX model file: the feed with `on_model_error: stop_feed` stops with one
    /// line naming the file (its health says why), the feed with the default `fall_back`
    /// counts on with SSDLite after one warning, and the run goes on.
    func testDamagedModelStopsOnlyItsFeedOrFallsBackAsTheConfigSays() throws {
        let installed = "/usr/local/share/gatewatch/models"
        try GW.requireFile(installed + "/frozen_inference_graph.pb")
        let dir = try GW.tempDir(self)
        let models = dir.appendingPathComponent("models")
        try FileManager.default.createDirectory(at: models, withIntermediateDirectories: true)
        for f in ["frozen_inference_graph.pb", "ssdlite-person.pbtxt"] {
            try FileManager.default.copyItem(atPath: installed + "/" + f, toPath: models.appendingPathComponent(f).path)
        }
        let damaged = models.appendingPathComponent("yolox-nano.onnx").path
        try Data(repeating: 7, count: 4096).write(to: URL(fileURLWithPath: damaged))
        let site = dir.appendingPathComponent("site.yaml")
        try """
        site: {name: "Damaged model", capacity: 1000, time_zone: Asia/Ho_Chi_Minh}
        gates:
          - id: g1
            name: "Gate 1"
            feeds:
              - id: f1
                source: "synthetic:kind=crowd,seed=4,frames=300,fps=10"
                fps: 10
                realtime: true
                loop: true
                lines: [{id: l1, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]
              - id: f2
                source: "synthetic:kind=crowd,seed=5,frames=300,fps=10"
                fps: 10
                realtime: true
                loop: true
                on_model_error: stop_feed
                lines: [{id: l2, from: [0.05, 0.55], to: [0.95, 0.55], inside: [0.5, 0.9]}]

        """.write(to: site, atomically: true, encoding: .utf8)
        let db = dir.appendingPathComponent("damaged.sqlite")
        let child = try Child(["run", "--config", site.path, "--db", db.path], extraEnv: ["GATEWATCH_MODEL_DIR": models.path])
        defer { child.stopIfRunning() }
        _ = try waitForHeartbeat(db, child: child)
        var s: [String: Any]?
        for _ in 0..<60 where gateTotals(s ?? [:]).0 + gateTotals(s ?? [:]).1 == 0 {
            usleep(500_000)
            s = try status(db)
        }
        child.signal(SIGTERM)
        let r = child.wait(timeout: 20)
        let feeds = Dictionary(uniqueKeysWithValues: ((s?["feeds"] as? [[String: Any]]) ?? []).map { ($0["id"] as? String ?? "?", $0) })
        print("E2E damaged model: f1 \(feeds["f1"]?["state"] ?? "?"), f2 \(feeds["f2"]?["state"] ?? "?") "
              + "(\(feeds["f2"]?["last_error"] ?? "-")); stderr: \(r.stderrLines.prefix(4).joined(separator: " | "))")
        XCTAssertEqual(r.status, 0, r.summary)
        XCTAssertGreaterThan(gateTotals(s ?? [:]).0 + gateTotals(s ?? [:]).1, 0, "the falling-back feed counts")
        XCTAssertEqual(feeds["f1"]?["state"] as? String, "live")
        XCTAssertEqual(feeds["f2"]?["state"] as? String, "stopped")
        XCTAssertTrue((feeds["f2"]?["last_error"] as? String ?? "").contains(damaged), "\(feeds["f2"] ?? [:])")
        let f1Lines = r.stderrLines.filter { $0.contains("feed f1: ") && $0.contains(damaged) }
        let f2Lines = r.stderrLines.filter { $0.contains("feed f2: ") && $0.contains(damaged) && $0.contains("stop_feed") }
        XCTAssertEqual(f1Lines.count, 1, r.summary)
        XCTAssertTrue(f1Lines.first?.contains("yolox") ?? false, r.summary)
        XCTAssertEqual(f2Lines.count, 1, r.summary)
    }

    func testDemoHeadlessStopsAfterSecondsAndLeavesADatabase() throws {
        let dir = try GW.tempDir(self)
        let db = dir.appendingPathComponent("demo.sqlite")
        let r = try GW.run(["demo", "--headless", "--seconds", "4", "--db", db.path], timeout: 40)
        print("E2E demo --headless --seconds 4: exit \(r.status) in \(String(format: "%.1f", r.seconds)) s")
        XCTAssertFalse(r.timedOut, r.summary)
        XCTAssertEqual(r.status, 0, r.summary)
        guard let s = try status(db) else { throw E2EError("status failed on the demo database") }
        XCTAssertEqual(((s["gates"] as? [[String: Any]]) ?? []).count, 2, "demo site has two gates")
        XCTAssertEqual(((s["feeds"] as? [[String: Any]]) ?? []).count, 2, "demo site has two feeds")
        XCTAssertEqual(pipelineRunning(s), false)
    }
}

/// `gatewatch bench` through the real binary: each step in its own process, figures back as one JSON.
final class BenchEndToEndTests: XCTestCase {
    func testBenchRunsEachStepInItsOwnProcessAndComparesTheDesigns() throws {
        let r = try GW.run(["bench", "--clip", "synthetic:kind=both,seed=3,frames=60,fps=10", "--feeds", "2",
                            "--engine", "both", "--seconds", "2", "--detector", "motion", "--json"], timeout: 240)
        XCTAssertEqual(r.status, 0, r.summary)
        let j = try r.json()
        let steps = (j["steps"] as? [[String: Any]]) ?? []
        print("E2E bench: " + steps.map { "\($0["engine"] ?? "?")/\($0["cadence"] ?? "?") \($0["feeds"] ?? "?") feeds: "
            + "\($0["fps"] ?? "?") fps, memory \($0["memoryMiB"] ?? "?") MiB" }.joined(separator: "; "))
        XCTAssertEqual(steps.map { $0["engine"] as? String }, ["shared", "shared", "per-feed", "per-feed"])
        XCTAssertEqual(steps.map { $0["cadence"] as? String }, ["adaptive", "adaptive", "fixed", "fixed"])
        XCTAssertEqual(steps.map { int($0["feeds"]) }, [1, 2, 1, 2])
        for s in steps {
            XCTAssertGreaterThan(double(s["fps"]) ?? 0, 0, "\(s)")
            // A fresh process a step: each one's peak is its own, not the largest so far.
            XCTAssertGreaterThan(double(s["peakMemoryMiB"]) ?? 0, 0)
        }
        let peaks = steps.compactMap { double($0["peakMemoryMiB"]) }
        XCTAssertLessThan(peaks[2], peaks[1], "per-feed's first step starts afresh: \(peaks)")
    }
}
