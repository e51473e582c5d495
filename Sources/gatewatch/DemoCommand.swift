import ArgumentParser
import Foundation
import GateConsole
import GateCore
import GateRuntime
import GateStore
import GateSynth
import GateVision

/// `gatewatch demo` (and `gatewatch` alone): the built-in demo site, run in-process on
/// synthetic feeds, with the console opened on its database.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the built-in demo site (synthetic feeds) and open the console on it."
    )

    @Option(help: "The demo's database (default: gatewatch-demo.sqlite in the state folder). Other consoles can attach to it.")
    var db: String?

    @Option(help: "Theme: default, light, high-contrast, monochrome, or a .theme file (default: the one remembered, else default).")
    var theme: String?

    @Option(help: "Language: vi or en (default: the one remembered (L switches), else from LANG/LC_ALL, Vietnamese first).")
    var lang: String?

    @Option(help: "An acceptance suite folder for the Tests screen (repeatable; default: the standard places).")
    var suites: [String] = []

    @Flag(help: "Run the demo pipeline without the console (for scripts); stop with Ctrl-C.")
    var headless = false

    @Option(help: "Stop after this many seconds (default: run until quit).")
    var seconds: Double?

    @Option(help: "Path to the person model; found by itself when installed.")
    var model: String?

    func validate() throws {
        if let l = lang, Language(rawValue: l.lowercased()) == nil {
            throw ValidationError("--lang \(l): unknown language; use vi or en")
        }
        try checkFlag(seconds, Limits.demoSeconds, flag: "--seconds")
    }

    func run() throws {
        try runReportingErrors {
            let site = try ConfigLoader.parse(yaml: DemoSite.yaml, file: "built-in demo site")
            let dbPath = try db ?? DemoSite.defaultDatabasePath()
            let database = try GateDatabase.openWriter(path: dbPath)
            var options = SiteRunOptions(modelPath: model)
            options.force = true   // a crashed earlier demo must not block the next one
            let logFile = dbPath + ".log"
            if !headless {
                // The console owns the terminal: the pipeline's messages go to a log file instead.
                FileManager.default.createFile(atPath: logFile, contents: nil)
                let handle = FileHandle(forWritingAtPath: logFile)
                options.log = { line in handle?.write(Data("\(Date()) \(TextSafety.echo(line, limit: 2000))\n".utf8)) }
            }
            try prepareSprites()
            let runner = try SiteRunner(config: site, configPath: nil, database: database, options: options)
            try runner.start(version: GateWatch.version)
            let deadline = seconds.map { Date().addingTimeInterval($0) }
            var end = ConsoleEnd.quit
            if headless {
                let signals = StopSignal(signals: [SIGINT, SIGTERM, SIGHUP]) { _ in runner.stop() }
                printError("demo site running -> \(dbPath) (Ctrl-C to stop)")
                while signals.received == nil && !(deadline.map { Date() >= $0 } ?? false) {
                    Thread.sleep(forTimeInterval: 0.2)
                }
            } else {
                let consoleOptions = ConsoleOptions(
                    dbPath: dbPath, theme: theme, language: lang.flatMap { Language(rawValue: $0.lowercased()) },
                    label: "demo", shouldStop: { deadline.map { Date() >= $0 } ?? false },
                    suiteDirectories: suites.isEmpty ? nil : suites)
                do { end = try runConsole(consoleOptions) } catch {
                    runner.stop()
                    throw error
                }
            }
            runner.stop()
            try database.close()
            // Nobody reads a lost terminal; a signal ends the process by that signal once all is stopped.
            if end != .terminalLost {
                printError("demo stopped; its database is \(dbPath) (attach with: gatewatch console --db \(dbPath))")
            }
            if let sig = end.exitSignal { endProcess(bySignal: sig) }
        }
    }

    /// The demo's street scenes need the sprite bank, built once (a minute or more on 2 cores):
    /// say what is happening, how far and how long, instead of a blank terminal.
    private func prepareSprites() throws {
        guard !SpriteBank.isCached() else { return }
        let S = Strings(Language.resolve(lang) ?? .vi)
        setlocale(LC_ALL, "")
        let utf8 = String(cString: nl_langinfo(Int32(CODESET))) == "UTF-8"
        let tty = isatty(STDERR_FILENO) == 1
        let started = Date()
        var lastShown = -1
        func show(_ text: String, final: Bool = false) {
            let line = utf8 ? text : TextWidth.asciiFold(text)
            // On a terminal one line redrawn in place; in a log one line per 10%.
            FileHandle.standardError.write(Data((tty ? "\r\u{1B}[K" + line + (final ? "\n" : "") : line + "\n").utf8))
        }
        _ = try SpriteBank.shared { fraction in
            let percent = Int(fraction * 100)
            guard tty ? percent != lastShown : percent / 10 != lastShown / 10 else { return }
            lastShown = percent
            let elapsed = Date().timeIntervalSince(started)
            // The estimate needs a few percent done before it means anything.
            let remaining = fraction >= 0.05 ? Int(elapsed / fraction * (1 - fraction)) : nil
            show(S.preparingDemo(percent: percent, elapsedSeconds: Int(elapsed), remainingSeconds: remaining))
        }
        show(S.demoPrepared(seconds: Int(Date().timeIntervalSince(started)), cache: SpriteBank.defaultCacheDirectory), final: true)
    }
}
