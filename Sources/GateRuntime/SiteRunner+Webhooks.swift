import Foundation
import GateCore
import GateStore

extension SiteRunner {
    /// Records the site's endpoints and hub (a removed one is forgotten) and starts sending.
    func startWebhooks() throws {
        startedMs = options.clock.nowMs()
        try database.syncWebhookEndpoints(config.webhooks)
        try database.syncHubSettings(config.sync)
        if let sync = config.sync {
            var settings = HubSyncWorker.Settings()
            settings.clock = options.clock
            settings.log = options.log
            settings.picture = options.hubPicture
            let worker = HubSyncWorker(database: database, sync: sync, siteName: config.site.name, settings: settings)
            hubSync = worker
            worker.start()
            options.log("hub sync: sending to \(redactedURL(sync.hubURL))")
        }
        guard !config.webhooks.isEmpty else { return }
        var settings = WebhookDeliverer.Settings()
        settings.clock = options.clock
        settings.log = options.log
        let deliverer = WebhookDeliverer(database: database, endpoints: config.webhooks, settings: settings)
        webhooks = deliverer
        deliverer.start()
        let ids = config.webhooks.map(\.id).joined(separator: ", ")
        options.log("webhooks: sending to \(ids)")
    }

    /// Writes the per-minute counts events of the minutes that have ended (a couple of
    /// seconds late, after the crossing writer's last batch of the minute).
    func closeCountMinutes(now: Int64) {
        guard config.webhooks.contains(where: { $0.events.contains(.counts) }) else { return }
        do {
            try flushCrossings()
            try database.closeCountMinutes(endingBy: now - 2_000, runningSinceMs: startedMs, at: now)
        } catch {
            options.log("cannot write the per-minute counts for webhooks: \(error)")
        }
    }
}
