import Foundation
import GateCore
import GateStore

extension MonitoringInput {
    /// Everything `status` and `check` report, read from a GateWatch database.
    /// Capacity levels and freshness come from the thresholds stored with the site (the
    /// ones the runner and its alert engine use); `capacityWarning`, `capacityCritical`
    /// and `heartbeatSeconds` override them only when given (`check -w/-c`). Feed states
    /// follow the one freshness rule (`FeedState.observed`): a feed is only as fresh as
    /// the runner that wrote it.
    public static func load(from database: GateDatabase, nowMs: Int64 = currentTimeMs(),
                            capacityWarning: Double? = nil, capacityCritical: Double? = nil,
                            heartbeatSeconds: Double? = nil) throws -> MonitoringInput {
        let q = StoreQueries(database)
        let site = try q.site()
        let today = try q.today(now: nowMs)
        let feedRows = try q.feeds()
        let linesByFeed = Dictionary(grouping: try q.lines().map { ($0.feedId, $0.config) }, by: \.0).mapValues { $0.map(\.1) }
        let health = Dictionary(try q.feedHealth().map { ($0.feedId, $0) }, uniquingKeysWith: { a, _ in a })
        var thresholds = site?.thresholds ?? SiteThresholds()
        if let capacityWarning { thresholds.capacityWarning = capacityWarning }
        if let capacityCritical { thresholds.capacityCritical = capacityCritical }
        if let heartbeatSeconds { thresholds.heartbeatSeconds = heartbeatSeconds }
        let row = try q.pipeline()
        let pipeline = row.map {
            MonitoringPipeline(running: $0.state == "running", heartbeatMs: $0.heartbeatMs,
                               startedMs: $0.startedMs, version: $0.version)
        }
        let liveness = PipelineLiveness.decide(state: row?.state, heartbeatMs: row?.heartbeatMs, nowMs: nowMs,
                                               thresholds: thresholds)
        let feeds = feedRows.map { f -> MonitoringFeed in
            let h = health[f.id]
            let state = FeedState.observed(stored: h?.state, lastFrameMs: h?.lastFrameMs, pipeline: liveness,
                                           nowMs: nowMs, thresholds: thresholds)
            var feed = MonitoringFeed(id: f.id, name: f.name, gateId: f.gateId, state: state.rawValue,
                                      captureFps: h?.captureFps ?? 0, processFps: h?.processFps ?? 0,
                                      expectedFps: f.expectedFps, lastFrameMs: h?.lastFrameMs,
                                      reconnects: h?.reconnects ?? 0, dropped: h?.dropped ?? 0, lastError: h?.lastError)
            feed.detectorRunsPerSecond = h?.detectorRunsPerS ?? 0
            feed.cadence = f.cadence
            feed.detectRegion = f.detectRegion
            // A region this version cannot read (written by a newer one) shows as stored, as the whole picture.
            feed.regionRect = (try? ConfigLoader.detectRegionArgument(f.detectRegion))?.normalised(lines: linesByFeed[f.id] ?? [])
            return feed
        }
        let alerts = try q.alerts(.unresolved).map { a in
            // A severity a newer GateWatch wrote shows as warning: visible, not alarming.
            MonitoringAlert(id: a.id, kind: a.kind.rawValue, subject: a.subjectId,
                            severity: a.severity.known ?? .warning, state: a.state.rawValue,
                            messageEn: a.message, messageVi: a.messageVi ?? a.message, value: a.value,
                            raisedMs: a.raisedMs, updatedMs: a.updatedMs, ackBy: a.ackBy)
        }
        let hours = site.flatMap { s in
            s.openMinute.flatMap { o in s.closeMinute.map { OpeningHours(openMinute: o, closeMinute: $0) } }
        }
        var input = MonitoringInput(siteName: site?.name ?? "(no site yet)", timeZone: today.timeZone, nowMs: nowMs,
                               occupancy: today.occupancy, capacity: site?.capacity ?? today.capacity ?? 0,
                               thresholds: thresholds, openingHours: hours, pipeline: pipeline,
                               gates: today.gates.map { MonitoringGate(id: $0.id, name: $0.name, ins: $0.ins, outs: $0.outs) },
                               feeds: feeds, alerts: alerts)
        input.occupancyCorrection = today.occupancyCorrection
        input.webhooks = try database.webhookBacklog()
        input.hubSync = try database.hubSyncBacklog()
        return input
    }
}
