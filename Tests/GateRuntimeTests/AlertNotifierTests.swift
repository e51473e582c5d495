import XCTest
import GateCore
@testable import GateRuntime
#if canImport(Glibc)
import Glibc
#endif

/// Collects log lines from the notifier's thread.
final class LogSink: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func add(_ s: String) { lock.lock(); items.append(s); lock.unlock() }
    var lines: [String] { lock.lock(); defer { lock.unlock() }; return items }
}

final class AlertNotifierTests: XCTestCase {
    var dir: URL!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("gw-notifier-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: dir) }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func transition(_ change: AlertTransition.Change = .raise, kind: AlertKind = .offline,
                    subject: AlertSubject = .feed("cam2")) -> AlertTransition {
        AlertTransition(change: change, alert: OpenAlert(kind: kind, subject: subject, severity: .critical, value: 21.5,
                                                         messageEn: "Feed CAM2 (cam2): no frame for 21 s",
                                                         messageVi: "Camera CAM2 (cam2): không nhận được hình trong 21 giây",
                                                         raisedMs: 1_795_957_100_000, updatedMs: 1_795_957_200_000),
                        atMs: 1_795_957_200_000)
    }

    func testCommandReceivesAlertJSONOnStdinWithoutBlockingTheCaller() throws {
        let log = LogSink()
        // The command cannot finish before the test creates `go`: if notify() blocked, this would time out.
        let cmd = "while [ ! -f '\(path("go"))' ]; do sleep 0.02; done; cat > '\(path("out.json"))'"
        let n = AlertNotifier(command: cmd, timeoutSeconds: 20, siteName: "Tràng An", log: log.add)
        n.notify(transition(), alertId: 7)
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.json")))
        FileManager.default.createFile(atPath: path("go"), contents: Data())
        XCTAssertTrue(n.waitUntilIdle(timeoutSeconds: 20))
        let data = try Data(contentsOf: URL(fileURLWithPath: path("out.json")))
        let obj = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(obj["site"] as? String, "Tràng An")
        XCTAssertEqual(obj["change"] as? String, "raise")
        XCTAssertEqual(obj["kind"] as? String, "offline")
        XCTAssertEqual(obj["subject"] as? String, "cam2")
        XCTAssertEqual(obj["subject_type"] as? String, "feed")
        XCTAssertEqual(obj["severity"] as? String, "critical")
        XCTAssertEqual(obj["value"] as? Double, 21.5)
        XCTAssertEqual(obj["message_vi"] as? String, "Camera CAM2 (cam2): không nhận được hình trong 21 giây")
        XCTAssertEqual((obj["at_ms"] as? NSNumber)?.int64Value, 1_795_957_200_000)
        XCTAssertEqual(obj["at"] as? String, "2026-11-29T13:00:00Z")
        XCTAssertEqual((obj["alert_id"] as? NSNumber)?.intValue, 7)
        XCTAssertEqual(log.lines, [])
    }

