import Foundation
import GateAPI
import GateCore
import GateStore
import Hummingbird
import HummingbirdCore
import NIOCore
import Prometheus

/// The hub's exports, written while PostgreSQL returns rows (a year of fifty sites is never
/// held in memory), as JSON (an array) or CSV. Days are the province's
/// (`ConfigLoader.defaultTimeZone`); a range is `from=YYYY-MM-DD&to=YYYY-MM-DD`, both included.
///
/// - `GET /v1/export/counts?from&to[&site][&by=day|hour][&format]`: per site, period and gate.
/// - `GET /v1/export/crossings?from&to[&site][&format]`: every crossing, oldest first.
enum HubExport {
    static let maxDays = 3_660
    static let chunkRows = 500

    static func counts(_ request: Request, store: HubStore) async throws -> Response {
        let q = request.uri.queryParameters
        let range: (fromMs: Int64, toMs: Int64, csv: Bool)
        switch parse(q) { case .success(let r): range = r; case .failure(let refusal): return refusal.response }
        let bucketText = q["by"].map(String.init) ?? "day"
        guard let bucket = HubBucket(rawValue: bucketText) else {
            return HubServer.problem(.badParameter("by=\(TextSafety.echo(bucketText, limit: 20)) is not day or hour"))
        }
        let rows = try await store.counts(site: q["site"].map(String.init), fromMs: range.fromMs, toMs: range.toMs, by: bucket)
        return stream(csv: range.csv, header: "site,period,gate_id,ins,outs") { write in
            try await rows.forEach { r in
                try await write("\(csvField(r.site)),\(r.period),\(csvField(r.gate_id)),\(r.ins),\(r.outs)\n", jsonObject(r))
            }
        }
    }

    static func crossings(_ request: Request, store: HubStore) async throws -> Response {
        let q = request.uri.queryParameters
        let range: (fromMs: Int64, toMs: Int64, csv: Bool)
        switch parse(q) { case .success(let r): range = r; case .failure(let refusal): return refusal.response }
        let rows = try await store.crossings(site: q["site"].map(String.init), fromMs: range.fromMs, toMs: range.toMs)
        return stream(csv: range.csv, header: "site,id,time,gate_id,line_id,feed_id,direction,confidence") { write in
            try await rows.forEach { r in
                let line = "\(csvField(r.site)),\(r.id),\(r.time),\(csvField(r.gate_id)),\(csvField(r.line_id)),\(csvField(r.feed_id)),\(r.direction),\(r.confidence)\n"
                try await write(line, jsonObject(r))
            }
        }
    }

    /// A refused request's answer (an Error only to travel in a Result).
    struct Refusal: Error { let response: Response }

    /// The range and format of an export's query string.
    static func parse(_ q: FlatDictionary<Substring, Substring>) -> Result<(fromMs: Int64, toMs: Int64, csv: Bool), Refusal> {
        let zone = TimeZone(identifier: ConfigLoader.defaultTimeZone)!
        guard let fromText = q["from"].map(String.init), let from = LocalDate(fromText),
              let toText = q["to"].map(String.init), let to = LocalDate(toText) else {
            return .failure(Refusal(response: HubServer.problem(.badRange("give from=YYYY-MM-DD and to=YYYY-MM-DD (both days included)"))))
        }
        guard from <= to, to.dayNumber - from.dayNumber < maxDays else {
            return .failure(Refusal(response: HubServer.problem(.badRange("from must not be after to, and the range at most \(maxDays) days"))))
        }
        let format = q["format"].map(String.init) ?? "json"
        guard format == "json" || format == "csv" else {
            return .failure(Refusal(response: HubServer.problem(.badParameter("format=\(TextSafety.echo(format, limit: 20)) is not json or csv"))))
        }
        let clock = SiteClock(zone: zone)
        return .success((clock.startMs(of: from), clock.startMs(of: to.adding(days: 1)), format == "csv"))
    }

    /// The answer whose body `produce` writes row by row (`write(csvLine, jsonObject)`), in chunks.
    static func stream(csv: Bool, header: String,
                       _ produce: @escaping @Sendable (_ write: (String, String) async throws -> Void) async throws -> Void) -> Response {
        let body = ResponseBody { writer in
            var pending: [String] = [csv ? header + "\n" : "["]
            var first = true
            try await produce { line, object in
                pending.append(csv ? line : (first ? "" : ",") + object)
                first = false
                if pending.count >= chunkRows {
                    try await writer.write(ByteBuffer(string: pending.joined()))
                    pending.removeAll(keepingCapacity: true)
                }
            }
            if !csv { pending.append("]\n") }
            try await writer.write(ByteBuffer(string: pending.joined()))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: csv ? "text/csv; charset=utf-8" : "application/json"], body: body)
    }

    /// Quoted when it holds a comma, quote or line break; a leading = + - @ is defused
    /// (a spreadsheet would run it as a formula).
    static func csvField(_ s: String) -> String {
        var v = s
        if let c = v.first, "=+-@".contains(c) { v = "'" + v }
        guard v.contains(where: { ",\"\n\r".contains($0) }) else { return v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func jsonObject<T: Encodable>(_ r: T) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? e.encode(r)) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// `GET /metrics`: the hub's sites in Prometheus text (lag, backlog, whether behind), read
/// from the database at each scrape into a fresh registry, as the site's `/metrics` is.
enum HubMetrics {
    static func text(store: HubStore, lagAlertSeconds: Double) async throws -> String {
        let sites = try await store.siteSummaries(lagAlertSeconds: lagAlertSeconds)
        let registry = PrometheusCollectorRegistry()
        GateMetrics.gauge(registry, "hub_sites", help: "Sites known to the hub (revoked included).").set(to: Double(sites.count))
        for s in sites {
            let site = [("site", s.name)]
            GateMetrics.gauge(registry, "hub_site_lag_seconds", labels: site,
                              help: "Age of the oldest event the hub does not have yet (or of the last batch); -1 never synced.")
                .set(to: s.lag_seconds ?? -1)
            GateMetrics.gauge(registry, "hub_site_backlog", labels: site, help: "Events waiting at the site as of its last batch.")
                .set(to: Double(s.backlog ?? 0))
            let lagging = s.attention.contains(HubAttention.syncLag) || s.attention.contains(HubAttention.neverSynced)
            GateMetrics.gauge(registry, "hub_site_lagging", labels: site, help: "1 when the site's lag is beyond the hub's --lag-alert.")
                .set(to: lagging ? 1 : 0)
        }
        return registry.emitToString()
    }
}
