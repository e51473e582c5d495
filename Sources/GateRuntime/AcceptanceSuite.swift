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
    /// Returns the run and its id in the store.
    public static func run(_ scenarios: [Scenario], path: String, database: GateDatabase?, version: String, modelPath: String? = nil,
                           log: @escaping (String) -> Void = { _ in },
                           onStart: (_ index: Int, _ count: Int, _ scenario: Scenario) -> Void = { _, _, _ in },
                           progress: @escaping Progress = { _, _, _, _ in },
                           onResult: (_ index: Int, _ result: ScenarioResult) -> Void = { _, _ in }) throws -> (SuiteRun, Int64?) {
        let machine = MachineInfo.current()
        let suiteName = (path as NSString).standardizingPath
        let startedMs = currentTimeMs()
        let runId = try database?.startTestRun(suite: suiteName, version: version, machine: machine.summary, at: startedMs)
        let runner = AcceptanceRunner(modelPath: modelPath, log: log)
        var results: [ScenarioResult] = []
        for (i, s) in scenarios.enumerated() {
            onStart(i, scenarios.count, s)
            let r = runner.run(s) { progress(i, scenarios.count, s.name, $0) }
            results.append(r)
            if let database, let runId { try database.addTestResult(runId: runId, r.record(finishedMs: currentTimeMs())) }
            onResult(i, r)
        }
        let finishedMs = currentTimeMs()
        if let database, let runId { _ = try database.finishTestRun(id: runId, at: finishedMs) }
        return (SuiteRun(suite: suiteName, version: version, machine: machine, startedMs: startedMs,
                         finishedMs: finishedMs, results: results), runId)
    }
}
