import ArgumentParser
import Foundation
import GateCore
import GateRuntime
import GateStore

/// `gatewatch test`: runs an acceptance suite (`gatewatch test SUITE`, the default), or writes
/// the signed report of a stored run again (`gatewatch test report RUN_ID`).
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run an acceptance suite: expected against counted, alerts, speed; store, JUnit, signed report.",
        subcommands: [RunSuiteCommand.self, TestReportCommand.self],
        defaultSubcommand: RunSuiteCommand.self
    )

    /// Where runs are stored when no --db is given: the user's data folder, never the current directory.
    static var defaultDatabase: String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return base + "/gatewatch/tests.sqlite"
    }
}

/// The files a run's report goes to; shared by running a suite and re-reporting a stored run.
struct ReportOutputOptions: ParsableArguments {
    @Option(help: "Write JUnit XML here (one testcase per scenario).")
    var junit: String?

    @Option(help: "Write the acceptance report: FILE.md (Markdown) or FILE.html; the other format too with --both-formats.")
    var report: String?

    @Flag(help: "With --report, also write the other format next to it (same name, .md/.html).")
    var bothFormats = false

    @Option(help: ArgumentHelp("The SQLite database that stores runs.", valueName: "file"))
    var db: String = TestCommand.defaultDatabase

    func validate() throws {
        if let report {
            let ext = (report as NSString).pathExtension.lowercased()
            guard ["md", "markdown", "html", "htm"].contains(ext) else {
                throw ValidationError("--report \(report): name the file .md (Markdown) or .html (HTML)")
            }
        }
    }

    /// Writes JUnit and the report(s), with each scenario's pictures (embedded in HTML; in a
    /// folder beside a Markdown report); returns the report's absolute path when one was written.
    func write(_ run: SuiteRun, modelPath: String? = nil) throws -> String? {
        if let junit { try writeFile(AcceptanceReport.junit(run), to: junit) }
        guard let report else { return nil }
        let images = ReportImages.render(run, modelPath: modelPath)
        let isHTML = ["html", "htm"].contains((report as NSString).pathExtension.lowercased())
        var paths = [report]
        if bothFormats { paths.append((report as NSString).deletingPathExtension + (isHTML ? ".md" : ".html")) }
        for path in paths {
            if ["html", "htm"].contains((path as NSString).pathExtension.lowercased()) {
                try writeFile(AcceptanceReport.html(run, images: images), to: path)
            } else {
                let folder = path == "-" ? nil : try writeImages(images, besides: path)
                try writeFile(AcceptanceReport.markdown(run, images: images, imageFolder: folder), to: path)
            }
        }
        return report == "-" ? nil : URL(fileURLWithPath: report).standardizedFileURL.path
    }

