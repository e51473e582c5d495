import ArgumentParser
import Foundation
import GateAPI
import GateCore
import GateRuntime
import GateStore
import GateVision

/// `gatewatch run`: every feed of a site, headless, into the database.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run all feeds of a site headless and write counts, health and alerts to SQLite.",
        discussion: "Stops cleanly on Ctrl-C or SIGTERM. SIGHUP (or saving the site file) reloads the counting lines without stopping. Attach consoles with: gatewatch console --db FILE"
    )

    @Option(help: "The site YAML file.")
    var config: String

    @Option(help: "The database file (created 0600 if missing). Default: the config's name with .sqlite, beside it.")
    var db: String?

    @Option(help: "Path to the person model (frozen_inference_graph.pb); found by itself when installed.")
    var model: String?

    @Flag(help: "Start even if the database says another pipeline is running.")
    var force = false

    @Flag(help: "Log only a summary a minute, not every crossing.")
    var quiet = false

    func run() throws {
        try runReportingErrors {
            let located = try ConfigLoader.loadLocated(path: config)
            let site = located.config
            // Files and synthetic scenes are checked before anything runs, so each line names the
            // feed and the position of its source: key. One bad source leaves that feed offline
            // (the runner alerts on it) while the others count; when no feed could run, the site is
            // refused before a database is created.
            let problems = site.feeds.filter { !SourceKind.isLiveURI($0.source) }.compactMap { feed in
                SourceCheck.problem(feed.source).map { located.sourceError(feedId: feed.id, $0) }
            }
            if !problems.isEmpty && problems.count == site.feeds.count { throw problems[0] }
            for p in problems { printError("\(p.description); this feed stays offline, the others count") }
            if let warning = ConfigFileSafety.warning(path: config, config: site) { printError(warning) }
            let dbPath = db ?? defaultDatabasePath(forConfig: config)
            let database = try GateDatabase.openWriter(path: dbPath)
            var options = SiteRunOptions(modelPath: model)
            options.force = force
            options.crossingLog = quiet ? .summary : .each
            options.hubPicture = SitePicture.source
            let runner = try SiteRunner(config: site, configPath: config, database: database, options: options)
            // The site API (`api:`) listens before counting starts, so a port in use is refused at once.
            let api = try site.api.map { try startAPI($0, database: database) }
            let signals = StopSignal(signals: [SIGINT, SIGTERM]) { _ in runner.stop() }
            try runner.start(version: GateWatch.version)
            // SIGHUP reloads the site file (the counting lines), as saving it does; it never stops the site.
            signal(SIGHUP, SIG_IGN)
            let reload = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
            reload.setEventHandler { runner.reload(trigger: .signal) }
            reload.resume()
            defer { reload.cancel() }
            printError("running site '\(site.site.name)': \(site.feeds.count) feed(s) -> \(dbPath) (Ctrl-C to stop)")
            runner.wait()
            runner.stop()
            api?.stop()
            try database.close()
            if let s = signals.received { printError("stopped (signal \(s)); database \(dbPath)") }
            else { printError("all feeds ended; database \(dbPath)") }
        }
    }

    /// The same server as `gatewatch serve`, in-process on the run's database; it stops with the run.
    private func startAPI(_ settings: APISettings, database: GateDatabase) throws -> RunningAPI {
        let folder = (config as NSString).deletingLastPathComponent
        let settings = settings.resolvingPaths(against: folder.isEmpty ? "." : folder)
        let api = try RunningAPI.start(database: database, settings: settings, stopsOnSignals: false)
        let port = try api.waitUntilListening()
        printError("site API: \(settings.baseURL(port: port))/v1 (/metrics \(settings.metrics == .open ? "open" : "needs a key"); keys: gatewatch api-key add NAME --db \(database.path))")
        return api
    }
}

/// `site.yaml` -> `site.sqlite` beside it.
func defaultDatabasePath(forConfig path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingPathExtension().appendingPathExtension("sqlite").path
}
