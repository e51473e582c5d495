import GateCore
import XCTest
@testable import GateConsole
@testable import GateStore

/// Every screen rendered to text at 80x24 and 160x48 in both languages, compared with
/// the files in Snapshots/. Re-record with GATEWATCH_RECORD_SNAPSHOTS=1.
final class SnapshotTests: XCTestCase {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    static var dbPath = ""
    static var snapshot: [String: ConsoleSnapshot] = [:]

    override class func setUp() {
        super.setUp()
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gw-snap-\(getpid())")
        try? FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        dbPath = tmp.appendingPathComponent("site.db").path
        do { try SeedDatabase.create(at: dbPath) } catch { fatalError("seeding \(dbPath): \(error)") }
    }

    func load(_ state: ConsoleState) throws -> ConsoleSnapshot {
        let store = ConsoleStore(path: Self.dbPath)
        switch store.load(state.loadRequest(try firstLoad()), now: SeedDatabase.fixedNow) {
        case .success(let s): return s
        case .failure(let p): throw p
        }
    }

    func firstLoad() throws -> ConsoleSnapshot {
        switch ConsoleStore(path: Self.dbPath).load(LoadRequest(), now: SeedDatabase.fixedNow) {
        case .success(let s): return s
        case .failure(let p): throw p
        }
    }

    func render(_ screen: ScreenID, _ w: Int, _ h: Int, _ lang: Language, ascii: Bool = false,
                configure: (inout ConsoleState) -> Void = { _ in }, data: (inout ConsoleSnapshot) -> Void = { _ in }) throws -> String {
        var st = ConsoleState(language: lang, userName: "tester")
        st.screen = screen
        configure(&st)
        var snap = try load(st)
        data(&snap)
        // The file's size follows the schema and SQLite's page use, not the screen: pin it.
        snap.dbBytes = 320 * 1024
        let ctx = RenderContext(now: SeedDatabase.fixedNow, snapshot: snap, dbPath: "site.db", themeName: "default")
        return Renderer.frame(width: w, height: h, ascii: ascii, state: st, ctx: ctx).text()
    }

    func check(_ name: String, _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = Self.dir.appendingPathComponent(name + ".txt")
        let record = ProcessInfo.processInfo.environment["GATEWATCH_RECORD_SNAPSHOTS"] == "1"
        if record {
            try FileManager.default.createDirectory(at: Self.dir, withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            XCTFail("missing snapshot \(url.path); run with GATEWATCH_RECORD_SNAPSHOTS=1 to record it", file: file, line: line)
            return
        }
        if expected != text {
            let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let a = text.split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(e.count, a.count)).first { e[$0] != a[$0] } ?? min(e.count, a.count)
            XCTFail("snapshot \(name) differs at line \(i + 1):\n expected: \(i < e.count ? String(e[i]) : "<end>")\n   actual: \(i < a.count ? String(a[i]) : "<end>")\n--- actual ---\n\(text)",
                    file: file, line: line)
        }
    }

    func checkAll(_ screen: ScreenID, _ name: String, configure: (inout ConsoleState) -> Void = { _ in },
                  data: (inout ConsoleSnapshot) -> Void = { _ in }) throws {
        for (w, h) in [(80, 24), (160, 48)] {
            for lang in Language.allCases {
                let text = try render(screen, w, h, lang, configure: configure, data: data)
                // Every row fits its width exactly (wide characters counted twice).
                for row in text.split(separator: "\n") { XCTAssertLessThanOrEqual(TextWidth.of(String(row)), w, "\(name) \(w)x\(h) \(lang)") }
                try check("\(name)-\(w)x\(h)-\(lang.rawValue)", text)
            }
        }
    }

    func testOverview() throws { try checkAll(.overview, "overview") }
    func testGate() throws { try checkAll(.gate, "gate") }
    func testAlerts() throws { try checkAll(.alerts, "alerts") }
    func testHistory() throws { try checkAll(.history, "history") }
    func testTests() throws { try checkAll(.tests, "tests") }
    func testHealth() throws { try checkAll(.health, "health") }

