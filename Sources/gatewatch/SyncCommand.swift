import ArgumentParser
import Foundation
import GateAPI
import GateCore
import GateRuntime
import GateStore

/// `gatewatch sync`: sends what waits for the province hub now, without counting (a site
/// whose runner is stopped: a box being replaced, a link back after the site closed).
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send the events waiting for the province hub, then exit (while the site's runner is stopped).",
        discussion: "`gatewatch run` syncs by itself while it counts; this is for a stopped site. Exit 0 when the hub "
            + "has everything, 1 with the reason when it could not take it all within --timeout. --since DAY first queues "
            + "the site's history from that site-local day (crossings, alerts), for a site that counted before it had sync:; "
            + "the hub keeps each crossing once, and what is not sent by --timeout is sent by `gatewatch run`.")

    @Option(help: "The site file (its sync: section names the hub and the key).")
    var config: String

    @Option(help: "The GateWatch database (default: the config's name with .sqlite, beside it).")
    var db: String?

    @Option(help: "Seconds to keep trying.")
    var timeout: Double = 60

    @Option(help: "Also send the site's history from this site-local day (YYYY-MM-DD): crossings and alerts from before sync: was set up.")
    var since: String?

    func validate() throws {
        try checkFlag(timeout, Limits.syncCommandTimeout, flag: "--timeout")
        if let since, LocalDate(since) == nil {
            throw ValidationError("--since '\(since.prefix(40))' is not a day: use YYYY-MM-DD, e.g. 2026-01-01")
        }
    }

    func run() throws {
        try runReportingErrors {
            let site = try ConfigLoader.load(path: config)
            guard let sync = site.sync else {
                throw CLIError("\(config) has no sync: section; add sync: {hub: https://…, key: gws_…} (see README, province hub)")
            }
            let database = try GateDatabase.openWriter(path: db ?? defaultDatabasePath(forConfig: config))
            defer { try? database.close() }
            try database.syncHubSettings(sync)
            if let since, let day = LocalDate(since) {
                let zone = TimeZone(identifier: site.site.timeZone) ?? TimeZone(identifier: defaultSiteTimeZone)!
                let queued = try database.queueHubHistory(fromMs: SiteClock(zone: zone).startMs(of: day))
                print("queued \(queued.crossings) crossings and \(queued.alerts) alerts since \(day) for the hub")
            }
            var settings = HubSyncWorker.Settings()
            let lastProblem = ProblemLog()
            settings.log = { lastProblem.set($0) }
            settings.picture = SitePicture.source
            let worker = HubSyncWorker(database: database, sync: sync, siteName: site.site.name, settings: settings)
            let deadline = Date().addingTimeInterval(timeout)
            let sent: Bool = try blockingAsync {
                while Date() < deadline {
                    if (try database.hubSyncBacklog())?.pending == 0 { _ = await worker.step(); return true }
                    if await !worker.step() { try await Task.sleep(nanoseconds: 200_000_000) }
                }
                return false
            }
            worker.stop()
            let backlog = try database.hubSyncBacklog()
            guard sent else {
                let reason = backlog?.lastError ?? lastProblem.text ?? "no answer"
                throw CLIError("\(backlog?.pending ?? 0) events still wait for the hub after \(Int(timeout)) s: \(reason)")
            }
            print("hub has every event of '\(site.site.name)' (acknowledged through \(backlog?.acknowledgedSeq ?? 0))")
        }
    }
}

/// The last line the worker logged (the reason a batch was refused).
final class ProblemLog: @unchecked Sendable {
    private let lock = NSLock()
    private var last: String?
    func set(_ s: String) { lock.withLock { last = s } }
    var text: String? { lock.withLock { last } }
}
