import Foundation
import GateCore
import GateStore

extension MonitoringInput {
    /// Everything `status` and `check` report, read from a GateWatch database.
    /// Capacity levels are not stored in the database, so they come from the caller
    /// (defaults match the alert defaults). A feed's stored state is only as fresh as the
    /// pipeline that wrote it: with no pipeline running it reads "stopped", and with a
    /// pipeline whose heartbeat is older than `staleSeconds` (killed) it reads "unknown".
    public static func load(from database: GateDatabase, nowMs: Int64 = currentTimeMs(),
                            capacityWarning: Double = AlertSettings().capacityWarning,
                            capacityCritical: Double = AlertSettings().capacityCritical,
                            staleSeconds: Double = MonitoringReport.defaultStaleSeconds) throws -> MonitoringInput {
        let q = StoreQueries(database)
        let site = try q.site()
        let today = try q.today(now: nowMs)
        let feedRows = try q.feeds()
        let health = Dictionary(try q.feedHealth().map { ($0.feedId, $0) }, uniquingKeysWith: { a, _ in a })
        let pipeline = try q.pipeline().map {
            MonitoringPipeline(running: $0.state == "running", heartbeatMs: $0.heartbeatMs,
                               startedMs: $0.startedMs, version: $0.version)
        }
        let running = pipeline?.running ?? false
        let responding = running && Double(nowMs - (pipeline?.heartbeatMs ?? 0)) / 1000 <= staleSeconds
        func state(_ h: GateStore.FeedHealth?) -> String {
            guard let h else { return responding ? FeedState.starting.rawValue : "stopped" }
            if responding || h.state == FeedState.ended.rawValue || h.state == "stopped" { return h.state }
            return running ? "unknown" : "stopped"
        }
        let feeds = feedRows.map { f -> MonitoringFeed in
            let h = health[f.id]
            return MonitoringFeed(id: f.id, name: f.name, gateId: f.gateId, state: state(h),
                                  captureFps: h?.captureFps ?? 0, processFps: h?.processFps ?? 0,
                                  expectedFps: f.expectedFps, lastFrameMs: h?.lastFrameMs,
                                  reconnects: h?.reconnects ?? 0, dropped: h?.dropped ?? 0, lastError: h?.lastError)
        }
        let alerts = try q.alerts(.unresolved).map { a in
            MonitoringAlert(id: a.id, kind: a.kind, subject: a.subject,
                            severity: AlertSeverity(rawValue: a.severity) ?? .warning, state: a.state,
                            messageEn: a.message, messageVi: a.messageVi ?? a.message, value: a.value,
                            raisedMs: a.raisedMs, updatedMs: a.updatedMs, ackBy: a.ackBy)
        }
        return MonitoringInput(siteName: site?.name ?? "(no site yet)", timeZone: today.timeZone, nowMs: nowMs,
                               occupancy: today.occupancy, capacity: site?.capacity ?? today.capacity ?? 0,
                               capacityWarning: capacityWarning, capacityCritical: capacityCritical,
                               pipeline: pipeline,
                               gates: today.gates.map { MonitoringGate(id: $0.id, name: $0.name, ins: $0.ins, outs: $0.outs) },
                               feeds: feeds, alerts: alerts)
    }
}
