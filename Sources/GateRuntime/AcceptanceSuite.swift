import Foundation
import GateCore
import GateStore

/// Runs a whole suite and keeps the store current as it goes, for the CLI (`gatewatch test`)
/// and the console's Tests screen alike.
public enum AcceptanceSuite {
    /// Where a running suite is: scenario index (0-based), count, scenario name, 0…1 within it.
    public typealias Progress = (_ index: Int, _ count: Int, _ name: String, _ fraction: Double) -> Void

    /// Parse every scenario with `load` first (a typo in the last file fails at once, before
    /// anything runs), then run them in order. With a database, the run is started before the first scenario
    /// (so readers see it `running`), each result is added as it finishes, and the run is closed.
    public static func load(path: String) throws -> [Scenario] {
        try ScenarioLoader.suiteFiles(path).map { try ScenarioLoader.load(path: $0) }
    }

    /// Runs scenarios from `load(path:)`; `path` names the suite in the store and the report.
    /// `provenance` says who runs it with what (the run id and the load at the end are added here).
    /// `onRunStarted` gets the run's id as soon as it is stored. Returns the run and its id in the store.
    public static func run(_ scenarios: [Scenario], path: String, database: GateDatabase?, provenance: RunProvenance,
                           modelPath: String? = nil, strictSpeed: Bool = false,
                           log: @escaping (String) -> Void = { _ in },
                           onRunStarted: (_ runId: Int64) -> Void = { _ in },
                           onStart: (_ index: Int, _ count: Int, _ scenario: Scenario) -> Void = { _, _, _ in },
                           progress: @escaping Progress = { _, _, _, _ in },
                           onResult: (_ index: Int, _ result: ScenarioResult) -> Void = { _, _ in }) throws -> (SuiteRun, Int64?) {
        var provenance = provenance
        provenance.plannedScenarios = scenarios.count
        provenance.strictSpeed = strictSpeed
        let suiteName = (path as NSString).standardizingPath
        let startedMs = currentTimeMs()
        let runId = try database?.startTestRun(suite: suiteName, version: provenance.version, machine: provenance.machine.summary,
                                               provenanceJSON: json(provenance), at: startedMs)
        provenance.runId = runId
        // Whoever started this process learns its run by id (the console's Tests screen), never by guessing.
        if let runId { onRunStarted(runId) }
        let runner = AcceptanceRunner(modelPath: modelPath, strictSpeed: strictSpeed, log: log)
        var reports: [ScenarioReport] = []
        for (i, s) in scenarios.enumerated() {
            onStart(i, scenarios.count, s)
            let r = runner.run(s) { progress(i, scenarios.count, s.name, $0) }
            let report = r.report(clip: r.clipPath.flatMap(FileIdentity.of))
            reports.append(report)
            if let database, let runId { try database.addTestResult(runId: runId, r.record(report, finishedMs: currentTimeMs())) }
            onResult(i, r)
        }
        let finishedMs = currentTimeMs()
        provenance.loadAtEnd = LoadAverage.current()
        if let database, let runId {
            if let text = json(provenance) { try database.recordTestProvenance(runId: runId, json: text) }
            _ = try database.finishTestRun(id: runId, at: finishedMs)
        }
        return (SuiteRun(suite: suiteName, provenance: provenance, startedMs: startedMs, finishedMs: finishedMs,
                         scenarios: reports), runId)
    }

    /// A stored run, as its signed report shows it. Throws a one-line `ReportError` when the run is
    /// unknown, still running, or was stored by a GateWatch that kept no report details.
    public static func stored(runId: Int64, queries: StoreQueries, databasePath: String) throws -> SuiteRun {
        guard let row = try queries.testRun(id: runId) else {
            throw ReportError("\(databasePath): no test run #\(runId); `gatewatch status --db \(databasePath)` or the console's Tests screen lists the runs")
        }
        guard row.verdict != .known(.running) else {
            throw ReportError("test run #\(runId) in \(databasePath) is still running; write its report when it has finished")
        }
        let decoder = JSONDecoder()
        guard let text = row.provenanceJSON, var provenance = try? decoder.decode(RunProvenance.self, from: Data(text.utf8)) else {
            throw ReportError("test run #\(runId) in \(databasePath) was stored by an older GateWatch without the report's details; run the suite again")
        }
        provenance.runId = runId
        let results = try queries.testResults(runId: runId)
        let scenarios = try results.map { r -> ScenarioReport in
            guard let text = r.reportJSON, let s = try? decoder.decode(ScenarioReport.self, from: Data(text.utf8)) else {
                throw ReportError("test run #\(runId) in \(databasePath): scenario '\(r.scenario)' has no report details; run the suite again")
            }
            return s
        }
        return SuiteRun(suite: row.suite, provenance: provenance, startedMs: row.startedMs,
                        finishedMs: row.finishedMs ?? row.startedMs, scenarios: scenarios)
    }

    static func json<T: Encodable>(_ value: T) -> String? {
        (try? JSONEncoder().encode(value)).flatMap { String(data: $0, encoding: .utf8) }
    }
}

/// A stored run that cannot be reported, in one line.
public struct ReportError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}