    /// Webhook endpoints under the pipeline: one keeping up, one failing with dead letters.
    func testHealthWithWebhooks() throws {
        let now = SeedDatabase.fixedNow
        try checkAll(.health, "health-webhooks", data: { s in
            s.webhooks = [
                WebhookBacklog(endpointId: "ioc", url: "https://ioc.example.vn/hook", pending: 0, deadLettered: 0, attempts: 0,
                               lastDeliveredSeq: 812, lastDeliveredMs: now - 2_000),
                WebhookBacklog(endpointId: "zalo-bot", url: "http://10.0.0.9:8080/gw", pending: 37, deadLettered: 2, attempts: 4,
                               nextAttemptMs: now + 6_000, lastError: "HTTP 503", lastErrorMs: now - 3_000,
                               lastDeliveredSeq: 775, lastDeliveredMs: now - 95_000),
            ]
        })
    }

    // MARK: Tests screen: suites, a live run, a run's detail

    static let suites = [SuiteInfo(path: "/srv/gatewatch/acceptance", scenarios: 16),
                         SuiteInfo(path: "/srv/gatewatch/acceptance-night", scenarios: 3),
                         SuiteInfo(path: "/home/tester/missing", scenarios: 0, problem: .missing)]

    /// Run 3 of /srv/gatewatch/acceptance, started by this console 75 s ago: 2 of 16 scenarios done.
    static func withLiveRun(_ s: inout ConsoleSnapshot, phase: LiveRunVM.Phase = .running) {
        s.suites = suites
        let started = SeedDatabase.fixedNow - 75_000
        var results = Array(s.testRuns.first { $0.id == 2 }!.results.prefix(2))
        results[1].scenario = "synthetic-pairs"
        let finished = phase == .finished
        let run = TestRunRow(id: 3, suite: "/srv/gatewatch/acceptance", startedMs: started + 400,
                             finishedMs: finished ? SeedDatabase.fixedNow - 5_000 : nil, version: "0.1.0", machine: "desk-01",
                             passed: finished ? 2 : 1, failed: finished ? 0 : 1, verdict: .known(finished ? .pass : .running))
        s.testRuns.insert(TestRunVM(run: run, results: finished ? results.map { var r = $0; r.verdict = .known(.pass); return r } : results),
                          at: 0)
        s.liveRun = LiveRunVM(suite: "/srv/gatewatch/acceptance", total: finished ? 2 : 16, startedMs: started,
                              logPath: "/var/lib/gatewatch/kiem-thu-20261123-102845.log",
                              reportPath: "/var/lib/gatewatch/kiem-thu-20261123-102845.md", runId: 3, phase: phase, pid: 4321)
        s.reports[3] = "/var/lib/gatewatch/kiem-thu-20261123-102845.md"
    }

    func testTestsWithSuites() throws {
        try checkAll(.tests, "tests-suites", data: { $0.suites = Self.suites })
    }

    func testTestsLiveRun() throws {
        try checkAll(.tests, "tests-running", data: { Self.withLiveRun(&$0) })
        let text = try render(.tests, 80, 24, .en, data: { Self.withLiveRun(&$0) })
        XCTAssertTrue(text.contains("Running: acceptance · scenario 3/16"), text)
        XCTAssertTrue(text.contains("2/16 done"), text)
    }

    func testTestsConfirmAndFailure() throws {
        try check("tests-confirm-80x24-vi", try render(.tests, 80, 24, .vi, configure: { $0.confirm = .runSuite(Self.suites[0]) },
                                                       data: { $0.suites = Self.suites }))
        let failed = LiveRunVM.Phase.failed(.exited(2))
        let text = try render(.tests, 80, 24, .en, data: { Self.withLiveRun(&$0, phase: failed); $0.testRuns.removeFirst() })
        try check("tests-failed-80x24-en", text)
        XCTAssertTrue(text.contains("Run failed: acceptance"), text)
        XCTAssertTrue(text.contains("exited with status 2"), text)
        XCTAssertTrue(text.contains("Log: /var/lib/gatewatch/kiem-thu-20261123-102845.log"), text)
        let done = try render(.tests, 80, 24, .en, data: { Self.withLiveRun(&$0, phase: .finished) })
        XCTAssertTrue(done.contains("Finished: acceptance · Verdict: PASS · 2/0"), done)
    }

