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

    @Argument(help: "A folder of scenario files, or scenario files (several run as one suite).")
    var suite: [String]

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
        if suite.isEmpty { throw ValidationError("give the suite: a folder of scenario .yaml files (e.g. samples/acceptance) or scenario files") }
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
            let scenarios = try suite.flatMap { try AcceptanceSuite.load(path: $0) }
            let database = try GateDatabase.openWriter(path: db)
            defer { try? database.close() }
            // Ctrl-C or a kill mid-suite: the stored run must not stay "running" forever.
            let startedMs = currentTimeMs()
            let dbPath = db
            let signals = StopSignal(signals: [SIGINT, SIGTERM, SIGHUP]) { sig in
                let open = (try? StoreQueries(database).testRuns(limit: 5))?
                    .first { $0.verdict == "running" && $0.startedMs >= startedMs }
                if let open { _ = try? database.interruptTestRun(id: open.id) }
                printError("test run interrupted (signal \(sig)); stored as failed in \(dbPath)")
                Foundation.exit(128 + sig)
            }
            defer { withExtendedLifetime(signals) {} }
            let tty = isatty(STDOUT_FILENO) == 1
            let bar = ProgressBar(enabled: tty)
            func label(_ i: Int, _ n: Int, _ name: String) -> String { "[\(i + 1)/\(n)] \(name)" }
            let (run, runId) = try AcceptanceSuite.run(
                scenarios, path: suite.count == 1 ? suite[0] : suite.joined(separator: " "), database: database, version: GateWatch.version, modelPath: model,
                log: { bar.message($0) },
                onStart: { i, n, s in
                    if !tty { print("\(label(i, n, s.name)) …"); fflush(stdout) }
                    bar.update(label: label(i, n, s.name), fraction: 0)
                },
                progress: { i, n, name, f in bar.update(label: label(i, n, name), fraction: f) },
                onResult: { i, r in
                    bar.clear()
                    let head = String(format: "%@ %@ (%.1f s)", label(i, scenarios.count, r.scenario.name), r.verdict.rawValue.uppercased(), r.observation.seconds)
                    print(head + (r.failures.isEmpty ? "" : ": " + r.failures.joined(separator: "; ")))
                    fflush(stdout)
                })
            print("")
            print(AcceptanceReport.table(run))
            if let junit { try writeFile(AcceptanceReport.junit(run), to: junit) }
            // The report names the site: the one given, else the site stored in this database.
            let site = self.site ?? (try? StoreQueries(database).site())??.name
            if let report {
                let isHTML = ["html", "htm"].contains((report as NSString).pathExtension.lowercased())
                let base = (report as NSString).deletingPathExtension
                try writeFile(isHTML ? AcceptanceReport.html(run, site: site) : AcceptanceReport.markdown(run, site: site), to: report)
                if bothFormats {
                    try writeFile(isHTML ? AcceptanceReport.markdown(run, site: site) : AcceptanceReport.html(run, site: site),
                                  to: base + (isHTML ? ".md" : ".html"))
                }
            }
            if let report, let runId {
                let absolute = URL(fileURLWithPath: report).standardizedFileURL.path
                do { try database.recordTestReport(runId: runId, path: absolute) } catch { printError("\(error)") }
            }
            print("stored as test run \(runId.map(String.init) ?? "?") in \(db)")
            failed = run.verdict != .pass
        }
        if failed { throw ExitCode.failure }
    }

    private func writeFile(_ text: String, to path: String) throws {
        guard path != "-" else { print(text); return }
        try writeOutput(text, to: path)
    }
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
