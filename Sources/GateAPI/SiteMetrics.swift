import Foundation
import GateCore
import GateRuntime
import GateStore
import Prometheus

/// GateWatch's Prometheus names (`gatewatch_…`), made one way for the site's and the hub's `/metrics`.
package enum GateMetrics {
    static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "gatewatch", metricName: name, unitName: "", helpText: help)
    }
    package static func gauge(_ r: PrometheusCollectorRegistry, _ name: String, labels: [(String, String)] = [],
                              help: String) -> Gauge {
        r.makeGauge(descriptor: descriptor(name, help), labels: labels)
    }
    package static func counter(_ r: PrometheusCollectorRegistry, _ name: String, labels: [(String, String)] = [],
                                help: String) -> Counter {
        r.makeCounter(descriptor: descriptor(name, help), labels: labels)
    }
}

/// `/metrics`: the site's figures in Prometheus text format, read from the database at each
/// scrape into a fresh registry (the database is the record; the server keeps no counts of
/// its own, so every server on the same database says the same).
enum SiteMetrics {
    static func exposition(_ database: GateDatabase, nowMs: Int64 = currentTimeMs()) throws -> String {
        let q = StoreQueries(database)
        let status = try MonitoringInput.load(from: database, nowMs: nowMs)
        let health = Dictionary(try q.feedHealth().map { ($0.feedId, $0) }, uniquingKeysWith: { a, _ in a })
        let registry = PrometheusCollectorRegistry()
        site(status, into: registry)
        if let pipeline = try q.pipeline() { writer(pipeline, into: registry) }
        for gate in status.gates {
            // Since site-local midnight: a reset there reads as a counter reset, which rate() and increase() expect.
            for (direction, value) in [("in", gate.ins), ("out", gate.outs)] {
                GateMetrics.counter(registry, "crossings_total", labels: [("gate", gate.id), ("direction", direction)],
                                     help: "Crossings today (since site-local midnight), each gate as its busiest camera.")
                    .increment(by: Int64(value))
            }
        }
        let tallies = try q.unresolvedAlertTallies()
        for severity in AlertSeverity.allCases {
            let open = tallies.filter { $0.severity == severity.rawValue && $0.state == AlertState.open.rawValue }
            GateMetrics.gauge(registry, "alerts_open", labels: [("severity", severity.rawValue)],
                               help: "Alerts open (raised, not yet acknowledged), by severity.")
                .set(to: Double(open.reduce(0) { $0 + $1.count }))
        }
        for feed in status.feeds { self.feed(feed, stored: health[feed.id], into: registry) }
        for endpoint in status.webhooks { webhook(endpoint, into: registry) }
        if let sync = status.hubSync { hubSync(sync, now: nowMs, into: registry) }
        return registry.emitToString()
    }

    private static func site(_ s: MonitoringInput, into r: PrometheusCollectorRegistry) {
        GateMetrics.gauge(r, "occupancy", help: "People inside the site now.").set(to: Double(s.occupancy))
        GateMetrics.gauge(r, "capacity", help: "People the site holds (0: unknown).").set(to: Double(s.capacity))
        let level = s.capacityLevel
        for l in CapacityLevel.allCases {
            GateMetrics.gauge(r, "capacity_level", labels: [("level", l.rawValue)],
                        help: "1 for the site's capacity level now, 0 for the others.").set(to: l == level ? 1.0 : 0.0)
        }
        GateMetrics.gauge(r, "runner_up", help: "1 while the runner writing the database beats its heartbeat.")
            .set(to: s.liveness == .running ? 1.0 : 0.0)
    }

    private static func writer(_ p: PipelineStatus, into r: PrometheusCollectorRegistry) {
        GateMetrics.gauge(r, "writer_pending_crossings", help: "Crossings waiting in the runner's write queue at its last heartbeat.")
            .set(to: Double(p.writerPending))
        GateMetrics.counter(r, "writer_dropped_crossings_total",
                help: "Crossings the write queue dropped since the runner started (full while the database failed).")
            .increment(by: Int64(p.writerDropped))
        GateMetrics.gauge(r, "writer_last_batch_seconds", help: "Time the runner's last batch of writes took.").set(to: p.writeMs / 1000)
    }

