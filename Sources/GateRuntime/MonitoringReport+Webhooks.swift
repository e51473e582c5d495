import Foundation
import GateCore
import GateStore

extension MonitoringReport {
    /// The webhook section of `status`: one line per endpoint (nothing without webhooks).
    static func webhookLines(_ s: MonitoringInput, lang: ReportLanguage, clock: (Int64) -> String) -> [String] {
        guard !s.webhooks.isEmpty else { return [] }
        var out = ["", "\(Words.webhook(.title, lang)) (\(s.webhooks.count)):"]
        let w = max(4, s.webhooks.map(\.endpointId.count).max() ?? 0)
        for b in s.webhooks {
            let id = b.endpointId.count >= w ? b.endpointId : b.endpointId + String(repeating: " ", count: w - b.endpointId.count)
            var line = "  \(id)  \(Words.webhook(.pending, lang)) \(b.pending)  \(Words.webhook(.deadLettered, lang)) \(b.deadLettered)"
            line += "  \(Words.webhook(.lastDelivered, lang)) " + (b.lastDeliveredMs.map { ago(s.nowMs - $0, lang) } ?? Words.webhook(.never, lang))
            if b.attempts > 0 { line += "  \(Words.webhook(.tries, lang)) \(b.attempts)" }
            if let e = b.lastError, let at = b.lastErrorMs {
                line += "  \(Words.webhook(.lastError, lang)) \(clock(at)): \(oneLine(TextSafety.echo(e, limit: 200)))"
            }
            out.append(line)
        }
        return out
    }

    /// The province hub sync's line of `status` (nothing without `sync:`).
    static func hubSyncLines(_ s: MonitoringInput, lang: ReportLanguage, clock: (Int64) -> String) -> [String] {
        guard let b = s.hubSync else { return [] }
        var line = "  \(b.hub)  \(Words.webhook(.pending, lang)) \(b.pending)  \(Words.hubSync(.lag, lang)) \(span(Int64(b.lagSeconds(now: s.nowMs) * 1000), lang))"
        line += "  \(Words.hubSync(.lastAcknowledged, lang)) " + (b.lastAckMs.map { ago(s.nowMs - $0, lang) } ?? Words.webhook(.never, lang))
        if b.attempts > 0 { line += "  \(Words.webhook(.tries, lang)) \(b.attempts)" }
        if let e = b.lastError, let at = b.lastErrorMs, b.attempts > 0 {
            line += "  \(Words.webhook(.lastError, lang)) \(clock(at)): \(oneLine(TextSafety.echo(e, limit: 300)))"
        }
        return ["", "\(Words.hubSync(.title, lang)):", line]
    }
}
