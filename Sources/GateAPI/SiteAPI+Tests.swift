import Foundation
import GateCore
import GateRuntime
import GateStore
import OpenAPIRuntime

// Acceptance runs (kiểm thử) and their reports: what a tester signed, for the systems that keep it.
extension SiteAPI {
    static let maxTestRuns = 200

    func listTestRuns(_ input: Operations.ListTestRuns.Input) async throws -> Operations.ListTestRuns.Output {
        try checkSite(input.query.site)
        let limit = Int(input.query.limit ?? 50)
        guard (1...Self.maxTestRuns).contains(limit) else { throw APIProblem.limitTooLarge(limit, max: Self.maxTestRuns) }
        let clock = try clock()
        return .ok(.init(body: .json(.init(runs: try queries.testRuns(limit: limit).map { testRun($0, clock) }))))
    }

    func getTestRun(_ input: Operations.GetTestRun.Input) async throws -> Operations.GetTestRun.Output {
        try checkSite(input.query.site)
        let run = try storedRun(input.path.id)
        let clock = try clock()
        let results = try queries.testResults(runId: run.id).map { r -> Components.Schemas.TestResult in
            .init(scenario: r.scenario, lineId: r.lineId, expectedIn: r.expectedIn, expectedOut: r.expectedOut,
                  countedIn: r.countedIn, countedOut: r.countedOut, tolerance: r.tolerance, fps: r.fps,
                  requiredFps: r.requiredFps, verdict: r.verdict.rawValue, verdictText: verdictText(r.verdict.rawValue),
                  detail: r.detail, finished: r.finishedMs.map(clock.instant))
        }
        let provenance = run.provenanceJSON.flatMap { try? JSONDecoder().decode(RunProvenance.self, from: Data($0.utf8)) }
        return .ok(.init(body: .json(.init(run: testRun(run, clock), _operator: provenance?.operatorName, results: results))))
    }

    func getTestReport(_ input: Operations.GetTestReport.Input) async throws -> Operations.GetTestReport.Output {
        try checkSite(input.query.site)
        let row = try storedRun(input.path.id)
        if row.verdict == .known(.running) {
            throw APIProblem(slug: "run-not-finished", title: "Run not finished", status: 409,
                             detail: "test run #\(row.id) is still running; its report can be read when it has finished")
        }
        let run: SuiteRun
        do {
            run = try AcceptanceSuite.stored(runId: row.id, queries: queries, databasePath: "the site database")
        } catch let error as ReportError {
            throw APIProblem(slug: "report-unavailable", title: "Report unavailable", status: 409, detail: error.description)
        }
        switch input.query.format ?? .markdown {
        case .markdown: return .ok(.init(body: .textMarkdown(HTTPBody(AcceptanceReport.markdown(run)))))
        case .html: return .ok(.init(body: .html(HTTPBody(AcceptanceReport.html(run)))))
        }
    }

    private func storedRun(_ id: Int64) throws -> TestRunRow {
        guard let run = try queries.testRun(id: id) else {
            throw APIProblem(slug: "unknown-test-run", title: "Unknown test run", status: 404,
                             detail: "there is no test run #\(id) in this database; GET /v1/tests lists them")
        }
        return run
    }

    private func testRun(_ r: TestRunRow, _ clock: SiteClock) -> Components.Schemas.TestRun {
        .init(id: r.id, suite: r.suite, started: clock.instant(r.startedMs), finished: r.finishedMs.map(clock.instant),
              version: r.version, machine: r.machine, passed: r.passed, failed: r.failed,
              verdict: r.verdict.rawValue, verdictText: verdictText(r.verdict.rawValue))
    }

    private func verdictText(_ word: String) -> Components.Schemas.Text {
        .init(vi: Words.testVerdict(word, .vi), en: Words.testVerdict(word, .en))
    }
}