    private static func webhook(_ b: WebhookBacklog, into r: PrometheusCollectorRegistry) {
        let labels = [("endpoint", b.endpointId)]
        GateMetrics.gauge(r, "webhook_backlog", labels: labels, help: "Webhook events waiting to be delivered to the endpoint.")
            .set(to: Double(b.pending))
        GateMetrics.counter(r, "webhook_dead_lettered_total", labels: labels,
                help: "Webhook events given up after max_attempts tries (kept in webhook_dead_letter).")
            .increment(by: Int64(b.deadLettered))
        GateMetrics.gauge(r, "webhook_attempts", labels: labels, help: "Failed tries of the event now at the head of the endpoint's queue.")
            .set(to: Double(b.attempts))
        if let at = b.lastDeliveredMs {
            GateMetrics.gauge(r, "webhook_last_delivered_timestamp_seconds", labels: labels,
                  help: "When the endpoint last answered 2xx (Unix seconds).").set(to: Double(at) / 1000)
        }
    }

    private static func hubSync(_ b: HubSyncBacklog, now: Int64, into r: PrometheusCollectorRegistry) {
        GateMetrics.gauge(r, "sync_backlog", help: "Events waiting to reach the province hub.").set(to: Double(b.pending))
        GateMetrics.gauge(r, "sync_lag_seconds", help: "Age of the oldest event the province hub has not acknowledged (0: none waits).")
            .set(to: b.lagSeconds(now: now))
        GateMetrics.gauge(r, "sync_attempts", help: "Failed tries of the batch now at the head (0 while the hub takes them).")
            .set(to: Double(b.attempts))
        if let at = b.lastAckMs {
            GateMetrics.gauge(r, "sync_last_acknowledged_timestamp_seconds", help: "When the hub last acknowledged a batch (Unix seconds).")
                .set(to: Double(at) / 1000)
        }
    }

    private static func feed(_ f: MonitoringFeed, stored: FeedHealth?, into r: PrometheusCollectorRegistry) {
        let labels = [("feed", f.id), ("gate", f.gateId)]
        GateMetrics.gauge(r, "feed_up", labels: labels, help: "1 while the feed is live.").set(to: f.isLive ? 1.0 : 0.0)
        GateMetrics.gauge(r, "feed_capture_fps", labels: labels, help: "Frames a second read from the source.")
            .set(to: f.captureFps)
        GateMetrics.gauge(r, "feed_process_fps", labels: labels, help: "Frames a second processed.").set(to: f.processFps)
        GateMetrics.gauge(r, "feed_detector_runs_per_second", labels: labels,
                    help: "Detector runs a second over the last few seconds.").set(to: f.detectorRunsPerSecond)
        GateMetrics.counter(r, "feed_dropped_frames_total", labels: labels,
                      help: "Frames dropped since the runner started (live sources drop the oldest).")
            .increment(by: Int64(f.dropped))
        GateMetrics.counter(r, "feed_reconnects_total", labels: labels, help: "Reconnects since the runner started.")
            .increment(by: Int64(f.reconnects))
        guard let h = stored else { return }
        GateMetrics.counter(r, "feed_frames_total", labels: labels, help: "Frames read since the runner started.")
            .increment(by: Int64(h.frames))
        GateMetrics.gauge(r, "feed_queue_depth", labels: labels, help: "Frames waiting to be processed.")
            .set(to: Double(h.queueDepth))
        for (stage, ms) in [("decode", h.decodeMs), ("detect", h.detectMs), ("track", h.trackMs)] {
            GateMetrics.gauge(r, "feed_stage_seconds", labels: labels + [("stage", stage)],
                        help: "Recent time a frame spends in each stage.").set(to: ms / 1000)
        }
    }
}
