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
}