    /// The pictures of a Markdown report, in `NAME-images/` beside it (folder 0700, files
    /// 0600, as exports); returns the folder's name relative to the report.
    private func writeImages(_ images: ReportImages, besides report: String) throws -> String {
        let name = ((report as NSString).lastPathComponent as NSString).deletingPathExtension + "-images"
        let folder = ((report as NSString).deletingLastPathComponent as NSString).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw CLIError("\(folder): cannot make the folder for the report's pictures (\(error.localizedDescription)); "
                           + "write the report where this user may create a folder")
        }
        for figure in images.scenarios.joined() {
            guard let bytes = figure.bytes else { continue }
            try Export.writeFile(bytes: Array(bytes), to: (folder as NSString).appendingPathComponent(figure.fileName))
        }
        return name
    }

    private func writeFile(_ text: String, to path: String) throws {
        guard path != "-" else { print(text); return }
        try writeOutput(text, to: path)
    }

    /// Opens (creating) the runs database, making its folder for the default path.
    func openDatabase() throws -> GateDatabase {
        if db == TestCommand.defaultDatabase {
            try? FileManager.default.createDirectory(atPath: (db as NSString).deletingLastPathComponent,
                                                     withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        return try GateDatabase.openWriter(path: db)
    }
}

/// `gatewatch test SUITE…`
struct RunSuiteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run an acceptance suite (the default: `gatewatch test SUITE`).",
        discussion: """
            SUITE is a folder of scenario .yaml files (run in name order) or one scenario file.
            Exit code 0 when every scenario's counts and alerts pass, 1 otherwise. Speed is its own
            verdict, measured beside the machine's decode-only pace in the same run, so a busy
            machine does not fail a correct counter; --strict-speed makes a missed speed fail.
            Example: gatewatch test samples/acceptance --junit out.xml --report out.md --site "Tràng An"
            """
    )

    @Argument(help: "A folder of scenario files, or scenario files (several run as one suite).")
    var suite: [String]

    @OptionGroup var output: ReportOutputOptions

    @Option(help: "Site name for the report (default: the site stored in --db).")
    var site: String?

    @Option(name: .customLong("operator"), help: "Who runs the suite, for the report (default: the login name).")
    var operatorName: String?

    @Flag(help: "A missed speed requirement fails its scenario (default: reported as its own verdict).")
    var strictSpeed = false

    @Option(help: "Path to the person model (frozen_inference_graph.pb); found by itself when installed.")
    var model: String?

    /// For the console that starts this run: the run's id is written here (atomically) as soon as it is stored.
    @Option(help: .hidden)
    var runIdFile: String?

    func validate() throws {
        if let runIdFile, runIdFile.isEmpty { throw ValidationError("--run-id-file: give a file path") }
        if suite.isEmpty { throw ValidationError("give the suite: a folder of scenario .yaml files (e.g. samples/acceptance) or scenario files") }
    }

    func run() throws {
        var failed = false
        try runReportingErrors {
            let scenarios = try suite.flatMap { try AcceptanceSuite.load(path: $0) }
            let database = try output.openDatabase()
            defer { try? database.close() }
            // Ctrl-C or a kill mid-suite: the stored run must not stay "running" forever.
            // This process closes its own run, by id (a console that started it does not).
            let dbPath = output.db
            let ownRun = RunIdBox()
            let signals = StopSignal(signals: [SIGINT, SIGTERM, SIGHUP]) { sig in
                if let id = ownRun.value { _ = try? database.interruptTestRun(id: id) }
                printError("test run interrupted (signal \(sig)); stored as failed in \(dbPath)")
                // _exit, not exit: the main thread is mid-scenario, and exit's atexit/static
                // destructors racing it crashed the child (SIGSEGV) on a loaded machine.
                fflush(stdout)
                _exit(128 + sig)
            }
            defer { withExtendedLifetime(signals) {} }
            let env = ProcessInfo.processInfo.environment
            // Services and `su` often leave USER unset: the account name still says who ran it.
            let who = operatorName ?? env["USER"] ?? env["LOGNAME"] ?? getpwuid(getuid()).map { String(cString: $0.pointee.pw_name) } ?? "—"
            // The report names the site: the one given, else the site stored in this database.
            let siteName = site ?? (try? StoreQueries(database).site())??.name
            let provenance = RunProvenance.current(operatorName: who, site: siteName, version: GateWatch.version,
                                                   modelPath: model, databasePath: output.db)
            let tty = isatty(STDOUT_FILENO) == 1
            let bar = ProgressBar(enabled: tty)
            func label(_ i: Int, _ n: Int, _ name: String) -> String { "[\(i + 1)/\(n)] \(name)" }
            let (run, runId) = try AcceptanceSuite.run(
                scenarios, path: suite.count == 1 ? suite[0] : suite.joined(separator: " "), database: database,
                provenance: provenance, modelPath: model, strictSpeed: strictSpeed,
                log: { bar.message($0) },
                onRunStarted: { id in
                    ownRun.value = id
                    if let runIdFile { Self.writeRunId(id, to: runIdFile) }
                },
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
            if let written = try output.write(run, modelPath: model), let runId {
                do { try database.recordTestReport(runId: runId, path: written) } catch { printError("\(error)") }
            }
            print("stored as test run \(runId.map(String.init) ?? "?") in \(output.db)"
                  + (runId.map { "; write its report again with: gatewatch test report \($0) --db \(output.db) --report FILE.md" } ?? ""))
            failed = run.verdict != .pass
        }
        if failed { throw ExitCode.failure }
    }

    /// Written to a temporary name and renamed: a reader sees no file or the whole id, never half.
    static func writeRunId(_ id: Int64, to path: String) {
        let tmp = path + ".tmp-\(getpid())"
        do {
            try "\(id)\n".write(toFile: tmp, atomically: false, encoding: .utf8)
            guard rename(tmp, path) == 0 else { throw CLIError(String(cString: strerror(errno))) }
        } catch {
            try? FileManager.default.removeItem(atPath: tmp)
            printError("--run-id-file \(path): cannot write the run id (\(error)); the run goes on as test run \(id)")
        }
    }
}

/// The id of the run this process stored, shared with the signal handler.
final class RunIdBox: @unchecked Sendable {
    private let lock = NSLock()
    private var id: Int64?
    var value: Int64? {
        get { lock.lock(); defer { lock.unlock() }; return id }
        set { lock.lock(); id = newValue; lock.unlock() }
    }
}

/// `gatewatch test report RUN_ID`: the signed report of a stored run, written again.
struct TestReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report (and JUnit) of a stored test run again.",
        discussion: "Example: gatewatch test report 12 --db site.sqlite --report run12.html --both-formats"
    )

    @Argument(help: "The run's number (shown after a run, and on the console's Tests screen).")
    var runId: Int64

    @OptionGroup var output: ReportOutputOptions

    func validate() throws {
        if runId <= 0 { throw ValidationError("RUN_ID is a run number (1 or more), got \(runId)") }
    }

    func run() throws {
        try runReportingErrors {
            guard FileManager.default.fileExists(atPath: output.db) else {
                throw CLIError("\(output.db): no such database; give the --db the run was stored in")
            }
            let database = try GateDatabase.openWriter(path: output.db)
            defer { try? database.close() }
            let run = try AcceptanceSuite.stored(runId: runId, queries: StoreQueries(database), databasePath: output.db)
            if output.report == nil && output.junit == nil {
                print(AcceptanceReport.table(run))
                return
            }
            if let written = try output.write(run) {
                do { try database.recordTestReport(runId: runId, path: written) } catch { printError("\(error)") }
                print("wrote the report of test run \(runId) to \(written)")
            }
        }
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