    func testTestsRunDetail() throws {
        // Selection: 3 suites, then runs; the 2nd run (the seeded failing run) opened with Enter.
        try checkAll(.tests, "tests-detail", configure: { $0.selection[.tests] = 4; $0.detailOpen = true },
                     data: { Self.withLiveRun(&$0, phase: .finished) })
        let own = try render(.tests, 160, 48, .en, configure: { $0.selection[.tests] = 3; $0.detailOpen = true },
                             data: { Self.withLiveRun(&$0, phase: .finished) })
        XCTAssertTrue(own.contains("Report: /var/lib/gatewatch/kiem-thu-20261123-102845.md"), own)
        let ascii = try render(.tests, 80, 24, .vi, ascii: true, configure: { $0.selection[.tests] = 4; $0.detailOpen = true },
                               data: { Self.withLiveRun(&$0, phase: .running) })
        XCTAssertTrue(ascii.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII mode printed non-ASCII")
        try check("tests-detail-ascii-80x24-vi", ascii)
        let live = try render(.tests, 80, 24, .vi, ascii: true, data: { Self.withLiveRun(&$0) })
        XCTAssertTrue(live.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII mode printed non-ASCII")
        try check("tests-running-ascii-80x24-vi", live)
    }

    /// Run 3 cancelled after 2 of its 16 scenarios: stopped, not failed; its report was never written.
    static func withStoppedRun(_ s: inout ConsoleSnapshot) {
        withLiveRun(&s, phase: .cancelled)
        s.testRuns[0].verdict = .known(.fail)
        s.testRuns[0].finishedMs = SeedDatabase.fixedNow - 5_000
        s.testRuns[0].plannedScenarios = 16
        s.reports = [:]
    }

    func testTestsStoppedRunIsNotAFailureAndLinksNoMissingReport() throws {
        try checkAll(.tests, "tests-stopped", data: { Self.withStoppedRun(&$0) })
        let list = try render(.tests, 160, 48, .en, data: { Self.withStoppedRun(&$0) })
        XCTAssertTrue(list.contains("Stopped: acceptance · 2 of 16 scenarios ran"), list)
        XCTAssertTrue(list.contains("stopped "), list)
        let detail = try render(.tests, 160, 48, .en, configure: { $0.selection[.tests] = 3; $0.detailOpen = true },
                                data: { Self.withStoppedRun(&$0) })
        XCTAssertTrue(detail.contains("stopped 1/1 · 2 of 16 scenarios ran"), detail)
        XCTAssertTrue(detail.contains("Report: none on disk; write one: gatewatch test report 3 --db site.db --report FILE.md"), detail)
        let narrow = try render(.tests, 80, 24, .en, configure: { $0.selection[.tests] = 3; $0.detailOpen = true },
                                data: { Self.withStoppedRun(&$0) })
        XCTAssertTrue(narrow.contains("--report FILE.md"), "the command to write the report is cut:\n" + narrow)
        XCTAssertFalse(detail.contains("kiem-thu-20261123-102845.md"), detail)
        // The same run ended by a signal from elsewhere (the console did not cancel it): still stopped.
        let ended = try render(.tests, 160, 48, .en, data: { Self.withStoppedRun(&$0); $0.liveRun?.phase = .finished })
        XCTAssertTrue(ended.contains("Stopped: acceptance · 2 of 16 scenarios ran"), ended)
        XCTAssertFalse(ended.contains("Verdict: FAIL"), ended)
        try check("tests-stopped-detail-80x24-vi", try render(.tests, 80, 24, .vi, configure: { $0.selection[.tests] = 3; $0.detailOpen = true },
                                                              data: { Self.withStoppedRun(&$0) }))
    }

    func testTestsSuiteDetailAndWhereSuitesWereLookedFor() throws {
        try checkAll(.tests, "tests-suite-detail", configure: { $0.detailOpen = true }, data: { Self.withLiveRun(&$0, phase: .finished) })
        let text = try render(.tests, 160, 48, .en, configure: { $0.detailOpen = true }, data: { Self.withLiveRun(&$0, phase: .finished) })
        XCTAssertTrue(text.contains("Folder: /srv/gatewatch/acceptance"), text)
        XCTAssertTrue(text.contains("Latest run: #3"), text)
        XCTAssertTrue(text.contains("Report: /var/lib/gatewatch/kiem-thu-20261123-102845.md"), text)
        XCTAssertTrue(text.contains("r: run this suite (asks y/n)"), text)
        let none = try render(.tests, 80, 24, .en, data: { $0.suiteSearch = ["/home/tester/samples/acceptance", "/usr/local/share/gatewatch/acceptance"] })
        try check("tests-nosuites-80x24-en", none)
        XCTAssertTrue(none.contains("No suites in: /home/tester/samples/acceptance,"), none)
        XCTAssertTrue(none.contains("--suites DIR"), none)
        XCTAssertTrue(none.contains("(remembered)"), none)
    }

    func testSecondGateAndEarlierDay() throws {
        try check("gate2-80x24-en", try render(.gate, 80, 24, .en) { $0.gateIndex = 1 })
        try check("history-yesterday-80x24-vi", try render(.history, 80, 24, .vi) { $0.historyDaysBack = 1 })
    }

    func testHelpAndTooSmallAndAscii() throws {
        try check("help-80x24-vi", try render(.overview, 80, 24, .vi) { $0.showHelp = true })
        try check("toosmall-60x20-vi", try render(.overview, 60, 20, .vi))
        let ascii = try render(.overview, 80, 24, .vi, ascii: true)
        XCTAssertTrue(ascii.unicodeScalars.allSatisfy { $0.isASCII }, "ASCII mode printed non-ASCII")
        XCTAssertTrue(ascii.contains("Khu du lich Nui Ba Den"))
        try check("overview-ascii-80x24-vi", ascii)
    }

    func testEmptyTestsScreenSaysNoneRan() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("gw-empty-\(getpid()).db").path
        try SeedDatabase.create(at: tmp, testRuns: false)
        let snap = try ConsoleStore(path: tmp).load(LoadRequest(), now: SeedDatabase.fixedNow).get()
        var st = ConsoleState(language: .en, userName: "t"); st.screen = .tests
        let text = Renderer.frame(width: 80, height: 24, ascii: false, state: st,
                                  ctx: RenderContext(now: SeedDatabase.fixedNow, snapshot: snap, dbPath: tmp)).text()
        XCTAssertTrue(text.contains("No acceptance runs yet"), text)
    }

    func testProblemBannersAndStalePipeline() throws {
        var st = ConsoleState(language: .en, userName: "t")
        let missing = Renderer.frame(width: 80, height: 24, ascii: false, state: st,
                                     ctx: RenderContext(now: SeedDatabase.fixedNow, snapshot: nil, problem: .missing("/nope.db"), dbPath: "/nope.db")).text()
        XCTAssertTrue(missing.contains("Database /nope.db not found"), missing)
        // A heartbeat 20 s old: pipeline stopped banner, and live feeds shown as unknown
        // (a runner that stopped beating cannot vouch for its cameras; `status` says the same).
        let snap = try firstLoad()
        st.screen = .overview
        let later = Renderer.frame(width: 160, height: 48, ascii: false, state: st,
                                   ctx: RenderContext(now: SeedDatabase.fixedNow + 19_000, snapshot: snap, dbPath: "x")).text()
        XCTAssertTrue(later.contains("Pipeline stopped (last heartbeat 20s ago)"), later)
        XCTAssertTrue(later.contains("Camera cổng 1 unknown"), later)
        XCTAssertFalse(try render(.overview, 160, 48, .en).contains("stale"))
    }
}
