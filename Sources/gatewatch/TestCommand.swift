import ArgumentParser
import Foundation
import GateCore
import GateRuntime
import GateStore

/// `gatewatch test`: runs an acceptance suite (a folder of scenario YAML files).
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run an acceptance suite: expected against counted, speed, alerts; store, JUnit, signed report.",
        discussion: """
            SUITE is a folder of scenario .yaml files (run in name order) or one scenario file.
            Exit code 0 when every scenario passes, 1 otherwise.
            Example: gatewatch test samples/acceptance --junit out.xml --report out.md
            """
    )

    @Argument(help: "A folder of scenario files, or one scenario file.")
    var suite: String

    @Option(help: "Write JUnit XML here (one testcase per scenario).")
    var junit: String?

    @Option(help: "Write the acceptance report: FILE.md (Markdown) or FILE.html; the other format too with --both-formats.")
    var report: String?

    @Flag(help: "With --report, also write the other format next to it (same name, .md/.html).")
    var bothFormats = false

    @Option(help: "Site name for the report.")
    var site: String?

    @Option(help: "Store the run and its results in this SQLite database.")
    var db: String = "gatewatch-tests.sqlite"

    @Option(help: "Path to the person model (frozen_inference_graph.pb); found by itself when installed.")
    var model: String?

    func validate() throws {
        if let report {
            let ext = (report as NSString).pathExtension.lowercased()
            guard ["md", "markdown", "html", "htm"].contains(ext) else {
                throw ValidationError("--report \(report): name the file .md (Markdown) or .html (HTML)")
            }
        }
    }

    func run() throws {
        var failed = false
        try runReportingErrors {
            // Parse every scenario first: a typo in the last file fails in a second, not after the suite ran.
            let files = try ScenarioLoader.suiteFiles(suite)
            let scenarios = try files.map { try ScenarioLoader.load(path: $0) }
            let database = try GateDatabase.openWriter(path: db)
            defer { try? database.close() }
            let machine = MachineInfo.current()
            let suiteName = (suite as NSString).standardizingPath
            let startedMs = nowMs()
            let runId = try database.startTestRun(suite: suiteName, version: GateWatch.version, machine: machine.summary, at: startedMs)

            let tty = isatty(STDOUT_FILENO) == 1
            let bar = ProgressBar(enabled: tty)
            let runner = AcceptanceRunner(modelPath: model, log: { bar.message($0) })
            var results: [ScenarioResult] = []
            for (i, s) in scenarios.enumerated() {
                let label = "[\(i + 1)/\(scenarios.count)] \(s.name)"
                if !tty { print("\(label) …"); fflush(stdout) }
                bar.update(label: label, fraction: 0)
                let r = runner.run(s) { bar.update(label: label, fraction: $0) }
                bar.clear()
                let line = String(format: "%@ %@ (%.1f s)", label, r.verdict.rawValue.uppercased(), r.observation.seconds)
                print(line + (r.failures.isEmpty ? "" : ": " + r.failures.joined(separator: "; ")))
                fflush(stdout)
                results.append(r)
                try database.addTestResult(runId: runId, r.record(finishedMs: nowMs()))
            }
            let finishedMs = nowMs()
            _ = try database.finishTestRun(id: runId, at: finishedMs)
            let run = SuiteRun(suite: suiteName, version: GateWatch.version, machine: machine,
                               startedMs: startedMs, finishedMs: finishedMs, results: results)
            print("")
            print(AcceptanceReport.table(run))
            if let junit { try writeFile(AcceptanceReport.junit(run), to: junit) }
            if let report {
                let isHTML = ["html", "htm"].contains((report as NSString).pathExtension.lowercased())
                let base = (report as NSString).deletingPathExtension
                try writeFile(isHTML ? AcceptanceReport.html(run, site: site) : AcceptanceReport.markdown(run, site: site), to: report)
                if bothFormats {
                    try writeFile(isHTML ? AcceptanceReport.markdown(run, site: site) : AcceptanceReport.html(run, site: site),
                                  to: base + (isHTML ? ".md" : ".html"))
                }
            }
            print("stored as test run \(runId) in \(db)")
            failed = run.verdict != .pass
        }
        if failed { throw ExitCode.failure }
    }

    private func writeFile(_ text: String, to path: String) throws {
        guard path != "-" else { print(text); return }
        try writeOutput(text, to: path)
    }

    private func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}

/// A one-line progress bar on a terminal (redrawn with \r); does nothing otherwise.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private let lock = NSLock()
    private var shown = false
    private var lastDraw = Date.distantPast
    init(enabled: Bool) { self.enabled = enabled }

    func update(label: String, fraction: Double) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let now = Date()
        guard fraction >= 1 || fraction == 0 || now.timeIntervalSince(lastDraw) >= 0.1 else { return }
        lastDraw = now
        let width = 30
        let f = max(0, min(1, fraction))
        let filled = Int((f * Double(width)).rounded())
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        var text = "\r[\(bar)] \(String(format: "%3d%%", Int(f * 100))) \(label)"
        if text.count > 100 { text = String(text.prefix(100)) }
        FileHandle.standardOutput.write(Data((text + "\u{1B}[K").utf8))
        shown = true
    }

    func clear() {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        if shown { FileHandle.standardOutput.write(Data("\r\u{1B}[K".utf8)); shown = false }
    }

    /// A log line that does not tear the bar.
    func message(_ line: String) {
        clear()
        printError(line)
    }
}