    func testNotificationsRunInOrder() throws {
        let log = LogSink()
        let n = AlertNotifier(command: "cat >> '\(path("all.jsonl"))'; echo >> '\(path("all.jsonl"))'",
                              timeoutSeconds: 10, siteName: "s", log: log.add)
        n.notify(transition(.raise)); n.notify(transition(.update)); n.notify(transition(.resolve))
        XCTAssertTrue(n.waitUntilIdle(timeoutSeconds: 30))
        let lines = try String(contentsOfFile: path("all.jsonl"), encoding: .utf8).split(separator: "\n")
        let changes = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["change"] as? String }
        XCTAssertEqual(changes, ["raise", "update", "resolve"])
    }

    func testTimeoutKillsTheCommandAndItsChildren() throws {
        let log = LogSink()
        let cmd = "sleep 30 & echo $! > '\(path("child.pid"))'; wait"
        let n = AlertNotifier(command: cmd, timeoutSeconds: 0.5, siteName: "s", log: log.add)
        let started = Date()
        XCTAssertEqual(n.run(input: Data("{}".utf8)), .timedOut)
        print("timeout run took \(String(format: "%.2f", Date().timeIntervalSince(started))) s (timeout 0.5 s)")
        let pidText = try String(contentsOfFile: path("child.pid"), encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let child = try XCTUnwrap(pid_t(pidText))
        // The background `sleep` was in the command's process group: it is gone too.
        var gone = false
        for _ in 0..<100 {
            if kill(child, 0) != 0 { gone = true; break }
            // A zombie of an orphan is reaped by init; until then it is not running either.
            if let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8), stat.contains(") Z ") { gone = true; break }
            usleep(20_000)
        }
        XCTAssertTrue(gone, "child \(child) still running")

        n.notify(transition())
        XCTAssertTrue(n.waitUntilIdle(timeoutSeconds: 10))
        XCTAssertEqual(log.lines.count, 1)
        XCTAssertTrue(log.lines[0].contains("did not finish within 0.5 s and was killed"), log.lines[0])
    }

    func testFailingCommandIsLoggedAsOneLineNotThrown() {
        let log = LogSink()
        let n = AlertNotifier(command: "echo 'gateway refused: 401' >&2; echo second line >&2; exit 3",
                              timeoutSeconds: 5, siteName: "s", log: log.add)
        n.notify(transition())
        XCTAssertTrue(n.waitUntilIdle(timeoutSeconds: 10))
        XCTAssertEqual(log.lines, ["on_alert: command for raise offline cam2 exited with status 3: gateway refused: 401; check the on_alert command in the site config"])
    }

    func testMissingProgramIsLogged() {
        let log = LogSink()
        let n = AlertNotifier(command: "/nonexistent/send-sms", timeoutSeconds: 5, siteName: "s", log: log.add)
        n.notify(transition(.resolve, kind: .capacity, subject: .site))
        XCTAssertTrue(n.waitUntilIdle(timeoutSeconds: 10))
        XCTAssertEqual(log.lines.count, 1)
        XCTAssertTrue(log.lines[0].hasPrefix("on_alert: command for resolve capacity site exited with status 127"), log.lines[0])
    }

    func testCommandThatIgnoresStdinDoesNotKillUs() {
        let n = AlertNotifier(command: "exit 0", timeoutSeconds: 5, siteName: "s", log: { _ in })
        // 1 MB is more than a pipe holds: the write meets a closed pipe (EPIPE).
        XCTAssertEqual(n.run(input: Data(repeating: 0x41, count: 1 << 20)), .ok)
        XCTAssertEqual(n.run(input: Data("{}".utf8)), .ok)
    }

    func testSignalledCommand() {
        let n = AlertNotifier(command: "kill -9 $$", timeoutSeconds: 5, siteName: "s", log: { _ in })
        XCTAssertEqual(n.run(input: Data()), .killedBySignal(9))
    }

    func testNoCommandConfiguredMeansNoNotifier() {
        var a = AlertSettings()
        XCTAssertNil(AlertNotifier(settings: a, siteName: "s"))
        a.onAlert = "   "
        XCTAssertNil(AlertNotifier(settings: a, siteName: "s"))
        a.onAlert = "logger -t gatewatch"
        a.onAlertTimeoutSeconds = 3
        let n = AlertNotifier(settings: a, siteName: "s")
        XCTAssertEqual(n?.command, "logger -t gatewatch")
        XCTAssertEqual(n?.timeoutSeconds, 3)
    }

    func testBacklogIsBoundedAndLogged() {
        let log = LogSink()
        let n = AlertNotifier(command: "while [ ! -f '\(path("go"))' ]; do sleep 0.02; done",
                              timeoutSeconds: 20, siteName: "s", maxPending: 2, log: log.add)
        for _ in 0..<5 { n.notify(transition()) }
        FileManager.default.createFile(atPath: path("go"), contents: Data())
        XCTAssertTrue(n.waitUntilIdle(timeoutSeconds: 20))
        // The first may already be running; at least two of the others were dropped.
        XCTAssertGreaterThanOrEqual(log.lines.filter { $0.contains("dropped the oldest") }.count, 2)
    }
}

final class AlertNotifierKillTests: XCTestCase {
    func testCommandIgnoringTermIsKilled() {
        let n = AlertNotifier(command: "trap '' TERM; while true; do sleep 0.05; done", timeoutSeconds: 0.3, siteName: "s", log: { _ in })
        let started = Date()
        XCTAssertEqual(n.run(input: Data("{}".utf8)), .timedOut)
        print("TERM-ignoring command killed after \(String(format: "%.2f", Date().timeIntervalSince(started))) s (timeout 0.3 s + 1 s grace)")
    }
}
